"""``FastLoader``: a whole small dataset as one uint8 tensor on the device, batched there.

It also declares what the trainer and ``export`` expect from a loader (``LoaderProtocol``),
so a loader of your own can take part in the same features.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import torch
import torch.nn.functional as F

from dlnotes.devices import select_device

__all__ = ["FastLoader", "fast_loaders", "channel_stats", "LoaderProtocol"]

def _to_uint8_nchw(images, what: str) -> torch.Tensor:
    x = torch.as_tensor(images)
    if x.is_floating_point():
        if x.numel() and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"{what}: float images must be in [0, 1], got values in [{x.min():.3g}, {x.max():.3g}]")
        x = x.mul(255).round_().to(torch.uint8)
    elif x.dtype != torch.uint8:
        raise TypeError(f"{what}: images must be uint8 (0-255) or float in [0, 1], got dtype {x.dtype}")
    if x.ndim == 3:
        return x.unsqueeze(1).contiguous()
    if x.ndim == 4:
        if x.shape[1] in (1, 3, 4):
            return x.contiguous()
        if x.shape[-1] in (1, 3, 4):
            return x.permute(0, 3, 1, 2).contiguous()
    raise ValueError(f"{what}: expected images N×H×W, N×C×H×W or N×H×W×C, got shape {tuple(x.shape)}")


def _dataset_arrays(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """All images and labels of a dataset: from ``.data``/``.targets`` when it has them, else item by item."""
    if hasattr(dataset, "data") and hasattr(dataset, "targets"):
        return _to_uint8_nchw(dataset.data, f"{type(dataset).__name__}.data"), torch.as_tensor(dataset.targets, dtype=torch.int64)
    if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
        raise TypeError(
            f"dataset_or_images must be a dataset of (image, label) items or a tensor of images, got {type(dataset).__name__}"
        )
    if len(dataset) == 0:
        raise ValueError("dataset_or_images is an empty dataset")
    first = torch.as_tensor(dataset[0][0])
    images = torch.empty((len(dataset), *first.shape), dtype=torch.uint8)
    labels = torch.empty(len(dataset), dtype=torch.int64)
    for i in range(len(dataset)):
        image, label = dataset[i]
        image = torch.as_tensor(image)
        if image.shape != first.shape:
            raise ValueError(
                f"item {i} of the dataset has shape {tuple(image.shape)} but item 0 has {tuple(first.shape)}; "
                f"give every image the same size (image_folders(..., size=...))"
            )
        images[i] = image.mul(255).round_() if image.is_floating_point() else image
        labels[i] = int(label)
    return _to_uint8_nchw(images, "dataset_or_images"), labels


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of uint8 images N×C×H×W, on the [0, 1] scale.

    Exact and fast: a uint8 pixel has only 256 possible values, so each channel's histogram
    (one ``bincount``) gives the sums in float64 without any float copy of the images.
    """
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(f"images must be uint8 N×C×H×W, got {images.dtype} of shape {tuple(images.shape)}")
    values = torch.arange(256, dtype=torch.float64) / 255
    means, stds = [], []
    for c in range(images.shape[1]):
        counts = torch.bincount(images[:, c].reshape(-1).cpu(), minlength=256).to(torch.float64)
        total = counts.sum()
        mean = (counts * values).sum() / total
        var = (counts * values**2).sum() / total - mean**2
        means.append(round(mean.item(), 6))
        stds.append(round(var.clamp_min(0).sqrt().item(), 6))
    return tuple(means), tuple(stds)


def _one_thread(batches):
    """Run each step of ``batches`` with one intra-op thread, then give the caller its threads back.

    Cutting a batch out of memory is a few small, memory-bound operations: splitting them
    across threads only adds synchronisation, which on a busy machine made a batch 10-20×
    slower. The model's own work (between batches) keeps all its threads.
    """
    while True:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            batch = next(batches)
        except StopIteration:
            return
        finally:
            torch.set_num_threads(threads)
        yield batch


