"""Precompute: run a frozen body once, then train the head on its cached outputs.

With the body frozen (``Trainer.freeze(train_bn=False)``: no parameter of it learns, its
batch-norm layers use their running statistics) and no augmentation, the body computes the same
features for an image in every epoch. Computing them once and training the head on them gives
the same head, many times faster: each epoch then costs one small matrix multiplication per
batch instead of a pass through the whole network. This is fastai v0.7's ``precompute=True``.

Augmentation rules it out: a shifted or flipped image gives different features every epoch,
and the cache holds only one version of each image. So does training the body's batch-norm
layers (``freeze()``'s default): the features would change as they learn.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

__all__ = ["body_and_head", "body_features", "FeatureLoader", "feature_loaders"]


def body_and_head(model: nn.Module) -> tuple[nn.Sequential, nn.Module]:
    """Split a model into its body (every top-level child but the head, in order) and its head.

    The head is the child named ``head``, ``fc`` or ``classifier`` (else the last child with
    parameters), as for ``Trainer.freeze``. The body's output is flattened, so the body of a
    torchvision ResNet gives the ``N × 512`` vectors its ``fc`` reads.

    Args:
        model: an ``nn.Sequential`` of named parts (``dlnotes.models``) or a torchvision ResNet.

    Returns:
        ``(body, head)``; both share their parameters with ``model`` (nothing is copied).
    """
    from dlnotes.models import head_and_body

    model = getattr(model, "_orig_mod", model)  # torch.compile's wrapper
    model = getattr(model, "module", model) if isinstance(model, nn.parallel.DistributedDataParallel) else model
    parts, head = head_and_body(model)
    if head is model or not parts:
        raise ValueError(f"model: found no body in front of a head in {type(model).__name__}")
    return nn.Sequential(*parts, nn.Flatten()), head


@torch.no_grad()
def body_features(body: nn.Module, loader: Iterable, device: str | torch.device | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The body's outputs for every batch of a loader, in the loader's order, on the CPU.

    The body runs in eval mode (batch norm uses its running statistics, dropout is off) and is
    put back in the mode it was in.

    Args:
        body: the frozen part of the network.
        loader: ``(x, y)`` batches (without augmentation, or the cache is one random version).
        device: where to run the body; default: where its parameters are.

    Returns:
        ``(features, targets)``: float32 ``N × F`` and int64 ``N``.
    """
    if device is None:
        first = next(body.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    was_training = body.training
    body.eval()
    feats, targets = [], []
    try:
        for x, y in loader:
            feats.append(body(x.to(device)).flatten(1).float().cpu())
            targets.append(torch.as_tensor(y).cpu())
    finally:
        body.train(was_training)
    if not feats:
        raise ValueError("loader yielded no batches")
    return torch.cat(feats), torch.cat(targets).long()


class FeatureLoader:
    """Batches ``(features, targets)`` of cached body outputs.

    Shuffles exactly as ``dlnotes.data.FastLoader`` does (a ``torch.Generator`` seeded with
    ``seed``, re-seeded per epoch by ``set_epoch``), so a ``FeatureLoader`` and a
    ``FastLoader`` with the same seed and batch size serve the same samples in the same order.

    Args:
        features: ``N × F`` tensor.
        targets: ``N`` labels.
        batch_size: samples per batch.
        shuffle: a new order every epoch (for training).
        seed: seeds the shuffle.
        drop_last: skip the last batch when it is smaller than ``batch_size``.
    """

    def __init__(self, features: torch.Tensor, targets: torch.Tensor, batch_size: int = 256,
                 shuffle: bool = False, seed: int = 0, drop_last: bool = False) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if features.ndim != 2 or targets.shape != (len(features),):
            raise ValueError(f"features must be N×F and targets N, got {tuple(features.shape)} and {tuple(targets.shape)}")
        self.features, self.targets = features, targets
        self.batch_size, self.shuffle, self.seed, self.drop_last = batch_size, bool(shuffle), int(seed), bool(drop_last)
        self.generator = torch.Generator().manual_seed(self.seed)

    def set_epoch(self, epoch: int) -> None:
        """Make epoch ``epoch``'s order a function of (seed, epoch) alone, as ``FastLoader`` does."""
        self.generator.manual_seed((self.seed * 1_000_003 + int(epoch)) % 2**63)

    def __len__(self) -> int:
        n = len(self.features)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n, bs = len(self.features), self.batch_size
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, n - bs + 1 if self.drop_last else n, bs):
            index = order[start : start + bs]
            yield self.features[index], self.targets[index]

    def __repr__(self) -> str:
        return (f"FeatureLoader({len(self.features)} × {self.features.shape[1]} features, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle})")


def _in_order(loader: Any) -> Any:
    """The same loader serving its samples in order, once (a ``FastLoader`` copy without shuffle)."""
    if getattr(loader, "augment", False):
        raise ValueError(
            "precompute needs a loader without augmentation (augment=False): augmented images give "
            "different features every epoch, and a cache holds only one version of each image"
        )
    if hasattr(loader, "shuffle") and hasattr(loader, "generator") and hasattr(loader, "images"):  # FastLoader
        plain = copy.copy(loader)
        plain.shuffle = False
        return plain
    return loader


def feature_loaders(model: nn.Module, train_loader: Any, valid_loader: Any = None,
                    device: str | torch.device | None = None) -> tuple[FeatureLoader, FeatureLoader | None]:
    """Run the model's body once over the data; loaders of its outputs to train the head on.

    With ``FastLoader`` inputs, the training ``FeatureLoader`` keeps the batch size, shuffle and
    seed of ``train_loader``: training ``model``'s head on it gives the same head as training the
    whole model with ``Trainer.freeze(train_bn=False)`` on ``train_loader``, in a fraction of the time.

    Args:
        model: the model whose head is to be trained (see ``body_and_head``).
        train_loader: training batches, not augmented (``ValueError`` otherwise).
        valid_loader: validation batches, or None.
        device: where the body runs; default: where its parameters are.

    Returns:
        ``(train_features, valid_features)``; train a head on them with
        ``Trainer(body_and_head(model)[1], train_features, valid_features)``.
    """
    body, _ = body_and_head(model)
    x, y = body_features(body, _in_order(train_loader), device)
    train = FeatureLoader(x, y, batch_size=getattr(train_loader, "batch_size", None) or 256,
                          shuffle=getattr(train_loader, "shuffle", True), seed=getattr(train_loader, "seed", 0),
                          drop_last=getattr(train_loader, "drop_last", False))
    valid = None
    if valid_loader is not None:
        vx, vy = body_features(body, _in_order(valid_loader), device)
        valid = FeatureLoader(vx, vy, batch_size=getattr(valid_loader, "batch_size", None) or 512)
    return train, valid
