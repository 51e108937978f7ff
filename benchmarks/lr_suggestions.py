"""Benchmark: do the learning-rate finder's suggestion rules generalise across configurations?

For each configuration (model, batch size, optimizer, data) the range test runs once
(``Trainer.lr_find()``, its defaults, on the configuration's own optimizer) and its curve is
recorded; then a fresh model trains ``fit_one_cycle(2, lr)`` at each point of the
configuration's own 7-point log grid (AdamW: 1e-4 to 1e-1, on the full data 10**-3.5 to 10**-0.5;
SGD with momentum: 1e-3 to 1), once per seed (2 seeds: other initial weights and batches), and
is scored on the held-out images; a grid point's accuracy is the mean over the seeds. (The full
data's grid is half a decade higher than the sample's because the first run, on the sample's
grid, had its best point at the grid's top, 1e-1: a best point at the edge says nothing about
rates beyond it. The table flags any grid whose best point is still at an edge, and any
suggestion outside its grid, where the gap is only a lower bound.) Every rule is then applied to the same recorded curves:
ours (``valley``, the default; ``steep``; ``minimum``) and fastai's (valley, slide, steep,
minimum/10, as described in fastai's ``lr_find`` documentation: https://docs.fast.ai/callback.schedule.html).
A rule's accuracy on a configuration is the grid's accuracy interpolated (linearly in
log learning rate) at the rate it suggests; its *gap* is the best grid point's accuracy minus
that, in percentage points. The table gives the worst and median gap per rule.

Tuning and reporting are kept apart: the ``tune`` configurations are the ones the rules'
constants may be chosen on; the ``report`` ones are not looked at for that, and the target is
judged on them: default suggestion worst gap <= 1 pp, median <= 0.5 pp.

    python benchmarks/lr_suggestions.py            # all configurations (about 20 minutes, one thread)
    python benchmarks/lr_suggestions.py --rules    # recompute the table from the saved curves and grids

Writes benchmarks/results/lr_suggestions.json (after every configuration, so an interrupted run keeps
what it measured).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

from dlnotes import models
from dlnotes.data import FastLoader, fashion_mnist
from dlnotes.lr_finder import minimum, steep, valley
from dlnotes.trainer import Trainer

RESULTS = Path(__file__).parent / "results" / "lr_suggestions.json"
TARGET_WORST, TARGET_MEDIAN = 1.0, 0.5
GRIDS = {"adamw": [float(v) for v in np.logspace(-4, -1, 7)], "sgd": [float(v) for v in np.logspace(-3, 0, 7)],
         "adamw full": [float(v) for v in np.logspace(-3.5, -0.5, 7)]}
SEEDS = (0, 1)  # every grid point is trained once per seed; its accuracy is the mean
# (name, model, batch size, optimizer, data, role); small_resnet at width 16 (a quarter of the default's cost)
CONFIGS = [
    ("small_cnn b64 AdamW sample", "small_cnn", 64, "adamw", "sample", "tune"),
    ("small_cnn b256 SGD sample", "small_cnn", 256, "sgd", "sample", "tune"),
    ("small_resnet b256 AdamW sample", "small_resnet", 256, "adamw", "sample", "tune"),
    ("small_cnn b256 AdamW sample", "small_cnn", 256, "adamw", "sample", "report"),
    ("small_resnet b64 SGD sample", "small_resnet", 64, "sgd", "sample", "report"),
    ("small_resnet b64 AdamW sample", "small_resnet", 64, "adamw", "sample", "report"),
    ("small_cnn b256 AdamW full", "small_cnn", 256, "adamw", "full", "report"),
]


def opt_func(name: str):
    if name == "sgd":
        return lambda groups: torch.optim.SGD(groups, lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    return None  # the Trainer's default: AdamW


def data(kind: str):
    """(train, held-out) images: the sample's own split, or the full training set minus 10,000 held-out images."""
    if kind == "sample":
        tr, te = fashion_mnist(sample=True)
        return (tr.data, tr.targets), (te.data, te.targets)
    tr, _ = fashion_mnist()
    perm = torch.randperm(len(tr.targets), generator=torch.Generator().manual_seed(1234))
    return (tr.data[perm[:50_000]], tr.targets[perm[:50_000]]), (tr.data[perm[50_000:]], tr.targets[perm[50_000:]])


