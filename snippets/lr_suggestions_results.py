"""The figures of benchmarks/lr_suggestions.py, read from the JSON file its last run wrote.

Run from the repository root (or snippets/). To measure on your machine:
    python benchmarks/lr_suggestions.py      (it writes benchmarks/results/lr_suggestions.json)
"""
# output: varies

import json
from pathlib import Path

path = next((p for p in (Path("benchmarks/results/lr_suggestions.json"),
                         Path("../benchmarks/results/lr_suggestions.json")) if p.is_file()), None)
if path is None:
    print("no results yet: run python benchmarks/lr_suggestions.py (it writes benchmarks/results/lr_suggestions.json)")
    raise SystemExit(0)
r = json.loads(path.read_text())
print(f"measured {r['date']}, {r['machine']}; command: {r['command'].strip()}")
print("\nconfigurations (each with its own 7-point grid, fit_one_cycle(2, lr), accuracy on held-out images):")
for run in r["runs"]:
    best = max(run["accuracy"])
    print(f"  [{run['role']:<6}] {run['config']:<34} best grid point {best:.4f} "
          f"at lr {run['grid'][run['accuracy'].index(best)]:.3g}")
print("\ngap = best grid accuracy - accuracy at the rule's suggestion, in percentage points")
print(f"{'rule':<24} {'tuned on: worst':>15} {'median':>7} {'reported on: worst':>19} {'median':>7}")
for name, row in r["table"].items():
    cells = "".join(f"{row[k]['worst']:>{w}.2f} {row[k]['median']:>7.2f}" if row[k] else f"{'-':>{w + 8}}"
                    for k, w in (("tune", 15), ("report", 19)))
    print(f"{name:<24} {cells}")
rep = r["table"]["valley (ours, default)"]["report"]
if rep:
    met = rep["worst"] <= 1.0 and rep["median"] <= 0.5
    print(f"\ntarget for the default on the configurations it was not tuned on: worst <= 1 pp, median <= 0.5 pp: "
          f"{'met' if met else 'missed'}")
