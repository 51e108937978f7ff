"""torch.nn: layers that hold their own parameters, and containers that stack them."""

import torch
from torch import nn

model = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1),   # 8 filters of 1×3×3, plus 8 biases
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(8 * 14 * 14, 10),
)
for name, p in model.named_parameters():
    print(f"{name:10s} {tuple(p.shape)}")
print("parameters:", sum(p.numel() for p in model.parameters()))
print("output for a batch of 5 images:", tuple(model(torch.randn(5, 1, 28, 28)).shape))