def make_trainer(cfg, train, held, seed: int = 0) -> Trainer:
    _, model, bs, opt, _, _ = cfg
    torch.manual_seed(seed)
    tl = FastLoader(*train, batch_size=bs, shuffle=True, device="cpu", seed=seed)
    vl = FastLoader(*held, batch_size=1000, device="cpu", normalize=tl.stats)
    return Trainer(getattr(models, model)(width=16), tl, vl, device="cpu", opt_func=opt_func(opt), progress=False, verbose=False)


def grid_of(cfg) -> list[float]:
    return GRIDS[f"{cfg[3]} full"] if cfg[4] == "full" and f"{cfg[3]} full" in GRIDS else GRIDS[cfg[3]]


def measure(cfg, seeds=SEEDS) -> dict:
    train, held = data(cfg[4])
    result = make_trainer(cfg, train, held).lr_find()  # the range test: once, seed 0
    grid = grid_of(cfg)
    per_seed = []  # per_seed[i][k]: accuracy at grid[i] with seeds[k]
    for lr in grid:
        row = []
        for seed in seeds:
            t = make_trainer(cfg, train, held, seed=seed)
            t.fit_one_cycle(2, max_lr=lr)
            row.append(t.history[-1]["accuracy"])
        per_seed.append(row)
        print(f"  {cfg[0]:<34} lr {lr:8.3g}: " + " ".join(f"{a:.4f}" for a in row) + f"  mean {np.mean(row):.4f}", flush=True)
    return {"config": cfg[0], "model": cfg[1], "batch_size": cfg[2], "optimizer": cfg[3], "data": cfg[4], "role": cfg[5],
            "lrs": result.lrs, "losses": result.losses, "num_iter": result.num_iter, "stop_reason": result.stop_reason,
            "grid": grid, "seeds": list(seeds), "accuracy_per_seed": per_seed,
            "accuracy": [float(np.mean(row)) for row in per_seed]}


# ----------------------------------------------------------------------------- the rules

def _ours(rule):
    def suggest(lrs, losses, num_iter):
        from dlnotes.lr_finder import suggest_lrs

        return suggest_lrs(lrs, losses, num_iter)[rule]
    return suggest


