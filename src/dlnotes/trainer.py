"""``Trainer``: one training loop that runs on CUDA, Apple MPS or the CPU.

The loop is the one every PyTorch tutorial writes (forward, loss, backward, step), plus
what makes it fast where the hardware allows (mixed precision, ``channels_last``,
non-blocking copies, ``torch.compile``), what keeps work safe (atomic checkpoints with all
the state needed to resume exactly, a clean stop on Ctrl-C) and what turns the usual
failures into messages that say what to do. Launched with ``torchrun`` it trains with
``DistributedDataParallel`` without changes to the script.

```python
from dlnotes import Trainer
from dlnotes.data import fashion_mnist, fast_loaders
from dlnotes.models import small_cnn

train, test = fashion_mnist(sample=True)          # embedded: no download
train_loader, valid_loader = fast_loaders(train, test, batch_size=128)
trainer = Trainer(small_cnn(), train_loader, valid_loader)
trainer.fit_one_cycle(1, max_lr=3e-3)
```
"""

from __future__ import annotations

import builtins
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from dlnotes.lr_finder import atomic_write

__all__ = [
    "Trainer",
    "one_cycle_schedule",
    "select_device",
    "select_precision",
    "NonFiniteLossError",
    "OutOfMemoryError",
]

_PRECISIONS = ("auto", "fp32", "bf16", "fp16")


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during training."""


class OutOfMemoryError(RuntimeError):
    """The accelerator ran out of memory; the message says which batch size to try."""


# --------------------------------------------------------------------------- device & precision

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


def _callers_print() -> Callable:
    """The ``print`` of the code that created the trainer.

    Normally the built-in one; tools that run code with their own ``print`` to capture what it
    prints (the site build does) then capture the trainer's table too.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("dlnotes"):
        frame = frame.f_back
    found = frame.f_globals.get("print") if frame is not None else None
    return found if callable(found) else builtins.print


