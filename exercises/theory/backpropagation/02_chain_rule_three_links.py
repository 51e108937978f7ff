r"""The chain rule with three links

difficulty: medium
kind: code

For $y = e^{\sin(x^2)}$ write the derivative $dy/dx$ by hand with the chain rule (three
functions in a row: square, sine, exponential), evaluate it at x = 0.7, and compare it with
autograd.
"""

# --8<-- [start:starter]
import math

import torch

x0 = 0.7
by_hand = 0.0  # TODO: dy/dx at x0, one factor per link of the chain

x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
torch.exp(torch.sin(x**2)).backward()
print(f"by hand {by_hand:.10f}   autograd {x.grad.item():.10f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import math

import torch

x0 = 0.7
u = x0**2                      # first link: u = x², du/dx = 2x
v = math.sin(u)                # second link: v = sin u, dv/du = cos u
by_hand = math.exp(v) * math.cos(u) * 2 * x0   # third link: y = e^v, dy/dv = e^v

x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
torch.exp(torch.sin(x**2)).backward()
print(f"by hand {by_hand:.10f}   autograd {x.grad.item():.10f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert abs(by_hand - x.grad.item()) < 1e-12, f"by hand {by_hand} differs from autograd {x.grad.item()}"
print("check passed: the chain rule agrees with autograd")
# --8<-- [end:check]
