"""Benchmark: ``dlnotes.conv2d`` and ``conv2d_naive`` against ``torch.nn.functional.conv2d`` on the CPU.

Layer shapes, batch 64, float32, NCHW:

* the three convolutions of ``dlnotes.models.small_cnn`` (28×28 Fashion-MNIST images, width 16);
* a ResNet stage: ResNet-18's ``layer2`` on 224×224 images (the stride-2 3×3 convolution that
  enters the stage, a 3×3 convolution inside it, and the stride-2 1×1 shortcut).

For each layer: the forward pass (under ``torch.no_grad``) and forward + backward (gradients of
the input and the weight), each the best of several runs, the three implementations interleaved
so that a change in machine load hits them alike. The table prints milliseconds and the ratio
time / time of ``F.conv2d`` (lower is better; 1.00 is as fast as PyTorch).

Targets: every layer within 1.5× of ``F.conv2d``, forward and forward + backward, with one
thread and with two; the geometric mean over the layers at most 1.2×. A profile of the two
small layers says where ``conv2d``'s time goes (by PyTorch operation).
``conv2d_naive`` (one Python step per output pixel) is measured forward only, on the small-CNN
layers; on the ResNet layers it would take minutes.

Run ``python benchmarks/conv.py`` (a few minutes on 2 cores; writes benchmarks/results/conv.json),
``--quick`` (batch 16, fewer runs), ``--threads 1 2`` for the thread counts; ``--check`` exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from dlnotes.conv import conv2d, conv2d_naive

# (name, C_in, H=W, C_out, kernel, stride, padding, naive?)
LAYERS = [
    ("small CNN block1 1->16 @28", 1, 28, 16, 3, 1, 1, True),
    ("small CNN block2 16->32 @14", 16, 14, 32, 3, 1, 1, True),
    ("small CNN block3 32->64 @7", 32, 7, 64, 3, 1, 1, True),
    ("ResNet-18 layer2 3x3 s2 64->128 @56", 64, 56, 128, 3, 2, 1, False),
    ("ResNet-18 layer2 3x3 128->128 @28", 128, 28, 128, 3, 1, 1, False),
    ("ResNet-18 layer2 1x1 s2 64->128 @56", 64, 56, 128, 1, 2, 0, False),
]
TARGET = 1.5  # every layer, forward and forward + backward
TARGET_GEO = 1.2  # the geometric mean over the layers


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.platform()} | {cpu} | {os.cpu_count()} logical CPUs | torch {torch.__version__}"


def best_times(fns: dict, repeats: int) -> dict:
    """Best wall time of each function, running them round-robin ``repeats`` times (after a warm-up)."""
    for fn in fns.values():
        fn()
    times = {name: math.inf for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name] = min(times[name], time.perf_counter() - start)
    return times


def forward(impl, x, w, stride, padding):
    def run():
        with torch.no_grad():
            impl(x, w, stride=stride, padding=padding)

    return run


def forward_backward(impl, x, w, stride, padding):
    x, w = x.clone().requires_grad_(), w.clone().requires_grad_()

    def run():
        out = impl(x, w, stride=stride, padding=padding)
        torch.autograd.grad(out, (x, w), torch.ones_like(out))

    return run


def geo(ratios: list[float]) -> float:
    return math.exp(sum(map(math.log, ratios)) / len(ratios))


def table(batch: int, repeats: int, naive: bool) -> dict:
    """One pass over LAYERS with the current thread count: print the table, return the ratios."""
    print(f"\n{torch.get_num_threads()} thread(s), batch {batch}, float32, best of {repeats} runs; "
          f"ratio = time / time of F.conv2d\n")
    header = f"{'layer':38s} | {'F.conv2d fwd':>12s} {'ours':>6s} {'naive':>7s} | {'F.conv2d f+b':>12s} {'ours':>6s}"
    print(header)
    print("-" * len(header))
    torch.manual_seed(0)
    rows = []
    for name, c_in, size, c_out, k, stride, padding, with_naive in LAYERS:
        x = torch.randn(batch, c_in, size, size)
        w = torch.randn(c_out, c_in, k, k) * (2 / (c_in * k * k)) ** 0.5
        impls = {"torch": F.conv2d, "ours": conv2d}
        if with_naive and naive:
            impls["naive"] = conv2d_naive
        fwd = best_times({n: forward(f, x, w, stride, padding) for n, f in impls.items()}, repeats)
        fb = best_times({n: forward_backward(f, x, w, stride, padding) for n, f in impls.items() if n != "naive"}, repeats)
        rows.append({"layer": name, "torch_fwd_ms": fwd["torch"] * 1e3, "fwd_ratio": fwd["ours"] / fwd["torch"],
                     "torch_fb_ms": fb["torch"] * 1e3, "fb_ratio": fb["ours"] / fb["torch"]})
        nv = f"{fwd['naive'] / fwd['torch']:6.1f}x" if "naive" in fwd else f"{'-':>7s}"
        print(f"{name:38s} | {fwd['torch'] * 1e3:10.2f}ms {rows[-1]['fwd_ratio']:5.2f}x {nv} | "
              f"{fb['torch'] * 1e3:10.2f}ms {rows[-1]['fb_ratio']:5.2f}x", flush=True)
    g_f, g_b = geo([r["fwd_ratio"] for r in rows]), geo([r["fb_ratio"] for r in rows])
    print("-" * len(header))
    print(f"{'geometric mean':38s} | {'':>12s} {g_f:5.2f}x {'':>7s} | {'':>12s} {g_b:5.2f}x")
    worst = max(max(r["fwd_ratio"], r["fb_ratio"]) for r in rows)
    met = worst <= TARGET and max(g_f, g_b) <= TARGET_GEO
    print(f"targets: every layer within {TARGET}x (worst {worst:.2f}x), geometric means <= {TARGET_GEO}x "
          f"(forward {g_f:.2f}x, forward+backward {g_b:.2f}x): {'met' if met else 'MISSED'}")
    return {"threads": torch.get_num_threads(), "batch": batch, "layers": rows, "geo_fwd": g_f, "geo_fb": g_b,
            "worst": worst, "met": met}


def profile(batch: int) -> list[dict]:
    """Where conv2d's time goes on the small layers: forward + backward, by PyTorch operation."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    out = []
    for name, c_in, size, c_out, k, stride, padding, _ in LAYERS[1:3]:
        x = torch.randn(batch, c_in, size, size, requires_grad=True)
        w = torch.randn(c_out, c_in, k, k, requires_grad=True)
        run = forward_backward(conv2d, x.detach(), w.detach(), stride, padding)
        run()
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(5):
                run()
        events = [e for e in prof.key_averages() if e.key.startswith("aten::")]
        total = sum(e.self_cpu_time_total for e in events)
        top = sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[:6]
        parts = [{"op": e.key, "share": e.self_cpu_time_total / total, "calls": e.count // 5} for e in top]
        print(f"\nwhere conv2d's forward + backward time goes, {name}, batch {batch}, "
              f"{torch.get_num_threads()} thread(s) (self time by PyTorch operation):")
        for p in parts:
            print(f"  {p['op']:<24s} {p['share']:6.1%}  ({p['calls']} calls per forward + backward)")
        out.append({"layer": name, "threads": torch.get_num_threads(), "parts": parts})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 16 and fewer runs")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to measure (default: 1 2)")
    parser.add_argument("--no-naive", action="store_true", help="skip conv2d_naive (the slow part)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every target is met")
    parser.add_argument("--save", metavar="PATH", default=str(Path(__file__).parent / "results" / "conv.json"),
                        help="where to write the figures as JSON (default: benchmarks/results/conv.json; '' not at all)")
    args = parser.parse_args(argv)
    batch, repeats = (16, 3) if args.quick else (64, 5)
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/conv.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    record = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
              "torch": torch.__version__, "cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0],
              "target": TARGET, "target_geo": TARGET_GEO, "tables": [], "profile": []}
    for threads in args.threads:
        torch.set_num_threads(threads)
        record["tables"].append(table(batch, repeats, naive=not args.no_naive))
    for threads in args.threads:
        torch.set_num_threads(threads)
        record["profile"] += profile(batch)
    record["load_average_after"] = os.getloadavg()[0]
    met = all(t["met"] for t in record["tables"])
    print(f"\nall targets ({', '.join(map(str, args.threads))} thread(s)): {'met' if met else 'MISSED'}")
    if args.save:
        path = Path(args.save)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        print(f"results written to {path}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
