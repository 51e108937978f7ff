"""What the exercises add to the site build: the time to run their code, as the build runs it.

The build runs, for each exercise, its solution and check (``code``) or its program (``predict``)
in one Python process, the way markdown-exec runs a page's blocks. This script does the same
(in this process, after the imports a build has done anyway), page by page, and prints the time
per page and in total.

    python benchmarks/exercises.py
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

import dlnotes  # noqa: E402, F401
from dlnotes._site_exercises import by_page  # noqa: E402


def programs(ex) -> list[str]:
    if ex.kind == "code":
        return [ex.sections["solution"], ex.sections["check"]]
    if ex.kind == "predict":
        return [ex.sections["starter"]] + ([ex.sections["check"]] if "check" in ex.sections else [])
    return []


def main() -> int:
    rows, total = [], 0.0
    for page, items in by_page().items():
        start = time.perf_counter()
        for ex in items:
            namespace = {"__name__": "__main__"}
            for code in programs(ex):
                exec(compile(code, str(ex.path), "exec"), namespace)  # noqa: S102
            plt.close("all")
        seconds = time.perf_counter() - start
        total += seconds
        rows.append((page, len(items), sum(bool(programs(ex)) for ex in items), seconds))
    print(f"# Exercises: build-time cost of running their code ({datetime.date.today()})")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; command: python {' '.join(sys.argv)}")
    print()
    print("| page | exercises | run at build | seconds |")
    print("| --- | ---: | ---: | ---: |")
    for page, n, run, seconds in rows:
        print(f"| {page} | {n} | {run} | {seconds:.2f} |")
    print(f"| **all** | {sum(r[1] for r in rows)} | {sum(r[2] for r in rows)} | {total:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
