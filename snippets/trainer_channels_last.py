"""channels_last against the default layout: the same convolutions, a different memory order."""
# output: varies

import time

import torch
from torch import nn

from dlnotes import small_cnn

torch.manual_seed(0)
x, y = torch.randn(256, 1, 28, 28), torch.randint(0, 10, (256,))
for layout in (torch.contiguous_format, torch.channels_last):
    model = small_cnn(width=32).to(memory_format=layout)
    opt = torch.optim.AdamW(model.parameters())
    xs = x.contiguous(memory_format=layout)
    times = []
    for _step in range(6):
        start = time.perf_counter()
        nn.functional.cross_entropy(model(xs), y).backward()
        opt.step()
        opt.zero_grad()
        times.append(time.perf_counter() - start)
    name = "channels_last" if layout is torch.channels_last else "NCHW (default)"
    print(f"{name:<15} {1000 * min(times[1:]):6.0f} ms per training step (batch 256, CPU)")
