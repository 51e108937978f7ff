"""torch.nn.functional: the same operations as functions, with no parameters of their own."""

import torch
import torch.nn.functional as F
from torch import nn

x = torch.tensor([[-1.0, 0.5, 2.0]])
print("F.relu   :", F.relu(x).tolist(), "= nn.ReLU():", nn.ReLU()(x).tolist())
print("F.softmax:", [round(p, 3) for p in F.softmax(x, dim=1)[0].tolist()])
print("F.cross_entropy:", round(F.cross_entropy(x, torch.tensor([2])).item(), 4))

image, kernel = torch.randn(1, 1, 5, 5), torch.ones(1, 1, 3, 3) / 9  # you pass the weights yourself
print("F.conv2d with a 3x3 blur:", tuple(F.conv2d(image, kernel).shape))
