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
from conftest import fake_hardware
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlnotes.models import small_cnn
from dlnotes.trainer import (
    NonFiniteLossError,
    OutOfMemoryError,
    Trainer,
    one_cycle_schedule,
    param_groups,
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


def test_gradient_clipping_bounds_the_norm(monkeypatch):
    norms = []
    t = make_trainer(clip_grad=1e-3, opt_func=lambda g: torch.optim.SGD(g, lr=1.0))
    real_clip = nn.utils.clip_grad_norm_

    def spy(params, max_norm, *a, **k):
        params = list(params)
        total = real_clip(params, max_norm, *a, **k)
        norms.append(torch.norm(torch.stack([p.grad.norm() for p in params if p.grad is not None])).item())
        return total

    monkeypatch.setattr(nn.utils, "clip_grad_norm_", spy)
    t.fit(1, 1.0)
    assert len(norms) == 6 and max(norms) <= 1e-3 * 1.001


def test_last_partial_accumulation_group_is_averaged_over_its_own_size():
    """3 batches with accumulate=2: the second step sees one batch, and gets its full gradient."""
    torch.manual_seed(0)
    data = toy_data(24)
    m1, m2 = nn.Sequential(nn.Flatten(), nn.Linear(144, 3)), nn.Sequential(nn.Flatten(), nn.Linear(144, 3))
    m2.load_state_dict(m1.state_dict())
    sgd = lambda groups: torch.optim.SGD(groups, lr=0.1)  # noqa: E731
    # the reference: batches of 16 and 8 as two plain steps
    ref = Trainer(m1, DataLoader(data, batch_size=16), device="cpu", opt_func=sgd, verbose=False)
    ref.fit(1, 0.1)
    t = Trainer(m2, DataLoader(data, batch_size=8), device="cpu", opt_func=sgd, accumulate=2, verbose=False)
    t.fit(1, 0.1)
    assert ref.step == t.step == 2
    for a, b in zip(weights(m1), weights(m2)):
        assert torch.allclose(a, b, atol=1e-6)


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
    for kw, msg in [({"div": 0}, "div must be a positive"), ({"div_final": -1.0}, "div_final must be a positive"),
                    ({"moms": (0.9, 0.8)}, "moms must be three"), ({"pct_start": 1.0}, "pct_start")]:
        with pytest.raises(ValueError, match=msg):
            t.fit_one_cycle(1, 1e-3, **kw)
    assert t.step == 0
    with pytest.raises(ValueError, match="evaluate"):
        t.evaluate()
    with pytest.raises(TypeError, match="model"):
        Trainer("resnet", train)


def test_deferred_non_finite_check_still_names_the_first_bad_step():
    """On a GPU the loss is checked every few steps (no wait per step); the error names the same step."""
    t = make_trainer()
    t.check_every = 4  # what a GPU gets; exercised here on the CPU
    x, y = t.train_loader.dataset.tensors
    x[40:] = float("nan")
    t.train_loader = DataLoader(TensorDataset(x, y), batch_size=16)
    with pytest.raises(NonFiniteLossError, match=r"nan at step 2 \(epoch 0, batch 2\) with learning rate 0.001"):
        t.fit(1, 1e-3)


def test_an_epoch_reads_values_from_the_device_a_fixed_number_of_times(monkeypatch):
    """The GPU path: no per-step wait. Every read of a tensor's value (item, tolist, float…) is counted."""
    train = DataLoader(toy_data(96), batch_size=4)  # 24 batches per epoch
    t = Trainer(small_cnn(n_classes=3), train, DataLoader(toy_data(40, seed=1), batch_size=8), device="cpu",
                opt_func=lambda g: torch.optim.SGD(g, lr=0.1), verbose=False)
    t.check_every = 1000  # as on a GPU: NaN checks batched (here: once per epoch, at its end)
    t.fit(1, 1e-2)  # the one-time first-batch check is done
    reads = []
    for name in ("item", "tolist", "__float__", "__int__", "__bool__"):
        real = getattr(torch.Tensor, name)
        monkeypatch.setattr(torch.Tensor, name, lambda self, *a, _real=real, _name=name, **k: reads.append(_name) or _real(self, *a, **k))
    t.fit(2, 1e-2)
    assert 0 < len(reads) <= 2 * 12, reads  # per epoch a handful, independent of its 24 steps


def test_non_finite_loss_with_accumulation_names_the_group():
    t = make_trainer(accumulate=2)
    x, y = t.train_loader.dataset.tensors
    x[40:] = float("nan")  # batch 2, the first of the second group
    t.train_loader = DataLoader(TensorDataset(x, y), batch_size=16)
    with pytest.raises(NonFiniteLossError, match=r"nan at step 1 \(epoch 0, batch 3\)"):
        t.fit(1, 1e-3)


def test_the_scaler_is_always_there_and_disabled_unless_fp16():
    t = make_trainer()
    assert isinstance(t.scaler, torch.amp.GradScaler) and not t.scaler.is_enabled()
    assert t.state_dict()["scaler"] == {}


def test_rgb_batches_for_a_grayscale_model_are_explained_before_training():
    data = TensorDataset(torch.rand(16, 3, 12, 12), torch.randint(0, 3, (16,)))
    t = Trainer(small_cnn(n_classes=3), DataLoader(data, batch_size=8), device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"batches have 3 channel\(s\).*first convolution takes 1.*in_channels=3.*mode='L'"):
        t.fit(1, 1e-3)
    assert t.step == 0


def test_integer_pixels_and_odd_batches_are_explained():
    images = torch.randint(0, 256, (16, 1, 12, 12), dtype=torch.uint8)
    data = TensorDataset(images, torch.randint(0, 3, (16,)))
    t = Trainer(small_cnn(n_classes=3), DataLoader(data, batch_size=8), device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"inputs are torch.uint8.*floats in \[0, 1\]"):
        t.fit(1, 1e-3)
    lone_images = [torch.rand(8, 1, 12, 12)]  # a loader of inputs without labels
    t = Trainer(small_cnn(n_classes=3), lone_images, device="cpu", verbose=False)
    with pytest.raises(TypeError, match=r"\(x, y\) pairs of tensors.*first batch is a Tensor"):
        t.fit(1, 1e-3)


def test_load_explains_damaged_and_foreign_files(tmp_path):
    from dlnotes.export import export, load_predictor

    t = make_trainer()
    (tmp_path / "damaged.pt").write_bytes(t.save(tmp_path / "ok.pt").read_bytes()[:200])
    with pytest.raises(ValueError, match="damaged.pt is not a readable Trainer checkpoint: it is damaged"):
        t.load(tmp_path / "damaged.pt")
    torch.save({"weights": torch.zeros(1), "notes": "mine"}, tmp_path / "foreign.pt")
    with pytest.raises(ValueError, match=r"not a Trainer checkpoint but a dict with keys \['notes', 'weights'\].*trainer.save"):
        t.load(tmp_path / "foreign.pt")
    torch.save(t.model.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match="a bare state_dict"):
        t.load(tmp_path / "weights.pt")
    export(t, tmp_path / "exported.pt")
    with pytest.raises(ValueError, match="a dlnotes export.*load_predictor"):
        t.load(tmp_path / "exported.pt")
    with pytest.raises(ValueError, match="a Trainer checkpoint.*Trainer.load"):  # and the other way round
        load_predictor(tmp_path / "ok.pt")
    other = Trainer(small_cnn(n_classes=5), loaders(n_classes=5)[0], device="cpu", verbose=False)
    with pytest.raises(ValueError, match="saved from a different model"):
        other.load(tmp_path / "ok.pt")
    with pytest.raises(FileNotFoundError, match="no Trainer checkpoint at"):
        t.load(tmp_path / "missing.pt")


# ---------------------------------------------------------------- precision (devices: tests/test_devices.py)

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

def test_lr_find_uses_the_trainers_settings_unless_told_otherwise(monkeypatch, tmp_path):
    import dlnotes.lr_finder as L

    t = make_trainer(accumulate=2)
    seen, real = [], L.lr_find
    monkeypatch.setattr(L, "lr_find", lambda *a, **k: seen.append(k) or real(*a, **k))
    t.lr_find(num_iter=10)
    assert seen[-1]["optimizer"] is t.optimizer and seen[-1]["accumulate"] == 2 and seen[-1]["device"] == t.device
    sgd = lambda params: torch.optim.SGD(params, lr=0.1)  # noqa: E731
    result = t.lr_find(num_iter=10, optimizer=sgd, precision="fp32")  # what the caller passes wins
    assert seen[-1]["optimizer"] is sgd and seen[-1]["precision"] == "fp32" and len(result.lrs) > 0
    path = t.export(tmp_path / "m.pt")
    assert path == tmp_path / "m.pt" and path.is_file()


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


def test_the_device_line_and_table_go_to_stdout(monkeypatch, capsys):
    """Printed with the ordinary print: tools that capture sys.stdout (the site build) get them."""
    fake_hardware(monkeypatch)  # the same answer on a machine with a GPU
    t = Trainer(small_cnn(n_classes=3), loaders()[0], device="auto", progress=False)
    t.fit(1, 1e-3)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "device: cpu (no CUDA or MPS device found)"
    assert lines[1] == "training on cpu (fp32)" and lines[2].split()[:2] == ["epoch", "train_loss"]
    assert len(lines) == 4
