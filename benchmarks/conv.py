"""Benchmark: ``dlnotes.conv2d`` and ``conv2d_naive`` against ``torch.nn.functional.conv2d`` on the CPU.

Layer shapes, batch 64, float32, NCHW:

* the three convolutions of ``dlnotes.models.small_cnn`` (28×28 Fashion-MNIST images, width 16);
* a ResNet stage: ResNet-18's ``layer2`` on 224×224 images (the stride-2 3×3 convolution that
  enters the stage, a 3×3 convolution inside it, and the stride-2 1×1 shortcut).

For each layer: the forward pass (under ``torch.no_grad``) and forward + backward (gradients of
the input and the weight), each the best of several runs, the three implementations interleaved
so that a change in machine load hits them alike. The table prints milliseconds and the ratio
time / time of ``F.conv2d`` (lower is better; 1.00 is as fast as PyTorch).

Target: ``conv2d`` within 1.5× of ``F.conv2d`` forward (the geometric mean over the layers).
``conv2d_naive`` (one Python step per output pixel) is measured forward only, on the small-CNN
layers; on the ResNet layers it would take minutes.

Run ``python benchmarks/conv.py`` (a few minutes on 2 cores), ``--quick`` (batch 16,
fewer runs), ``--threads N`` to set PyTorch's thread count; ``--check`` exits 1 when the target
is missed.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time

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
TARGET = 1.5


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.platform()} | {cpu} | torch {torch.__version__}, {torch.get_num_threads()} threads"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 16 and fewer runs")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--check", action="store_true", help=f"exit 1 unless forward within {TARGET}x")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    batch, repeats = (16, 3) if args.quick else (64, 5)
    print(f"machine: {machine()}")
    print(f"batch {batch}, float32, best of {repeats} runs; ratio = time / time of F.conv2d\n")
    header = f"{'layer':38s} | {'F.conv2d fwd':>12s} {'ours':>6s} {'naive':>7s} | {'F.conv2d f+b':>12s} {'ours':>6s}"
    print(header)
    print("-" * len(header))
    torch.manual_seed(0)
    fwd_ratios, fb_ratios = [], []
    for name, c_in, size, c_out, k, stride, padding, with_naive in LAYERS:
        x = torch.randn(batch, c_in, size, size)
        w = torch.randn(c_out, c_in, k, k) * (2 / (c_in * k * k)) ** 0.5
        impls = {"torch": F.conv2d, "ours": conv2d}
        if with_naive:
            impls["naive"] = conv2d_naive
        fwd = best_times({n: forward(f, x, w, stride, padding) for n, f in impls.items()}, repeats)
        fb = best_times({n: forward_backward(f, x, w, stride, padding) for n, f in impls.items() if n != "naive"}, repeats)
        fwd_ratios.append(fwd["ours"] / fwd["torch"])
        fb_ratios.append(fb["ours"] / fb["torch"])
        naive = f"{fwd['naive'] / fwd['torch']:6.1f}x" if with_naive else f"{'-':>7s}"
        print(
            f"{name:38s} | {fwd['torch'] * 1e3:10.2f}ms {fwd_ratios[-1]:5.2f}x {naive} | "
            f"{fb['torch'] * 1e3:10.2f}ms {fb_ratios[-1]:5.2f}x",
            flush=True,
        )
    geo = lambda r: math.exp(sum(map(math.log, r)) / len(r))  # noqa: E731
    print("-" * len(header))
    print(f"{'geometric mean':38s} | {'':>12s} {geo(fwd_ratios):5.2f}x {'':>7s} | {'':>12s} {geo(fb_ratios):5.2f}x")
    met = geo(fwd_ratios) <= TARGET
    print(f"\ntarget: conv2d forward within {TARGET}x of F.conv2d (geometric mean): {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
