"""Turning the usual first-run mistakes into messages that say what to do.

``Trainer`` and ``lr_find`` call ``check_first_batch`` on the first batch, before any weight
changes: a loader that yields something other than ``(x, y)``, integer pixels, images with
the wrong number of channels for the model, an output that does not fit the loss and labels
the model cannot predict all stop there, with the shapes and the fix, instead of deep inside
``F.conv2d`` or the loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from dlnotes.devices import autocast, to_device

__all__ = ["check_loader", "check_first_batch", "positive_int", "OutOfMemoryError", "oom_error"]


class OutOfMemoryError(RuntimeError):
    """The accelerator ran out of memory; the message says which batch size to try."""


def positive_int(name: str, value: Any) -> int:
    """``value`` if it is an int >= 1, else a ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def check_loader(name: str, loader: Any) -> None:
    """A loader must be re-iterable, have a length and yield at least one batch."""
    if not (hasattr(loader, "__iter__") and hasattr(loader, "__len__")):
        raise TypeError(f"{name} must be a re-iterable of (x, y) batches with len(), e.g. a DataLoader; got {type(loader).__name__}")
    if len(loader) == 0:
        n = len(getattr(loader, "dataset", ()) or ())
        batch_size = getattr(loader, "batch_size", None)
        raise ValueError(f"{name} is empty: it yields no batches (dataset of {n} samples"
                         f"{', batch_size ' + str(batch_size) if batch_size else ''}"
                         f"{', drop_last=True' if getattr(loader, 'drop_last', False) else ''})")


def _first_layer(model: nn.Module) -> nn.Module | None:
    return next((m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear))), None)


def _input_error(model: nn.Module, x: torch.Tensor, e: Exception) -> ValueError:
    """Why the model could not take the batch ``x``, as precisely as we can tell."""
    first = _first_layer(model)
    shape = tuple(x.shape)
    if isinstance(first, nn.Conv2d) and x.ndim == 4 and x.shape[1] != first.in_channels:
        c, want = x.shape[1], first.in_channels
        fix = (f"build the model for {c}-channel images (e.g. small_cnn(in_channels={c}))"
               + (", or load grayscale images (image_folders(..., mode='L'))" if want == 1 else ""))
        return ValueError(f"the batches have {c} channel(s) (shape {shape}), but the model's first convolution "
                          f"takes {want}: {fix}")
    return ValueError(f"the model could not run on the first batch (inputs of shape {shape}, {x.dtype}): "
                      f"{type(e).__name__}: {e}")


@torch.no_grad()
def check_first_batch(
    model: nn.Module,
    loss_fn: Callable | None,
    batch: Any,
    device: torch.device,
    amp_dtype: torch.dtype | None = None,
    channels_last: bool = False,
    targets: Any = None,
) -> None:
    """Run the model once on ``batch`` (eval mode, no gradients: nothing changes) and explain failures.

    Args:
        model: the model, on ``device``.
        loss_fn: the loss the training uses; None checks only the batch and the model's
            forward pass (for a caller whose loss function must see training batches only).
        batch: the first ``(x, y)`` the loader yielded.
        device: where to run.
        amp_dtype: the autocast dtype of the training (None for float32).
        channels_last: give the images the channels-last layout, as the training does.
        targets: every label of the training data, when known (to check their range).

    Raises:
        TypeError: the batch is not an ``(x, y)`` pair of tensors.
        ValueError: the inputs, the outputs or the labels do not fit the model or the loss.
    """
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2 and all(isinstance(t, torch.Tensor) for t in batch)):
        what = f"a {type(batch).__name__}" + (f" of {len(batch)}" if isinstance(batch, (tuple, list)) else "")
        raise TypeError(f"the loader must yield (x, y) pairs of tensors (inputs, labels), but its first batch is {what}")
    x, y = to_device(tuple(batch), device, channels_last)
    if not x.is_floating_point() and any(p.is_floating_point() for p in model.parameters()):
        raise ValueError(f"the inputs are {x.dtype} (shape {tuple(x.shape)}), but the model computes in floats: convert "
                         "the images to floats in [0, 1] (e.g. dlnotes.data.to_tensor, or x.float() / 255), or use FastLoader")
    was_training = model.training
    model.eval()
    try:
        with autocast(device, amp_dtype):
            out = model(x)
    except torch.OutOfMemoryError:
        raise  # not a mistake in the data: the caller gives its own advice
    except (RuntimeError, ValueError, IndexError) as e:
        raise _input_error(model, x, e) from e
    finally:
        model.train(was_training)
    if loss_fn is None:
        return
    classification = isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss))
    if classification and not y.is_floating_point():
        if out.ndim < 2:
            raise ValueError(
                f"the model's output has shape {tuple(out.shape)}, but {type(loss_fn).__name__} "
                f"needs one score per class: shape (batch, n_classes). Does the model end with a "
                f"Linear(…, n_classes) layer?"
            )
        if out.shape[0] != y.shape[0]:
            raise ValueError(f"the model returned {out.shape[0]} outputs for a batch of {y.shape[0]} labels "
                             f"(output shape {tuple(out.shape)}); check the model's flatten/reshape")
        n_classes = out.shape[1]
        labels = torch.as_tensor(targets) if targets is not None else y
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= n_classes:
            raise ValueError(
                f"labels must be class indices in [0, {n_classes - 1}] for a model with {n_classes} "
                f"outputs, but the training data has labels from {lo} to {hi}. Give the model "
                f"n_classes={hi + 1} outputs (e.g. small_cnn(n_classes={hi + 1})) or fix the labels."
            )
    try:
        loss = loss_fn(out.float(), y)
    except (RuntimeError, ValueError, IndexError) as e:
        raise ValueError(
            f"the model's output (shape {tuple(out.shape)}, {out.dtype}) does not fit the loss "
            f"{type(loss_fn).__name__} with targets of shape {tuple(y.shape)} ({y.dtype}): {e}"
        ) from e
    if loss.ndim != 0:
        raise ValueError(f"the loss must be a single number, but {type(loss_fn).__name__} returned "
                         f"shape {tuple(loss.shape)}; use reduction='mean'")


def oom_error(e: BaseException, device: torch.device, batch_size: int, accumulate: int) -> OutOfMemoryError:
    """The advice for an out-of-memory error: a smaller batch, the same effective batch size."""
    smaller = max(1, batch_size // 2)
    return OutOfMemoryError(
        f"out of memory on {device} with batch size {batch_size}. Lower the batch size "
        f"(try {smaller}), and keep the same effective batch with accumulate={2 * accumulate}; "
        f"mixed precision (precision='auto') also halves the activations' memory. ({e})"
    )
