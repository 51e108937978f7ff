"""The figures of benchmarks/lr_suggestions.py, read from the JSON file its last run wrote.

Run from the repository root (or snippets/). To measure on your machine:
    python benchmarks/lr_suggestions.py      (it writes benchmarks/results/lr_suggestions.json)
"""

import json
from pathlib import Path

name = "benchmarks/results/lr_suggestions.json"
path = next((p for p in (Path(name), Path("..") / name) if p.is_file()), None)
if path is None:
    print(f"no results yet: run python benchmarks/lr_suggestions.py (it writes {name})")
else:
    r = json.loads(path.read_text())
    runs, table, checks = r["runs"], r["table"], r["checks"]
    seeds = len(runs[0]["seeds"])
    print(f"measured {r['date']} on {r['machine']}")
    print(f"command: {r['command'].strip()}")
    print(f"each configuration: one range test ({runs[0]['num_iter']} steps), then fit_one_cycle(2, lr) "
          f"at the 7 rates of its grid, {seeds} seed(s) each\n")
    print(f"    {'configuration':<32} {'role':<6} {'grid':>15} {'best lr':>8} {'accuracy':>9} {'seeds differ by':>16}")
    for i, run in enumerate(runs, 1):
        c = checks[run["config"]]
        grid = f"{run['grid'][0]:.2g} to {run['grid'][-1]:.2g}"
        edge = " (edge)" if c["best_at_edge"] else ""
        print(f"{i:>2}. {run['config']:<32} {run['role']:<6} {grid:>15} {c['best_lr']:>8.3g} "
              f"{max(run['accuracy']):>9.2%} {c['seed_spread_median']:>8.2f} pp{edge}")
    print("(seeds differ by: the median over the grid of the gap between the seeds' accuracies)")

    print("\ngap to the best grid point, in percentage points (accuracy interpolated in log lr at the suggestion)")
    print(f"{'rule':<24} {'tune: worst':>11} {'median':>7}   {'report: worst':>13} {'median':>7}")
    for rule, row in table.items():
        print(f"{rule:<24} {row['tune']['worst']:>11.2f} {row['tune']['median']:>7.2f}   "
              f"{row['report']['worst']:>13.2f} {row['report']['median']:>7.2f}")

    print("\nsuggested learning rate, per configuration (numbered as above)")
    print(f"{'rule':<24} " + " ".join(f"{i:>7}" for i in range(1, len(runs) + 1)))
    for rule, row in table.items():
        print(f"{rule:<24} " + " ".join(f"{row['lrs'][run['config']]:>7.2g}" for run in runs))
    outside = sorted({c for row in table.values() for c in row["outside_grid"]})
    print("suggestions outside their configuration's grid: " + (", ".join(outside) if outside else "none"))

    rep = table["valley (ours, default)"]["report"]
    met = rep["worst"] <= r["target"]["worst"] and rep["median"] <= r["target"]["median"]
    print(f"\ntarget for the default on the report configurations: worst gap <= {r['target']['worst']} pp "
          f"(got {rep['worst']:.2f}), median <= {r['target']['median']} pp (got {rep['median']:.2f}): "
          f"{'met' if met else 'missed'}")
