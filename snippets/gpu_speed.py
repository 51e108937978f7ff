"""Is the GPU you were given actually faster? Time the same matrix product on the CPU and on it."""
# output: varies

import time

import torch


def matmul_gflops(device, n=2048, repeats=5):
    """Billions of floating-point operations per second for an n x n float32 matrix product."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b                                       # warm-up: the first call pays one-off costs
    if device.type == "cuda":
        torch.cuda.synchronize()                # GPU work is asynchronous: wait before timing
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()
    seconds = (time.perf_counter() - start) / repeats
    return 2 * n**3 / seconds / 1e9


cpu = matmul_gflops(torch.device("cpu"))
print(f"cpu : {cpu:10,.0f} GFLOP/s")
if torch.cuda.is_available() or torch.backends.mps.is_available():
    gpu_device = torch.device("cuda" if torch.cuda.is_available() else "mps")
    gpu = matmul_gflops(gpu_device, repeats=50)
    print(f"{gpu_device.type:4s}: {gpu:10,.0f} GFLOP/s, {gpu / cpu:.0f} times the CPU")
else:
    print("no GPU usable here: only the CPU figure")
