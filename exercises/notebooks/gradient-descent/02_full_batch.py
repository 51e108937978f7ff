"""Take the noise out

difficulty: easy
kind: code

The notebook's `sgd` draws a random mini-batch of 10 points for each step, so two runs with
different seeds take different paths. Change the loop to full-batch gradient descent (every step
uses all 100 points) so that the path no longer depends on the seed, and check that 60 steps at
learning rate 0.1 still get close to the least-squares fit.

Answer:
Use every point in every step: `idx = torch.arange(len(x))` (or drop the indexing). The
gradient is then the exact gradient of the loss, the same on every run, and the path is a
smooth curve into the bowl instead of a wiggle. Each step costs ten times as much, which is the
trade SGD makes the other way: on a data set of millions, a noisy step now beats an exact one
much later.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)


def descend(lr=0.1, steps=60, seed=0):
    gen = torch.Generator().manual_seed(seed)
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (10,), generator=gen)  # TODO: use all the points, every step
        loss = ((w * x[idx] + b - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = b.grad = None
    return w.item(), b.item()


print("seed 0:", descend(seed=0))
print("seed 1:", descend(seed=1))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)


def descend(lr=0.1, steps=60, seed=0):
    gen = torch.Generator().manual_seed(seed)  # no longer used: nothing is random
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    for _ in range(steps):
        idx = torch.arange(len(x))  # every point, every step: the exact gradient
        loss = ((w * x[idx] + b - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = b.grad = None
    return w.item(), b.item()


print("seed 0:", descend(seed=0))
print("seed 1:", descend(seed=1))
# --8<-- [end:solution]

# --8<-- [start:check]
assert descend(seed=0) == descend(seed=1), "the path still depends on the seed"
best = torch.linalg.lstsq(torch.stack([x, torch.ones_like(x)], 1), y[:, None]).solution.squeeze().tolist()
w_end, b_end = descend()
assert abs(b_end - best[1]) < 0.01 and abs(w_end - best[0]) < 1.0, f"ended at w={w_end:.2f}, b={b_end:.2f}; least squares: {best}"
print("check passed: the same path for every seed, into the bowl")
# --8<-- [end:check]
