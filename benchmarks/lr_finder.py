"""Benchmark: is the learning rate that ``lr_find`` suggests a good one?

On the embedded Fashion-MNIST sample (10,000 training, 2,000 test images) with
``dlnotes.models.small_cnn``: run the range test once (``Trainer.lr_find()``, its defaults),
then train a fresh model with ``fit_one_cycle`` for 2 epochs at each of its three suggestions
(``valley``, the default, ``steep`` and ``minimum``) and at each point of the baseline, a log
grid of seven learning rates from 1e-4 to 1e-1. Every run starts from the same seed (same
initial weights, same batches). The test accuracy of each run is printed as a table.

Target: the default suggestion's accuracy within 1 percentage point of the best grid point.
Also reported: how long the range test takes compared to one training epoch.

Run ``python benchmarks/lr_finder.py`` (about 4 minutes on one quiet CPU core) and it writes
the table to ``benchmarks/tables/lr_finder.md``, which the learning-rate page includes;
``--quick`` (1 epoch on a 3,000-image subset, three grid points; nothing written) checks that
it works; ``--check`` exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from dlnotes.data import ArrayImageDataset, FastLoader, fashion_mnist
from dlnotes.lr_finder import SUGGESTIONS
from dlnotes.models import small_cnn
from dlnotes.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "benchmarks" / "tables" / "lr_finder.md"
GRID = [float(v) for v in np.logspace(-4, -1, 7)]  # 1e-4, 3.2e-4, 1e-3, 3.2e-3, 1e-2, 3.2e-2, 1e-1
TARGET_PP = 1.0


def make_trainer(train, test, batch_size: int, seed: int) -> Trainer:
    """A fresh small CNN and its trainer; the same ``seed`` gives the same weights and batches."""
    torch.manual_seed(seed)
    train_loader = FastLoader(train, batch_size=batch_size, shuffle=True, device="cpu", seed=seed)
    valid_loader = FastLoader(test, batch_size=500, device="cpu", normalize=train_loader.stats)
    return Trainer(small_cnn(), train_loader, valid_loader, device="cpu", progress=False, verbose=False)


def train_at(lr: float, train, test, epochs: int, batch_size: int, seed: int) -> tuple[float, float]:
    """Test accuracy after ``fit_one_cycle(epochs, lr)``, and the seconds per epoch."""
    trainer = make_trainer(train, test, batch_size, seed)
    start = time.perf_counter()
    trainer.fit_one_cycle(epochs, max_lr=lr)
    return trainer.history[-1]["accuracy"], (time.perf_counter() - start) / epochs


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs, torch {torch.__version__} using "
            f"{torch.get_num_threads()} thread(s), Python {platform.python_version()}")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 3,000 images, 3 grid points; writes nothing")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help=f"where to write the table (default {TABLE.relative_to(ROOT)}; none with --quick)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args(argv)

    train, test = fashion_mnist(sample=True)
    grid, epochs = GRID, args.epochs
    if args.quick:
        train = ArrayImageDataset(train.data[:3000], train.targets[:3000], train.classes, name="first 3,000")
        grid, epochs = GRID[1::3], 1
    out = args.out if args.out is not None else (None if args.quick else TABLE)

    # the range test, with its defaults, on the trainer the user would have
    trainer = make_trainer(train, test, args.batch_size, args.seed)
    result = trainer.lr_find()
    finder_seconds = result.seconds
    print(f"lr_find: {len(result.lrs)} steps in {finder_seconds:.1f} s ({result.stop_reason}); "
          f"suggestions: " + ", ".join(f"{k} {v:.3g}" for k, v in result.suggestions.items()), flush=True)

    rows = []  # (what, lr, accuracy, seconds per epoch)
    for name in SUGGESTIONS:
        lr = result.suggestions[name]
        acc, sec = train_at(lr, train, test, epochs, args.batch_size, args.seed)
        rows.append((f"suggestion: {name}" + (" (default)" if lr == result.suggestion and name == "valley" else ""), lr, acc, sec))
        print(f"  {rows[-1][0]:<28} lr {lr:.3g}: accuracy {acc:.2%}", flush=True)
    for lr in grid:
        acc, sec = train_at(lr, train, test, epochs, args.batch_size, args.seed)
        rows.append(("grid", lr, acc, sec))
        print(f"  {'grid':<28} lr {lr:.3g}: accuracy {acc:.2%}", flush=True)

    grid_rows = [r for r in rows if r[0] == "grid"]
    best = max(grid_rows, key=lambda r: r[2])
    default = next(r for r in rows if r[0].endswith("(default)"))
    gap_pp = 100 * (best[2] - default[2])
    epoch_seconds = float(np.median([r[3] for r in rows]))
    met = gap_pp <= TARGET_PP

    command = "python benchmarks/lr_finder.py" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    lines = [
        f"Each run: a fresh `small_cnn` (seed {args.seed}), `fit_one_cycle({epochs}, max_lr=lr)`, batch size "
        f"{args.batch_size}, {len(train):,} training images; accuracy on the {len(test):,} test images.",
        "",
        "| learning rate from | lr | test accuracy | vs best grid point |",
        "| --- | ---: | ---: | ---: |",
    ]
    for what, lr, acc, _ in rows:
        mark = " **best**" if (what, lr) == best[:2] else ""
        lines.append(f"| {what}{mark} | {lr:.3g} | {acc:.2%} | {100 * (acc - best[2]):+.2f} pp |")
    lines += [
        "",
        f"- Default suggestion (`valley`, lr {default[1]:.3g}): {default[2]:.2%}; best grid point (lr {best[1]:.3g}): "
        f"{best[2]:.2%}; gap {gap_pp:.2f} pp. Target: at most {TARGET_PP:g} pp. **{'Met' if met else 'Missed'}.**",
        f"- The range test: {len(result.lrs)} steps ({result.stop_reason}) in {finder_seconds:.1f} s; one training epoch "
        f"({len(trainer.train_loader)} steps plus evaluation) takes {epoch_seconds:.1f} s (median over the runs above): "
        f"the test costs {finder_seconds / epoch_seconds:.2f} epochs.",
        f"- Command: `{command}`; {datetime.date.today().isoformat()}; {machine()}.",
    ]
    table = "\n".join(lines) + "\n"
    print()
    print(table)
    if out is not None:
        write_atomic(out, table)
        print(f"written to {out}")
    return 1 if (args.check and not met) else 0


if __name__ == "__main__":
    sys.exit(main())
