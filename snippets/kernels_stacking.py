"""Two kernels in a row are one bigger kernel; with a ReLU between them they are not."""

import torch
import torch.nn.functional as F

from dlnotes import conv2d
from dlnotes.kernels import KERNELS

torch.manual_seed(0)
x = torch.rand(1, 1, 32, 32)
blur = KERNELS["gaussian_blur"].view(1, 1, 3, 3)
edge = KERNELS["right"].view(1, 1, 3, 3)

# The two-step pipeline: blur, then detect edges (no padding, so nothing depends on borders).
two_steps = conv2d(conv2d(x, blur), edge)

# The single 5x5 kernel that does both: slide one kernel over the other (a full convolution).
combined = conv2d(F.pad(blur, (2, 2, 2, 2)), edge.flip(2, 3))
one_step = conv2d(x, combined)
print("combined 5x5 kernel:\n", combined[0, 0])
print("blur then edge == one 5x5 kernel:", torch.allclose(two_steps, one_step, atol=1e-5))

# Linear: doubling the input doubles the output, and the output of a sum is the sum of outputs.
y = torch.rand(1, 1, 32, 32)
stack = lambda img: conv2d(conv2d(img, blur), edge)  # noqa: E731
print("linear stack: f(x + y) == f(x) + f(y):", torch.allclose(stack(x + y), stack(x) + stack(y), atol=1e-5))

# A ReLU in between breaks this: no single kernel reproduces the pipeline any more.
with_relu = lambda img: conv2d(torch.relu(conv2d(img, edge)), blur)  # noqa: E731
print("with a ReLU:  f(x + y) == f(x) + f(y):", torch.allclose(with_relu(x + y), with_relu(x) + with_relu(y), atol=1e-5))
