"""The learning-rate range test (Leslie Smith, 2015) and its suggestions.

``lr_find`` trains the model for ``num_iter`` mini-batches while the learning rate grows
from ``start_lr`` to ``end_lr``, and records the training loss at every step. The loss
first barely moves (the rate is too small to matter), then falls (the useful range), then
shoots up (the rate is so large that the steps overshoot). A good learning rate lies in
the falling part, well before the bottom.

The test changes the model, so ``lr_find`` restores everything afterwards: parameters,
buffers (BatchNorm statistics), gradients, train/eval modes, the optimizer's state and
learning rates and the random-number generators, bit for bit, also when the run raises or
is interrupted. The snapshot stays in memory; nothing is written to disk.
"""

from __future__ import annotations

import copy
import math
import os
import random
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["LRFinderResult", "lr_find", "suggest_lrs", "valley", "steep", "minimum"]

MIN_NUM_ITER = 10  # fewer steps than this cannot show a curve worth reading
MIN_POINTS = 5  # points a suggestion needs once the ends of the curve are trimmed
SUGGESTIONS = ("valley", "steep", "minimum")


# --8<-- [start:valley]
VALLEY_FRACTION = 0.6  # how far down the valley to go; chosen with benchmarks/lr_finder.py


def valley(lrs: np.ndarray, losses: np.ndarray) -> float | None:
    """The learning rate 60% of the way down the longest downhill stretch of the curve.

    The stretch is the longest run of points, in order, whose losses keep going down (a
    longest decreasing subsequence, so a little noise does not cut it short). Along it the
    smoothed loss falls from its first value to its last; the suggestion is the first
    learning rate at which 60% of that fall is done: the loss is still coming down fast
    there, and the bottom (where training starts to break down) is still well ahead.

    Args:
        lrs: learning rates, increasing.
        losses: the smoothed loss at each learning rate.

    Returns:
        The suggested learning rate, or None when the curve never goes down.
    """
    n = len(losses)
    length = [1] * n  # length[i]: the longest decreasing run that ends at point i
    first = list(range(n))  # first[i]: where that run starts
    for i in range(n):
        for j in range(i):
            if losses[j] > losses[i] and length[j] + 1 > length[i]:
                length[i], first[i] = length[j] + 1, first[j]
    end = int(np.argmax(length))
    start = first[end]
    top, bottom = losses[start], losses[end]
    if length[end] < 3 or bottom > 0.99 * top:
        return None  # no stretch of at least 3 points that lowers the loss by 1%
    target = top - VALLEY_FRACTION * (top - bottom)
    i = start + int(np.argmax(losses[start : end + 1] <= target))  # first point at or below it
    return float(lrs[i])
# --8<-- [end:valley]


# --8<-- [start:steep]
def steep(lrs: np.ndarray, losses: np.ndarray) -> float | None:
    """The learning rate where the loss falls fastest per decade of learning rate.

    Args:
        lrs: learning rates, increasing.
        losses: the smoothed loss at each learning rate.

    Returns:
        The suggested learning rate, or None when the curve never goes down.
    """
    slope = np.gradient(losses, np.log10(lrs))  # d loss / d log10(lr)
    i = int(np.argmin(slope))
    return float(lrs[i]) if slope[i] < 0 else None
# --8<-- [end:steep]


# --8<-- [start:minimum]
def minimum(lrs: np.ndarray, losses: np.ndarray) -> float:
    """One tenth of the learning rate where the smoothed loss is lowest.

    At the minimum the rate is already as large as training tolerates; ten times less
    keeps a safety margin. This is fastai's rule of thumb ("one order of magnitude before the
    minimum", Sylvain Gugger), not Smith's: his paper takes the largest rate at which the
    accuracy still improves as the upper bound of a cycle.

    Args:
        lrs: learning rates, increasing.
        losses: the smoothed loss at each learning rate.

    Returns:
        The suggested learning rate.
    """
    return float(lrs[int(np.argmin(losses))] / 10)
