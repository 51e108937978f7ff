"""Running under ``torchrun``: which process this is, its share of the data, adding up across processes."""

from __future__ import annotations

import os
from typing import Any

import torch

from dlnotes.data.loader import ShardSampler

__all__ = ["torchrun_dist", "join_torchrun", "shard_loader", "all_sum"]


def torchrun_dist() -> Any:
    """``torch.distributed`` when this process is one of several started by torchrun, else None."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    import torch.distributed as dist

    return dist if dist.is_available() else None


def join_torchrun(device: Any) -> tuple[Any, int, int, Any]:
    """Join the process group when started by torchrun: ``(dist, rank, world_size, device)``.

    Without torchrun: ``(None, 0, 1, device)``. With it, the group is initialised (NCCL for
    CUDA, gloo otherwise) and ``device="auto"``/``"cuda"`` becomes this process's own GPU.
    """
    dist = torchrun_dist()
    if dist is None:
        return None, 0, 1, device
    wants_cuda = device in ("auto", "cuda") and torch.cuda.is_available()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if wants_cuda else "gloo")
    if wants_cuda:
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
        torch.cuda.set_device(torch.device(device))
    return dist, dist.get_rank(), dist.get_world_size(), device


def shard_loader(loader: Any, rank: int, world_size: int, train: bool) -> Any:
    """Give process ``rank`` its share of a loader's samples.

    A loader with ``set_distributed`` (``FastLoader``) shards itself; a ``DataLoader`` is rebuilt
    with a ``DistributedSampler`` (training: every rank gets as many batches) or a
    ``ShardSampler`` (evaluation: every sample exactly once).
    """
    from torch.utils.data import DataLoader, DistributedSampler, RandomSampler

    if hasattr(loader, "set_distributed"):
        loader.set_distributed(rank, world_size)
        return loader
    if not isinstance(loader, DataLoader):
        raise TypeError(
            f"under torchrun the loaders must be torch DataLoaders (to be sharded across the "
            f"{world_size} processes), got {type(loader).__name__}"
        )
    if train:
        sampler = DistributedSampler(loader.dataset, world_size, rank, shuffle=isinstance(loader.sampler, RandomSampler))
    else:
        sampler = ShardSampler(len(loader.dataset), rank, world_size)
    return DataLoader(
        loader.dataset, batch_size=loader.batch_size, sampler=sampler, num_workers=loader.num_workers,
        collate_fn=loader.collate_fn, pin_memory=loader.pin_memory, drop_last=loader.drop_last,
        persistent_workers=loader.persistent_workers if loader.num_workers else False,
    )


def all_sum(dist: Any, t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``t`` added up over all processes (``t`` itself without torchrun), on the CPU."""
    if dist is None:
        return t.cpu()
    t = t.to(device) if device.type == "cuda" else t.cpu()  # NCCL reduces on the GPU, gloo on the CPU
    dist.all_reduce(t)
    return t.cpu()
