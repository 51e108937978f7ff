"""One filter per channel

difficulty: medium
kind: code

A *depthwise* convolution filters each input channel on its own, with its own 3×3 kernel, as
`apply_kernel` does for the channels of a colour image. Make the layer depthwise (one argument)
so that it has 3 · 9 weights and channel 0 of the output depends only on channel 0 of the input.

Answer:
`groups=3` (as many groups as channels) splits the 3 input channels into 3 sets of one, each
with its own filter: weight shape (3, 1, 3, 3), 27 weights instead of 81. MobileNet and
EfficientNet follow a depthwise 3×3 convolution with a 1×1 convolution that mixes the channels:
together they cost a fraction of a full 3×3 convolution. See
[Channels and groups](#channels-and-groups).
"""

# --8<-- [start:starter]
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Conv2d(3, 3, kernel_size=3, padding=1, bias=False)  # TODO: one filter per input channel
print("weight shape:", tuple(layer.weight.shape), " weights:", layer.weight.numel())

x = torch.randn(1, 3, 8, 8)
x2 = x.clone()
x2[:, 1:] = torch.randn(1, 2, 8, 8)  # change channels 1 and 2 only
with torch.no_grad():
    change = (layer(x)[0, 0] - layer(x2)[0, 0]).abs().max().item()
print("output channel 0 changed by", round(change, 4))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Conv2d(3, 3, kernel_size=3, padding=1, bias=False, groups=3)  # 3 groups of 1 channel
print("weight shape:", tuple(layer.weight.shape), " weights:", layer.weight.numel())

x = torch.randn(1, 3, 8, 8)
x2 = x.clone()
x2[:, 1:] = torch.randn(1, 2, 8, 8)  # change channels 1 and 2 only
with torch.no_grad():
    change = (layer(x)[0, 0] - layer(x2)[0, 0]).abs().max().item()
print("output channel 0 changed by", round(change, 4))
# --8<-- [end:solution]

# --8<-- [start:check]
assert layer.weight.numel() == 27, f"{layer.weight.numel()} weights, expected 3 · 3 · 3 = 27"
assert change == 0, "output channel 0 still depends on input channels 1 and 2"
print("check passed: a depthwise convolution")
# --8<-- [end:check]