# --8<-- [end:minimum]


# --8<-- [start:suggest]
def suggest_lrs(lrs: Iterable[float], losses: Iterable[float], num_iter: int | None = None) -> dict[str, float]:
    """All three suggestions for a recorded curve, with a fallback when it never goes down.

    The first tenth of the planned steps is left out (the smoothed loss is still settling
    there), and so are the last points of a run that diverged (they only show the
    blow-up). When the rest has no decreasing stretch, ``valley`` and ``steep`` fall back to
    ``minimum`` with a warning.

    Args:
        lrs: the learning rate at each step.
        losses: the smoothed loss at each step.
        num_iter: the number of steps the run planned (default: the number recorded).

    Returns:
        ``{"valley": ..., "steep": ..., "minimum": ...}``.
    """
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    n = len(lrs)
    planned = n if num_iter is None else num_iter
    start = min(planned // 10, max(n - MIN_POINTS, 0))
    end = n - 2 if n < planned and n - 2 - start >= MIN_POINTS else n  # stopped early: drop the jump
    lrs, losses = lrs[start:end], losses[start:end]
    if len(lrs) == 0:
        raise ValueError("no points to suggest from: the range test recorded no finite loss")
    found = {"valley": valley(lrs, losses), "steep": steep(lrs, losses), "minimum": minimum(lrs, losses)}
    if found["valley"] is None or found["steep"] is None or len(lrs) < MIN_POINTS:
        warnings.warn(
            f"the loss never clearly decreases between lr={lrs[0]:.3g} and lr={lrs[-1]:.3g} "
            f"({len(lrs)} usable points); falling back to the minimum rule ({found['minimum']:.3g}). "
            "Try a smaller start_lr, a larger end_lr or more iterations.",
            RuntimeWarning, stacklevel=3,
        )
        found = {name: found["minimum"] if value is None or len(lrs) < MIN_POINTS else value
                 for name, value in found.items()}
    return found
# --8<-- [end:suggest]


@dataclass
class LRFinderResult:
    """What ``lr_find`` recorded, and what it suggests.

    Attributes:
        lrs: the learning rate used at each step.
        losses: the smoothed, bias-corrected training loss at each step.
        raw_losses: the training loss of each step's batch, unsmoothed.
        suggestions: ``{"valley", "steep", "minimum"}`` → learning rate (see ``suggest_lrs``).
        suggestion: the default choice, ``suggestions[suggest]`` (``valley`` unless asked).
        stop_reason: why the run ended: ``"completed"``, ``"diverged"`` or ``"non-finite loss"``.
        num_iter: the number of steps the run planned.
        seconds: the run's wall-clock time.
    """

    lrs: list[float]
    losses: list[float]
    raw_losses: list[float]
    suggestions: dict[str, float]
    suggestion: float
    stop_reason: str = "completed"
    num_iter: int = 0
    seconds: float = 0.0
    mode: str = "exp"
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def plot(self, ax: Any = None, path: str | os.PathLike | None = None, raw: bool = True) -> Any:
        """Loss against learning rate (log scale), with each suggestion marked.

        Args:
            ax: a matplotlib Axes to draw on (default: a new figure).
            path: if given, also save the figure there (PNG, SVG or PDF by suffix),
                atomically; an existing file at ``path`` is replaced.
            raw: also draw the unsmoothed losses, faintly.

        Returns:
            The matplotlib Axes.
        """
        from matplotlib import pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4))
        if raw:
            ax.plot(self.lrs, self.raw_losses, color="0.75", lw=0.8, label="loss of each batch")
        ax.plot(self.lrs, self.losses, color="C0", lw=2, label="smoothed loss")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")
        ax.set_title("Learning-rate range test")
        markers = {"valley": ("o", "C3"), "steep": ("^", "C2"), "minimum": ("s", "C1")}
        lrs = np.asarray(self.lrs)
        for name, value in self.suggestions.items():
            i = int(np.argmin(np.abs(np.log(lrs) - np.log(value))))  # the recorded point nearest to it
            marker, color = markers.get(name, ("D", "C4"))
            label = f"{name}: {value:.2g}" + (" (the suggestion)" if name == self._default else "")
            ax.plot([lrs[i]], [self.losses[i]], marker=marker, color=color, ms=9, ls="none", label=label)
        # keep the blow-up from squashing the interesting part of the curve
        finite = np.asarray(self.losses)
        top = max(finite[: max(len(finite) // 2, 1)].max(), finite[0]) * 1.25
        low = min(finite.min(), np.min(self.raw_losses) if raw else finite.min())
        ax.set_ylim(low - 0.05 * (top - low), top)
        ax.legend(fontsize="small")
        if path is not None:
            _save_figure(ax.figure, Path(path))
        return ax

    @property
    def _default(self) -> str:
        return self.extra.get("suggest", "valley")


def _save_figure(fig: Any, path: Path) -> None:
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight", format=path.suffix[1:] or "png"))


def atomic_write(path: str | os.PathLike, write: Callable[[str], Any]) -> Path:
    """Call ``write(temp_path)``, then move the temporary file onto ``path`` in one step.

    A reader never sees a half-written file, and a failure leaves no temporary file behind.

    Args:
        path: the file to create or replace (parent folders are created).
        write: writes the content to the path it is given.

    Returns:
        ``path`` as a ``Path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # the permissions an ordinary new file gets
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- the snapshot


# --8<-- [start:snapshot]
class _Snapshot:
    """Everything a training run changes, copied (in memory) so it can be put back exactly."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer | None,
                 generators: list[torch.Generator], devices: set[torch.device]):
        self.model, self.optimizer, self.generators = model, optimizer, generators
        self.modules = []
        for module in model.modules():
            tensors = {}
            for kind in ("_parameters", "_buffers"):
                for name, t in getattr(module, kind).items():
                    if t is not None:
                        grad = t.grad.detach().to("cpu", copy=True) if kind == "_parameters" and t.grad is not None else None
                        tensors[(kind, name)] = (t, t.detach().to("cpu", copy=True), t.device, t.requires_grad, grad)
            self.modules.append((module, module.training, dict(module._parameters), dict(module._buffers), tensors))
        if optimizer is not None:
            self.opt_state = {p: _save_state(s) for p, s in optimizer.state.items()}
            self.opt_groups = [{k: copy.deepcopy(v) for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
        self.python = random.getstate()
        self.numpy = np.random.get_state()
        self.torch = torch.get_rng_state()
        self.cuda = torch.cuda.get_rng_state_all() if any(d.type == "cuda" for d in devices) or (
            torch.cuda.is_available() and torch.cuda.is_initialized()) else None
        self.mps = torch.mps.get_rng_state() if any(d.type == "mps" for d in devices) else None
        self.gen_states = [g.get_state() for g in generators]

    def restore(self) -> None:
        with torch.no_grad():
            for module, training, params, buffers, tensors in self.modules:
                module.training = training
                module._parameters.clear()
                module._parameters.update(params)
                module._buffers.clear()
                module._buffers.update(buffers)
                for (kind, _), (t, value, device, requires_grad, grad) in tensors.items():
                    if t.device == device and t.shape == value.shape and t.dtype == value.dtype:
                        t.data.copy_(value)
                    else:  # moved or re-created during the run: put the original back
                        t.data = value.to(device)
                    if kind == "_parameters":
                        t.requires_grad_(requires_grad)
                        t.grad = None if grad is None else grad.to(device)
        if self.optimizer is not None:
            self.optimizer.state.clear()
            for p, s in self.opt_state.items():
                self.optimizer.state[p] = _load_state(s)
            for group, saved in zip(self.optimizer.param_groups, self.opt_groups, strict=True):
                for key in [k for k in group if k != "params" and k not in saved]:
                    del group[key]
                group.update(copy.deepcopy(saved))
        random.setstate(self.python)
        np.random.set_state(self.numpy)
        torch.set_rng_state(self.torch)
        if self.cuda is not None:
            torch.cuda.set_rng_state_all(self.cuda)
        if self.mps is not None:
            torch.mps.set_rng_state(self.mps)
        for g, state in zip(self.generators, self.gen_states, strict=True):
            g.set_state(state)


# --8<-- [end:snapshot]


class _Saved:
    """A tensor copied to the CPU, with the device it came from."""

    def __init__(self, t: torch.Tensor):
        self.value, self.device = t.detach().to("cpu", copy=True), t.device


def _save_state(state: dict) -> dict:
    """A copy of one parameter's optimizer state (tensors copied to the CPU)."""
    return {k: _Saved(v) if isinstance(v, torch.Tensor) else copy.deepcopy(v) for k, v in state.items()}


def _load_state(saved: dict) -> dict:
    return {k: v.value.to(v.device, copy=True) if isinstance(v, _Saved) else copy.deepcopy(v) for k, v in saved.items()}


def _loader_generators(loader: Any) -> list[torch.Generator]:
    """The torch.Generator objects a loader draws its shuffling from (DataLoader or similar)."""
    found = []
    for obj in (loader, getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None), "sampler", None)):
        g = getattr(obj, "generator", None)
        if isinstance(g, torch.Generator) and all(g is not h for h in found):
            found.append(g)
    return found


# --------------------------------------------------------------------------- the run


def _resolve_device(device: str | torch.device, model: nn.Module) -> torch.device:
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"device must be 'auto', a device string or a torch.device, got {device!r}")
    if device == "auto":
        for t in (*model.parameters(), *model.buffers()):
            return t.device
        return torch.device("cpu")
    return torch.device(device)


_PRECISIONS = {
    "auto": "auto", "fp32": None, "32": None, "float32": None,
    "fp16": torch.float16, "16": torch.float16, "float16": torch.float16, "16-mixed": torch.float16,
    "bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "bf16-mixed": torch.bfloat16,
}


def _resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    key = str(precision).lower()
    if key not in _PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(_PRECISIONS)}, got {precision!r}")
    dtype = _PRECISIONS[key]
    if dtype == "auto":  # as Trainer: bf16 on CUDA GPUs that have it, else fp16; fp32 elsewhere
        if device.type != "cuda":
            return None
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return dtype


