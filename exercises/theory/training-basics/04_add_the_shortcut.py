"""Add the shortcut

difficulty: medium
kind: code

This 30-layer network trains badly: almost no gradient reaches its first layer. Turn each block
into a residual block, so that it returns its input plus what it computes, and check that the
first layer now gets a gradient of the same order as the last one.
"""

# --8<-- [start:starter]
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width)

    def forward(self, x):
        return torch.tanh(self.linear(x))  # TODO: add the block's input back


torch.manual_seed(0)
net = nn.Sequential(*[Block(32) for _ in range(30)])
net(torch.randn(16, 32)).pow(2).mean().backward()
ratio = net[0].linear.weight.grad.norm() / net[-1].linear.weight.grad.norm()
print(f"gradient at layer 1 / gradient at layer 30: {ratio:.2e}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width)

    def forward(self, x):
        return x + torch.tanh(self.linear(x))  # the shortcut carries x, and the gradient, past the layer


torch.manual_seed(0)
net = nn.Sequential(*[Block(32) for _ in range(30)])
net(torch.randn(16, 32)).pow(2).mean().backward()
ratio = net[0].linear.weight.grad.norm() / net[-1].linear.weight.grad.norm()
print(f"gradient at layer 1 / gradient at layer 30: {ratio:.2e}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert 0.1 < ratio < 10, f"the first layer's gradient is {ratio:.1e} times the last one's"
print("check passed: the gradient reaches the first layer")
# --8<-- [end:check]
