"""Two linear layers in a row are one linear layer; a ReLU between them is what adds power."""

import torch
from torch import nn

torch.manual_seed(0)
first, second = nn.Linear(4, 8), nn.Linear(8, 3)
x = torch.randn(5, 4)

# second(first(x)) = (x W1ᵀ + b1) W2ᵀ + b2 = x (W2 W1)ᵀ + (W2 b1 + b2): a single linear layer
merged = nn.Linear(4, 3)
with torch.no_grad():
    merged.weight.copy_(second.weight @ first.weight)
    merged.bias.copy_(second.weight @ first.bias + second.bias)
    stacked = second(first(x))
    print("stack of two == one merged layer:", torch.allclose(stacked, merged(x), atol=1e-6))

    # with a ReLU in between no single linear layer can do it: fit the best one by least squares
    big_x = torch.randn(1000, 4)
    target = second(torch.relu(first(big_x)))
    design = torch.cat([big_x, torch.ones(1000, 1)], dim=1)
    solution = torch.linalg.lstsq(design, target).solution
    residual = (design @ solution - target).pow(2).mean().item()
    print(f"with a ReLU between them, the best single linear layer leaves "
          f"{residual / target.var().item():.1%} of the output's variance unexplained")
