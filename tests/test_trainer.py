"""Tests for dlnotes.trainer: the loop, the schedule, saving/resuming, failures, devices, DDP."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlnotes.models import small_cnn
from dlnotes.trainer import (
    NonFiniteLossError,
    OutOfMemoryError,
    Trainer,
    one_cycle_schedule,
    param_groups,
    select_device,
    select_precision,
)


def toy_data(n=96, n_classes=3, size=12, seed=0):
    """Images whose class is visible (a bright quadrant), so a tiny CNN learns it fast."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, n_classes, (n,), generator=g)
    x = torch.randn(n, 1, size, size, generator=g) * 0.3
    h = size // 2
    for i, c in enumerate(y.tolist()):
        r, col = divmod(c, 2)
        x[i, 0, r * h:(r + 1) * h, col * h:(col + 1) * h] += 1.5
    return TensorDataset(x, y)


def loaders(n=96, bs=16, seed=0, n_classes=3):
    g = torch.Generator().manual_seed(seed)
    train = DataLoader(toy_data(n, n_classes, seed=seed), batch_size=bs, shuffle=True, generator=g)
    valid = DataLoader(toy_data(40, n_classes, seed=seed + 1), batch_size=bs)
    return train, valid


def make_trainer(seed=0, loader_seed=0, **kw):
    """A trainer on the toy data; ``seed`` sets the initial weights, ``loader_seed`` the shuffling."""
    train, valid = loaders()
    train.generator.manual_seed(loader_seed)
    torch.manual_seed(seed)
    kw.setdefault("verbose", False)
    return Trainer(small_cnn(n_classes=3), train, valid, device="cpu", **kw)


def weights(model):
    return [p.detach().clone() for p in model.state_dict().values()]


# ---------------------------------------------------------------- training works

def test_fit_one_cycle_learns_and_records_history(capsys):
    t = make_trainer(verbose=True)
    hist = t.fit_one_cycle(4, max_lr=1e-2)
    out = capsys.readouterr().out
    assert hist is t.history and len(hist) == 4
    assert [r["epoch"] for r in hist] == [0, 1, 2, 3]
    assert set(hist[0]) == {"epoch", "train_loss", "valid_loss", "accuracy", "time"}
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert hist[-1]["accuracy"] >= 0.9
    assert t.epoch == 4 and t.step == 4 * 6
    # the epoch table: a header then one row per epoch, no progress-bar noise (output is not a tty)
    lines = out.strip().splitlines()
    assert lines[0] == "training on cpu (fp32)"
    assert lines[1].split() == ["epoch", "train_loss", "valid_loss", "accuracy", "time"]
    assert len(lines) == 6 and lines[2].split()[0] == "0"
    assert "\r" not in out and "it/s" not in out
    assert not t.model.training  # left in eval mode, ready to predict


def test_evaluate_matches_a_manual_computation():
    t = make_trainer()
    t.fit(1, lr=1e-3)
    x, y = t.valid_loader.dataset.tensors
    t.model.eval()
    with torch.no_grad():
        out = t.model(x)
    res = t.evaluate()
    assert res["loss"] == pytest.approx(nn.functional.cross_entropy(out, y).item(), rel=1e-5)
    assert res["accuracy"] == pytest.approx((out.argmax(1) == y).float().mean().item())
    probs = t.predict(x)
    assert probs.shape == (40, 3) and torch.allclose(probs.sum(1), torch.ones(40))
    assert torch.allclose(t.predict(t.valid_loader), probs, atol=1e-6)
    assert t.predict(x[0]).shape == (3,)
    assert torch.allclose(t.predict(x, activation=None), out, atol=1e-5)


def test_custom_metric_and_error_rate():
    def top1(out, y):
        return (out.argmax(1) == y).float().mean()

    t = make_trainer(metrics=("accuracy", "error_rate", top1))
    t.fit(1, 1e-3)
    r = t.history[0]
    assert r["accuracy"] + r["error_rate"] == pytest.approx(1.0)
    assert r["top1"] == pytest.approx(r["accuracy"])


