"""What ``device="auto"`` and the precision names mean, for every part of the package.

``Trainer``, ``lr_find``, ``FastLoader``, ``ClassificationInterpretation``, ``load_predictor``
and the command line all ask this module: ``"auto"`` is CUDA, then Apple's MPS, then the CPU,
and a device that was asked for but is missing gets an error that says why and what to do.
It also holds the small pieces of plumbing they share: autocast, moving a batch to the
device, capturing and restoring the random-number generators, and the default optimizer.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = [
    "select_device",
    "select_precision",
    "PRECISIONS",
    "precision_name",
    "autocast",
    "to_device",
    "rng_state",
    "set_rng_state",
    "default_optimizer",
]


def _cuda_unavailable_reason() -> str:
    if torch.version.cuda is None:
        return (
            f"this PyTorch ({torch.__version__}) is a CPU-only build: it was not compiled with CUDA. "
            "Install a CUDA build, e.g. `pip install torch torchvision --index-url "
            "https://download.pytorch.org/whl/cu126` (pick the command for your system at "
            "https://pytorch.org/get-started/locally/), or use device='auto' to run on what you have."
        )
    return (
        f"this PyTorch is built for CUDA {torch.version.cuda}, but no NVIDIA GPU is usable: the "
        "driver is missing or too old, or no GPU is visible (check `nvidia-smi` and the "
        "CUDA_VISIBLE_DEVICES variable). Install or update the NVIDIA driver, or use device='auto'."
    )


def _auto_device() -> tuple[torch.device, str]:
    if torch.cuda.is_available():
        return torch.device("cuda"), f"CUDA GPU found: {torch.cuda.get_device_name(0)}"
    if torch.backends.mps.is_available():
        return torch.device("mps"), "Apple MPS found"
    return torch.device("cpu"), "no CUDA or MPS device found"


def select_device(device: str | torch.device = "auto", verbose: bool = False) -> torch.device:
    """The device to run on.

    Args:
        device: ``"auto"`` picks CUDA, then Apple's MPS, then the CPU; or a name such as
            ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"``, or a ``torch.device``.
        verbose: print which device was picked and why.

    Returns:
        A ``torch.device``.

    Raises:
        RuntimeError: the device was asked for but is not available; the message says why
            (a CPU-only build of PyTorch, or no driver/GPU) and how to fix it.
        ValueError: ``device`` is not a device name.
        TypeError: ``device`` is neither a string nor a ``torch.device``.
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise TypeError(f"device must be a string or torch.device, got {device!r}")
    if device == "auto":
        dev, why = _auto_device()
        if verbose:
            print(f"device: {dev.type} ({why})")
        return dev
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"device must be 'auto', 'cuda', 'cuda:N', 'mps' or 'cpu', got {device!r}") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(f"device={device!r} was asked for, but CUDA is not available: {_cuda_unavailable_reason()}")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise RuntimeError(f"device={device!r}: there are only {torch.cuda.device_count()} CUDA device(s)")
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        why = ("this PyTorch was built without MPS" if not torch.backends.mps.is_built()
               else "MPS needs an Apple-silicon Mac with macOS 12.3 or later")
        raise RuntimeError(f"device={device!r} was asked for, but MPS is not available: {why}. Use device='auto'.")
    if verbose:
        print(f"device: {dev}")
    return dev


# the names people use for each mode: ours, PyTorch's dtype names, Lightning's
PRECISIONS: dict[str, str | torch.dtype | None] = {
    "auto": "auto",
    "fp32": None, "32": None, "float32": None, "32-true": None,
    "bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "bf16-mixed": torch.bfloat16,
    "fp16": torch.float16, "16": torch.float16, "float16": torch.float16, "16-mixed": torch.float16,
}  # fmt: skip


