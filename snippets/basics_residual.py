"""Why residual connections: the gradient reaching the first layer of a deep stack, with and without them."""

import torch
from torch import nn

torch.manual_seed(0)
depth, width = 50, 64


class Block(nn.Module):
    def __init__(self, residual):
        super().__init__()
        self.linear, self.residual = nn.Linear(width, width), residual

    def forward(self, x):
        out = torch.tanh(self.linear(x))
        return x + out if self.residual else out  # the shortcut: add the block's input back


x = torch.randn(32, width)
print("network                      gradient size at layer 1   at layer 50")
for residual in (False, True):
    torch.manual_seed(0)                         # the same weights in both networks
    net = nn.Sequential(*[Block(residual) for _ in range(depth)])
    net(x).pow(2).mean().backward()
    first, last = net[0].linear.weight.grad.norm().item(), net[-1].linear.weight.grad.norm().item()
    name = f"{depth} layers, {'with' if residual else 'no'} shortcuts"
    print(f"{name:28s} {first:24.2e} {last:13.2e}")
    if residual:
        assert 0.1 < first / last < 10   # shortcuts carry the gradient back to the first layer
    else:
        assert first / last < 1e-6       # without them it all but vanishes on the way
