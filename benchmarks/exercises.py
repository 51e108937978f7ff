"""What the exercises add to the site build: the time to run their code, as the build runs it.

The build runs, for each exercise, its solution and check (``code``) or its program (``predict``)
in one Python process, the way markdown-exec runs a page's blocks. This script does the same
(in this process, after the imports a build has done anyway), page by page, and prints the wall
and CPU time per page and in total, and the slowest exercises. On a busy machine the wall time
grows with the load, and with several threads so does the CPU time (threads spin while they wait
for each other); ``--threads 1`` measures the work itself.

    python benchmarks/exercises.py [--threads N]
"""

from __future__ import annotations

import contextlib
import datetime
import io
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
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    rows, each = [], []
    for page, items in by_page().items():
        wall = cpu = 0.0
        for ex in items:
            namespace = {"__name__": "__main__"}
            start, start_cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):
                for code in programs(ex):
                    exec(compile(code, str(ex.path), "exec"), namespace)  # noqa: S102
            plt.close("all")
            each.append((time.perf_counter() - start, time.process_time() - start_cpu, f"{page[:-3]}/{ex.path.name}"))
            wall, cpu = wall + each[-1][0], cpu + each[-1][1]
        rows.append((page, len(items), sum(bool(programs(ex)) for ex in items), wall, cpu))
    print(f"# Exercises: build-time cost of running their code ({datetime.date.today()})")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"command: python {' '.join(sys.argv)}")
    print()
    print("| page | exercises | run at build | wall s | CPU s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for page, n, run, wall, cpu in rows:
        print(f"| {page} | {n} | {run} | {wall:.2f} | {cpu:.2f} |")
    print(f"| **all** | {sum(r[1] for r in rows)} | {sum(r[2] for r in rows)} | "
          f"{sum(r[3] for r in rows):.2f} | {sum(r[4] for r in rows):.2f} |")
    print()
    print("slowest: " + ", ".join(f"{name} {wall:.2f} s ({cpu:.2f} CPU s)" for wall, cpu, name in sorted(each, reverse=True)[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