def select_device(device: str | torch.device = "auto", verbose: bool = False) -> torch.device:
    """The device to train on.

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


def select_precision(precision: str, device: torch.device) -> tuple[torch.dtype | None, bool]:
    """What ``precision`` means on ``device``: the autocast dtype and whether to scale gradients.

    ``"auto"`` is bfloat16 autocast on CUDA GPUs that support it (Ampere and later), float16
    autocast with a gradient scaler on older CUDA GPUs, and full float32 on MPS and the CPU
    (where mixed precision rarely pays off). ``"fp32"``, ``"bf16"`` and ``"fp16"`` force a mode.

    Args:
        precision: ``"auto"``, ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        device: the device the model trains on.

    Returns:
        ``(dtype, use_scaler)``: ``dtype`` is ``None`` for float32 (no autocast).
    """
    if precision not in _PRECISIONS:
        raise ValueError(f"precision must be one of {_PRECISIONS}, got {precision!r}")
    if precision == "auto":
        if device.type != "cuda":
            return None, False
        precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if precision == "fp32":
        return None, False
    if precision == "bf16":
        return torch.bfloat16, False
    return torch.float16, True


def _precision_name(dtype: torch.dtype | None) -> str:
    return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype]


# --------------------------------------------------------------------------- one-cycle schedule

def _cos(start: float, end: float, frac: float) -> float:
    return end + (start - end) / 2 * (1 + math.cos(math.pi * frac))


# --8<-- [start:one_cycle]
def one_cycle_schedule(
    total_steps: int,
    max_lr: float,
    pct_start: float = 0.25,
    div: float = 25.0,
    div_final: float = 1e5,
    moms: tuple[float, float, float] = (0.95, 0.85, 0.95),
) -> tuple[list[float], list[float]]:
    """The learning rate and momentum at every step of a one-cycle run (fastai's defaults).

    The learning rate warms up from ``max_lr / div`` to ``max_lr`` along half a cosine during
    the first ``pct_start`` of the steps, then anneals along another half cosine down to
    ``max_lr / div_final``. The momentum does the opposite (high, low, high): while the
    learning rate is large, less momentum keeps the steps under control.

    Args:
        total_steps: number of optimizer steps in the run.
        max_lr: the peak learning rate.
        pct_start: fraction of the steps spent warming up.
        div: the starting learning rate is ``max_lr / div``.
        div_final: the final learning rate is ``max_lr / div_final``.
        moms: momentum at the start, at the peak and at the end.

    Returns:
        ``(lrs, moms)``: two lists of ``total_steps`` floats.
    """
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
        raise ValueError(f"total_steps must be a positive int, got {total_steps!r}")
    if not (isinstance(max_lr, (int, float)) and max_lr > 0 and math.isfinite(max_lr)):
        raise ValueError(f"max_lr must be a positive number, got {max_lr!r}")
    if not 0 <= pct_start < 1:
        raise ValueError(f"pct_start must be in [0, 1), got {pct_start!r}")
    warm = min(total_steps - 1, round(total_steps * pct_start))
    lrs, ms = [], []
    for t in range(total_steps):
        if t < warm:
            frac = t / warm
            lrs.append(_cos(max_lr / div, max_lr, frac))
            ms.append(_cos(moms[0], moms[1], frac))
        else:
            frac = (t - warm) / max(1, total_steps - warm - 1)
            lrs.append(_cos(max_lr, max_lr / div_final, frac))
            ms.append(_cos(moms[1], moms[2], frac))
    return lrs, ms
# --8<-- [end:one_cycle]


# --------------------------------------------------------------------------- helpers

def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    if _in_notebook():
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)


def _fmt_time(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _dist():
    """``torch.distributed`` when this process is one of several started by torchrun, else None."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    import torch.distributed as dist

    return dist if dist.is_available() else None


def _rng_state() -> dict:
    np_state = np.random.get_state()
    state = {
        "python": random.getstate(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].copy()), int(np_state[2]), int(np_state[3]), float(np_state[4])],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    random.setstate(_tuples(state["python"]))
    n = state["numpy"]
    np.random.set_state((n[0], n[1].numpy(), n[2], n[3], n[4]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, (list, tuple)) else x


def _unwrap(model: nn.Module) -> nn.Module:
    model = getattr(model, "_orig_mod", model)  # torch.compile
    return getattr(model, "module", model) if isinstance(model, nn.parallel.DistributedDataParallel) else model


def _head_and_body(model: nn.Module) -> tuple[list[nn.Module], nn.Module]:
    """The model's top-level children split into body modules and the head (the last layer)."""
    for name in ("head", "fc", "classifier"):
        head = getattr(model, name, None)
        if isinstance(head, nn.Module):
            break
    else:
        with_params = [m for m in model.children() if any(True for _ in m.parameters())]
        head = with_params[-1] if with_params else model
    body = [m for m in model.children() if m is not head]
    return body, head


def param_groups(model: nn.Module) -> list[list[nn.Parameter]]:
    """The model's parameters in up to three groups for discriminative learning rates.

    The body (every top-level child but the head) is cut into two halves, early layers and
    late layers; the head is the third group. A ``slice(low, high)`` learning rate gives the
    first group ``low``, the head ``high`` and the middle group their geometric mean.

    Args:
        model: the model.

    Returns:
        Lists of parameters, earliest layers first, none empty.
    """
    body, head = _head_and_body(model)
    if head is model:
        return [list(model.parameters())]
    body = [m for m in body if any(True for _ in m.parameters())]
    half = (len(body) + 1) // 2
    groups = [
        [p for m in body[:half] for p in m.parameters()],
        [p for m in body[half:] for p in m.parameters()],
        list(head.parameters()),
    ]
    seen = {id(p) for g in groups for p in g}
    rest = [p for p in model.parameters() if id(p) not in seen]  # parameters owned by the model itself
    if rest:
        groups[0] = rest + groups[0]
    return [g for g in groups if g]


def _spread(lr, n: int) -> list[float]:
    """A learning rate per parameter group from a float, a slice or a sequence."""
    if isinstance(lr, slice):
        if lr.step is not None:
            raise ValueError(f"a learning-rate slice has no step, got {lr!r}")
        low, high = lr.start, lr.stop
        if high is None:
            raise ValueError(f"a learning-rate slice needs an upper value, e.g. slice(1e-5, 1e-3); got {lr!r}")
        if low is None:  # fastai: slice(None, high) = high/10 for the body, high for the head
            return [high / 10] * (n - 1) + [high]
        if n == 1:
            return [high]
        return [low * (high / low) ** (i / (n - 1)) for i in range(n)]
    if isinstance(lr, (list, tuple)):
        if len(lr) != n:
            raise ValueError(f"lr has {len(lr)} values but the model has {n} parameter groups")
        return [float(v) for v in lr]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"lr must be a number, a slice(low, high) or a list of numbers, got {lr!r}")
    return [float(lr)] * n


def _check_lrs(lrs: Sequence[float], name: str, value) -> None:
    if not all(isinstance(v, float) and v > 0 and math.isfinite(v) for v in lrs):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")


