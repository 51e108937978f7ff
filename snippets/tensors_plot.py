"""A figure from autograd: a function and its derivative, the derivative computed by PyTorch."""

import matplotlib.pyplot as plt
import torch

x = torch.linspace(-3, 3, 200, requires_grad=True)
y = torch.tanh(x) * x
(dy_dx,) = torch.autograd.grad(y.sum(), x)   # one backward pass gives every dy/dx

fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(x.detach(), y.detach(), label="f(x) = x · tanh(x)")
ax.plot(x.detach(), dy_dx, label="f'(x) from autograd", linestyle="--")
ax.axhline(0, color="grey", linewidth=0.5)
ax.set_xlabel("x")
ax.set_title("A function and the derivative autograd computed")
ax.legend()
plt.show()