def select_precision(precision: str, device: torch.device) -> tuple[torch.dtype | None, bool]:
    """What ``precision`` means on ``device``: the autocast dtype and whether to scale gradients.

    ``"auto"`` is bfloat16 autocast on CUDA GPUs that support it (Ampere and later), float16
    autocast with a gradient scaler on older CUDA GPUs, and full float32 on MPS and the CPU
    (where mixed precision rarely pays off). ``"fp32"``, ``"bf16"`` and ``"fp16"`` force a mode;
    PyTorch's and Lightning's names for them (``"float16"``, ``"16-mixed"``, ``"bf16-mixed"``…)
    are understood too.

    Args:
        precision: ``"auto"``, ``"fp32"``, ``"bf16"`` or ``"fp16"`` (or an alias in ``PRECISIONS``).
        device: the device the model runs on.

    Returns:
        ``(dtype, use_scaler)``: ``dtype`` is ``None`` for float32 (no autocast);
        ``use_scaler`` is True for float16, whose small range needs a ``GradScaler``.
    """
    key = precision.lower() if isinstance(precision, str) else precision
    if key not in PRECISIONS:
        raise ValueError(f"precision must be 'auto', 'fp32', 'bf16' or 'fp16' (or one of {sorted(PRECISIONS)}), got {precision!r}")
    dtype = PRECISIONS[key]
    if dtype == "auto":
        if device.type != "cuda":
            return None, False
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return dtype, dtype == torch.float16


def precision_name(dtype: torch.dtype | None) -> str:
    """``"fp32"``, ``"bf16"`` or ``"fp16"`` for what ``select_precision`` returned."""
    return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype]


def autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager:
    """``torch.autocast`` to ``dtype`` on ``device``, or a context that does nothing for float32."""
    return nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)


def to_device(batch: Any, device: torch.device, channels_last: bool = False) -> Any:
    """A batch (a tensor, or tuples, lists and dicts of them) on ``device``, copied without waiting.

    With ``channels_last``, 4-d tensors (image batches) get the channels-last memory layout.
    """
    if isinstance(batch, torch.Tensor):
        batch = batch.to(device, non_blocking=True)
        return batch.contiguous(memory_format=torch.channels_last) if channels_last and batch.ndim == 4 else batch
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(b, device, channels_last) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device, channels_last) for k, v in batch.items()}
    return batch


def rng_state(devices: Iterable[torch.device] = ()) -> dict:
    """The state of every random-number generator a training run draws from.

    Python's, NumPy's and torch's CPU generator always; CUDA's when CUDA is in ``devices`` or
    already in use; MPS's when MPS is in ``devices``. Only tensors and plain data, so it can go
    into a checkpoint that ``torch.load(weights_only=True)`` reads.
    """
    types = {torch.device(d).type for d in devices}
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [kind, torch.from_numpy(keys.copy()), int(pos), int(has_gauss), float(gauss)],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and ("cuda" in types or torch.cuda.is_initialized()):
        state["cuda"] = torch.cuda.get_rng_state_all()
    if "mps" in types:
        state["mps"] = torch.mps.get_rng_state()
    return state


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x


def set_rng_state(state: dict) -> None:
    """Put back what ``rng_state`` returned (also after a round trip through a checkpoint)."""
    random.setstate(_tuples(state["python"]))
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.cpu().numpy(), pos, has_gauss, gauss))
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    if "mps" in state and torch.backends.mps.is_available():
        torch.mps.set_rng_state(state["mps"].cpu())


def default_optimizer(params: Any, lr: float = 1e-3, wd: float = 0.01) -> torch.optim.Optimizer:
    """AdamW with fastai's settings (betas 0.9/0.99, eps 1e-5): what ``Trainer`` and ``lr_find`` use.

    Args:
        params: parameters or parameter groups (dicts with ``"params"``).
        lr: the learning rate (the schedules set it at every step anyway).
        wd: the weight decay.
    """
    if isinstance(params, nn.Module):
        raise TypeError("params must be the model's parameters (model.parameters()), not the model")
    return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.99), eps=1e-5, weight_decay=wd)
