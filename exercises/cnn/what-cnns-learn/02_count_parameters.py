"""Count a layer's parameters

difficulty: easy
kind: code

A convolution layer from 16 to 32 channels with 3×3 kernels: how many weights and biases does it
hold? Write the count as a formula in the channel and kernel sizes (not by asking PyTorch), then
let the check compare it with `numel()`.

Answer:
Each of the 32 filters has a 3×3 kernel for each of the 16 input channels, plus one bias:
32 · (16 · 3 · 3 + 1) = 4,640. The count does not depend on the image size: the same filters
slide over every position. A linear layer from 16·28·28 inputs to 32 outputs would need
401,440 weights: sharing is what makes convolutions cheap in parameters.
"""

# --8<-- [start:starter]
from torch import nn

c_in, c_out, k = 16, 32, 3
layer = nn.Conv2d(c_in, c_out, kernel_size=k)
params = 0  # TODO: a formula in c_in, c_out and k
print("your count:", params)
# --8<-- [end:starter]

# --8<-- [start:solution]
from torch import nn

c_in, c_out, k = 16, 32, 3
layer = nn.Conv2d(c_in, c_out, kernel_size=k)
params = c_out * (c_in * k * k + 1)  # a kernel per input channel, plus a bias, per filter
print("your count:", params)
# --8<-- [end:solution]

# --8<-- [start:check]
actual = sum(p.numel() for p in layer.parameters())
assert params == actual, f"your count is {params:,}; the layer holds {actual:,}"
print(f"check passed: {actual:,} parameters")
# --8<-- [end:check]
