"""Convolution is a matrix multiply: build the im2col matrix by hand, then check dlnotes.conv2d against PyTorch."""

import torch
import torch.nn.functional as F

from dlnotes import conv2d

torch.manual_seed(0)
x = torch.randint(0, 10, (1, 1, 4, 4)).float()  # one 4x4 image
w = torch.tensor([[1.0, 0.0], [0.0, -1.0]]).view(1, 1, 2, 2)  # one 2x2 filter

# im2col: every 2x2 window becomes one row (3 x 3 = 9 windows, 4 numbers each).
rows = [x[0, 0, i : i + 2, j : j + 2].flatten() for i in range(3) for j in range(3)]
cols = torch.stack(rows)
print("im2col matrix", tuple(cols.shape), ":\n", cols)
print("filter as a column:", w.flatten())
out = (cols @ w.flatten()).view(3, 3)  # one matrix product computes every output pixel
print("matrix product, reshaped to 3x3:\n", out)
print("same as conv2d:", torch.equal(out, conv2d(x, w)[0, 0]))

# The real thing: a batch, 16 -> 32 channels, stride 2, padding 1, bias, and the gradients.
x = torch.randn(8, 16, 20, 20, requires_grad=True)
w = torch.randn(32, 16, 3, 3, requires_grad=True)
b = torch.randn(32, requires_grad=True)
ours, ref = conv2d(x, w, b, stride=2, padding=1), F.conv2d(x, w, b, stride=2, padding=1)
print("output", tuple(ours.shape), "| max |ours - torch| < 1e-4:", (ours - ref).abs().max().item() < 1e-4)
grads = torch.autograd.grad(ours.mean(), (x, w, b))
ref_grads = torch.autograd.grad(ref.mean(), (x, w, b))
for name, g, r in zip(("input", "weight", "bias"), grads, ref_grads, strict=True):
    print(f"gradient w.r.t. {name:6s} | max |ours - torch| < 1e-4:", (g - r).abs().max().item() < 1e-4)
