"""The loops over batches that ``Trainer`` runs: one training epoch, evaluation, prediction.

``train_epoch`` is the training step, written like nanoGPT's: autocast around the forward
pass, a ``GradScaler`` that does nothing unless the precision is fp16, gradient accumulation
with DistributedDataParallel's ``no_sync`` for all but the last batch of a group, clipping,
the step. Nothing in it waits for the GPU: the running loss stays on the device, and the
check for a NaN or infinite loss looks at the losses of several steps at once
(``Trainer.check_every``) while still naming the first bad step and its learning rate.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

import torch
from torch import nn

from dlnotes.checks import check_first_batch, oom_error
from dlnotes.devices import autocast, to_device
from dlnotes.distributed import all_sum
from dlnotes.progress import progress_bar

__all__ = ["NonFiniteLossError", "train_epoch", "evaluate", "predict"]


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite during training."""


def _checked_batches(trainer: Any, loader: Iterable) -> Iterable:
    """The loader's batches; the very first one is checked once, before anything trains."""
    if trainer._checked:
        return loader
    batches = iter(loader)
    first = next(batches, None)
    if first is None:
        raise ValueError("train_loader yielded no batches this epoch")
    targets = getattr(loader, "targets", None)  # FastLoader and most datasets hold all labels
    if targets is None:
        targets = getattr(getattr(loader, "dataset", None), "targets", None)
    try:
        check_first_batch(trainer.model, trainer.loss_fn, first, trainer.device, trainer.amp_dtype, trainer.channels_last, targets)
    except torch.OutOfMemoryError as e:
        raise oom_error(e, trainer.device, len(first[1]), trainer.accumulate) from None
    trainer._checked = True
    trainer._train_mode()  # the check put every layer back in training mode
    return itertools.chain([first], batches)


def _check_finite(trainer: Any, pending: list[tuple[int, int, float, torch.Tensor]]) -> None:
    """Raise at the first non-finite loss among the steps not checked yet (one wait for the device)."""
    losses = torch.stack([loss for *_, loss in pending]).tolist()
    for (step, batch, lr, _), loss in zip(pending, losses, strict=True):
        if not math.isfinite(loss):
            raise NonFiniteLossError(
                f"the loss is {loss} at step {step} (epoch {trainer.epoch}, batch {batch}) with "
                f"learning rate {lr:.3g}. Try a lower learning rate (trainer.lr_find() "
                f"suggests one), gradient clipping (clip_grad=1.0), precision='fp32', and check "
                f"the inputs for NaN or infinite values."
            )
    pending.clear()


# --8<-- [start:train_epoch]
def train_epoch(trainer: Any, run: dict) -> dict:
    """One pass over ``trainer.train_loader``: the training step for every batch; returns the history row."""
    start = time.perf_counter()
    loader = trainer.train_loader
    sampler = getattr(loader, "sampler", None)
    if hasattr(sampler, "set_epoch"):
        sampler.set_epoch(trainer.epoch)  # DistributedSampler: a new shuffle every epoch
    elif hasattr(loader, "set_epoch"):
        loader.set_epoch(trainer.epoch)
    trainer._train_mode()  # a body frozen with freeze(train_bn=False) stays in eval mode
    trainer._callback("on_epoch_begin")
    n_batches, accumulate = len(loader), trainer.accumulate
    run_step = run["done"] * run["steps_per_epoch"]  # this epoch's first step, counted within the run
    lrs = trainer._set_lr(run_step)
    bar = progress_bar(n_batches, f"epoch {trainer.epoch}", trainer.progress)
    # the sums stay on the device: reading them would make the CPU wait for the GPU
    total = torch.zeros((), dtype=torch.float32 if trainer.device.type == "mps" else torch.float64, device=trainer.device)
    group_loss = torch.zeros_like(total)
    count, pending = 0, []  # pending: (step, batch, lr, loss) of the steps not yet checked for NaN
    trainer.optimizer.zero_grad(set_to_none=True)
    try:
        for b, (x, y) in enumerate(_checked_batches(trainer, loader)):
            x, y = to_device(x, trainer.device, trainer.channels_last), y.to(trainer.device, non_blocking=True)
            group_start = b - b % accumulate
            group_size = min(accumulate, n_batches - group_start)  # the last group may be smaller
            last_of_group = b + 1 == group_start + group_size
            skip_sync = trainer._dist is not None and not last_of_group  # DDP: add up gradients locally
            try:
                with trainer._train_model.no_sync() if skip_sync else nullcontext():
                    with autocast(trainer.device, trainer.amp_dtype):
                        loss = trainer.loss_fn(trainer._train_model(x), y)
                    trainer.scaler.scale(loss / group_size).backward()
            except torch.OutOfMemoryError as e:
                raise oom_error(e, trainer.device, y.shape[0], accumulate) from None
            group_loss += loss.detach() / group_size
            total += loss.detach().to(total.dtype) * y.shape[0]
            count += y.shape[0]
            if last_of_group:
                pending.append((trainer.step, b, max(lrs), group_loss.clone()))
                if len(pending) >= trainer.check_every or b + 1 == n_batches:
                    _check_finite(trainer, pending)
                if trainer.clip_grad is not None:
                    trainer.scaler.unscale_(trainer.optimizer)
                    nn.utils.clip_grad_norm_(trainer.model.parameters(), trainer.clip_grad)
                trainer.scaler.step(trainer.optimizer)
                trainer.scaler.update()
                trainer.optimizer.zero_grad(set_to_none=True)
                group_loss.zero_()
                trainer.step += 1
                run_step += 1
                if run_step < run["epochs"] * run["steps_per_epoch"]:
                    lrs = trainer._set_lr(run_step)  # the rate for the next step
            if bar is not None:
                bar.update(1)
            trainer._callback("on_batch_end")
    finally:
        if bar is not None:
            bar.close()
    if count == 0:
        raise ValueError("train_loader yielded no batches this epoch")
    loss_sum, n = all_sum(trainer._dist, torch.stack([total.double().cpu(), torch.tensor(count, dtype=torch.float64)]), trainer.device)
    row = {"epoch": trainer.epoch, "train_loss": float(loss_sum / n)}
    if trainer.valid_loader is not None:
        row.update({("valid_loss" if k == "loss" else k): v for k, v in evaluate(trainer).items()})
    trainer.epoch += 1
    row["time"] = time.perf_counter() - start
    return row
