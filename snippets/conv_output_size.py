"""The output-size formula on the layers of real networks, checked against PyTorch's conv2d."""

import torch
import torch.nn.functional as F

from dlnotes.conv import conv_output_size

layers = [  # (where it comes from, input size, kernel, stride, padding, dilation)
    ("3x3, no padding (28x28 MNIST)", 28, 3, 1, 0, 1),
    ("3x3, padding 1 keeps the size", 28, 3, 1, 1, 1),
    ("3x3, stride 2 halves it", 28, 3, 2, 1, 1),
    ("ResNet stem: 7x7, stride 2", 224, 7, 2, 3, 1),
    ("5x5, padding 2, stride 2", 28, 5, 2, 2, 1),
    ("3x3 dilated by 2", 28, 3, 1, 0, 2),
]
for name, size, k, s, p, d in layers:
    ours = conv_output_size(size, k, stride=s, padding=p, dilation=d)
    torch_size = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]
    formula = f"({size} + 2*{p} - {d}*({k}-1) - 1) // {s} + 1"
    floored = (size + 2 * p - d * (k - 1) - 1) % s != 0  # the division leaves a remainder
    print(f"{name:31s} {formula:24s} = {ours:3d}   (torch: {torch_size}){'   floor used' if floored else ''}")
