"""Add momentum

difficulty: medium
kind: code

In the notebook's bowl the loss is much steeper along `b` than along `w`, so a learning rate
small enough for `b` makes `w` crawl. Momentum helps: keep a running velocity
`v = beta·v + gradient` for each parameter and step along `v` instead of the gradient. Add it to
the full-batch loop (beta = 0.8) so that 60 steps at learning rate 0.05 get the loss within
0.01 of the least-squares loss, which plain gradient descent does not.

Answer:
`vw = beta * vw + w.grad; w -= lr * vw` (and the same for b). Along `w`, where successive
gradients agree, the velocity builds up to about 1 / (1 − beta) = 5 times the gradient, so `w`
moves five times faster; along `b`, where the steps would overshoot and alternate, the
contributions partly cancel. Try beta = 0.9: too much momentum overshoots and circles around
the minimum before it settles. `torch.optim.SGD(params, lr, momentum=0.9)` does exactly this, and
the page on [the learning rate](../../theory/learning-rate/) uses it.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)

lr, beta = 0.05, 0.8
w = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
vw = vb = 0.0
for _ in range(60):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad  # TODO: update the velocities vw, vb and step along them instead
        b -= lr * b.grad
    w.grad = b.grad = None
final = ((w * x + b - y) ** 2).mean().item()
print(f"w = {w.item():.3f}, b = {b.item():.3f}, loss = {final:.4f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)

lr, beta = 0.05, 0.8
w = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
vw = vb = 0.0
for _ in range(60):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        vw = beta * vw + w.grad  # a running sum of past gradients
        vb = beta * vb + b.grad
        w -= lr * vw
        b -= lr * vb
    w.grad = b.grad = None
final = ((w * x + b - y) ** 2).mean().item()
print(f"w = {w.item():.3f}, b = {b.item():.3f}, loss = {final:.4f}")
# --8<-- [end:solution]

# --8<-- [start:check]
design = torch.stack([x, torch.ones_like(x)], 1)
best = ((design @ torch.linalg.lstsq(design, y[:, None]).solution).squeeze() - y).pow(2).mean().item()
assert final < best + 0.01, f"loss {final:.4f}, least squares {best:.4f}: not there yet"
print(f"check passed: within 0.01 of the least-squares loss ({best:.4f})")
# --8<-- [end:check]
