"""What a ``Trainer`` checkpoint holds, and how it is put back.

``Trainer.save`` writes ``trainer_state(trainer)``; ``Trainer.load`` calls
``load_trainer_state``. Everything in the file is tensors and plain data, so it loads with
``torch.load(weights_only=True)``: opening a checkpoint from elsewhere cannot run code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from dlnotes._io import load_torch_file
from dlnotes.devices import rng_state, set_rng_state

__all__ = ["trainer_state", "load_trainer_state", "CHECKPOINT_KEYS"]


CHECKPOINT_KEYS = {"model", "optimizer", "scheduler", "epoch", "step", "history", "rng"}


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model itself, out of its ``torch.compile`` and ``DistributedDataParallel`` wrappers."""
    model = getattr(model, "_orig_mod", model)  # torch.compile
    return getattr(model, "module", model) if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model


def trainer_state(trainer: Any) -> dict:
    """Model, optimizer, schedule, gradient scaler, counters, history, random states, loader state."""
    state = {
        "model": _unwrap(trainer.model).state_dict(),
        "optimizer": trainer.optimizer.state_dict(),
        "scheduler": dict(trainer._run) if trainer._run is not None else None,
        "scaler": trainer.scaler.state_dict(),  # {} when disabled
        "epoch": trainer.epoch,
        "step": trainer.step,
        "history": [dict(r) for r in trainer.history],
        "rng": rng_state([trainer.device]),
        "requires_grad": [p.requires_grad for p in trainer.model.parameters()],
    }
    loader = trainer.train_loader
    if hasattr(loader, "state_dict"):  # FastLoader: its generator, and anything else it needs
        state["loader"] = loader.state_dict()
    elif isinstance(getattr(loader, "generator", None), torch.Generator):  # a seeded DataLoader
        state["loader_generator"] = loader.generator.get_state()
    return state


def load_trainer_state(trainer: Any, path: str | os.PathLike, weights_only: bool = True) -> None:
    """Read a checkpoint written by ``Trainer.save`` into ``trainer``.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is damaged, is another kind of file, or was saved from a
            different model or optimizer.
    """
    path = Path(path)
    state = load_torch_file(path, "Trainer checkpoint", CHECKPOINT_KEYS, "trainer.save(path)",
                            map_location=trainer.device, weights_only=weights_only)
    try:
        _unwrap(trainer.model).load_state_dict(state["model"])
        trainer.optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, ValueError, KeyError) as e:
        raise ValueError(f"path: {path} was saved from a different model or optimizer than this trainer's: {e}") from e
    for p, requires_grad in zip(trainer.model.parameters(), state.get("requires_grad", [])):
        p.requires_grad_(requires_grad)
    if state.get("scaler"):
        trainer.scaler.load_state_dict(state["scaler"])
    trainer._run = state["scheduler"]
    trainer._sched = None
    trainer.epoch, trainer.step = int(state["epoch"]), int(state["step"])
    trainer.history = [dict(r) for r in state["history"]]
    set_rng_state(state["rng"])
    loader = trainer.train_loader
    if "loader" in state and hasattr(loader, "load_state_dict"):
        loader.load_state_dict(state["loader"])
    generator = getattr(loader, "generator", None)
    if "loader_generator" in state and isinstance(generator, torch.Generator):
        generator.set_state(state["loader_generator"].cpu())