def _default_optimizer(params: list[nn.Parameter]) -> torch.optim.Optimizer:
    """AdamW with the settings ``Trainer`` uses by default, so the test measures the same optimizer."""
    return torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01)


def _to(obj: Any, device: torch.device, channels_last: bool = False) -> Any:
    if isinstance(obj, torch.Tensor):
        obj = obj.to(device, non_blocking=True)
        return obj.contiguous(memory_format=torch.channels_last) if channels_last and obj.ndim == 4 else obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(o, device, channels_last) for o in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device, channels_last) for k, v in obj.items()}
    return obj


def _is_channels_last(model: nn.Module) -> bool:
    """Whether the model's convolution weights are stored channels-last (as ``Trainer`` does on
    CUDA and the CPU); the batches are then given the same layout, as in training."""
    return any(p.ndim == 4 and not p.is_contiguous() and p.is_contiguous(memory_format=torch.channels_last)
               for p in model.parameters())


def _batches(loader: Iterable) -> Iterator:
    """Yield batches forever, starting the loader again each time it runs out."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError(f"train_loader is empty: it yielded no batch ({type(loader).__name__})")


def _check_positive(name: str, value: Any, integer: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise TypeError(f"{name} must be a{'n integer' if integer else ' number'}, got {value!r}")
    if not (value > 0) or (not integer and not math.isfinite(value)):
        raise ValueError(f"{name} must be a positive{' finite' if not integer else ''} number, got {value!r}")


# --8<-- [start:lr_find]
def lr_find(
    model: nn.Module,
    train_loader: Iterable,
    loss_fn: Callable[..., torch.Tensor],
    optimizer: torch.optim.Optimizer | Callable[..., torch.optim.Optimizer] | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10,
    num_iter: int = 100,
    mode: str = "exp",
    smooth: float = 0.98,
    diverge: float = 4.0,
    device: str | torch.device = "auto",
    precision: str = "auto",
    accumulation_steps: int = 1,
    suggest: str = "valley",
) -> LRFinderResult:
    """Run the learning-rate range test and suggest a learning rate.

    The learning rate grows from ``start_lr`` to ``end_lr`` over ``num_iter`` optimizer
    steps (geometrically with ``mode="exp"``, evenly with ``mode="linear"``); the loss of
    each step is recorded. The run stops early when the smoothed loss exceeds ``diverge``
    times the best seen, or when a loss is not finite. Afterwards the model, the optimizer
    and the random-number generators are exactly as they were, even if the run fails.

    Args:
        model: the network; trained in place during the test, restored afterwards.
        train_loader: a re-iterable of ``(inputs, targets)`` batches; started again
            when it has fewer batches than the test needs.
        loss_fn: ``loss_fn(model(inputs), targets)`` → a scalar tensor.
        optimizer: an optimizer over the model's parameters (its state and learning
            rates are restored afterwards; the ratios between its parameter groups' rates
            are kept during the test, the reported rate is the last group's), or a function
            ``params → optimizer``. Default: AdamW as ``Trainer`` makes it (betas 0.9/0.99,
            eps 1e-5, weight decay 0.01).
        start_lr: the first learning rate (> 0).
        end_lr: the last learning rate (> ``start_lr``).
        num_iter: the number of optimizer steps (at least 10).
        mode: ``"exp"`` (log-spaced rates, the usual choice) or ``"linear"``.
        smooth: the weight of the past in the loss's exponential moving average, in [0, 1).
        diverge: stop when the smoothed loss exceeds this multiple of the best (> 1).
        device: where to run: ``"auto"`` (where the model already is), ``"cpu"``,
            ``"cuda"``, ``"mps"`` or a ``torch.device``. The model is moved back afterwards.
        precision: ``"fp32"``, ``"fp16"`` (autocast with a GradScaler on CUDA), ``"bf16"``
            (autocast, also on the CPU) or ``"auto"`` (as ``Trainer``: bf16, or fp16 on older
            GPUs, on CUDA; fp32 elsewhere).
        accumulation_steps: batches whose gradients are summed into each step.
        suggest: which suggestion becomes ``result.suggestion``: ``"valley"``,
            ``"steep"`` or ``"minimum"``.

    Returns:
        An ``LRFinderResult`` with ``lrs``, ``losses``, ``raw_losses``, ``suggestions``,
        ``suggestion`` and ``plot()``.

    Raises:
        ValueError: for a bad argument (named in the message) or an empty loader.
        TypeError: for an argument of the wrong type.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.CrossEntropyLoss()), got {loss_fn!r}")
    _check_positive("start_lr", start_lr)
    _check_positive("end_lr", end_lr)
    if start_lr >= end_lr:
        raise ValueError(f"start_lr must be smaller than end_lr, got start_lr={start_lr!r} and end_lr={end_lr!r}")
    _check_positive("num_iter", num_iter, integer=True)
    if num_iter < MIN_NUM_ITER:
        raise ValueError(f"num_iter must be at least {MIN_NUM_ITER} to give a suggestion, got {num_iter}")
    _check_positive("accumulation_steps", accumulation_steps, integer=True)
    if mode not in ("exp", "linear"):
        raise ValueError(f"mode must be 'exp' or 'linear', got {mode!r}")
    if isinstance(smooth, bool) or not isinstance(smooth, (int, float)) or not 0 <= smooth < 1:
        raise ValueError(f"smooth must be a number in [0, 1), got {smooth!r}")
    if isinstance(diverge, bool) or not isinstance(diverge, (int, float)) or not diverge > 1:
        raise ValueError(f"diverge must be a number greater than 1, got {diverge!r}")
    if suggest not in SUGGESTIONS:
        raise ValueError(f"suggest must be one of {SUGGESTIONS}, got {suggest!r}")
    if hasattr(train_loader, "__len__") and len(train_loader) == 0:
        raise ValueError(f"train_loader is empty: len(train_loader) == 0 ({type(train_loader).__name__})")
    device = _resolve_device(device, model)
    amp_dtype = _resolve_precision(precision, device)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameter (requires_grad=False everywhere): nothing to test")

    given = isinstance(optimizer, torch.optim.Optimizer)
    if optimizer is not None and not given and not callable(optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, a function params → optimizer, or None; got {optimizer!r}")
    model_devices = {t.device for t in list(model.parameters()) + list(model.buffers())}
    snapshot = _Snapshot(model, optimizer if given else None, _loader_generators(train_loader), model_devices | {device})
    started = time.perf_counter()
    opt = None
    try:
        model.to(device)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        opt = optimizer if given else (optimizer or _default_optimizer)(params)
        # each group keeps its rate relative to the last group (discriminative learning rates)
        base = opt.param_groups[-1]["lr"]
        ratios = [g["lr"] / base if base > 0 else 1.0 for g in opt.param_groups]
        scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 and device.type == "cuda" else None
        autocast = (torch.autocast(device.type, dtype=amp_dtype) if amp_dtype is not None else nullcontext())
        batches = _batches(train_loader)
        channels_last = _is_channels_last(model)

        # --8<-- [start:loop]
        lrs, losses, raw_losses = [], [], []
        avg, best, stop_reason = 0.0, math.inf, "completed"
        for i in range(num_iter):
            t = i / (num_iter - 1)
            lr = start_lr * (end_lr / start_lr) ** t if mode == "exp" else start_lr + (end_lr - start_lr) * t
            for group, ratio in zip(opt.param_groups, ratios, strict=True):
                group["lr"] = lr * ratio
            opt.zero_grad(set_to_none=True)
            loss_sum = 0.0
            for _ in range(accumulation_steps):
                inputs, targets = _to(next(batches), device, channels_last)
                with autocast:
                    loss = loss_fn(model(inputs), targets)
                loss_sum += loss.item()
                scaled = loss / accumulation_steps
                (scaler.scale(scaled) if scaler else scaled).backward()
            if scaler:
                scaler.step(opt)
                scaler.update()
            else:
                opt.step()
            raw = loss_sum / accumulation_steps
            if not math.isfinite(raw):
                stop_reason = "non-finite loss"
                break
            avg = smooth * avg + (1 - smooth) * raw
            smoothed = avg / (1 - smooth ** (i + 1))  # bias correction: avg starts at 0
            lrs.append(lr)
            losses.append(smoothed)
            raw_losses.append(raw)
            best = min(best, smoothed)
            if not smoothed <= diverge * best:  # written so that NaN also stops the run
                stop_reason = "diverged"
                break
        # --8<-- [end:loop]
    finally:
        snapshot.restore()
    if not lrs:
        raise RuntimeError(
            f"the loss was not finite at the very first step (lr={start_lr:g}); check the data, the model and loss_fn"
        )
    suggestions = suggest_lrs(lrs, losses, num_iter)
    return LRFinderResult(
        lrs=lrs, losses=losses, raw_losses=raw_losses, suggestions=suggestions,
        suggestion=suggestions[suggest], stop_reason=stop_reason, num_iter=num_iter,
        seconds=time.perf_counter() - started, mode=mode, extra={"suggest": suggest, "device": str(device)},
    )
# --8<-- [end:lr_find]
