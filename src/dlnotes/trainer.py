"""``Trainer``: one training loop that runs on CUDA, Apple MPS or the CPU.

The loop is the one every PyTorch tutorial writes (forward, loss, backward, step), plus
what makes it fast where the hardware allows (mixed precision, ``channels_last``,
non-blocking copies, no waiting for the GPU inside an epoch, ``torch.compile``), what keeps
work safe (atomic checkpoints with all the state needed to resume exactly, a clean stop on
Ctrl-C) and what turns the usual failures into messages that say what to do. Launched with
``torchrun`` it trains with ``DistributedDataParallel`` without changes to the script.

```python
from dlnotes import Trainer, fashion_mnist, fast_loaders, small_cnn

train, test = fashion_mnist(sample=True)          # embedded: no download
train_loader, valid_loader = fast_loaders(train, test, batch_size=128)
trainer = Trainer(small_cnn(), train_loader, valid_loader)
trainer.fit_one_cycle(1, max_lr=3e-3)
```
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from dlnotes._io import atomic_write
from dlnotes.checkpoint import _unwrap, load_trainer_state, trainer_state
from dlnotes.checks import (
    OutOfMemoryError,
    check_loader,
    positive_int,
)
from dlnotes.devices import (
    default_optimizer,
    precision_name,
    select_device,
    select_precision,
    to_device,
)
from dlnotes.distributed import join_torchrun, shard_loader
from dlnotes.loop import NonFiniteLossError, evaluate, predict, train_epoch
from dlnotes.models import head_and_body, param_groups
from dlnotes.progress import EpochTable, in_notebook, plot_history
from dlnotes.schedule import check_one_cycle, one_cycle_schedule, spread_lr

if TYPE_CHECKING:
    from dlnotes.lr_finder import LRFinderResult

__all__ = [
    "Trainer",
    "NonFiniteLossError",
    "OutOfMemoryError",
    # defined elsewhere, importable from here as before
    "one_cycle_schedule",
    "param_groups",
    "select_device",
    "select_precision",
]


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
        device: ``"auto"`` (CUDA, then MPS, then CPU), ``"cuda"``, ``"mps"``, ``"cpu"``… (see
            ``dlnotes.devices.select_device``).
        precision: ``"auto"`` (bf16 or fp16 mixed precision on CUDA, fp32 elsewhere),
            ``"fp32"``, ``"bf16"`` or ``"fp16"`` (with a gradient scaler); see
            ``dlnotes.devices.select_precision`` for the aliases.
        opt_func: builds the optimizer from parameter groups; default AdamW with fastai's
            settings (``dlnotes.devices.default_optimizer``, weight decay ``wd``).
        wd: weight decay of the default optimizer.
        channels_last: store images and convolution weights channels-last (faster for
            convolutions on tensor-core GPUs and on CPUs); ``"auto"``: on CUDA and CPU, not MPS.
        compile: run the model through ``torch.compile`` (worth it for long runs on a GPU).
        accumulate: add up the gradients of this many batches before each optimizer step
            (the effective batch size is ``accumulate`` times larger). A last, smaller group
            at the end of an epoch is averaged over its own size.
        clip_grad: clip the gradient norm to this value before each step (``None``: off).
        callbacks: objects with any of ``on_epoch_begin(trainer)``, ``on_batch_end(trainer)``,
            ``on_epoch_end(trainer)``.
        progress: show a tqdm bar per epoch: ``"auto"`` when the output is a terminal or a notebook.
        verbose: print the device line and the epoch table.

    Attributes:
        model: the model (never wrapped: save or inspect it directly).
        device: the ``torch.device`` it trains on.
        optimizer: the optimizer, one parameter group per ``param_groups(model)`` group.
        scaler: the ``torch.amp.GradScaler`` (disabled, doing nothing, unless fp16).
        history: one dict per epoch: ``epoch``, ``train_loss``, ``valid_loss``, the metrics, ``time``.
        epoch: epochs trained so far; ``step``: optimizer steps so far.
        check_every: check the loss for NaN/infinity every this many optimizer steps: 1 on
            the CPU; more on a GPU, where each check waits for the GPU to catch up.
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
        check_loader("train_loader", train_loader)
        if valid_loader is not None:
            check_loader("valid_loader", valid_loader)
        self.accumulate = positive_int("accumulate", accumulate)
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

        self._dist, self.rank, self.world_size, device = join_torchrun(device)
        self.verbose = bool(verbose) and self.rank == 0
        self.device = select_device(device, verbose=self.verbose and device == "auto")
        self.precision = precision
        self.amp_dtype, use_scaler = select_precision(precision, self.device)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=use_scaler)  # disabled: a no-op
        self.channels_last = self.device.type in ("cuda", "cpu") if channels_last == "auto" else channels_last
        self.check_every = 1 if self.device.type == "cpu" else 25

        self.model = model.to(self.device)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.loss_fn = loss_fn if loss_fn is not None else nn.CrossEntropyLoss()
        self.train_loader = self._shard(train_loader, train=True)
        self.valid_loader = self._shard(valid_loader, train=False) if valid_loader is not None else None
        self.clip_grad = clip_grad
        self.callbacks = list(callbacks)
        self.progress = (sys.stderr.isatty() or in_notebook()) if progress == "auto" else progress
        self.progress = self.progress and self.rank == 0

        groups = [{"params": g} for g in param_groups(_unwrap(self.model))]
        self.optimizer = default_optimizer(groups, wd=wd) if opt_func is None else opt_func(groups)
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
        self._sched: tuple[list[float], list[float]] | None = None  # its one-cycle schedule, once computed
        self._checked = False  # the first batch has been checked
        self._said_hello = False

    def _shard(self, loader, train: bool):
        """Under torchrun, give each rank its share of the loader's samples."""
        return loader if self._dist is None else shard_loader(loader, self.rank, self.world_size, train)

    def _to_device(self, x: torch.Tensor) -> torch.Tensor:
        return to_device(x, self.device, self.channels_last)

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
        lrs = spread_lr(lr, len(self.optimizer.param_groups), "lr")
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
        lrs = spread_lr(max_lr, len(self.optimizer.param_groups), "max_lr")
        check_one_cycle(pct_start, div, div_final, moms)
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
        positive_int("epochs", epochs)
        steps_per_epoch = math.ceil(len(self.train_loader) / self.accumulate)
        run.update(epochs=epochs, done=0, steps_per_epoch=steps_per_epoch, start_step=self.step)
        self._run = run
        self._sched = None
        return self._loop(checkpoint)

    def _set_lr(self, run_step: int) -> list[float]:
        """Set every group's learning rate (and momentum) for step ``run_step`` of the run; return the rates."""
        run = self._run
        lrs, mom = run["lrs"], None
        if run["kind"] == "one_cycle":
            if self._sched is None:
                total = run["epochs"] * run["steps_per_epoch"]
                self._sched = one_cycle_schedule(total, 1.0, run["pct_start"], run["div"], run["div_final"], tuple(run["moms"]))
            lrs, mom = [lr * self._sched[0][run_step] for lr in run["lrs"]], self._sched[1][run_step]
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
            print(f"training on {self.device.type} ({precision_name(self.amp_dtype)}"
                  f"{', ' + str(self.world_size) + ' processes' if self.world_size > 1 else ''})")
            self._said_hello = True
        table = EpochTable(self._columns())
        header_done = False
        try:
            while run["done"] < run["epochs"]:
                if self.verbose and not header_done:
                    print(table.header(), flush=True)
                    header_done = True
                row = self._train_epoch(run)
                run["done"] += 1
                self.history.append(row)
                if self.verbose:
                    print(table.row(row), flush=True)
                self._callback("on_epoch_end")
                if checkpoint is not None:
                    self.save(checkpoint)
        except KeyboardInterrupt:
            self.optimizer.zero_grad(set_to_none=True)
            self.model.eval()
            if self.verbose:
                print(f"interrupted during epoch {self.epoch} (step {self.step}): stopped cleanly; "
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
        return train_epoch(self, run)

    # ------------------------------------------------------------------ using the model

    def evaluate(self, loader: Iterable | None = None) -> dict:
        """Loss and metrics on a loader, averaged over its samples.

        Under torchrun each rank evaluates its share (no sample twice, none padded) and the
        sums are added up across ranks, so every rank gets the exact full-dataset figures.

        Args:
            loader: default ``valid_loader``.

        Returns:
            ``{"loss": …, "accuracy": …}`` (one key per metric).
        """
        return evaluate(self, loader)

    def predict(self, x_or_loader: torch.Tensor | Iterable, activation: str | None = "softmax") -> torch.Tensor:
        """The model's predictions, on the CPU.

        Args:
            x_or_loader: a batch tensor (N, C, H, W), a single image (C, H, W), or a loader
                of ``(x, y)`` batches (the labels are ignored).
            activation: ``"softmax"`` for probabilities, ``None`` for the raw outputs.

        Returns:
            (N, n_classes) for a batch or a loader, (n_classes,) for a single image.
        """
        return predict(self, x_or_loader, activation)

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
        body, _ = head_and_body(_unwrap(self.model))
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
        return trainer_state(self)

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
            atomic_write(path, lambda tmp: torch.save(state, tmp), fsync=True)
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

        Raises:
            FileNotFoundError: no file at ``path``.
            ValueError: the file is damaged, is another kind of file (a dlnotes export, a bare
                ``state_dict``…), or was saved from a different model or optimizer.
        """
        load_trainer_state(self, path, weights_only)
        return self

    # ------------------------------------------------------------------ display

    def _metric_names(self) -> list[str]:
        return [m if isinstance(m, str) else getattr(m, "__name__", f"metric{k}") for k, m in enumerate(self.metrics)]

    def _columns(self) -> list[str]:
        cols = ["epoch", "train_loss"]
        if self.valid_loader is not None:
            cols += ["valid_loss", *self._metric_names()]
        return cols + ["time"]

    def plot_history(self, ax: Any = None) -> Any:
        """Plot train/valid loss and the metrics per epoch.

        Args:
            ax: a matplotlib axes for the losses (the metrics go on a twin axis); default a new figure.

        Returns:
            The matplotlib figure.
        """
        return plot_history(self.history, self._metric_names(), ax)

    # ------------------------------------------------------------------ delegates

    def lr_find(self, **kwargs: Any) -> LRFinderResult:
        """Run the learning-rate range test on this trainer's model and data.

        It uses the trainer's optimizer (so the parameter groups keep their ratios: discriminative
        learning rates), precision, accumulation and device; ``lr_find`` restores all of it afterwards.

        Args:
            **kwargs: passed to ``dlnotes.lr_finder.lr_find`` (``start_lr``, ``end_lr``, ``num_iter``…);
                they win over the trainer's settings.

        Returns:
            The ``lr_find`` result (``suggestion``, ``plot()``…).
        """
        from dlnotes.lr_finder import lr_find

        kwargs = {"optimizer": self.optimizer, "precision": self.precision, "accumulate": self.accumulate,
                  "device": self.device, **kwargs}
        return lr_find(self.model, self.train_loader, self.loss_fn, **kwargs)

    def export(self, path: str | os.PathLike, **kwargs: Any) -> Path:
        """Export the model for inference with ``dlnotes.export.export``.

        Args:
            path: where to write.
            **kwargs: passed to ``export`` (``classes``, ``overwrite``…).

        Returns:
            The path written.
        """
        from dlnotes.export import export

        return export(self, path, **kwargs)
