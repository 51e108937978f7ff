"""The chain rule on one number: by hand, with autograd, and with a finite difference."""

import math

import torch

# y = sin(x²) is two functions in a chain: u = x², y = sin(u).  dy/dx = dy/du · du/dx = cos(u) · 2x.
x0 = 1.5
by_hand = math.cos(x0**2) * 2 * x0

x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
y = torch.sin(x**2)
y.backward()

eps = 1e-6
finite_difference = (math.sin((x0 + eps) ** 2) - math.sin((x0 - eps) ** 2)) / (2 * eps)
print(f"by hand (chain rule): {by_hand:.8f}")
print(f"autograd            : {x.grad.item():.8f}")
print(f"finite difference   : {finite_difference:.8f}")
assert abs(by_hand - x.grad.item()) < 1e-12 and abs(by_hand - finite_difference) < 1e-6

# The graph autograd recorded, walked from the output back to the input: one node per step.
node, path = y.grad_fn, []
while node is not None:
    path.append(type(node).__name__)
    node = node.next_functions[0][0] if node.next_functions else None
print("backward graph:", " -> ".join(path))
