"""Benchmark: how many planted label mistakes does ``suspects`` find after a short training run?

A folder dataset is written from the embedded Fashion-MNIST sample (``--per-class`` training
images of each class as PNG files) with a share of them filed under a random wrong class. A
``small_cnn`` is trained for 3 epochs (one-cycle, max_lr 5e-3) on the folder as it is, and
``dlnotes.clean.suspects`` ranks every file by the model's loss on its label.

Reported per run: the planted mistakes found among the top 2×planted suspects (the issue's bar:
at least half) and among the top 1×planted. Baseline: the same counts for a random ranking,
whose expected share is k / N (k suspects out of N files). Runs: three noise rates (3%, 8%, 15%)
× two seeds.

Run ``python benchmarks/suspects.py`` (six runs of about 15 s each on 2 quiet CPU cores; about
3 minutes of CPU time in all) or ``--quick`` (one seed, 8% noise); ``--check`` exits 1 when a
run misses the bar.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from dlnotes.clean import folder_files, plant_mislabels, suspects
from dlnotes.data import FastLoader
from dlnotes.models import small_cnn
from dlnotes.trainer import Trainer


def run(per_class: int, rate: float, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        planted = plant_mislabels(root, per_class, rate, seed)
        files = folder_files(root)
        images = torch.stack([torch.from_numpy(np.array(Image.open(p))) for p, _ in files.samples])
        torch.manual_seed(seed)
        loader = FastLoader(images, [y for _, y in files.samples], batch_size=64, shuffle=True, device="cpu", seed=seed)
        trainer = Trainer(small_cnn(), loader, device="cpu", progress=False, verbose=False)
        start = time.perf_counter()
        trainer.fit_one_cycle(3, max_lr=5e-3)
        train_s = time.perf_counter() - start
        n_planted, n = len(planted), len(files.samples)
        rows = suspects(trainer, files, k=2 * n_planted, csv_path=Path(tmp) / "suspects.csv")
        hit = [Path(r["path"]).name in planted for r in rows]
        return {
            "rate": rate, "seed": seed, "files": n, "planted": n_planted,
            "top2": sum(hit), "top1": sum(hit[:n_planted]),
            "random2": n_planted * min(1.0, 2 * n_planted / n), "random1": n_planted * n_planted / n,
            "train_s": train_s,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed at 8%% noise")
    parser.add_argument("--check", action="store_true", help="exit 1 if a run finds fewer than half in the top 2×planted")
    parser.add_argument("--per-class", type=int, default=200, help="training images per class (default 200)")
    args = parser.parse_args()
    grid = [(0.08, 0)] if args.quick else [(r, s) for r in (0.03, 0.08, 0.15) for s in (0, 1)]
    print(f"suspects after 3 epochs of small_cnn on {10 * args.per_class} Fashion-MNIST PNGs with planted mislabels")
    print(f"{'noise':>6} {'seed':>4} {'planted':>7} | {'found in top 2×':>15} {'random':>7} | {'found in top 1×':>15} {'random':>7} | {'train s':>7}")
    ok = True
    for rate, seed in grid:
        r = run(args.per_class, rate, seed)
        ok &= r["top2"] >= r["planted"] / 2
        print(
            f"{rate:>6.0%} {seed:>4} {r['planted']:>7} | {r['top2']:>7} ({r['top2'] / r['planted']:>4.0%}) {r['random2'] / r['planted']:>7.0%}"
            f" | {r['top1']:>7} ({r['top1'] / r['planted']:>4.0%}) {r['random1'] / r['planted']:>7.0%} | {r['train_s']:>7.1f}",
            flush=True,
        )
    print("bar (at least half of the planted among the top 2×planted):", "met in every run" if ok else "MISSED")
    return 1 if (args.check and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
