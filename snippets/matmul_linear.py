"""A fully connected layer is one matrix product: nn.Linear computes x @ W.T + b."""

import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Linear(784, 128)  # a 28x28 image flattened -> 128 features
x = torch.rand(64, 784)  # a batch of 64 images
by_hand = x @ layer.weight.T + layer.bias
print("weight", tuple(layer.weight.shape), "| input", tuple(x.shape), "| output", tuple(by_hand.shape))
print("nn.Linear == x @ W.T + b:", torch.allclose(layer(x), by_hand, atol=1e-5))
print(f"multiply-adds: 64 * 784 * 128 = {64 * 784 * 128:,}")
