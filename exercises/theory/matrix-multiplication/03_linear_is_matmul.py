"""nn.Linear is one matrix product

difficulty: medium
kind: code

`nn.Linear(784, 10)` holds a weight of shape (10, 784) and a bias of 10. Compute its output on a
batch of 64 flattened images yourself, with one matrix product and the bias, and count the
multiply-adds it takes.

Answer:
`x @ layer.weight.T + layer.bias`: the weight is stored as (out, in), so it is transposed; the
bias (10,) broadcasts over the 64 rows. The product costs 64 · 784 · 10 = 501,760 multiply-adds;
every layer in a network has a count like this, and they add up to the network's cost.
"""

# --8<-- [start:starter]
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Linear(784, 10)
x = torch.randn(64, 784)  # 64 flattened 28×28 images

mine = torch.zeros(64, 10)  # TODO: one matrix product with layer.weight, plus layer.bias
macs = 0  # TODO: how many multiply-adds does that product take?
print("shape:", tuple(mine.shape), " multiply-adds:", f"{macs:,}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Linear(784, 10)
x = torch.randn(64, 784)  # 64 flattened 28×28 images

mine = x @ layer.weight.T + layer.bias  # (64, 784) @ (784, 10), plus a bias per output
macs = 64 * 784 * 10  # n · k · m
print("shape:", tuple(mine.shape), " multiply-adds:", f"{macs:,}")
# --8<-- [end:solution]

# --8<-- [start:check]
with torch.no_grad():
    assert torch.allclose(mine, layer(x), atol=1e-5), "your product differs from layer(x)"
assert macs == x.shape[0] * layer.in_features * layer.out_features, f"{macs:,} multiply-adds is not n · k · m"
print("check passed: nn.Linear is x @ W.T + b")
# --8<-- [end:check]
