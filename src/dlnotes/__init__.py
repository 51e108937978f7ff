"""Deep Learning Notes: the tested code behind the pages.

The public names are imported lazily, so ``import dlnotes`` is instant and a page
that only needs ``conv2d`` never pays for the trainer.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "conv2d": "dlnotes.conv",
    "Trainer": "dlnotes.trainer",
    "lr_find": "dlnotes.lr_finder",
    "ClassificationInterpretation": "dlnotes.interpret",
    "fashion_mnist": "dlnotes.data",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dlnotes' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
