"""Sigmoid, tanh and ReLU: their values, their slopes, and what the slopes do through many layers."""

import matplotlib.pyplot as plt
import torch

z = torch.linspace(-5, 5, 201, requires_grad=True)
functions = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": torch.relu}

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
print("function  f(-2)    f(0)    f(2)   largest slope   slope at z=4")
for name, f in functions.items():
    y = f(z)
    (slope,) = torch.autograd.grad(y.sum(), z)   # each output depends on its own z only
    at = {v: f(torch.tensor(v)).item() for v in (-2.0, 0.0, 2.0)}
    print(f"{name:8s} {at[-2.0]:6.3f} {at[0.0]:7.3f} {at[2.0]:7.3f} {slope.max().item():12.3f} {slope[180].item():14.4f}")
    left.plot(z.detach(), y.detach(), label=name)
    right.plot(z.detach(), slope, label=name)
left.set_title("activation f(z)")
right.set_title("slope f'(z)")
left.legend()
right.legend()
fig.suptitle("Sigmoid, tanh and ReLU")
plt.show()

# Passing back through a sigmoid multiplies the gradient by its slope, at most 0.25.
for n in (2, 5, 10, 20):
    print(f"{n:2d} sigmoids in a row: their slopes alone shrink the gradient at least {0.25 ** -n:,.0f}-fold")
