"""Debugging shapes: read PyTorch's error, then print every layer's output shape with a hook."""

import torch
from torch import nn

model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(8 * 28 * 28, 10),                 # the bug: after pooling the image is 14 × 14, not 28 × 28
)
x = torch.randn(4, 1, 28, 28)
try:
    model(x)
except RuntimeError as error:
    print("RuntimeError:", error)


def show_shape(module, inputs, output):
    print(f"{type(module).__name__:10s} {tuple(inputs[0].shape)} -> {tuple(output.shape)}")


for layer in model[:-1]:                        # every layer before the failing one
    layer.register_forward_hook(show_shape)
features = model[:-1](x)
print("so the Linear layer needs in_features =", features.shape[1])
