"""Autograd and the dynamic graph: the graph is recorded as the code runs."""

import torch

x = torch.tensor(2.0, requires_grad=True)
y = x**3 + 2 * x          # the graph is built while this line runs
y.backward()              # dy/dx = 3x² + 2 = 14 at x = 2
print("y      =", y.item())
print("dy/dx  =", x.grad.item())
print("grad_fn:", type(y.grad_fn).__name__)


def f(x):
    # ordinary Python control flow decides the graph, run by run
    return x * 2 if x.sum() > 0 else -x


for start in (1.0, -1.0):
    v = torch.tensor([start, start], requires_grad=True)
    f(v).sum().backward()
    print(f"x = {start:+.0f}: gradient {v.grad.tolist()}")