# --8<-- [end:train_epoch]


@torch.no_grad()
def evaluate(trainer: Any, loader: Iterable | None = None) -> dict:
    """``Trainer.evaluate``: loss and metrics over a loader, added up across processes."""
    loader = trainer.valid_loader if loader is None else loader
    if loader is None:
        raise ValueError("evaluate() needs a loader: this trainer has no valid_loader")
    model = trainer.model
    if trainer._dist is not None:  # batch-norm statistics differ between ranks: evaluate rank 0's
        for buf in model.buffers():
            trainer._dist.broadcast(buf, 0)
    was_training = model.training
    model.eval()
    dtype = torch.float32 if trainer.device.type == "mps" else torch.float64
    sums = torch.zeros(2 + len(trainer.metrics), dtype=dtype, device=trainer.device)  # loss, count, metrics
    try:
        for x, y in loader:
            x, y = to_device(x, trainer.device, trainer.channels_last), y.to(trainer.device, non_blocking=True)
            with autocast(trainer.device, trainer.amp_dtype):
                out = model(x)
            out = out.float()
            bs = y.shape[0]
            sums[0] += trainer.loss_fn(out, y).to(dtype) * bs
            sums[1] += bs
            for k, m in enumerate(trainer.metrics):
                if m == "accuracy":
                    sums[2 + k] += (out.argmax(1) == y).sum()
                elif m == "error_rate":
                    sums[2 + k] += (out.argmax(1) != y).sum()
                else:
                    sums[2 + k] += torch.as_tensor(m(out, y), dtype=dtype, device=trainer.device) * bs
    finally:
        model.train(was_training)
    sums = all_sum(trainer._dist, sums.double(), trainer.device)
    if sums[1] == 0:
        raise ValueError("evaluate(): the loader yielded no samples")
    result = {"loss": float(sums[0] / sums[1])}
    for name, value in zip(trainer._metric_names(), sums[2:], strict=True):
        result[name] = float(value / sums[1])
    return result


@torch.no_grad()
def predict(trainer: Any, x_or_loader: torch.Tensor | Iterable, activation: str | None = "softmax") -> torch.Tensor:
    """``Trainer.predict``: the model's outputs (probabilities by default), on the CPU."""
    if activation not in ("softmax", None):
        raise ValueError(f"activation must be 'softmax' or None, got {activation!r}")
    model = trainer.model
    was_training = model.training
    model.eval()

    def run(x):
        with autocast(trainer.device, trainer.amp_dtype):
            out = model(to_device(x, trainer.device, trainer.channels_last)).float()
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
