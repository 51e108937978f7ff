"""Keep the size

difficulty: easy
kind: code

A 5×5 convolution shrinks a 28×28 image to 24×24. Choose the padding so that the output stays
28×28 (stride 1), without using `padding="same"`.

Answer:
A k-tap kernel needs (k − 1) / 2 pixels of padding on each side to keep the size at stride 1:
1 for 3×3, 2 for 5×5, 3 for 7×7. That is what `padding="same"` computes for odd kernels.
"""

# --8<-- [start:starter]
import torch

from dlnotes import conv2d

x = torch.randn(1, 1, 28, 28)
weight = torch.randn(4, 1, 5, 5)
padding = 0  # TODO: the padding that keeps 28×28
out = conv2d(x, weight, padding=padding)
print("output:", tuple(out.shape))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import conv2d

x = torch.randn(1, 1, 28, 28)
weight = torch.randn(4, 1, 5, 5)
padding = 2  # (k - 1) / 2 on each side
out = conv2d(x, weight, padding=padding)
print("output:", tuple(out.shape))
# --8<-- [end:solution]

# --8<-- [start:check]
assert tuple(out.shape) == (1, 4, 28, 28), f"output {tuple(out.shape)}, expected (1, 4, 28, 28)"
assert isinstance(padding, int), 'choose a number, not "same"'
print("check passed: 28×28 in, 28×28 out")
# --8<-- [end:check]
