"""Benchmark: the in-memory FastLoader against torchvision's usual pipeline.

Baseline: ``torchvision.datasets.FashionMNIST(transform=ToTensor())`` in a
``torch.utils.data.DataLoader`` (same batch size, shuffled; with 0 and with 2 worker processes,
which is what 2 cores allow; the faster of the two is the baseline). Candidate:
``dlnotes.data.FastLoader`` (the whole training set as one uint8 tensor, normalised per batch),
without and with augmentation (random shifts and flips, which the baseline doesn't even do).

Measured on the full Fashion-MNIST training set (60,000 images, found offline by ``fashion_mnist``):

1. images per second of each loader alone (iterating an epoch, nothing else);
2. the time of one training epoch of ``dlnotes.models.small_cnn`` (Adam) with each loader, and
   how much of it the training loop spent waiting for the next batch.

Targets: the FastLoader at least 10× the baseline's images/s, and never the bottleneck of an
epoch (the training loop waits for it less than 5% of the epoch). Run ``python benchmarks/data.py`` (a few minutes on
2 CPU cores) or ``--quick`` (a 10,000-image epoch); ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import torch
from torch.utils.data import DataLoader
from torchvision.transforms import ToTensor

from dlnotes.data import FastLoader, fashion_mnist
from dlnotes.models import small_cnn


def loader_rate(loader, max_images: int) -> float:
    """Images per second of iterating ``loader`` (until ``max_images``)."""
    seen, start = 0, time.perf_counter()
    for x, _ in loader:
        seen += len(x)
        if seen >= max_images:
            break
    return seen / (time.perf_counter() - start)


def train_epoch(loader, max_images: int, seed: int = 0) -> tuple[float, float, int]:
    """One training epoch (cut at ``max_images``) of the small CNN with ``loader``.

    Returns the epoch's seconds, the seconds the training loop spent waiting for the loader
    (inside ``next()``: for a DataLoader with workers, the time they were behind), and the
    number of steps.
    """
    torch.manual_seed(seed)
    model = small_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    seen, steps, waited = 0, 0, 0.0
    start = time.perf_counter()
    batches = iter(loader)
    while seen < max_images:
        t = time.perf_counter()
        batch = next(batches, None)
        waited += time.perf_counter() - t
        if batch is None:
            break
        x, y = batch
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        seen, steps = seen + len(x), steps + 1
    return time.perf_counter() - start, waited, steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train on 10,000 images instead of 60,000")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers for the training epoch (default 2: 2 cores)")
    parser.add_argument("--root", default=None, help="dataset cache (default: $DLNOTES_DATA or ~/.cache/dlnotes)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    try:
        train, _ = fashion_mnist(root=args.root, transform=ToTensor(), download=False)
        data_name = "Fashion-MNIST train (60,000)"
    except RuntimeError as e:
        print(f"full Fashion-MNIST not available offline ({str(e).splitlines()[0]}); using the embedded sample")
        train, _ = fashion_mnist(sample=True, transform=ToTensor())
        data_name = "the embedded sample (10,000)"
    n = len(train)
    epoch_images = min(n, 10_000) if args.quick else n
    bs = args.batch_size
    print(f"data: {data_name}; batch size {bs}; torch {torch.__version__} with {torch.get_num_threads()} threads; "
          f"{os.cpu_count()} CPUs; {'quick' if args.quick else 'full'} run")

    def torchvision_loader(workers: int) -> DataLoader:
        return DataLoader(train, batch_size=bs, shuffle=True, num_workers=workers, persistent_workers=workers > 0,
                          generator=torch.Generator().manual_seed(0))

    # 1. the loaders alone (one warm-up batch each, so worker start-up is not counted)
    rates = {}
    for workers in (0, 2):
        loader = torchvision_loader(workers)
        next(iter(loader))
        rates[f"torchvision DataLoader, {workers} workers"] = loader_rate(loader, n)
        del loader
    baseline_name = max(rates, key=rates.get)
    baseline = rates[baseline_name]
    start = time.perf_counter()
    fast = FastLoader(train, batch_size=bs, shuffle=True, device="cpu", seed=0)
    setup = time.perf_counter() - start
    fast_aug = FastLoader(train, batch_size=bs, shuffle=True, device="cpu", seed=0, augment=True)
    rates["FastLoader"] = loader_rate(fast, n)
    rates["FastLoader, augment=True"] = loader_rate(fast_aug, n)

    print(f"\n1. loader alone: images per second over one epoch (FastLoader set-up, incl. mean/std: {setup:.2f} s)\n")
    print(f"| {'pipeline':<44} | {'images/s':>10} | {'× baseline':>10} |")
    print(f"| {'-' * 44} | {'-' * 10} | {'-' * 10} |")
    for name, rate in rates.items():
        tag = " (baseline)" if name == baseline_name else ""
        print(f"| {name + tag:<44} | {rate:>10,.0f} | {rate / baseline:>10.1f} |")
    ratio = rates["FastLoader"] / baseline

    # 2. one training epoch of the small CNN with each
    pipelines = {f"torchvision DataLoader, {args.workers} workers": torchvision_loader(args.workers), "FastLoader": fast}
    epochs = {name: train_epoch(loader, epoch_images) for name, loader in pipelines.items()}
    steps = epochs["FastLoader"][2]
    print(f"\n2. one training epoch of small_cnn ({epoch_images:,} images, {steps} steps of Adam)\n")
    print(f"| {'pipeline':<44} | {'epoch (s)':>9} | {'images/s':>8} | {'waiting for data (s)':>20} | {'share':>6} |")
    print(f"| {'-' * 44} | {'-' * 9} | {'-' * 8} | {'-' * 20} | {'-' * 6} |")
    for name, (seconds, waited, _) in epochs.items():
        print(f"| {name:<44} | {seconds:>9.1f} | {epoch_images / seconds:>8,.0f} | {waited:>20.2f} | {100 * waited / seconds:>5.1f}% |")
    seconds, waited, _ = epochs["FastLoader"]
    fast_share = waited / seconds
    base_seconds = epochs[f"torchvision DataLoader, {args.workers} workers"][0]

    print(f"\nFastLoader throughput: {ratio:.1f}x the baseline ({baseline_name}); target >= 10x: "
          f"{'met' if ratio >= 10 else 'MISSED'}")
    print(f"FastLoader in training: the loop waited {waited:.2f} s for data in a {seconds:.1f} s epoch "
          f"({100 * fast_share:.1f}%; target: under 5%, never the bottleneck): {'met' if fast_share < 0.05 else 'MISSED'}")
    print(f"epoch time, torchvision pipeline / FastLoader: {base_seconds / seconds:.2f}x")
    missed = ratio < 10 or fast_share >= 0.05
    return 1 if (missed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
