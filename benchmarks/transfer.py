"""Benchmark: precompute (training the head on cached body features) vs running the frozen body.

Data: the five Fashion-MNIST classes the shipped body never saw (Coat, Shirt, Sneaker, Bag,
Ankle boot), from the embedded sample (5,000 training images) or, with ``--full``,
the full training set (30,000). Model: ``pretrained_small_resnet(n_classes=5)``.

Baseline: ``Trainer.freeze(train_bn=False)`` then ``fit_one_cycle(1, lr)`` on the images: every
batch runs through the frozen body (forward only: nothing in it needs a gradient) and the head.
Contender: ``feature_loaders`` runs the body once, then the same ``fit_one_cycle(1, lr)`` trains
only the head on the cached features, batch for batch in the same order.

Targets: the contender's epoch at least 5× faster than the baseline's (per epoch, median of
``--repeats`` runs, both measured in this run), and the two heads equal after one epoch (max
absolute difference at most 1e-5). The one-off cost of computing the features is reported too.

Also measured: what ``freeze()``'s batch-norm choice does. With ``train_bn=True`` (fastai's
default) the body's batch-norm layers keep learning; with ``False`` the body is fixed. Both are
trained for the same epochs at several labelled-images-per-class budgets over several seeds,
and their accuracy on the 1,000 (sample) test images of the five classes is printed.

Run ``python benchmarks/transfer.py`` (a minute or two); ``--check`` exits 1 when a target is
missed. It prints the tables (with date, machine and command) and writes nothing.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from dlnotes.data import FastLoader, fashion_mnist
from dlnotes.features import body_and_head, feature_loaders
from dlnotes.models import SMALL_RESNET_SOURCE_CLASSES, SMALL_RESNET_STATS, pretrained_small_resnet
from dlnotes.trainer import Trainer

TARGET = [c for c in range(10) if c not in SMALL_RESNET_SOURCE_CLASSES]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} logical CPUs (load average {load:.1f} at the end), "
            f"torch {torch.__version__} using {torch.get_num_threads()} thread(s), Python {platform.python_version()}")


def target_subset(dataset, per_class=None, seed=0):
    targets = torch.as_tensor(dataset.targets)
    g = torch.Generator().manual_seed(seed)
    keep = []
    for c in TARGET:
        idx = torch.nonzero(targets == c).flatten()
        keep.append(idx if per_class is None else idx[torch.randperm(len(idx), generator=g)[:per_class]])
    keep = torch.cat(keep).sort().values
    relabel = torch.full((10,), -1, dtype=torch.long)
    relabel[TARGET] = torch.arange(len(TARGET))
    return torch.as_tensor(dataset.data)[keep], relabel[targets[keep]]


def quiet_trainer(model, train, valid=None):
    return Trainer(model, train, valid, device="cpu", precision="fp32", progress=False, verbose=False)


def speed(x, y, lr, repeats):
    """Per-epoch seconds of both ways, the one-off feature cost, and the heads' difference."""
    torch.manual_seed(0)
    model = pretrained_small_resnet(n_classes=5)
    frozen_times, cached_times, cache_times, diff = [], [], [], None
    for r in range(repeats):
        a, b = copy.deepcopy(model), copy.deepcopy(model)
        loader = FastLoader(x, y, batch_size=64, shuffle=True, device="cpu", normalize=SMALL_RESNET_STATS, seed=r)
        trainer = quiet_trainer(a, loader)
        trainer.freeze(train_bn=False)
        start = time.perf_counter()
        trainer.fit_one_cycle(1, lr)
        frozen_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        features, _ = feature_loaders(b, loader)
        cache_times.append(time.perf_counter() - start)
        head_trainer = quiet_trainer(body_and_head(b)[1], features)
        start = time.perf_counter()
        head_trainer.fit_one_cycle(1, lr)
        cached_times.append(time.perf_counter() - start)
        d = max((pa - pb).abs().max().item() for pa, pb in zip(a.head.parameters(), b.head.parameters()))
        moved = max((pa - pm).abs().max().item() for pa, pm in zip(a.head.parameters(), model.head.parameters()))
        diff = d if diff is None else max(diff, d)
    return statistics.median(frozen_times), statistics.median(cached_times), statistics.median(cache_times), diff, moved


def bn_choice(train, test, budgets, seeds, epochs, lr, steps=40):
    """Accuracy with freeze(train_bn=True) and freeze(train_bn=False), per budget, over seeds (about ``steps`` steps each)."""
    xt, yt = target_subset(test)
    valid = FastLoader(xt, yt, batch_size=1000, device="cpu", normalize=SMALL_RESNET_STATS)
    rows = []
    for per_class in budgets:
        acc = {True: [], False: []}
        for seed in seeds:
            x, y = target_subset(train, per_class, seed)
            for train_bn in (True, False):
                torch.manual_seed(seed)
                loader = FastLoader(x, y, batch_size=min(64, len(x)), shuffle=True, device="cpu",
                                    normalize=SMALL_RESNET_STATS, seed=seed)
                trainer = quiet_trainer(pretrained_small_resnet(n_classes=5), loader)
                trainer.freeze(train_bn=train_bn)
                trainer.fit_one_cycle(max(epochs, steps // len(loader)), lr)
                acc[train_bn].append(trainer.evaluate(valid)["accuracy"])
        rows.append((per_class, statistics.mean(acc[True]), statistics.mean(acc[False]), acc))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="time on the full training set of the five classes")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    command = "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])

    train, test = fashion_mnist(sample=not args.full, download=False)
    x, y = target_subset(train)
    frozen, cached, cache, diff, moved = speed(x, y, args.lr, args.repeats)
    ratio = frozen / cached
    print(f"## Precompute: one epoch of head training on {len(x):,} images (batch 64), median of {args.repeats}\n")
    print("| way | seconds per epoch | vs frozen body |")
    print("| --- | ---: | ---: |")
    print(f"| frozen body (`freeze(train_bn=False)`), images through the body | {frozen:.3f} | 1.0× |")
    print(f"| precompute: head on cached features | {cached:.4f} | {ratio:.1f}× faster |")
    print(f"| (one-off: computing the features) | {cache:.3f} | |")
    print()
    print(f"- Largest absolute difference between the two heads after one epoch: {diff:.2e} "
          f"(the head itself moved by up to {moved:.2e}). Target: at most 1e-5. **{'Met' if diff <= 1e-5 else 'Missed'}.**")
    print(f"- Speed-up {ratio:.1f}×. Target: at least 5×. **{'Met' if ratio >= 5 else 'Missed'}.**")

    sample_train, sample_test = fashion_mnist(sample=True)
    rows = bn_choice(sample_train, sample_test, budgets=(5, 20, 100), seeds=(0, 1, 2), epochs=2, lr=args.lr)
    print("\n## Batch norm in the frozen body: test accuracy on 1,000 sample images, mean of 3 seeds\n")
    print("| labelled images per class | `freeze()` (BN trains) | `freeze(train_bn=False)` | difference |")
    print("| ---: | ---: | ---: | ---: |")
    for per_class, t, f, _ in rows:
        print(f"| {per_class} | {t:.2%} | {f:.2%} | {100 * (t - f):+.1f} pp |")
    print(f"\n- Command: `{command}`; {datetime.date.today().isoformat()}; {machine()}.")
    return 1 if args.check and (diff > 1e-5 or ratio < 5) else 0


if __name__ == "__main__":
    sys.exit(main())
