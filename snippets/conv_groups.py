"""Channels and groups: the weight shape, the parameter count, and what groups=2 means."""

import torch
import torch.nn.functional as F

from dlnotes import conv2d

torch.manual_seed(0)
x = torch.randn(8, 6, 16, 16)  # a batch of 8 images with 6 channels
for groups in (1, 2, 6):
    weight = torch.randn(12, 6 // groups, 3, 3)  # 12 filters, each sees 6/groups channels
    out = conv2d(x, weight, padding=1, groups=groups)
    diff = (out - F.conv2d(x, weight, padding=1, groups=groups)).abs().max().item()
    print(f"groups={groups}: weight {tuple(weight.shape)}, {weight.numel():4d} weights, "
          f"output {tuple(out.shape)}, matches F.conv2d: {diff < 1e-4}")  # fmt: skip

# groups=2 is two independent convolutions side by side: channels 0-2 -> filters 0-5, 3-5 -> 6-11.
weight = torch.randn(12, 3, 3, 3)
grouped = conv2d(x, weight, padding=1, groups=2)
halves = torch.cat([conv2d(x[:, :3], weight[:6], padding=1), conv2d(x[:, 3:], weight[6:], padding=1)], dim=1)
print("groups=2 equals two separate convolutions:", torch.allclose(grouped, halves, atol=1e-5))
