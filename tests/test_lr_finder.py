"""dlnotes.lr_finder: the range test, its suggestions, and that it leaves no trace."""

from __future__ import annotations

import math
import random
import tempfile
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from dlnotes.lr_finder import LRFinderResult, lr_find, minimum, steep, suggest_lrs, valley

# --------------------------------------------------------------------------- fixtures


class Net(nn.Module):
    """Tiny, but with everything a snapshot can miss: BatchNorm statistics and its batch
    counter, dropout (RNG), a non-persistent buffer, a frozen parameter."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(4 * 4 * 4, 3)
        self.frozen = nn.Parameter(torch.ones(3), requires_grad=False)
        self.register_buffer("calls", torch.zeros(()), persistent=False)

    def forward(self, x):
        self.calls += 1
        x = torch.relu(self.bn(self.conv(x)))
        x = nn.functional.max_pool2d(x, 2).flatten(1)
        return self.fc(self.drop(x)) * self.frozen


def make_data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 8, 8, generator=g)
    y = (x.mean(dim=(1, 2, 3)) > 0).long() + (x[:, 0, 0, 0] > 1).long()
    return torch.utils.data.TensorDataset(x, y)


def make_loader(batch_size=8, shuffle=True, seed=1):
    return torch.utils.data.DataLoader(
        make_data(), batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(seed)
    )


def trained_setup(two_groups=True):
    """A model and an Adam optimizer that already have state (a few steps taken), and grads left over."""
    torch.manual_seed(0)
    model = Net()
    groups = [{"params": [model.conv.weight, model.conv.bias, *model.bn.parameters()], "lr": 1e-3},
              {"params": list(model.fc.parameters()), "lr": 1e-2}] if two_groups else model.parameters()
    opt = torch.optim.Adam(groups, lr=1e-2)
    loader = make_loader()
    for (x, y), _ in zip(loader, range(3), strict=False):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    model.eval()
    model.drop.train()  # a mixed mode, which must survive too
    return model, opt, loader


def state_of(model, opt, loader):
    """Every tensor and flag the range test could change, copied."""
    tensors = {f"param:{n}": p.detach().clone() for n, p in model.named_parameters()}
    tensors.update({f"grad:{n}": p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    tensors.update({f"buffer:{n}": b.clone() for n, b in model.named_buffers()})
    for i, (p, s) in enumerate(opt.state.items()):
        assert any(p is q for q in model.parameters())
        for k, v in s.items():
            tensors[f"opt:{i}:{k}"] = v.clone() if torch.is_tensor(v) else torch.tensor(v)
    flags = {
        "training": {n: m.training for n, m in model.named_modules()},
        "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()},
        "has_grad": {n: p.grad is not None for n, p in model.named_parameters()},
        "groups": [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups],
        "group_params": [[id(p) for p in g["params"]] for g in opt.param_groups],
        "param_ids": [id(p) for p in model.parameters()],
        "python": random.getstate(),
        "numpy": np.random.get_state()[1].tolist(),
    }
    tensors["rng:torch"] = torch.get_rng_state()
    tensors["rng:loader"] = loader.generator.get_state()
    return tensors, flags


def assert_same_state(before, after):
    tensors0, flags0 = before
    tensors1, flags1 = after
    assert tensors0.keys() == tensors1.keys()
    for name in tensors0:
        a, b = tensors0[name], tensors1[name]
        assert a.dtype == b.dtype and a.shape == b.shape and a.device == b.device and a.stride() == b.stride(), name
        # bit for bit: compare the raw bytes, so that even -0.0 vs 0.0 or a NaN payload would show
        a, b = a.contiguous(), b.contiguous()
        assert a.view(torch.uint8).equal(b.view(torch.uint8)) if a.dtype != torch.bool and a.dim() > 0 else a.equal(b), name
    assert flags0 == flags1


def loss_fn(out, y):
    return nn.functional.cross_entropy(out, y)


# --------------------------------------------------------------------------- leaves no trace


def test_restores_every_tensor_bit_for_bit():
    model, opt, loader = trained_setup()
    random.seed(3)
    np.random.seed(3)
    before = state_of(model, opt, loader)

    def augmenting_loss(out, y):  # draws from every generator, like data augmentation would
        noise = random.random() + np.random.rand() + torch.rand(()).item()
        return loss_fn(out, y) + 0 * noise

    result = lr_find(model, loader, augmenting_loss, optimizer=opt, num_iter=30, end_lr=1.0)
    assert len(result.lrs) > 10  # it really trained
    assert_same_state(before, state_of(model, opt, loader))
    # and the next random numbers are the ones we would have drawn anyway
    assert random.random() == random.Random(3).random()


def test_the_run_really_changes_what_is_restored():
    # guard against a vacuous restore test: without the restore, these tensors would differ
    model, opt, loader = trained_setup()
    before = state_of(model, opt, loader)
    seen = {}

    def spy(out, y):
        seen["bn"] = model.bn.running_mean.clone()
        seen["batches"] = model.bn.num_batches_tracked.clone()
        seen["w"] = model.fc.weight.detach().clone()
        return loss_fn(out, y)

    lr_find(model, loader, spy, optimizer=opt, num_iter=12)
    assert not seen["bn"].equal(before[0]["buffer:bn.running_mean"])
    assert seen["batches"] > before[0]["buffer:bn.num_batches_tracked"]
    assert not seen["w"].equal(before[0]["param:fc.weight"])


class Boom(Exception):
    pass


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
@pytest.mark.parametrize("where", ["loss", "loader"])
def test_restores_after_an_exception_mid_run(error, where):
    model, opt, loader = trained_setup()
    before = state_of(model, opt, loader)
    calls = {"n": 0}

    def failing_loss(out, y):
        calls["n"] += 1
        if where == "loss" and calls["n"] == 7:
            raise error("stop")
        return loss_fn(out, y)

    class FailingLoader:
        generator = loader.generator  # where lr_find looks for a loader's shuffling RNG

        def __len__(self):
            return len(loader)

        def __iter__(self):
            for i, batch in enumerate(loader):
                if i == 5:
                    raise error("stop")
                yield batch

    with pytest.raises(error):
        lr_find(model, FailingLoader() if where == "loader" else loader, failing_loss, optimizer=opt, num_iter=20)
    assert calls["n"] >= 5  # the failure came after real steps had changed the model
    assert_same_state(before, state_of(model, opt, loader))


def test_restores_when_the_default_optimizer_is_used():
    model, opt, loader = trained_setup()
    before = state_of(model, opt, loader)
    lr_find(model, loader, loss_fn, num_iter=15)  # AdamW created inside, over the model's parameters
    assert_same_state(before, state_of(model, opt, loader))


def test_a_fresh_optimizer_stays_fresh():
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 10 steps make a poor curve; not the point here
        lr_find(model, make_loader(), loss_fn, optimizer=opt, num_iter=10)
    assert len(opt.state) == 0 and opt.param_groups[0]["lr"] == 0.1
    assert all(p.grad is None for p in model.parameters())


def test_leaves_no_file_behind(tmp_path, monkeypatch):
    work, tmp = tmp_path / "cwd", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    model, opt, loader = trained_setup()
    lr_find(model, loader, loss_fn, optimizer=opt, num_iter=15)
    assert list(work.iterdir()) == [] and list(tmp.iterdir()) == []


# --------------------------------------------------------------------------- the schedule and the curve


@pytest.mark.parametrize("mode", ["exp", "linear"])
def test_schedule_goes_from_start_to_end(mode):
    model, _, loader = trained_setup()
    r = lr_find(model, loader, loss_fn, start_lr=1e-5, end_lr=1e-2, num_iter=12, mode=mode, diverge=1e9)
    assert r.stop_reason == "completed" and len(r.lrs) == 12 and r.num_iter == 12
    assert r.lrs[0] == pytest.approx(1e-5) and r.lrs[-1] == pytest.approx(1e-2)
    steps = np.diff(np.log(r.lrs)) if mode == "exp" else np.diff(r.lrs)
    assert np.allclose(steps, steps[0])


def test_losses_are_the_bias_corrected_moving_average_of_the_raw_losses():
    model, _, loader = trained_setup()
    r = lr_find(model, loader, loss_fn, num_iter=15, smooth=0.9, end_lr=1e-2)
    assert len(r.losses) == len(r.raw_losses) == len(r.lrs)
    avg = 0.0
    for i, (raw, smoothed) in enumerate(zip(r.raw_losses, r.losses, strict=True)):
        avg = 0.9 * avg + 0.1 * raw
        assert smoothed == pytest.approx(avg / (1 - 0.9 ** (i + 1)))
    assert r.losses[0] == pytest.approx(r.raw_losses[0])  # no pull towards 0 at the start


def test_cycles_a_short_loader():
    model, _, _ = trained_setup()

    class Counting:
        def __init__(self):
            self.starts, self.data = 0, list(make_loader(batch_size=16, shuffle=False))[:3]

        def __len__(self):
            return 3

        def __iter__(self):
            self.starts += 1
            return iter(self.data)

    loader = Counting()
    r = lr_find(model, loader, loss_fn, num_iter=20, end_lr=1e-2, diverge=1e9)
    assert len(r.lrs) == 20 and loader.starts == 7  # 3 + 3 + ... batches: 7 passes for 20 steps


def test_stops_when_the_loss_diverges():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    x = torch.randn(32, 4)
    data = [(x, x.sum(1, keepdim=True))] * 4
    r = lr_find(model, data, nn.functional.mse_loss, optimizer=torch.optim.SGD(model.parameters()),
                start_lr=1e-4, end_lr=1e3, num_iter=100)
    assert r.stop_reason in ("diverged", "non-finite loss") and len(r.lrs) < 100
    if r.stop_reason == "diverged":
        assert r.losses[-1] > 4.0 * min(r.losses[:-1])
    assert all(math.isfinite(v) for v in r.losses + r.raw_losses)


def test_nan_loss_stops_the_run():
    model, _, loader = trained_setup()
    calls = {"n": 0}

    def nan_after_8(out, y):
        calls["n"] += 1
        loss = loss_fn(out, y)
        return loss * float("nan") if calls["n"] > 8 else loss

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = lr_find(model, loader, nan_after_8, num_iter=50)
    assert r.stop_reason == "non-finite loss" and len(r.lrs) == 8
    assert all(math.isfinite(v) for v in r.losses)


def test_nan_at_the_first_step_is_an_error():
    model, _, loader = trained_setup()
    with pytest.raises(RuntimeError, match="not finite at the very first step"):
        lr_find(model, loader, lambda out, y: loss_fn(out, y) * float("nan"), num_iter=10)


# --------------------------------------------------------------------------- suggestions


def synthetic_curve(n=100):
    lrs = np.logspace(-6, 1, n)
    x = np.log10(lrs)
    losses = 2.3 - 1.5 / (1 + np.exp(-3 * (x + 3))) + 0.5 * np.exp(2.5 * (x - 0.2))  # falls around 1e-3, explodes after 1
    return lrs, losses


def test_suggestions_on_a_known_curve():
    lrs, losses = synthetic_curve()
    x = np.log10(lrs)
    # steepest descent of the sigmoid part is at x = -3; the bump adds a little slope
    assert steep(lrs, losses) == pytest.approx(1e-3, rel=0.3)
    assert minimum(lrs, losses) == pytest.approx(lrs[np.argmin(losses)] / 10)
    v = valley(lrs, losses)
    i = int(np.argmin(losses))
    assert lrs[0] < v < lrs[i]  # on the downhill side of the minimum
    # 60% of the fall from the first point (the top of this curve) to the bottom: the first such point
    j = int(np.searchsorted(lrs, v))
    target = losses[0] - (losses[0] - losses[i]) * 0.6
    assert losses[j] <= target < losses[j - 1]
    assert -3 < x[j] < -2  # past the steepest point (1e-3), well before the bottom
    s = suggest_lrs(lrs, losses)
    assert set(s) == {"valley", "steep", "minimum"}


def test_valley_ignores_noise():
    lrs, losses = synthetic_curve()
    noisy = losses + np.random.default_rng(0).normal(0, 0.003, len(losses))
    assert valley(lrs, noisy) == pytest.approx(valley(lrs, losses), rel=0.5)


def test_a_curve_that_never_goes_down_warns_and_falls_back():
    lrs = np.logspace(-6, 1, 50)
    losses = 1.0 + np.linspace(0, 1, 50)
    assert valley(lrs, losses) is None and steep(lrs, losses) is None
    with pytest.warns(RuntimeWarning, match="never clearly decreases"):
        s = suggest_lrs(lrs, losses)
    assert s["valley"] == s["steep"] == s["minimum"] == pytest.approx(lrs[5] / 10)  # first kept point


def test_a_real_run_with_no_downhill_warns():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    x = torch.randn(32, 4)
    data = [(x, x.sum(1, keepdim=True))]
    with pytest.warns(RuntimeWarning, match="never clearly decreases"):
        r = lr_find(model, data, nn.functional.mse_loss, start_lr=1e-9, end_lr=1e-8, num_iter=20,
                    optimizer=lambda p: torch.optim.SGD(p))
    assert r.suggestion == r.suggestions["minimum"]


def test_the_default_suggestion_and_choosing_another():
    model, _, loader = trained_setup()
    r = lr_find(model, loader, loss_fn, num_iter=30, end_lr=1.0)
    assert r.suggestion == r.suggestions["valley"]
    r2 = lr_find(model, loader, loss_fn, num_iter=30, end_lr=1.0, suggest="steep")
    assert r2.suggestion == r2.suggestions["steep"]
    assert r.suggestions == r2.suggestions  # same run: the model and RNGs were restored in between


# --------------------------------------------------------------------------- options


def test_parameter_groups_keep_their_ratios_and_are_restored():
    model, opt, loader = trained_setup(two_groups=True)
    seen = []

    def spy(out, y):
        seen.append([g["lr"] for g in opt.param_groups])
        return loss_fn(out, y)

    r = lr_find(model, loader, spy, optimizer=opt, num_iter=12, start_lr=1e-4, end_lr=1e-1)
    assert [lrs[1] for lrs in seen] == pytest.approx(r.lrs)  # the reported rate is the last group's
    assert all(lrs[0] == pytest.approx(lrs[1] / 10) for lrs in seen)  # 1e-3 : 1e-2 kept
    assert [g["lr"] for g in opt.param_groups] == [1e-3, 1e-2]


def test_gradient_accumulation_matches_a_larger_batch():
    # without BatchNorm or dropout, 2 accumulated batches of 8 give the same step as one batch of 16
    data = make_data(64)
    results = []
    for batch_size, accumulate in ((16, 1), (8, 2)):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 3))
        loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=False)
        results.append(lr_find(model, loader, loss_fn, optimizer=lambda p: torch.optim.SGD(p), num_iter=12,
                               start_lr=1e-3, end_lr=1.0, accumulate=accumulate, diverge=1e9))
    a, b = results
    assert a.raw_losses == pytest.approx(b.raw_losses, rel=1e-5)


def test_bf16_autocast_on_the_cpu():
    model, opt, loader = trained_setup()
    before = state_of(model, opt, loader)
    dtypes = []
    hook = model.fc.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype))
    r = lr_find(model, loader, loss_fn, optimizer=opt, num_iter=12, end_lr=1e-1, precision="bf16", device="cpu")
    hook.remove()
    assert set(dtypes) == {torch.bfloat16} and all(math.isfinite(v) for v in r.losses)
    assert_same_state(before, state_of(model, opt, loader))


def test_fp32_by_default_on_the_cpu():
    model, _, loader = trained_setup()
    dtypes = []
    model.fc.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype))
    lr_find(model, loader, loss_fn, num_iter=10)
    assert set(dtypes) == {torch.float32}


def test_a_model_in_double_precision_is_restored():
    model, _, loader = trained_setup()
    model.double()
    loader = [(x.double(), y) for x, y in loader]
    before = {k: v.clone() for k, v in model.state_dict().items()}
    lr_find(model, loader, loss_fn, num_iter=10)
    after = model.state_dict()
    assert all(before[k].dtype == after[k].dtype and before[k].equal(after[k]) for k in before)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start_lr": 1.0, "end_lr": 1.0}, "start_lr must be smaller than end_lr"),
    ({"start_lr": 1.0, "end_lr": 0.1}, "start_lr must be smaller than end_lr"),
    ({"start_lr": 0.0}, "start_lr must be a positive"),
    ({"start_lr": -1e-3}, "start_lr must be a positive"),
    ({"end_lr": float("nan")}, "end_lr must be a positive"),
    ({"end_lr": float("inf")}, "end_lr must be a positive"),
    ({"num_iter": 0}, "num_iter must be a positive"),
    ({"num_iter": 5}, "num_iter must be at least 10"),
    ({"accumulate": 0}, "accumulate must be a positive"),
    ({"mode": "log"}, "mode must be 'exp' or 'linear'"),
    ({"smooth": 1.0}, r"smooth must be a number in \[0, 1\)"),
    ({"diverge": 1.0}, "diverge must be a number greater than 1"),
    ({"suggest": "best"}, "suggest must be one of"),
    ({"precision": "fp8"}, "precision must be 'auto'"),
])
def test_bad_values_are_clear_errors(kwargs, message):
    model, _, loader = trained_setup()
    with pytest.raises(ValueError, match=message) as info:
        lr_find(model, loader, loss_fn, **kwargs)
    if len(kwargs) == 1:
        assert repr(next(iter(kwargs.values()))) in str(info.value)  # the value received is named


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_iter": 10.5}, "num_iter must be an integer"),
    ({"start_lr": "1e-3"}, "start_lr must be a number"),
    ({"optimizer": "adam"}, "optimizer must be"),
])
def test_bad_types_are_clear_errors(kwargs, message):
    model, _, loader = trained_setup()
    with pytest.raises(TypeError, match=message):
        lr_find(model, loader, loss_fn, **kwargs)


def test_empty_loaders_are_clear_errors():
    model, opt, loader = trained_setup()
    before = state_of(model, opt, loader)
    with pytest.raises(ValueError, match="train_loader is empty"):
        lr_find(model, [], loss_fn)

    class EmptyNoLen:
        def __iter__(self):
            return iter(())

    with pytest.raises(ValueError, match="train_loader is empty"):
        lr_find(model, EmptyNoLen(), loss_fn, optimizer=opt)
    assert_same_state(before, state_of(model, opt, loader))


def test_a_model_with_nothing_to_train_is_an_error():
    model, _, loader = trained_setup()
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameter"):
        lr_find(model, loader, loss_fn)


# --------------------------------------------------------------------------- the plot


def test_plot_has_a_log_axis_and_marks_the_suggestions(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    model, _, loader = trained_setup()
    r = lr_find(model, loader, loss_fn, num_iter=30, end_lr=1.0)
    assert isinstance(r, LRFinderResult)
    path = tmp_path / "out" / "lr.png"
    ax = r.plot(path=path)
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum(label.startswith(("valley", "steep", "minimum")) for label in labels) == 3
    assert any("(the suggestion)" in label and label.startswith("valley") for label in labels)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["lr.png"]  # no temporary file left
    fig, given = plt.subplots()
    assert r.plot(ax=given) is given
    plt.close("all")


# --------------------------------------------------------------------------- the trainer and the command line


@pytest.mark.filterwarnings("ignore:the loss never clearly decreases")
def test_trainer_lr_find_uses_its_model_and_data_and_leaves_them_as_they_were():
    from dlnotes.models import small_cnn
    from dlnotes.trainer import Trainer

    torch.manual_seed(0)
    x, y = torch.randn(256, 1, 28, 28), torch.randint(0, 10, (256,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    trainer = Trainer(small_cnn(), loader, device="cpu", progress=False, verbose=False)
    trainer.fit(1, lr=1e-3)  # the trainer's optimizer now has state
    before = state_of(trainer.model, trainer.optimizer, loader)
    r = trainer.lr_find(num_iter=20, optimizer=trainer.optimizer)
    assert len(r.lrs) >= 10 and r.extra["device"] == "cpu"
    assert_same_state(before, state_of(trainer.model, trainer.optimizer, loader))


def test_cli_lr_find_prints_the_suggestions_and_writes_the_plot_and_json(tmp_path, capsys):
    import json

    from dlnotes.cli import main

    plot, record = tmp_path / "lr.png", tmp_path / "lr.json"
    assert main(["lr-find", "--num-iter", "12", "--device", "cpu", "--plot", str(plot), "--json", str(record)]) == 0
    out = capsys.readouterr().out
    data = json.loads(record.read_text())
    assert set(data["suggestions"]) == {"valley", "steep", "minimum"} and data["suggestion"] == data["suggestions"]["valley"]
    assert len(data["lrs"]) == len(data["losses"]) == len(data["raw_losses"]) == 12
    assert f"valley   {data['suggestion']:.3g}   <- the suggestion" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # an existing file is not replaced unless asked
    with pytest.raises(SystemExit, match="already exists"):
        main(["lr-find", "--num-iter", "12", "--plot", str(plot)])


@pytest.mark.parametrize(("argv", "message"), [
    (["--start-lr", "1", "--end-lr", "0.1"], "start_lr must be smaller than end_lr"),
    (["--num-iter", "3"], "num_iter must be at least 10"),
    (["--dataset", "folder"], "needs exactly one PATH"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
])
def test_cli_lr_find_bad_arguments(argv, message):
    from dlnotes.cli import main

    with pytest.raises(SystemExit, match=message):
        main(["lr-find", *argv])


def test_a_batch_the_model_cannot_take_is_explained_and_nothing_changes():
    from dlnotes.models import small_cnn

    model = small_cnn(n_classes=3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rgb = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.rand(16, 3, 12, 12), torch.randint(0, 3, (16,))), batch_size=8)
    with pytest.raises(ValueError, match=r"batches have 3 channel\(s\).*in_channels=3"):
        lr_find(model, rgb, num_iter=10)  # loss_fn defaults to cross-entropy, as in Trainer
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
