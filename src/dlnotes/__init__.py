"""Deep Learning Notes: the tested code behind the pages.

Everything a page usually needs is one import away::

    from dlnotes import Trainer, fashion_mnist, fast_loaders, small_cnn

The names are imported lazily (PEP 562), so ``import dlnotes`` is instant and a page that
only needs ``conv2d`` never pays for the trainer; the ``TYPE_CHECKING`` block below lets
editors and type checkers see them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_LAZY = {
    "conv2d": "dlnotes.conv",
    "Trainer": "dlnotes.trainer",
    "lr_find": "dlnotes.lr_finder",
    "one_cycle_schedule": "dlnotes.schedule",
    "select_device": "dlnotes.devices",
    "ClassificationInterpretation": "dlnotes.interpret",
    "fashion_mnist": "dlnotes.data",
    "mnist": "dlnotes.data",
    "image_folders": "dlnotes.data",
    "FastLoader": "dlnotes.data",
    "fast_loaders": "dlnotes.data",
    "verify_images": "dlnotes.data",
    "download_images": "dlnotes.data",
    "small_cnn": "dlnotes.models",
    "small_resnet": "dlnotes.models",
    "pretrained_resnet": "dlnotes.models",
    "show_batch": "dlnotes.visualize",
    "export": "dlnotes.export",
    "load_predictor": "dlnotes.export",
}

if TYPE_CHECKING:
    from dlnotes.conv import conv2d
    from dlnotes.data import (
        FastLoader,
        download_images,
        fashion_mnist,
        fast_loaders,
        image_folders,
        mnist,
        verify_images,
    )
    from dlnotes.devices import select_device
    from dlnotes.export import export, load_predictor
    from dlnotes.interpret import ClassificationInterpretation
    from dlnotes.lr_finder import lr_find
    from dlnotes.models import pretrained_resnet, small_cnn, small_resnet
    from dlnotes.schedule import one_cycle_schedule
    from dlnotes.trainer import Trainer
    from dlnotes.visualize import show_batch

__all__ = [
    "ClassificationInterpretation", "FastLoader", "Trainer", "conv2d", "download_images", "export",
    "fashion_mnist", "fast_loaders", "image_folders", "load_predictor", "lr_find", "mnist",
    "one_cycle_schedule", "pretrained_resnet", "select_device", "show_batch", "small_cnn", "small_resnet",
    "verify_images",
]  # fmt: skip
assert sorted(__all__) == sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dlnotes' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
