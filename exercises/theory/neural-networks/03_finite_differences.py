"""A slope from two points

difficulty: medium
kind: code

A derivative is the slope of a curve at one point: rise over run on a vanishingly small
interval. The starter estimates the slope of f(x) = sin(x)·x² at x = 1.5 from two points one
whole unit apart, and compares it with autograd. Change the step so that the estimate agrees with
autograd to within 0.001.

Answer:
The central difference (f(x + h) − f(x − h)) / 2h has an error that shrinks like h², so h = 1e-3
is plenty; with h = 1 the interval is so wide that the curve's bending ruins the estimate. Don't
go too far: with float32 and h = 1e-7 the two values of f are equal up to rounding, and the
estimate gets worse again (try it). This check is how people test hand-written gradients
(`torch.autograd.gradcheck` does it in float64).
"""

# --8<-- [start:starter]
import torch


def f(x):
    return torch.sin(x) * x**2


x = torch.tensor(1.5, requires_grad=True)
f(x).backward()

h = 1.0  # TODO: a step small enough for the estimate to match autograd
estimate = ((f(x + h) - f(x - h)) / (2 * h)).item()
print(f"autograd: {x.grad.item():.5f}   estimate with h={h}: {estimate:.5f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch


def f(x):
    return torch.sin(x) * x**2


x = torch.tensor(1.5, requires_grad=True)
f(x).backward()

h = 1e-3  # small, but not so small that float32 rounding dominates
estimate = ((f(x + h) - f(x - h)) / (2 * h)).item()
print(f"autograd: {x.grad.item():.5f}   estimate with h={h}: {estimate:.5f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert abs(estimate - x.grad.item()) < 1e-3, f"the estimate is off by {abs(estimate - x.grad.item()):.4f}"
print("check passed: the finite difference agrees with autograd")
# --8<-- [end:check]