def test_gradient_accumulation_equals_bigger_batch():
    """Two batches of 8 accumulated = one batch of 16 (no batch norm, mean loss, SGD)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(144, 3))
    data = toy_data(32)
    m1, m2 = model, nn.Sequential(nn.Flatten(), nn.Linear(144, 3))
    m2.load_state_dict(m1.state_dict())
    sgd = lambda groups: torch.optim.SGD(groups, lr=0.1)  # noqa: E731
    t1 = Trainer(m1, DataLoader(data, batch_size=16), device="cpu", opt_func=sgd, verbose=False)
    t2 = Trainer(m2, DataLoader(data, batch_size=8), device="cpu", opt_func=sgd, accumulate=2, verbose=False)
    t1.fit(1, 0.1)
    t2.fit(1, 0.1)
    assert t1.step == t2.step == 2
    for a, b in zip(weights(m1), weights(m2)):
        assert torch.allclose(a, b, atol=1e-6)


def test_gradient_clipping_bounds_the_norm():
    norms = []

    class Spy:
        def on_batch_end(self, t):
            pass

    t = make_trainer(clip_grad=1e-3, opt_func=lambda g: torch.optim.SGD(g, lr=1.0))
    real_clip = nn.utils.clip_grad_norm_

    def spy(params, max_norm, *a, **k):
        params = list(params)
        total = real_clip(params, max_norm, *a, **k)
        norms.append(torch.norm(torch.stack([p.grad.norm() for p in params if p.grad is not None])).item())
        return total

    nn.utils.clip_grad_norm_ = spy
    try:
        t.fit(1, 1.0)
    finally:
        nn.utils.clip_grad_norm_ = real_clip
    assert len(norms) == 6 and max(norms) <= 1e-3 * 1.001


# ---------------------------------------------------------------- schedule & LR groups

def test_one_cycle_schedule_shape():
    lrs, moms = one_cycle_schedule(100, 0.1)
    assert len(lrs) == len(moms) == 100
    assert lrs[0] == pytest.approx(0.1 / 25)
    assert max(lrs) == pytest.approx(0.1) and lrs.index(max(lrs)) == 25
    assert lrs[-1] == pytest.approx(0.1 / 1e5)
    assert moms[0] == pytest.approx(0.95) and min(moms) == pytest.approx(0.85) and moms[-1] == pytest.approx(0.95)
    assert all(a <= b for a, b in zip(lrs[:25], lrs[1:26]))  # warm-up rises
    assert all(a >= b for a, b in zip(lrs[25:], lrs[26:]))  # annealing falls
    assert one_cycle_schedule(1, 0.1)[0] == [pytest.approx(0.1)]
    with pytest.raises(ValueError, match="total_steps"):
        one_cycle_schedule(0, 0.1)
    with pytest.raises(ValueError, match="max_lr"):
        one_cycle_schedule(10, -1.0)


def test_fit_one_cycle_sets_the_scheduled_lr_each_step():
    seen = []

    class Spy:
        def on_batch_end(self, t):
            seen.append((t.optimizer.param_groups[-1]["lr"], t.optimizer.param_groups[-1]["betas"][0]))

    t = make_trainer(callbacks=[Spy()])
    t.fit_one_cycle(2, max_lr=0.01)
    lrs, moms = one_cycle_schedule(12, 0.01)
    # after step i the optimizer holds the rate for step i+1
    assert [s[0] for s in seen[:-1]] == pytest.approx(lrs[1:])
    assert [s[1] for s in seen[:-1]] == pytest.approx(moms[1:])


def test_discriminative_lrs_and_freeze():
    t = make_trainer()
    groups = t.optimizer.param_groups
    assert len(groups) == 3
    model = t.model
    assert groups[-1]["params"] == list(model.head.parameters())
    t.fit(1, lr=slice(1e-5, 1e-3))
    assert [g["lr"] for g in groups] == pytest.approx([1e-5, 1e-4, 1e-3])
    t.fit(1, lr=slice(None, 1e-3))
    assert [g["lr"] for g in groups] == pytest.approx([1e-4, 1e-4, 1e-3])
    t.freeze()
    conv_before = model.block1[0][0].weight.detach().clone()
    bn_before = model.block1[1].weight.detach().clone()
    head_before = model.head.weight.detach().clone()
    t.fit(1, 1e-2)
    assert torch.equal(model.block1[0][0].weight, conv_before)  # frozen body
    assert not torch.equal(model.block1[1].weight, bn_before)  # batch norm keeps training
    assert not torch.equal(model.head.weight, head_before)
    t.unfreeze()
    t.fit(1, 1e-2)
    assert not torch.equal(model.block1[0][0].weight, conv_before)
    with pytest.raises(ValueError, match="3 parameter groups"):
        t.fit(1, lr=[1e-3, 1e-2])
    with pytest.raises(ValueError, match="positive"):
        t.fit(1, lr=-1.0)


def test_param_groups_of_a_torchvision_resnet_put_fc_last():
    from dlnotes.models import pretrained_resnet

    m = pretrained_resnet("resnet18", n_classes=4, weights=None)
    groups = param_groups(m)
    assert len(groups) == 3 and groups[-1] == list(m.fc.parameters())
    assert sum(len(g) for g in groups) == len(list(m.parameters()))


# ---------------------------------------------------------------- never lose work

def test_save_is_atomic_and_load_uses_weights_only(tmp_path, monkeypatch):
    t = make_trainer()
    t.fit(1, 1e-3)
    path = t.save(tmp_path / "ck" / "state.pt")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["state.pt"]
    calls = []
    real_load = torch.load

    def spy(*a, **k):
        calls.append(k.get("weights_only"))
        return real_load(*a, **k)

    monkeypatch.setattr(torch, "load", spy)
    t2 = make_trainer(seed=1)
    t2.load(path)
    assert calls == [True]
    assert all(torch.equal(a, b) for a, b in zip(weights(t.model), weights(t2.model)))
    assert t2.history == t.history and t2.epoch == 1 and t2.step == t.step

    # a failing write leaves the old file untouched and no temp file behind
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        t.save(path)
    assert path.read_bytes() == before and [p.name for p in path.parent.iterdir()] == ["state.pt"]


class StopAtEpoch:
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, t):
        if t.epoch == self.epoch:
            raise KeyboardInterrupt


def test_resume_from_a_mid_run_checkpoint_is_bit_exact(tmp_path):
    # the uninterrupted run
    a = make_trainer(seed=3)
    a.fit_one_cycle(4, max_lr=1e-2)
    # the same run, stopped (Ctrl-C) after the checkpoint of epoch 2
    b = make_trainer(seed=3, callbacks=[StopAtEpoch(2)])
    b.fit_one_cycle(4, max_lr=1e-2, checkpoint=tmp_path / "run.pt")
    assert len(b.history) == 2
    # a fresh process would start from other weights and RNG state: simulate that
    torch.manual_seed(12345)
    c = make_trainer(seed=99, loader_seed=99)
    c.load(tmp_path / "run.pt")
    c.resume()
    assert c.epoch == 4 and c.step == a.step
    for x, y in zip(weights(a.model), weights(c.model)):
        assert torch.equal(x, y)
    assert [r["train_loss"] for r in c.history] == [r["train_loss"] for r in a.history]
    with pytest.raises(RuntimeError, match="nothing to resume"):
        c.resume()


def test_ctrl_c_in_the_loader_stops_cleanly(capsys):
    t = make_trainer(verbose=True)
    t.fit(2, 1e-3)
    real = t.train_loader

    class Interrupting:
        def __len__(self):
            return len(real)

        def __iter__(self):
            for i, batch in enumerate(real):
                if i == 3:
                    raise KeyboardInterrupt
                yield batch

    t.train_loader = Interrupting()
    hist = t.fit(3, 1e-3)
    out = capsys.readouterr().out
    assert "interrupted during epoch 2" in out
    assert len(hist) == 2 and t.epoch == 2 and t.step == 12 + 3
    assert all(p.grad is None for p in t.model.parameters())
    assert not t.model.training
    assert t.predict(real.dataset.tensors[0][:4]).shape == (4, 3)  # still usable
    t.train_loader = real
    t.fit(1, 1e-3)  # and trainable
    assert len(t.history) == 3


# ---------------------------------------------------------------- failures explained

def test_non_finite_loss_names_the_step_and_lr():
    t = make_trainer()
    x, y = t.train_loader.dataset.tensors
    x[40:] = float("nan")  # batches after the first two carry NaN
    t.train_loader = DataLoader(TensorDataset(x, y), batch_size=16)
    with pytest.raises(NonFiniteLossError, match=r"nan at step 2 \(epoch 0, batch 2\) with learning rate 0.001.*lower learning rate"):
        t.fit(1, 1e-3)


def test_out_of_memory_advice_names_the_batch_size():
    class Oom(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(144, 3)

        def forward(self, x):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    train, _ = loaders()
    t = Trainer(Oom(), train, device="cpu", verbose=False)
    with pytest.raises(OutOfMemoryError, match=r"batch size 16.*try 8.*accumulate=2"):
        t.fit(1, 1e-3)


def test_empty_loader_is_rejected():
    empty = DataLoader(toy_data(10), batch_size=16, drop_last=True)
    with pytest.raises(ValueError, match=r"train_loader is empty.*10 samples.*batch_size 16.*drop_last"):
        Trainer(small_cnn(3), empty, device="cpu")
    train, _ = loaders()
    with pytest.raises(ValueError, match="valid_loader is empty"):
        Trainer(small_cnn(3), train, DataLoader(TensorDataset(torch.zeros(0, 1, 12, 12), torch.zeros(0))), device="cpu")
    with pytest.raises(TypeError, match="train_loader must be"):
        Trainer(small_cnn(3), 5, device="cpu")


def test_labels_out_of_range_caught_before_the_first_step():
    train, _ = loaders(n_classes=4)  # labels 0..3
    model = small_cnn(n_classes=3)
    before = weights(model)
    t = Trainer(model, train, device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 2\].*labels from 0 to 3.*n_classes=4"):
        t.fit(1, 1e-3)
    assert t.step == 0 and all(torch.equal(a, b) for a, b in zip(before, weights(model)))


@pytest.mark.filterwarnings("ignore:Using a target size")
def test_output_that_does_not_fit_the_loss_is_explained():
    train, _ = loaders()
    t = Trainer(nn.Sequential(nn.Flatten(), nn.Linear(144, 3), nn.Flatten(0)), train, device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"output has shape \(48,\).*one score per class"):
        t.fit(1, 1e-3)
    t = Trainer(nn.Sequential(nn.Flatten(), nn.Linear(144, 3)), train, loss_fn=nn.MSELoss(), device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"does not fit the loss MSELoss"):
        t.fit(1, 1e-3)
    assert t.step == 0


def test_bad_arguments_are_named():
    train, _ = loaders()
    for kw, msg in [({"accumulate": 0}, "accumulate"), ({"precision": "fp8"}, "precision"),
                    ({"metrics": ["f1"]}, "metrics"), ({"clip_grad": -1}, "clip_grad"),
                    ({"device": "tpu"}, "device")]:
        with pytest.raises(ValueError, match=msg):
            Trainer(small_cnn(3), train, device=kw.pop("device", "cpu"), verbose=False, **kw)
    t = Trainer(small_cnn(3), train, device="cpu", verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        t.fit(0, 1e-3)
    with pytest.raises(ValueError, match="evaluate"):
        t.evaluate()
    with pytest.raises(TypeError, match="model"):
        Trainer("resnet", train)


# ---------------------------------------------------------------- device & precision selection (mocked)

def fake_hardware(monkeypatch, cuda=False, mps=False, bf16=True, cuda_build="12.6", mps_built=True):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1 if cuda else 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "Fake GPU")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    monkeypatch.setattr(torch.backends.mps, "is_built", lambda: mps_built)
    monkeypatch.setattr(torch.version, "cuda", cuda_build)


def test_auto_device_prefers_cuda_then_mps_then_cpu(monkeypatch, capsys):
    fake_hardware(monkeypatch, cuda=True, mps=True)
    assert select_device("auto", verbose=True) == torch.device("cuda")
    assert "CUDA GPU found: Fake GPU" in capsys.readouterr().out
    fake_hardware(monkeypatch, cuda=False, mps=True)
    assert select_device("auto") == torch.device("mps")
    fake_hardware(monkeypatch)
    assert select_device("auto", verbose=True) == torch.device("cpu")
    assert "no CUDA or MPS" in capsys.readouterr().out


def test_cuda_error_explains_cpu_only_build(monkeypatch):
    fake_hardware(monkeypatch, cuda_build=None)
    with pytest.raises(RuntimeError, match=r"CPU-only build.*not compiled with CUDA.*download.pytorch.org/whl/cu"):
        select_device("cuda")


def test_cuda_error_explains_missing_driver(monkeypatch):
    fake_hardware(monkeypatch, cuda_build="12.6")
    with pytest.raises(RuntimeError, match=r"built for CUDA 12.6.*no NVIDIA GPU.*nvidia-smi"):
        select_device("cuda:0")
    fake_hardware(monkeypatch, mps_built=False)
    with pytest.raises(RuntimeError, match="built without MPS"):
        select_device("mps")


def test_precision_auto(monkeypatch):
    cpu, cuda, mps = torch.device("cpu"), torch.device("cuda"), torch.device("mps")
    fake_hardware(monkeypatch, cuda=True, bf16=True)
    assert select_precision("auto", cuda) == (torch.bfloat16, False)
    fake_hardware(monkeypatch, cuda=True, bf16=False)
    assert select_precision("auto", cuda) == (torch.float16, True)
    assert select_precision("auto", cpu) == (None, False)
    assert select_precision("auto", mps) == (None, False)
    assert select_precision("bf16", cpu) == (torch.bfloat16, False)
    assert select_precision("fp16", cuda) == (torch.float16, True)
    assert select_precision("fp32", cuda) == (None, False)


def test_bf16_autocast_trains_on_cpu():
    t = make_trainer(precision="bf16")
    t.fit(2, 1e-2)
    assert t.amp_dtype is torch.bfloat16 and t.history[-1]["accuracy"] > 0.5


def test_fp16_uses_a_grad_scaler_that_is_saved(tmp_path):
    t = make_trainer(precision="fp16")
    assert isinstance(t.scaler, torch.amp.GradScaler)
    t.fit(1, 1e-3)
    t.save(tmp_path / "s.pt")
    state = torch.load(tmp_path / "s.pt", weights_only=True)
    assert state["scaler"]["scale"] > 0


def test_channels_last_option():
    t = make_trainer(channels_last=True)
    t.fit(1, 1e-3)
    w = t.model.block1[0][0].weight
    assert w.is_contiguous(memory_format=torch.channels_last)
    assert make_trainer().channels_last is True  # auto: on CUDA and CPU
    assert make_trainer(channels_last=False).channels_last is False


# ---------------------------------------------------------------- delegates

def test_lr_find_and_export_delegate(monkeypatch):
    import types

    t = make_trainer()
    calls = {}
    fake_lr = types.ModuleType("dlnotes.lr_finder")
    fake_lr.lr_find = lambda model, loader, loss_fn, device, **kw: calls.setdefault("lr", (model, loader, loss_fn, device, kw))
    fake_ex = types.ModuleType("dlnotes.export")
    fake_ex.export = lambda trainer, path: calls.setdefault("export", (trainer, path))
    monkeypatch.setitem(sys.modules, "dlnotes.lr_finder", fake_lr)
    monkeypatch.setitem(sys.modules, "dlnotes.export", fake_ex)
    t.lr_find(num_iter=5)
    t.export("m.pt")
    assert calls["lr"] == (
        t.model, t.train_loader, t.loss_fn, t.device,
        {"num_iter": 5, "optimizer": t.optimizer, "precision": t.precision, "accumulation_steps": t.accumulate},
    )
    del calls["lr"]
    t.lr_find(optimizer=None, precision="fp32")  # what the caller passes wins
    assert calls["lr"][4]["optimizer"] is None and calls["lr"][4]["precision"] == "fp32"
    assert calls["export"] == (t, "m.pt")


def test_plot_history():
    import matplotlib

    matplotlib.use("Agg")
    t = make_trainer()
    t.fit(2, 1e-3)
    fig = t.plot_history()
    labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()]
    assert labels == ["train loss", "valid loss", "accuracy"]


# ---------------------------------------------------------------- several processes

DDP_SCRIPT = textwrap.dedent('''
    import json, os, sys
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    sys.path.insert(0, os.environ["TEST_DIR"])
    from test_trainer import toy_data
    from dlnotes.models import small_cnn
    from dlnotes.trainer import Trainer

    torch.manual_seed(0)
    train = DataLoader(toy_data(64), batch_size=8, shuffle=True)
    valid = DataLoader(toy_data(37, seed=1), batch_size=8)   # 37: odd, so a padded sampler would count a sample twice
    t = Trainer(small_cnn(3), train, valid, device="auto")
    seen = []
    class Spy:
        def on_batch_end(self, t):
            pass
        def on_epoch_begin(self, t):
            seen.append(list(t.train_loader.sampler))
    t.callbacks.append(Spy())
    t.fit_one_cycle(2, 1e-2, checkpoint=os.environ["CKPT"])
    rank = t.rank
    out = {"rank": rank, "world": t.world_size, "history": t.history, "orders": seen,
           "weights": [float(p.double().sum()) for p in t.model.parameters()]}
    with open(os.path.join(os.environ["OUTDIR"], f"rank{rank}.json"), "w") as f:
        json.dump(out, f)
    torch.save(t.model.state_dict(), os.path.join(os.environ["OUTDIR"], f"model{rank}.pt"))
''')


@pytest.mark.slow
def test_torchrun_two_processes_on_cpu(tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")
    assert torchrun, "torchrun comes with torch"
    script = tmp_path / "ddp.py"
    script.write_text(DDP_SCRIPT)
    env = dict(os.environ, TEST_DIR=str(Path(__file__).parent), OUTDIR=str(tmp_path), CKPT=str(tmp_path / "ck.pt"),
               OMP_NUM_THREADS="1", CUDA_VISIBLE_DEVICES="", GLOO_SOCKET_IFNAME="lo")
    proc = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node=2", str(script)],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r0, r1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert r0["world"] == r1["world"] == 2
    # gradients were averaged: both ranks end with the same weights
    assert r0["weights"] == r1["weights"]
    # each rank saw its half of the data, reshuffled every epoch
    for r in (r0, r1):
        assert len(r["orders"]) == 2 and r["orders"][0] != r["orders"][1]
    assert sorted(r0["orders"][0] + r1["orders"][0]) == list(range(64))
    # metrics are the same on every rank and equal to one process evaluating all 37 samples
    def no_time(h):
        return [{k: v for k, v in row.items() if k != "time"} for row in h]

    assert no_time(r0["history"]) == no_time(r1["history"])
    torch.manual_seed(0)
    model = small_cnn(3)
    model.load_state_dict(torch.load(tmp_path / "model0.pt", weights_only=True))
    valid = DataLoader(toy_data(37, seed=1), batch_size=8)
    single = Trainer(model, valid, valid, device="cpu", verbose=False).evaluate()
    assert r0["history"][-1]["accuracy"] == pytest.approx(single["accuracy"])
    assert r0["history"][-1]["valid_loss"] == pytest.approx(single["loss"], rel=1e-5)
    assert math.isclose(single["accuracy"] * 37, round(single["accuracy"] * 37))
    # only rank 0 printed the table and wrote the checkpoint
    assert proc.stdout.count("train_loss") == 1, proc.stdout
    assert (tmp_path / "ck.pt").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ck.pt")]
    state = torch.load(tmp_path / "ck.pt", weights_only=True)
    assert state["epoch"] == 2 and not any(k.startswith("module.") for k in state["model"])


def test_output_goes_through_the_callers_print():
    """Tools that run code with their own print (the site build does) capture the epoch table too."""
    captured = []
    page_globals = {"print": lambda *a, **k: captured.append(" ".join(map(str, a))), "train": loaders()[0]}
    exec("from dlnotes.trainer import Trainer\nfrom dlnotes.models import small_cnn\n"
         "trainer = Trainer(small_cnn(n_classes=3), train, device='auto')\ntrainer.fit(1, 1e-3)\n", page_globals)
    assert captured[0] == "device: cpu (no CUDA or MPS device found)"
    assert captured[1] == "training on cpu (fp32)" and captured[2].split()[:2] == ["epoch", "train_loss"]
    assert len(captured) == 4