def _atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` through ``atomic_write``, flushed to disk before the rename."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())

    atomic_write(path, write)


class _ShardSampler(torch.utils.data.Sampler):
    """Indices ``rank, rank + world, …``: each sample on exactly one rank, no padding."""

    def __init__(self, n: int, rank: int, world: int):
        self.indices = list(range(rank, n, world))

    def __iter__(self):
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


# --------------------------------------------------------------------------- the trainer

class Trainer:
    """Train a model on whatever hardware there is.

    Args:
        model: the ``nn.Module`` to train.
        train_loader: batches ``(x, y)`` for training: a ``torch.utils.data.DataLoader``,
            ``dlnotes.data.FastLoader`` or any re-iterable with ``len()``.
        valid_loader: batches for validation after each epoch (optional).
        loss_fn: default ``nn.CrossEntropyLoss()``.
        metrics: names (``"accuracy"``, ``"error_rate"``) or functions
            ``f(output, target) -> float`` averaged over the validation samples.
        device: ``"auto"`` (CUDA, then MPS, then CPU), ``"cuda"``, ``"mps"``, ``"cpu"``…
        precision: ``"auto"`` (bf16 or fp16 mixed precision on CUDA, fp32 elsewhere),
            ``"fp32"``, ``"bf16"`` or ``"fp16"`` (with a gradient scaler).
        opt_func: builds the optimizer from parameter groups; default AdamW with fastai's
            settings (betas 0.9/0.99, eps 1e-5, weight decay ``wd``).
        wd: weight decay of the default optimizer.
        channels_last: store images and convolution weights channels-last (faster for
            convolutions on tensor-core GPUs and on CPUs); ``"auto"``: on CUDA and CPU, not MPS.
        compile: run the model through ``torch.compile`` (worth it for long runs on a GPU).
        accumulate: add up the gradients of this many batches before each optimizer step
            (the effective batch size is ``accumulate`` times larger).
        clip_grad: clip the gradient norm to this value before each step (``None``: off).
        callbacks: objects with any of ``on_epoch_begin(trainer)``, ``on_batch_end(trainer)``,
            ``on_epoch_end(trainer)``.
        progress: show a tqdm bar per epoch: ``"auto"`` when the output is a terminal or a notebook.
        verbose: print the device line and the epoch table.

    Attributes:
        model: the model (never wrapped: save or inspect it directly).
        device: the ``torch.device`` it trains on.
        optimizer: the optimizer, one parameter group per ``param_groups(model)`` group.
        history: one dict per epoch: ``epoch``, ``train_loss``, ``valid_loss``, the metrics, ``time``.
        epoch: epochs trained so far; ``step``: optimizer steps so far.
    """

    def __init__(
        self,
        model: nn.Module,
        train_loader: Iterable,
        valid_loader: Iterable | None = None,
        loss_fn: Callable | None = None,
        metrics: Sequence[str | Callable] = ("accuracy",),
        device: str | torch.device = "auto",
        precision: str = "auto",
        opt_func: Callable | None = None,
        wd: float = 0.01,
        channels_last: bool | str = "auto",
        compile: bool = False,
        accumulate: int = 1,
        clip_grad: float | None = None,
        callbacks: Sequence[Any] = (),
        progress: bool | str = "auto",
        verbose: bool = True,
    ):
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        for name, loader in (("train_loader", train_loader), ("valid_loader", valid_loader)):
            if loader is None and name == "valid_loader":
                continue
            if not (hasattr(loader, "__iter__") and hasattr(loader, "__len__")):
                raise TypeError(f"{name} must be a re-iterable of (x, y) batches with len(), e.g. a DataLoader; got {type(loader).__name__}")
            if len(loader) == 0:
                n = len(getattr(loader, "dataset", ()) or ())
                raise ValueError(f"{name} is empty: it yields no batches (dataset of {n} samples"
                                 f"{', batch_size ' + str(loader.batch_size) if getattr(loader, 'batch_size', None) else ''}"
                                 f"{', drop_last=True' if getattr(loader, 'drop_last', False) else ''})")
        if isinstance(accumulate, bool) or not isinstance(accumulate, int) or accumulate < 1:
            raise ValueError(f"accumulate must be a positive int, got {accumulate!r}")
        if clip_grad is not None and not (isinstance(clip_grad, (int, float)) and clip_grad > 0):
            raise ValueError(f"clip_grad must be a positive number or None, got {clip_grad!r}")
        if progress not in ("auto", True, False):
            raise ValueError(f"progress must be 'auto', True or False, got {progress!r}")
        if channels_last not in ("auto", True, False):
            raise ValueError(f"channels_last must be 'auto', True or False, got {channels_last!r}")
        self.metrics = list(metrics)
        for m in self.metrics:
            if not (callable(m) or m in ("accuracy", "error_rate")):
                raise ValueError(f"metrics: {m!r} is not 'accuracy', 'error_rate' or a function f(output, target)")

        self._dist = _dist()
        self.rank, self.world_size = 0, 1
        if self._dist is not None:
            if not self._dist.is_initialized():
                use_nccl = device in ("auto", "cuda") and torch.cuda.is_available()
                self._dist.init_process_group("nccl" if use_nccl else "gloo")
            self.rank, self.world_size = self._dist.get_rank(), self._dist.get_world_size()
            if device in ("auto", "cuda") and torch.cuda.is_available():
                device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
                torch.cuda.set_device(torch.device(device))
        self.verbose = bool(verbose) and self.rank == 0
        self._print = _callers_print()
        self.device = select_device(device)
        if self.verbose and device == "auto":
            self._print(f"device: {self.device.type} ({_auto_device()[1]})")
        self.precision = precision
        self.amp_dtype, use_scaler = select_precision(precision, self.device)
        self.scaler = torch.amp.GradScaler(self.device.type) if use_scaler else None
        self.channels_last = self.device.type in ("cuda", "cpu") if channels_last == "auto" else channels_last

        self.model = model.to(self.device)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
        self.train_loader = self._shard(train_loader, train=True)
        self.valid_loader = self._shard(valid_loader, train=False) if valid_loader is not None else None
        self.accumulate = accumulate
        self.clip_grad = clip_grad
        self.callbacks = list(callbacks)
        self.progress = (sys.stderr.isatty() or _in_notebook()) if progress == "auto" else progress
        self.progress = self.progress and self.rank == 0

        self._groups = param_groups(_unwrap(self.model))
        if opt_func is None:
            self.optimizer = torch.optim.AdamW(
                [{"params": g} for g in self._groups], lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=wd
            )
        else:
            self.optimizer = opt_func([{"params": g} for g in self._groups])
        self._train_model = self.model
        if self._dist is not None:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self._train_model = nn.parallel.DistributedDataParallel(self.model, device_ids=ids)
        if compile:
            self._train_model = torch.compile(self._train_model)

        self.history: list[dict] = []
        self.epoch = 0
        self.step = 0
        self._run: dict | None = None  # the fit in progress: what `resume` continues
        self._checked = False
        self._said_hello = False

    # ------------------------------------------------------------------ data

    def _shard(self, loader, train: bool):
        """Under torchrun, give each rank its share of a DataLoader's samples."""
        if self._dist is None:
            return loader
        from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

        if hasattr(loader, "set_distributed"):  # a loader that shards itself (e.g. FastLoader)
            loader.set_distributed(self.rank, self.world_size)
            return loader
        if not isinstance(loader, DataLoader):
            raise TypeError(
                f"under torchrun the loaders must be torch DataLoaders (to be sharded across the "
                f"{self.world_size} processes), got {type(loader).__name__}"
            )
        if train:
            sampler = DistributedSampler(loader.dataset, self.world_size, self.rank,
                                         shuffle=isinstance(loader.sampler, RandomSampler))
        else:
            sampler = _ShardSampler(len(loader.dataset), self.rank, self.world_size)
        return DataLoader(
            loader.dataset, batch_size=loader.batch_size, sampler=sampler, num_workers=loader.num_workers,
            collate_fn=loader.collate_fn, pin_memory=loader.pin_memory, drop_last=loader.drop_last,
            persistent_workers=loader.persistent_workers if loader.num_workers else False,
        )

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.device, non_blocking=True)
        if self.channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def _autocast(self):
        if self.amp_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    # ------------------------------------------------------------------ checks

    @torch.no_grad()
    def _check_first_batch(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """Catch a model output that doesn't fit the loss, or labels the model can't predict.

        Runs the model in eval mode without gradients, so no weight or batch-norm statistic changes.
        """
        self.model.eval()
        try:
            with self._autocast():
                out = self.model(x)
        finally:
            self._train_mode()
        classification = isinstance(self.loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss))
        if classification and not y.is_floating_point():
            if out.ndim < 2:
                raise ValueError(
                    f"the model's output has shape {tuple(out.shape)}, but {type(self.loss_fn).__name__} "
                    f"needs one score per class: shape (batch, n_classes). Does the model end with a "
                    f"Linear(…, n_classes) layer?"
                )
            if out.shape[0] != y.shape[0]:
                raise ValueError(f"the model returned {out.shape[0]} outputs for a batch of {y.shape[0]} labels "
                                 f"(output shape {tuple(out.shape)}); check the model's flatten/reshape")
            n_classes = out.shape[1]
            targets = getattr(self.train_loader, "targets", None)  # FastLoader holds all labels
            if targets is None:
                targets = getattr(getattr(self.train_loader, "dataset", None), "targets", None)
            labels = torch.as_tensor(targets) if targets is not None else y
            lo, hi = int(labels.min()), int(labels.max())
            if lo < 0 or hi >= n_classes:
                raise ValueError(
                    f"labels must be class indices in [0, {n_classes - 1}] for a model with {n_classes} "
                    f"outputs, but the training data has labels from {lo} to {hi}. Give the model "
                    f"n_classes={hi + 1} outputs (e.g. small_cnn(n_classes={hi + 1})) or fix the labels."
                )
        try:
            loss = self.loss_fn(out.float(), y)
        except (RuntimeError, ValueError, IndexError) as e:
            raise ValueError(
                f"the model's output (shape {tuple(out.shape)}, {out.dtype}) does not fit the loss "
                f"{type(self.loss_fn).__name__} with targets of shape {tuple(y.shape)} ({y.dtype}): {e}"
            ) from e
        if loss.ndim != 0:
            raise ValueError(f"the loss must be a single number, but {type(self.loss_fn).__name__} returned "
                             f"shape {tuple(loss.shape)}; use reduction='mean'")

    def _oom(self, e: BaseException, batch_size: int) -> OutOfMemoryError:
        smaller = max(1, batch_size // 2)
        return OutOfMemoryError(
            f"out of memory on {self.device} with batch size {batch_size}. Lower the batch size "
            f"(try {smaller}), and keep the same effective batch with accumulate={2 * self.accumulate}; "
            f"mixed precision (precision='auto') also halves the activations' memory. ({e})"
        )

    # ------------------------------------------------------------------ fitting

    def fit(self, epochs: int, lr: float | slice | Sequence[float] = 1e-3, checkpoint: str | os.PathLike | None = None) -> list[dict]:
        """Train for ``epochs`` epochs at a constant learning rate.

        Args:
            epochs: number of passes over ``train_loader``.
            lr: the learning rate; ``slice(low, high)`` spreads it over the parameter groups
                (earliest layers ``low``, head ``high``).
            checkpoint: save the full state to this path after every epoch.

        Returns:
            ``history``.
        """
        lrs = _spread(lr, len(self.optimizer.param_groups))
        _check_lrs(lrs, "lr", lr)
        return self._start({"kind": "constant", "lrs": lrs}, epochs, checkpoint)

    def fit_one_cycle(
        self,
        epochs: int,
        max_lr: float | slice | Sequence[float] = 1e-3,
        pct_start: float = 0.25,
        div: float = 25.0,
        div_final: float = 1e5,
        moms: tuple[float, float, float] = (0.95, 0.85, 0.95),
        checkpoint: str | os.PathLike | None = None,
    ) -> list[dict]:
        """Train with the one-cycle policy: warm up, then anneal (see ``one_cycle_schedule``).

        Args:
            epochs: number of passes over ``train_loader``.
            max_lr: the peak learning rate; ``slice(low, high)`` for discriminative rates.
            pct_start: fraction of the steps spent warming up.
            div: start at ``max_lr / div``.
            div_final: end at ``max_lr / div_final``.
            moms: momentum (Adam's beta1) at the start, the peak and the end.
            checkpoint: save the full state to this path after every epoch.

        Returns:
            ``history``.
        """
        lrs = _spread(max_lr, len(self.optimizer.param_groups))
        _check_lrs(lrs, "max_lr", max_lr)
        one_cycle_schedule(1, 1.0, pct_start)  # validates pct_start
        run = {"kind": "one_cycle", "lrs": lrs, "pct_start": float(pct_start), "div": float(div),
               "div_final": float(div_final), "moms": [float(m) for m in moms]}
        return self._start(run, epochs, checkpoint)

    def resume(self, checkpoint: str | os.PathLike | None = None) -> list[dict]:
        """Finish the run that a checkpoint loaded with ``load`` was part of.

        With the same data, seed and hardware, the result is bit-for-bit the model that the
        uninterrupted run would have produced (on the CPU; GPUs add their own nondeterminism).

        Args:
            checkpoint: keep saving to this path after every epoch.

        Returns:
            ``history``.
        """
        if self._run is None or self._run["done"] >= self._run["epochs"]:
            raise RuntimeError("nothing to resume: load a checkpoint saved during fit/fit_one_cycle first")
        return self._loop(checkpoint)

    def _start(self, run: dict, epochs: int, checkpoint) -> list[dict]:
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive int, got {epochs!r}")
        steps_per_epoch = math.ceil(len(self.train_loader) / self.accumulate)
        run.update(epochs=epochs, done=0, steps_per_epoch=steps_per_epoch, start_step=self.step)
        self._run = run
        self._sched = None
        return self._loop(checkpoint)

    def _lr_mom(self, i: int) -> tuple[list[float], float | None]:
        """Learning rates per group and momentum at step ``i`` of the current run."""
        run = self._run
        if run["kind"] == "constant":
            return run["lrs"], None
        if self._sched is None:
            total = run["epochs"] * run["steps_per_epoch"]
            self._sched = one_cycle_schedule(total, 1.0, run["pct_start"], run["div"], run["div_final"], tuple(run["moms"]))
        f, m = self._sched[0][i], self._sched[1][i]
        return [lr * f for lr in run["lrs"]], m

    def _set_lr(self, i: int) -> list[float]:
        lrs, mom = self._lr_mom(i)
        for g, lr in zip(self.optimizer.param_groups, lrs):
            g["lr"] = lr
            if mom is not None:
                if "betas" in g:
                    g["betas"] = (mom, g["betas"][1])
                elif "momentum" in g:
                    g["momentum"] = mom
        return lrs

    def _loop(self, checkpoint) -> list[dict]:
        run = self._run
        if self.verbose and not self._said_hello:
            self._print(f"training on {self.device.type} ({_precision_name(self.amp_dtype)}"
                  f"{', ' + str(self.world_size) + ' processes' if self.world_size > 1 else ''})")
            self._said_hello = True
        header_done = False
        try:
            while run["done"] < run["epochs"]:
                if self.verbose and not header_done:
                    self._print_header()
                    header_done = True
                row = self._train_epoch(run)
                run["done"] += 1
                self.history.append(row)
                if self.verbose:
                    self._print_row(row)
                self._callback("on_epoch_end")
                if checkpoint is not None:
                    self.save(checkpoint)
        except KeyboardInterrupt:
            self.optimizer.zero_grad(set_to_none=True)
            self.model.eval()
            if self.verbose:
                self._print(f"interrupted during epoch {self.epoch} (step {self.step}): stopped cleanly; "
                      f"history keeps the {len(self.history)} finished epoch(s) and the model is usable")
            return self.history
        self.model.eval()
        return self.history

    def _callback(self, name: str) -> None:
        for cb in self.callbacks:
            fn = getattr(cb, name, None)
            if fn is not None:
                fn(self)

    def _train_epoch(self, run: dict) -> dict:
        start = time.perf_counter()
        loader = self.train_loader
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(self.epoch)  # DistributedSampler: a new shuffle every epoch
        elif hasattr(loader, "set_epoch"):
            loader.set_epoch(self.epoch)
        self._train_mode()
        self._callback("on_epoch_begin")
        n_batches = len(loader)
        i0 = run["done"] * run["steps_per_epoch"]  # step index within the run
        lrs = self._set_lr(i0)
        bar = _progress_bar(n_batches, f"epoch {self.epoch}", self.progress)
        loss_sum = 0.0
        count = 0
        opt_steps = 0
        self.optimizer.zero_grad(set_to_none=True)
        try:
            for b, (x, y) in enumerate(loader):
                x, y = self._to_device(x), y.to(self.device, non_blocking=True)
                bs = y.shape[0]
                last_of_group = (b + 1) % self.accumulate == 0 or b + 1 == n_batches
                sync = self._dist is not None and not last_of_group
                try:
                    if not self._checked:  # before the first step: a forward pass that changes nothing
                        self._check_first_batch(x, y)
                        self._checked = True
                    with self._train_model.no_sync() if sync else nullcontext():
                        with self._autocast():
                            out = self._train_model(x)
                            loss = self.loss_fn(out, y)
                        scaled = loss / self.accumulate if self.accumulate > 1 else loss
                        (self.scaler.scale(scaled) if self.scaler else scaled).backward()
                except torch.OutOfMemoryError as e:
                    raise self._oom(e, bs) from None
                loss_value = loss.item()
                if not math.isfinite(loss_value):
                    raise NonFiniteLossError(
                        f"the loss is {loss_value} at step {self.step} (epoch {self.epoch}, batch {b}) with "
                        f"learning rate {max(lrs):.3g}. Try a lower learning rate (trainer.lr_find() "
                        f"suggests one), gradient clipping (clip_grad=1.0), precision='fp32', and check "
                        f"the inputs for NaN or infinite values."
                    )
                loss_sum += loss_value * bs
                count += bs
                if last_of_group:
                    if self.clip_grad is not None:
                        if self.scaler:
                            self.scaler.unscale_(self.optimizer)
                        nn.utils.clip_grad_norm_(self.model.parameters(), self.clip_grad)
                    if self.scaler:
                        self.scaler.step(self.optimizer)
                        self.scaler.update()
                    else:
                        self.optimizer.step()
                    self.optimizer.zero_grad(set_to_none=True)
                    self.step += 1
                    opt_steps += 1
                    if i0 + opt_steps < run["epochs"] * run["steps_per_epoch"]:
                        lrs = self._set_lr(i0 + opt_steps)  # the rate for the next step
                if bar is not None:
                    bar.update(1)
                    if b % 10 == 0:
                        bar.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
                self._callback("on_batch_end")
        finally:
            if bar is not None:
                bar.close()
        if count == 0:
            raise ValueError("train_loader yielded no batches this epoch")
        train_loss = self._all_sum(torch.tensor([loss_sum, count], dtype=torch.float64))
        row = {"epoch": self.epoch, "train_loss": float(train_loss[0] / train_loss[1])}
        if self.valid_loader is not None:
            row.update({("valid_loss" if k == "loss" else k): v for k, v in self.evaluate().items()})
        self.epoch += 1
        row["time"] = time.perf_counter() - start
        return row

    def _all_sum(self, t: torch.Tensor) -> torch.Tensor:
        if self._dist is None:
            return t
        if self.device.type == "cuda":
            t = t.to(self.device)
        self._dist.all_reduce(t)
        return t.cpu()

    # ------------------------------------------------------------------ using the model

    @torch.no_grad()
    def evaluate(self, loader: Iterable | None = None) -> dict:
        """Loss and metrics on a loader, averaged over its samples.

        Under torchrun each rank evaluates its share (no sample twice, none padded) and the
        sums are added up across ranks, so every rank gets the exact full-dataset figures.

        Args:
            loader: default ``valid_loader``.

        Returns:
            ``{"loss": …, "accuracy": …}`` (one key per metric).
        """
        loader = self.valid_loader if loader is None else loader
        if loader is None:
            raise ValueError("evaluate() needs a loader: this trainer has no valid_loader")
        model = self.model
        if self._dist is not None:  # batch-norm statistics differ between ranks: evaluate rank 0's
            for buf in model.buffers():
                self._dist.broadcast(buf, 0)
        was_training = model.training
        model.eval()
        n_metrics = len(self.metrics)
        sums = torch.zeros(2 + n_metrics, dtype=torch.float64)  # loss, count, metrics
        try:
            for x, y in loader:
                x, y = self._to_device(x), y.to(self.device, non_blocking=True)
                with self._autocast():
                    out = model(x)
                out = out.float()
                bs = y.shape[0]
                sums[0] += self.loss_fn(out, y).item() * bs
                sums[1] += bs
                for k, m in enumerate(self.metrics):
                    if m == "accuracy":
                        sums[2 + k] += (out.argmax(1) == y).sum().item()
                    elif m == "error_rate":
                        sums[2 + k] += (out.argmax(1) != y).sum().item()
                    else:
                        sums[2 + k] += float(m(out, y)) * bs
        finally:
            model.train(was_training)
        sums = self._all_sum(sums)
        if sums[1] == 0:
            raise ValueError("evaluate(): the loader yielded no samples")
        result = {"loss": float(sums[0] / sums[1])}
        for k, m in enumerate(self.metrics):
            result[m if isinstance(m, str) else getattr(m, "__name__", f"metric{k}")] = float(sums[2 + k] / sums[1])
        return result

    @torch.no_grad()
    def predict(self, x_or_loader: torch.Tensor | Iterable, activation: str | None = "softmax") -> torch.Tensor:
        """The model's predictions, on the CPU.

        Args:
            x_or_loader: a batch tensor (N, C, H, W), a single image (C, H, W), or a loader
                of ``(x, y)`` batches (the labels are ignored).
            activation: ``"softmax"`` for probabilities, ``None`` for the raw outputs.

        Returns:
            (N, n_classes) for a batch or a loader, (n_classes,) for a single image.
        """
        if activation not in ("softmax", None):
            raise ValueError(f"activation must be 'softmax' or None, got {activation!r}")
        model = self.model
        was_training = model.training
        model.eval()

        def run(x):
            with self._autocast():
                out = model(self._to_device(x)).float()
            return (out.softmax(-1) if activation == "softmax" else out).cpu()

        try:
            if isinstance(x_or_loader, torch.Tensor):
                single = x_or_loader.ndim == 3
                out = run(x_or_loader.unsqueeze(0) if single else x_or_loader)
                return out[0] if single else out
            outs = [run(batch[0] if isinstance(batch, (list, tuple)) else batch) for batch in x_or_loader]
            if not outs:
                raise ValueError("predict(): the loader yielded no batches")
            return torch.cat(outs)
        finally:
            model.train(was_training)

    # ------------------------------------------------------------------ transfer learning

    def freeze(self, train_bn: bool = True) -> None:
        """Train only the head (and the batch-norm layers): the usual first step of transfer learning.

        Args:
            train_bn: True (fastai's choice) keeps the body's batch-norm layers learning: their
                scales and shifts train, and in training mode they normalise with each batch's
                statistics and update their running averages, so they adapt to the new data.
                False freezes them too: the body runs in eval mode while training, so it computes
                exactly what it did before (the condition for precomputing its outputs).
        """
        body, _ = _head_and_body(_unwrap(self.model))
        for m in body:
            for sub in m.modules():
                is_bn = isinstance(sub, nn.modules.batchnorm._BatchNorm)
                for p in sub.parameters(recurse=False):
                    p.requires_grad_(is_bn and train_bn)
        self._eval_body = [] if train_bn else body

    def _train_mode(self) -> None:
        """Training mode, except a body frozen with ``freeze(train_bn=False)``: it computes as in eval."""
        self._train_model.train()
        for m in getattr(self, "_eval_body", ()):
            m.eval()

    def unfreeze(self) -> None:
        """Train every layer again."""
        for p in self.model.parameters():
            p.requires_grad_(True)
        self._eval_body = []

    # ------------------------------------------------------------------ saving

    def state_dict(self) -> dict:
        """Everything needed to continue training exactly: see ``save``."""
        state = {
            "model": _unwrap(self.model).state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": dict(self._run) if self._run is not None else None,
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "epoch": self.epoch,
            "step": self.step,
            "history": [dict(r) for r in self.history],
            "rng": _rng_state(),
            "requires_grad": [p.requires_grad for p in self.model.parameters()],
        }
        generator = getattr(self.train_loader, "generator", None)
        if isinstance(generator, torch.Generator):
            state["loader_generator"] = generator.get_state()
        if hasattr(self.train_loader, "state_dict"):
            state["loader"] = self.train_loader.state_dict()
        return state

    def save(self, path: str | os.PathLike) -> Path:
        """Write the full training state to ``path``, atomically (a temp file, then a rename).

        The file holds the model, optimizer, schedule, gradient scaler, epoch, step, history
        and random-number states, so ``load`` + ``resume`` continue exactly where this left off.
        Under torchrun only rank 0 writes.

        Args:
            path: where to write (parent folders are created).

        Returns:
            The path.
        """
        path = Path(path)
        state = self.state_dict()
        if self.rank == 0:
            _atomic_save(state, path)
        if self._dist is not None:
            self._dist.barrier()
        return path

    def load(self, path: str | os.PathLike, weights_only: bool = True) -> Trainer:
        """Load a state written by ``save`` (safely: ``torch.load(weights_only=True)``).

        Args:
            path: the checkpoint file.
            weights_only: keep True unless you trust the file: it refuses to run pickled code.

        Returns:
            The trainer itself.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no checkpoint at {path}")
        state = torch.load(path, map_location=self.device, weights_only=weights_only)
        _unwrap(self.model).load_state_dict(state["model"])
        for p, rg in zip(self.model.parameters(), state.get("requires_grad", [])):
            p.requires_grad_(rg)
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scaler is not None and state.get("scaler") is not None:
            self.scaler.load_state_dict(state["scaler"])
        self._run = state["scheduler"]
        self._sched = None
        self.epoch, self.step = int(state["epoch"]), int(state["step"])
        self.history = [dict(r) for r in state["history"]]
        rng = state["rng"]
        rng["torch"] = rng["torch"].cpu()
        if "cuda" in rng:
            rng["cuda"] = [s.cpu() for s in rng["cuda"]]
        rng["numpy"][1] = rng["numpy"][1].cpu()
        _set_rng_state(rng)
        generator = getattr(self.train_loader, "generator", None)
        if "loader_generator" in state and isinstance(generator, torch.Generator):
            generator.set_state(state["loader_generator"].cpu())
        if "loader" in state and hasattr(self.train_loader, "load_state_dict"):
            self.train_loader.load_state_dict(state["loader"])
        return self

    # ------------------------------------------------------------------ display

    def _columns(self) -> list[str]:
        cols = ["epoch", "train_loss"]
        if self.valid_loader is not None:
            cols.append("valid_loss")
            cols += [m if isinstance(m, str) else getattr(m, "__name__", f"metric{k}") for k, m in enumerate(self.metrics)]
        return cols + ["time"]

    def _print_header(self) -> None:
        self._print("  ".join(f"{c:>10}" if c != "epoch" else f"{c:>5}" for c in self._columns()), flush=True)

    def _print_row(self, row: dict) -> None:
        cells = []
        for c in self._columns():
            v = row.get(c)
            if c == "epoch":
                cells.append(f"{v:>5d}")
            elif c == "time":
                cells.append(f"{_fmt_time(v):>10}")
            else:
                cells.append(f"{v:>10.4f}")
        self._print("  ".join(cells), flush=True)

    def plot_history(self, ax: Any = None) -> Any:
        """Plot train/valid loss and the metrics per epoch.

        Args:
            ax: a matplotlib axes for the losses (the metrics go on a twin axis); default a new figure.

        Returns:
            The matplotlib figure.
        """
        import matplotlib.pyplot as plt

        if not self.history:
            raise ValueError("plot_history(): nothing trained yet (history is empty)")
        if ax is None:
            fig, ax = plt.subplots(figsize=(6, 3.5))
        fig = ax.figure
        epochs = [r["epoch"] + 1 for r in self.history]
        ax.plot(epochs, [r["train_loss"] for r in self.history], "o-", label="train loss")
        if "valid_loss" in self.history[0]:
            ax.plot(epochs, [r["valid_loss"] for r in self.history], "o-", label="valid loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        names = [c for c in self._columns()[3:-1] if c in self.history[0]]
        handles, labels = ax.get_legend_handles_labels()
        if names:
            ax2 = ax.twinx()
            for k, name in enumerate(names):
                (h,) = ax2.plot(epochs, [r[name] for r in self.history], "s--", color=f"C{2 + k}", label=name)
                handles.append(h)
                labels.append(name)
            ax2.set_ylabel(", ".join(names))
        ax.legend(handles, labels, loc="center right")
        ax.set_title("Training history")
        return fig

    # ------------------------------------------------------------------ delegates

    def lr_find(self, **kwargs: Any) -> Any:
        """Run the learning-rate range test on this trainer's model and data.

        Args:
            **kwargs: passed to ``dlnotes.lr_finder.lr_find`` (``start_lr``, ``end_lr``, ``num_iter``…).

        Returns:
            The ``lr_find`` result (``suggestion``, ``plot()``…).
        """
        from dlnotes.lr_finder import lr_find

        # the trainer's own optimizer (its parameter groups keep their ratios: discriminative
        # learning rates), precision and accumulation; lr_find restores all of it afterwards
        kwargs.setdefault("optimizer", self.optimizer)
        kwargs.setdefault("precision", self.precision)
        kwargs.setdefault("accumulation_steps", self.accumulate)
        return lr_find(self.model, self.train_loader, self.loss_fn, device=self.device, **kwargs)

    def export(self, path: str | os.PathLike) -> Any:
        """Export the model for inference with ``dlnotes.export.export``.

        Args:
            path: where to write.
        """
        from dlnotes.export import export

        return export(self, path)
