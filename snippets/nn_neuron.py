"""One artificial neuron, by hand and as PyTorch's nn.Linear: a weighted sum, a bias, a non-linearity."""

import torch
from torch import nn

torch.manual_seed(0)
x = torch.tensor([0.5, 1.0, -2.0])          # three inputs

layer = nn.Linear(3, 1)                     # one neuron: 3 weights and 1 bias, randomly initialised
w, b = layer.weight[0], layer.bias[0]

z = (w * x).sum() + b                       # weighted sum plus bias
by_hand = torch.relu(z)                     # through ReLU: max(0, z)
by_torch = torch.relu(layer(x))[0]
print("weights  :", [round(v, 4) for v in w.tolist()], "bias:", round(b.item(), 4))
print("z        :", round(z.item(), 6))
print("by hand  :", round(by_hand.item(), 6))
print("nn.Linear:", round(by_torch.item(), 6))
print("ReLU of a negative z:", torch.relu(-z).item())