class FastLoader:
    """A loader for datasets that fit in memory: the whole set is one uint8 tensor on the device.

    Each batch is cut out of that tensor with one indexing operation, then augmented and
    normalised there, so there is no per-image Python work, no worker processes and no copy
    from the CPU per batch. Iterating gives ``(x, y)``: ``x`` float N×C×H×W normalised,
    ``y`` int64, both on ``device``. Every pass is a new epoch: a new shuffle (and new
    augmentations) drawn from the loader's own ``torch.Generator``, so a seed gives the same
    sequence of batches on every run.

    Args:
        dataset_or_images: a dataset with ``.data``/``.targets`` (Fashion-MNIST, MNIST,
            torchvision's), any dataset of ``(image tensor, label)`` items of one size (an
            ``image_folders`` split), or images as a tensor/array (uint8, or float in [0, 1];
            N×H×W, N×C×H×W or N×H×W×C). A dataset's own ``transform`` is not applied.
        targets: the labels when ``dataset_or_images`` is a tensor of images.
        batch_size: images per batch.
        shuffle: draw a new order every epoch (for training).
        device: where the data and the batches live; ``"auto"`` picks CUDA, MPS or the CPU
            (see ``dlnotes.devices.select_device``: a missing device is explained).
        normalize: True computes per-channel mean and std from these images; a pair
            ``(mean, std)`` uses given statistics (pass the training loader's ``stats`` to a
            validation loader); False only scales to [0, 1].
        augment: random shifts (crops of the image padded by ``pad`` pixels) and, with ``flip``,
            horizontal flips, drawn per image, per batch.
        seed: seeds the loader's generator (shuffle and augmentation); None draws the seed
            from torch's global generator.
        drop_last: skip the last batch when it is smaller than ``batch_size``.
        pad: the largest shift in pixels when ``augment`` is on.
        flip: flip half of the images left-right when ``augment`` is on (turn it off for digits
            and text).
    """

    def __init__(
        self,
        dataset_or_images: Any,
        targets: Any = None,
        batch_size: int = 256,
        shuffle: bool = False,
        device: str | torch.device | None = "auto",
        normalize: bool | tuple[Sequence[float], Sequence[float]] = True,
        augment: bool = False,
        seed: int | None = 0,
        drop_last: bool = False,
        pad: int = 2,
        flip: bool = True,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(pad, int) or pad < 0:
            raise ValueError(f"pad must be an int >= 0, got {pad!r}")
        if isinstance(dataset_or_images, (torch.Tensor, np.ndarray)):
            if targets is None:
                raise ValueError("targets is required when dataset_or_images is a tensor of images")
            images, labels = _to_uint8_nchw(dataset_or_images, "dataset_or_images"), torch.as_tensor(targets).long()
        else:
            if targets is not None:
                raise ValueError("targets must be None when dataset_or_images is a dataset (its labels are used)")
            images, labels = _dataset_arrays(dataset_or_images)
        if labels.shape != (len(images),):
            raise ValueError(f"targets must hold one label per image: {len(images)} images, targets of shape {tuple(labels.shape)}")
        self.dataset = dataset_or_images
        if isinstance(dataset_or_images, (torch.Tensor, np.ndarray)):
            self.dataset = torch.utils.data.TensorDataset(images, labels)
        if len(images) == 0:
            raise ValueError("dataset_or_images has no images")
        self.classes = getattr(dataset_or_images, "classes", None)
        self.batch_size, self.shuffle, self.drop_last = batch_size, bool(shuffle), bool(drop_last)
        self.augment, self.pad, self.flip = bool(augment), pad, bool(flip)
        self.device = select_device("auto" if device is None else device)
        n_channels = images.shape[1]
        if normalize is True:
            self.stats = channel_stats(images)
        elif normalize is False or normalize is None:
            self.stats = ((0.0,) * n_channels, (1.0,) * n_channels)
        else:
            try:
                mean, std = normalize
                mean = tuple(float(m) for m in torch.as_tensor(mean, dtype=torch.float64).reshape(-1).expand(n_channels))
                std = tuple(float(s) for s in torch.as_tensor(std, dtype=torch.float64).reshape(-1).expand(n_channels))
            except (TypeError, ValueError, RuntimeError):
                raise ValueError(f"normalize must be True, False or (mean, std) with {n_channels} value(s) each, got {normalize!r}") from None
            if min(std) <= 0:
                raise ValueError(f"normalize: every std must be > 0, got {std}")
            self.stats = (mean, std)
        self.normalize = normalize is not False and normalize is not None
        mean_t = torch.tensor(self.stats[0], dtype=torch.float32).view(1, -1, 1, 1)
        std_t = torch.tensor(self.stats[1], dtype=torch.float32).view(1, -1, 1, 1)
        self._scale = (1 / (255 * std_t)).to(self.device)  # (x / 255 - mean) / std == x * scale + shift
        self._shift = (-mean_t / std_t).to(self.device)
        self.images = images.to(self.device)
        self.targets = labels.to(self.device)
        self.seed = int(torch.randint(0, 2**62, ())) if seed is None else int(seed)
        self.generator = torch.Generator()
        self.generator.manual_seed(self.seed)
        self.rank, self.world_size = 0, 1

    def set_epoch(self, epoch: int) -> None:
        """Make epoch ``epoch``'s shuffle and augmentation a function of (seed, epoch) alone.

        Without it, each pass simply continues the generator's sequence. A trainer that calls
        it every epoch (as with ``DistributedSampler``) gets the same batches for an epoch
        however it got there, for instance after resuming from a checkpoint.
        """
        self.generator.manual_seed((self.seed * 1_000_003 + int(epoch)) % 2**63)

    def set_distributed(self, rank: int, world_size: int) -> None:
        """Serve only process ``rank``'s share of every epoch (for DistributedDataParallel).

        All processes draw the same permutation and take every ``world_size``-th index of it.
        With ``shuffle`` (training) the permutation is padded by wrapping around so that every
        process gets the same number of batches; without it (evaluation) nothing is repeated.
        """
        if not (isinstance(world_size, int) and world_size >= 1 and isinstance(rank, int) and 0 <= rank < world_size):
            raise ValueError(f"need 0 <= rank < world_size, got rank={rank!r}, world_size={world_size!r}")
        self.rank, self.world_size = rank, world_size

    def _shard_size(self) -> int:
        n, ws = len(self.images), self.world_size
        if ws == 1:
            return n
        return math.ceil(n / ws) if self.shuffle else len(range(self.rank, n, ws))

    def __len__(self) -> int:
        n = self._shard_size()
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        if self.device.type == "cpu":
            return _one_thread(self._batches(self.generator))
        return self._batches(self.generator)

    # --8<-- [start:batches]
    def _batches(self, generator: torch.Generator):
        n, bs = len(self.images), self.batch_size
        order = torch.randperm(n, generator=generator) if self.shuffle else None
        if self.world_size > 1:  # this process's share: every world_size-th image
            if order is None:
                order = torch.arange(self.rank, n, self.world_size)
            else:
                order = torch.cat([order, order[: self._shard_size() * self.world_size - n]])[self.rank :: self.world_size]
        if self.augment:  # each process augments differently, reproducibly
            augment_seed = int(torch.randint(0, 2**62, (), generator=generator)) + self.rank
            generator = torch.Generator().manual_seed(augment_seed)
        order = order.to(self.device) if order is not None else None
        m = len(order) if order is not None else n
        for start in range(0, m - bs + 1 if self.drop_last else m, bs):
            index = order[start : start + bs] if order is not None else slice(start, start + bs)
            x, y = self.images[index], self.targets[index]  # one gather: uint8, on the device
            if self.augment:
                x = self._augment(x, generator)
            yield x.float().mul_(self._scale).add_(self._shift), y  # (x/255 - mean) / std

    def _augment(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Shift each image by up to ±pad pixels (black comes in at the edges) and flip half of
        them left-right: one ``gather`` from the padded batch does both."""
        b, c, h, w = x.shape
        p, dev = self.pad, x.device
        dy, dx = torch.randint(0, 2 * p + 1, (2, b, 1), generator=generator).to(dev)  # the window's corner
        flip = ((torch.rand(b, 1, generator=generator) < 0.5) & self.flip).to(dev)
        cols = torch.arange(w, device=dev).expand(b, w)
        cols = dx + torch.where(flip, cols.flip(1), cols)  # b×w: which padded column each output column reads
        rows = dy + torch.arange(h, device=dev)  # b×h
        index = (rows[:, :, None] * (w + 2 * p) + cols[:, None, :]).view(b, 1, h * w).expand(b, c, h * w)
        padded = F.pad(x, (p, p, p, p)).view(b, c, -1)
        return padded.gather(2, index).view(b, c, h, w)
    # --8<-- [end:batches]

    def state_dict(self) -> dict:
        """The generator's state, to resume the same sequence of epochs (see ``load_state_dict``)."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self.generator.set_state(state["generator"])

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """A batch this loader produced, back to [0, 1] pixels (for showing it)."""
        return ((x - self._shift.to(x.device)) / (255 * self._scale.to(x.device))).clamp(0, 1)

    def __repr__(self) -> str:
        c, h, w = self.images.shape[1:]
        return (
            f"FastLoader({len(self.images)} images {c}×{h}×{w}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"augment={self.augment}, device={self.device}, mean={self.stats[0]}, std={self.stats[1]})"
        )


def fast_loaders(
    train: Any,
    valid: Any = None,
    batch_size: int = 256,
    device: str | torch.device | None = "auto",
    augment: bool = False,
    seed: int | None = 0,
    **options: Any,
) -> tuple[FastLoader, FastLoader | None]:
    """The usual pair: a shuffled training loader, and a validation loader that uses the
    training set's statistics (never its own), in order, without augmentation.

    Args:
        train: the training dataset (anything ``FastLoader`` accepts).
        valid: the validation dataset, or None.
        batch_size: training batch size (validation uses twice as many: no gradients to store).
        device: as in ``FastLoader``.
        augment: augment the training batches.
        seed: seeds the training loader's shuffle and augmentation.
        **options: more ``FastLoader`` arguments for the training loader (``pad``, ``flip``, ``drop_last``).

    Returns:
        ``(train_loader, valid_loader)``; ``valid_loader`` is None without ``valid``.
    """
    train_loader = FastLoader(train, batch_size=batch_size, shuffle=True, device=device, augment=augment, seed=seed, **options)
    if valid is None:
        return train_loader, None
    valid_loader = FastLoader(valid, batch_size=2 * batch_size, device=train_loader.device, normalize=train_loader.stats)
    return train_loader, valid_loader


@runtime_checkable
class LoaderProtocol(Protocol):
    """What ``Trainer`` and ``export`` use of a training loader beyond ``iter`` and ``len``.

    All of it is optional: a plain ``DataLoader`` works. ``FastLoader`` has every part.
    """

    stats: tuple[Sequence[float], Sequence[float]]
    """``(mean, std)`` per channel that the batches were normalised with (``export`` stores it)."""

    def __iter__(self) -> Iterator: ...

    def __len__(self) -> int: ...

    def set_epoch(self, epoch: int) -> None:
        """Make the epoch's shuffle a function of (seed, epoch): exact resumes."""

    def set_distributed(self, rank: int, world_size: int) -> None:
        """Serve only this process's share (under torchrun)."""

    def state_dict(self) -> dict:
        """What a checkpoint needs to continue the same sequence of batches."""

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict``."""


class ShardSampler(torch.utils.data.Sampler):
    """Indices ``rank, rank + world, …``: each sample on exactly one rank, no padding.

    What ``Trainer`` gives a validation ``DataLoader`` under torchrun, so that every sample is
    evaluated exactly once.
    """

    def __init__(self, n: int, rank: int, world: int):
        self.indices = list(range(rank, n, world))

    def __iter__(self):
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)
