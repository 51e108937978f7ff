"""Gradient descent on the line-fitting loss surface of the gradient-descent notebook, for any learning rate."""

import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)  # the notebook's data: w = 3, b = 0.5, plus noise
x, y = x.double(), y.double()  # float64, so that the page's JavaScript can repeat every digit

START, STEPS = (0.0, -3.0), 30
RATES = {"too small": 0.02, "good": 0.5, "diverges": 1.05}


def descend(lr, steps=STEPS, start=START):
    """Plain (full-batch) gradient descent on the mean squared error of y = w*x + b."""
    wb = torch.tensor(start, dtype=torch.float64, requires_grad=True)  # (w, b)
    path = [wb.tolist()]
    for _ in range(steps):
        loss = ((wb[0] * x + wb[1] - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            wb -= lr * wb.grad
        wb.grad = None
        path.append(wb.tolist())
    return torch.tensor(path, dtype=torch.float64)  # (steps + 1, 2): w and b after each step


def mse(w, b):
    return ((w * x + b - y) ** 2).mean().item()


print(f"curvature of the bowl along w: {2 * (x**2).mean().item():.3f}, along b: 2")
for name, lr in RATES.items():
    path = descend(lr)
    w, b = path[-1].tolist()
    print(f"{name:>9} (lr = {lr:<4}): after {STEPS} steps w = {w:9.3f}, b = {b:9.3f}, loss = {mse(w, b):.4g}")
