"""A derivative is a slope, not an area: the two numbers for f(x) = x² at x = 3."""

import torch

x = torch.tensor(3.0, requires_grad=True)
(x**2).backward()
h = 1e-3
slope = ((3 + h) ** 2 - (3 - h) ** 2) / (2 * h)     # rise over run, on a tiny interval
grid = torch.linspace(0, 3, 30_001)
area = torch.trapezoid(grid**2, grid).item()        # the area under x² from 0 to 3

print(f"autograd derivative at x=3 : {x.grad.item():.4f}")
print(f"finite-difference slope    : {slope:.4f}")
print(f"area under the curve, 0..3 : {area:.4f}  (a different quantity: the integral)")
