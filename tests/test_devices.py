"""dlnotes.devices: what "auto" and the precision names mean, autocast, batches to the device, RNG state."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from conftest import fake_hardware

from dlnotes.devices import (
    PRECISIONS,
    autocast,
    default_optimizer,
    precision_name,
    rng_state,
    select_device,
    select_precision,
    set_rng_state,
    to_device,
)


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


def test_precision_aliases_are_understood_everywhere():
    cpu = torch.device("cpu")
    for name in ("bf16", "bfloat16", "bf16-mixed", "BF16"):
        assert select_precision(name, cpu) == (torch.bfloat16, False)
    for name in ("fp16", "16", "float16", "16-mixed"):
        assert select_precision(name, cpu) == (torch.float16, True)
    for name in ("fp32", "32", "float32", "32-true"):
        assert select_precision(name, cpu) == (None, False)
    assert {precision_name(select_precision(p, cpu)[0]) for p in PRECISIONS} == {"fp32", "bf16", "fp16"}
    with pytest.raises(ValueError, match=r"precision must be 'auto', 'fp32', 'bf16' or 'fp16'.*'fp8'"):
        select_precision("fp8", cpu)


def test_every_public_auto_means_the_same(monkeypatch):
    """Trainer, FastLoader, lr_find, interpretation and load_predictor all ask select_device."""
    from dlnotes.data import FastLoader

    fake_hardware(monkeypatch, cuda_build=None)
    images, labels = torch.zeros(4, 1, 8, 8, dtype=torch.uint8), torch.zeros(4, dtype=torch.long)
    assert FastLoader(images, labels, device="auto").device == torch.device("cpu")
    with pytest.raises(RuntimeError, match="CPU-only build"):  # not PyTorch's raw error
        FastLoader(images, labels, device="cuda")


def test_bad_device_names_and_types():
    with pytest.raises(ValueError, match="device must be 'auto'"):
        select_device("gpu")
    with pytest.raises(TypeError, match="device must be a string"):
        select_device(0)


def test_autocast_and_to_device():
    cpu = torch.device("cpu")
    with autocast(cpu, torch.bfloat16):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    with autocast(cpu, None):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    batch = {"x": torch.zeros(2, 3, 4, 4), "pair": (torch.zeros(2), [torch.zeros(1)]), "n": 3}
    moved = to_device(batch, cpu, channels_last=True)
    assert moved["x"].is_contiguous(memory_format=torch.channels_last) and not moved["x"].is_contiguous()
    assert isinstance(moved["pair"], tuple) and isinstance(moved["pair"][1], list) and moved["n"] == 3


def test_rng_state_round_trip_through_a_checkpoint(tmp_path):
    state = rng_state()
    torch.save(state, tmp_path / "rng.pt")
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(torch.load(tmp_path / "rng.pt", weights_only=True))
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_default_optimizer_is_fastais_adamw():
    p = torch.nn.Parameter(torch.zeros(2))
    opt = default_optimizer([p], wd=0.1)
    group = opt.param_groups[0]
    assert isinstance(opt, torch.optim.AdamW) and group["betas"] == (0.9, 0.99) and group["eps"] == 1e-5
    assert group["weight_decay"] == 0.1
    with pytest.raises(TypeError, match="parameters"):
        default_optimizer(torch.nn.Linear(2, 2))
