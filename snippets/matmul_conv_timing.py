"""Our conv2d (im2col + matrix multiplies) against PyTorch's own convolution, timed on this machine."""
# output: varies

import platform
import time

import torch
import torch.nn.functional as F

from dlnotes import conv2d


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def best_times(fns: dict, repeats: int = 7) -> dict:
    """Best time of each function, run in turns so that a busy moment hits them alike."""
    for fn in fns.values():
        fn()  # warm up
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


print(f"machine: {platform.platform()} | {cpu_name()} | torch {torch.__version__}, "
      f"{torch.get_num_threads()} threads")  # fmt: skip
torch.manual_seed(0)
layers = [  # (name, input shape, weight shape, stride, padding)
    ("small CNN conv2", (16, 32, 14, 14), (64, 32, 3, 3), 1, 1),
    ("ResNet 3x3, 64 ch", (16, 64, 28, 28), (64, 64, 3, 3), 1, 1),
    ("ResNet 3x3 stride 2", (16, 64, 28, 28), (128, 64, 3, 3), 2, 1),
    ("ResNet 1x1 shortcut", (16, 64, 28, 28), (128, 64, 1, 1), 2, 0),
]
print(f"{'layer (batch 16)':22s} {'F.conv2d':>9s} {'ours':>9s} {'ratio':>6s}")
with torch.no_grad():
    for name, x_shape, w_shape, stride, padding in layers:
        x, w = torch.randn(x_shape), torch.randn(w_shape)
        t = best_times({
            "theirs": lambda: F.conv2d(x, w, stride=stride, padding=padding),  # noqa: B023
            "ours": lambda: conv2d(x, w, stride=stride, padding=padding),  # noqa: B023
        })  # fmt: skip
        print(f"{name:22s} {t['theirs'] * 1e3:7.2f}ms {t['ours'] * 1e3:7.2f}ms {t['ours'] / t['theirs']:5.2f}x")
