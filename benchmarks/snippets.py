"""Benchmark: how long each snippet takes to run on its own, against the 30-second budget.

A reader pastes a snippet into a fresh ``python``; it should finish in seconds, and every page
build runs them all. The test suite only checks that each snippet runs (a timed test fails at
random on a busy machine), so the budget is checked here: each snippet runs in a fresh process,
one at a time, and the table gives wall-clock and CPU seconds (the CPU time of the process,
which a busy machine inflates much less than the wall clock). The reference is the cost of a
fresh ``python -c "import torch, dlnotes.data"``, which every snippet pays.

Run ``python benchmarks/snippets.py`` (a few minutes), ``--only NAME...`` for some snippets,
``--check`` to exit 1 when a snippet's CPU time is over the budget.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 30.0


def run(args: list[str], cwd: Path) -> tuple[int, float, float]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, timeout=900)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc.returncode, wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="snippet file names (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a snippet's CPU time is over the budget")
    args = parser.parse_args()
    files = sorted((ROOT / "snippets").glob("*.py"))
    if args.only:
        files = [f for f in files if f.name in args.only or f.stem in args.only]
    _, base_wall, base_cpu = run(["-c", "import torch, dlnotes.data"], ROOT)
    print(f"# snippets: time per fresh run ({datetime.date.today()}, {platform.node()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; `python benchmarks/snippets.py`)")
    print(f"baseline: python -c 'import torch, dlnotes.data': {base_wall:.1f} s wall, {base_cpu:.1f} s CPU\n")
    print(f"| snippet | wall s | CPU s | CPU / baseline | within {BUDGET_S:.0f} s |")
    print("|---|---:|---:|---:|---|")
    over = []
    for f in files:
        code, wall, cpu = run([str(f)], f.parent)
        ok = code == 0 and cpu < BUDGET_S
        if not ok:
            over.append(f.name)
        status = "yes" if ok else ("FAILED" if code else "no")
        print(f"| {f.name} | {wall:.1f} | {cpu:.1f} | {cpu / base_cpu:.1f}× | {status} |", flush=True)
    if over:
        print(f"\nover the budget or failing: {', '.join(over)}")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