def _fastai_trim(lrs, losses, num_iter):
    """fastai suggests from the points after the first tenth of the planned steps, minus the last five."""
    lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
    return lrs[num_iter // 10: -5], losses[num_iter // 10: -5]


def fastai_valley(lrs, losses, num_iter):
    """The longest decreasing run; a point half-way between a third and a half along it (in steps)."""
    lrs, losses = _fastai_trim(lrs, losses, num_iter)
    n = len(losses)
    best = [1] * n
    end = start = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and best[i] < best[j] + 1:
                best[i] = best[j] + 1
            if best[end] < best[i]:
                end, start = i, i - best[i]
    third = (end - start) / 3
    return float(lrs[max(0, start + int(third) + int(third / 2))])


def fastai_slide(lrs, losses, num_iter, lr_diff: int = 15, thresh: float = 0.005):
    """Walk left from the end until the loss gradient 15 steps apart differs by less than 0.005."""
    lrs, losses = _fastai_trim(lrs, losses, num_iter)
    grad = np.gradient(losses)
    right, left = -1, -1 - lr_diff
    found = lrs[left]
    while left >= -len(losses) and abs(grad[right] - grad[left]) > thresh:
        found = lrs[left]
        right, left = right - 1, left - 1
    return float(found)


def fastai_steep(lrs, losses, num_iter):
    lrs, losses = _fastai_trim(lrs, losses, num_iter)
    grads = (losses[1:] - losses[:-1]) / (np.log(lrs[1:]) - np.log(lrs[:-1]))
    return float(lrs[int(np.argmin(grads))])


def fastai_minimum(lrs, losses, num_iter):
    lrs, losses = _fastai_trim(lrs, losses, num_iter)
    return float(lrs[int(np.argmin(losses))] / 10)


RULES = {
    "valley (ours, default)": _ours("valley"), "steep (ours)": _ours("steep"), "minimum (ours)": _ours("minimum"),
    "fastai valley": fastai_valley, "fastai slide": fastai_slide, "fastai steep": fastai_steep,
    "fastai minimum/10": fastai_minimum,
}
assert valley and steep and minimum  # the rules `_ours` applies, through suggest_lrs


def accuracy_at(lr: float, grid: list[float], accs: list[float]) -> float:
    """The grid's accuracy interpolated linearly in log10(lr) (the end value outside the grid)."""
    return float(np.interp(np.log10(lr), np.log10(grid), accs))


def checks(runs: list[dict]) -> dict:
    """Per configuration: where the grid's best point is, and how much the seeds disagree (pp)."""
    out = {}
    for r in runs:
        acc = r["accuracy"]
        best = int(np.argmax(acc))
        spread = [100 * (max(row) - min(row)) for row in r.get("accuracy_per_seed", [[a] for a in acc])]
        bumps = [100 * (acc[i] - acc[i + 1]) for i in range(len(acc) - 1) if i + 1 <= best] + \
                [100 * (acc[i + 1] - acc[i]) for i in range(len(acc) - 1) if i >= best]
        out[r["config"]] = {"best_lr": r["grid"][best], "best_at_edge": best in (0, len(acc) - 1),
                            "seed_spread_max": max(spread), "seed_spread_median": statistics.median(spread),
                            "worst_bump": max([0.0, *bumps])}  # > 0: the grid is not unimodal
    print(f"\n{'configuration':<34} {'role':<6} {'best lr':>8} {'edge':>5} {'seed spread max/median (pp)':>28} {'bump (pp)':>9}")
    for r in runs:
        c = out[r["config"]]
        print(f"{r['config']:<34} {r['role']:<6} {c['best_lr']:>8.3g} {'yes' if c['best_at_edge'] else 'no':>5} "
              f"{c['seed_spread_max']:>15.2f} / {c['seed_spread_median']:<10.2f} {c['worst_bump']:>9.2f}")
    return out


def table(runs: list[dict]) -> dict:
    import warnings

    out = {}
    print(f"\n{'rule':<24} {'tune: worst':>11} {'median':>7} | {'report: worst':>13} {'median':>7} | per configuration (gap, pp)")
    for name, rule in RULES.items():
        gaps = {}
        for r in runs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lr = rule(r["lrs"], r["losses"], r["num_iter"])
            gaps[r["config"]] = (lr, 100 * (max(r["accuracy"]) - accuracy_at(lr, r["grid"], r["accuracy"])))
        row = {"gaps": {k: v[1] for k, v in gaps.items()}, "lrs": {k: v[0] for k, v in gaps.items()},
               "outside_grid": [r["config"] for r in runs if not r["grid"][0] <= gaps[r["config"]][0] <= r["grid"][-1]]}
        for role in ("tune", "report"):
            g = [gaps[r["config"]][1] for r in runs if r["role"] == role]
            row[role] = {"worst": max(g), "median": statistics.median(g)} if g else None
        out[name] = row
        cell = lambda role, row=row: (f"{row[role]['worst']:>5.2f} {row[role]['median']:>7.2f}" if row[role] else "  -")  # noqa: E731
        print(f"{name:<24} {cell('tune'):>19} | {cell('report'):>21} | "
              + ", ".join(f"{v[1]:.2f}" + ("*" if k in row["outside_grid"] else "") for k, v in gaps.items()))
    print("(* the suggestion lies outside the configuration's grid: its gap is only a lower bound)")
    rep = out["valley (ours, default)"]["report"]
    if rep:
        met = rep["worst"] <= TARGET_WORST and rep["median"] <= TARGET_MEDIAN
        print(f"\ntarget on the report configurations: default worst gap <= {TARGET_WORST} pp (got {rep['worst']:.2f}), "
              f"median <= {TARGET_MEDIAN} pp (got {rep['median']:.2f}): {'met' if met else 'MISSED'}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", action="store_true", help="only recompute the table from the saved curves and grids")
    parser.add_argument("--configs", nargs="*", type=int, help="indices of the configurations to measure (default: all)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default: 1)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help=f"seeds per grid point (default: {len(SEEDS)})")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    record = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {"runs": []}
    if not args.rules:
        done = {r["config"]: r for r in record["runs"]}
        order = [c[0] for c in CONFIGS]
        for i, cfg in enumerate(CONFIGS):
            if args.configs is None or i in args.configs:
                done[cfg[0]] = measure(cfg, seeds=tuple(range(args.seeds)))
                record = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                          "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                                     f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)",
                          "command": "python benchmarks/lr_suggestions.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                          "runs": sorted(done.values(), key=lambda r: order.index(r["config"]) if r["config"] in order else 99)}
                save(record)  # after every configuration: an interrupted run keeps what it measured
    record["target"] = {"worst": TARGET_WORST, "median": TARGET_MEDIAN}
    record["checks"] = checks(record["runs"])
    record["table"] = table(record["runs"])
    save(record)
    print(f"results written to {RESULTS}")
    return 0


def save(record: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_name(f".{RESULTS.name}.tmp")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(tmp, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
