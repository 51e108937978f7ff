"""How fast can this machine multiply matrices? Measured now, set against published GPU figures."""
# output: varies

import platform
import time

import matplotlib.pyplot as plt
import torch


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def matmul_gflops(n=1024, repeats=5, device="cpu", dtype=torch.float32):
    """Best of ``repeats`` timings of one n×n by n×n product: 2·n³ floating-point operations."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b  # warm up (first call allocates, loads kernels)
    best = float("inf")
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


measured = matmul_gflops()
print(f"this machine: {cpu_name()}, {torch.get_num_threads()} threads, torch {torch.__version__}")
print(f"float32 matmul, 1024 x 1024: {measured:,.0f} GFLOP/s")
if torch.cuda.is_available():
    print(f"GPU {torch.cuda.get_device_name()}: {matmul_gflops(4096, device='cuda'):,.0f} GFLOP/s (float32)")

# Peak figures from NVIDIA's data sheets (dense, no sparsity), in GFLOP/s; links on the page.
published = {
    "NVIDIA T4 (free Colab/Kaggle tier), FP32": 8_100,
    "NVIDIA T4, FP16 tensor cores": 65_000,
    "NVIDIA A100, FP32": 19_500,
    "NVIDIA A100, BF16 tensor cores": 312_000,
    "NVIDIA H100 SXM, FP32": 67_000,
    "NVIDIA H100 SXM, BF16 tensor cores": 989_000,
}
print(f"\n{'published peak':40s} {'GFLOP/s':>10s} {'x this machine':>15s}")
for name, gflops in published.items():
    print(f"{name:40s} {gflops:10,d} {gflops / measured:15,.0f}")

fig, ax = plt.subplots(figsize=(8, 3.5))
names = ["this machine (measured)", *published]
values = [measured, *published.values()]
ax.barh(names, values, color=["tab:orange"] + ["tab:blue"] * len(published))
ax.set_xscale("log")
ax.invert_yaxis()
ax.set_xlabel("GFLOP/s (log scale)")
ax.set_title("Matrix-multiply speed: this CPU against published GPU peaks")
plt.show()
