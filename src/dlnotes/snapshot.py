"""Everything a training run changes, captured in memory so it can be put back exactly.

``lr_find`` takes a ``Snapshot`` before its test run and restores it afterwards (also when the
run raises or is interrupted): parameters, buffers, gradients, train/eval modes, the
optimizer's state and settings, the random-number generators and the loaders' generators.

It works on ``nn.Module``'s private ``_parameters``/``_buffers`` dicts, so that a parameter
replaced during the run (not only changed in place) is put back too; checked with the torch
versions in requirements.txt (``tests/test_lr_finder.py`` compares the bytes before and after).
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from dlnotes.devices import rng_state, set_rng_state

__all__ = ["Snapshot", "loader_generators"]


# --8<-- [start:snapshot]
class Snapshot:
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
        self.rng = rng_state(devices)
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
        set_rng_state(self.rng)
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


def loader_generators(loader: Any) -> list[torch.Generator]:
    """The torch.Generator objects a loader draws its shuffling from (DataLoader or similar)."""
    found = []
    for obj in (loader, getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None), "sampler", None)):
        g = getattr(obj, "generator", None)
        if isinstance(g, torch.Generator) and all(g is not h for h in found):
            found.append(g)
    return found
