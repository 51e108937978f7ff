"""Give the network an edge detector

difficulty: medium
kind: code

A first-layer filter is a 3×3 kernel like the ones on [Image kernels](../theory/image-kernels.md).
Overwrite filter 0 of the untrained small CNN's first convolution with the Sobel "right" kernel
(`KERNELS["right"]`), then look at its feature map for a bright square: it should be positive
along the square's left side, negative along its right side, and zero inside.

Answer:
`conv.weight[0, 0] = KERNELS["right"]`, under `torch.no_grad()` since the weight is a trained
parameter. The convolution has no bias (the batch norm after it would cancel one), so a flat
region gives exactly zero: the kernel's weights sum to 0. The network would
compute with this filter like with any learned one; training would then move it from there.
Initialising filters by hand is rarely worth it, but it shows that a learned filter and an image
kernel are the same thing.
"""

# --8<-- [start:starter]
import torch

from dlnotes import small_cnn
from dlnotes.kernels import KERNELS

torch.manual_seed(0)
model = small_cnn()
conv = model.block1[0][0]  # the first nn.Conv2d: 16 filters of 1×3×3
with torch.no_grad():
    pass  # TODO: set filter 0's weights to KERNELS["right"]

square = torch.zeros(1, 1, 12, 12)
square[..., 3:9, 3:9] = 1.0
with torch.no_grad():
    fmap = conv(square)[0, 0]  # feature map of filter 0
print(fmap.round(decimals=2))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import small_cnn
from dlnotes.kernels import KERNELS

torch.manual_seed(0)
model = small_cnn()
conv = model.block1[0][0]  # the first nn.Conv2d: 16 filters of 1×3×3
with torch.no_grad():
    conv.weight[0, 0] = KERNELS["right"]

square = torch.zeros(1, 1, 12, 12)
square[..., 3:9, 3:9] = 1.0
with torch.no_grad():
    fmap = conv(square)[0, 0]  # feature map of filter 0
print(fmap.round(decimals=2))
# --8<-- [end:solution]

# --8<-- [start:check]
assert fmap[4:8, 2:4].min() > 0 and fmap[4:8, 8:10].max() < 0, "expected positive on the left side, negative on the right"
assert fmap[4:8, 4:8].abs().max() < 1e-6 and fmap[0, :].abs().max() < 1e-6, "expected zero inside the square and on the flat background"
print("check passed: filter 0 is a left-to-right edge detector")
# --8<-- [end:check]
