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

import itertools
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from dlnotes._io import atomic_write
from dlnotes.checks import check_first_batch
from dlnotes.devices import autocast, default_optimizer, select_device, select_precision, to_device
from dlnotes.snapshot import Snapshot, loader_generators

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


# --------------------------------------------------------------------------- the run


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
    loss_fn: Callable[..., torch.Tensor] | None = None,
    optimizer: torch.optim.Optimizer | Callable[..., torch.optim.Optimizer] | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10,
    num_iter: int = 100,
    mode: str = "exp",
    smooth: float = 0.98,
    diverge: float = 4.0,
    device: str | torch.device | None = None,
    precision: str = "auto",
    accumulate: int = 1,
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
        loss_fn: ``loss_fn(model(inputs), targets)`` → a scalar tensor; default
            ``nn.CrossEntropyLoss()`` (as in ``Trainer``).
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
        device: where to run: None (the default) where the model already is; ``"auto"``
            (CUDA, then MPS, then the CPU), ``"cpu"``, ``"cuda"``, ``"mps"`` or a
            ``torch.device`` (see ``dlnotes.devices.select_device``). The model is moved back
            afterwards.
        precision: ``"fp32"``, ``"fp16"`` (autocast with a GradScaler), ``"bf16"``
            (autocast, also on the CPU) or ``"auto"`` (as ``Trainer``: bf16, or fp16 on older
            GPUs, on CUDA; fp32 elsewhere).
        accumulate: batches whose gradients are summed into each step (as ``Trainer``'s).
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
    if loss_fn is None:
        loss_fn = nn.CrossEntropyLoss()
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (e.g. nn.CrossEntropyLoss()), got {loss_fn!r}")
    _check_positive("start_lr", start_lr)
    _check_positive("end_lr", end_lr)
    if start_lr >= end_lr:
        raise ValueError(f"start_lr must be smaller than end_lr, got start_lr={start_lr!r} and end_lr={end_lr!r}")
    _check_positive("num_iter", num_iter, integer=True)
    if num_iter < MIN_NUM_ITER:
        raise ValueError(f"num_iter must be at least {MIN_NUM_ITER} to give a suggestion, got {num_iter}")
    _check_positive("accumulate", accumulate, integer=True)
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
    model_devices = {t.device for t in (*model.parameters(), *model.buffers())}
    device = select_device(device) if device is not None else next(iter(model_devices), torch.device("cpu"))
    amp_dtype, use_scaler = select_precision(precision, device)
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameter (requires_grad=False everywhere): nothing to test")

    given = isinstance(optimizer, torch.optim.Optimizer)
    if optimizer is not None and not given and not callable(optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, a function params → optimizer, or None; got {optimizer!r}")
    snapshot = Snapshot(model, optimizer if given else None, loader_generators(train_loader), model_devices | {device})
    started = time.perf_counter()
    opt = None
    try:
        model.to(device)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        opt = optimizer if given else (optimizer or default_optimizer)(params)
        # each group keeps its rate relative to the last group (discriminative learning rates)
        base = opt.param_groups[-1]["lr"]
        ratios = [g["lr"] / base if base > 0 else 1.0 for g in opt.param_groups]
        scaler = torch.amp.GradScaler(device.type, enabled=use_scaler)  # disabled: does nothing
        channels_last = _is_channels_last(model)
        batches = _batches(train_loader)
        first = next(batches)  # a batch the model can't take stops here, explained
        check_first_batch(model, None, first, device, amp_dtype, channels_last)  # loss_fn sees only the steps
        batches = itertools.chain([first], batches)

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
            for _ in range(accumulate):
                inputs, targets = to_device(next(batches), device, channels_last)
                with autocast(device, amp_dtype):
                    loss = loss_fn(model(inputs), targets)
                loss_sum += loss.detach().float()
                scaler.scale(loss / accumulate).backward()
            scaler.step(opt)
            scaler.update()
            raw = float(loss_sum / accumulate)  # the one wait for the device per step
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
