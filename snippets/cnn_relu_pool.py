"""Activation and pooling on a small feature map, and why their order does not matter."""

import torch
from torch import nn

torch.manual_seed(0)
fmap = torch.randn(1, 1, 4, 4).round(decimals=1)  # one 4×4 feature map
print("feature map:\n", fmap[0, 0])
relu = nn.ReLU()
print("ReLU keeps positives, zeroes negatives:\n", relu(fmap)[0, 0])
pool = nn.MaxPool2d(2)
print("2×2 max pooling keeps the largest of each 2×2 window:\n", pool(relu(fmap))[0, 0])

# ReLU and max pooling commute: max(relu(a), relu(b)) == relu(max(a, b)).
# Pooling first lets ReLU (and batch norm) work on a quarter of the values.
maps = torch.randn(64, 16, 28, 28)
print("pool(relu(x)) equals relu(pool(x)):", torch.equal(pool(relu(maps)), relu(pool(maps))))
