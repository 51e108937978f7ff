"""Write notebooks/gradient-descent.ipynb from the cells below (outputs are made at build time)."""

from pathlib import Path

import nbformat as nbf

md = nbf.v4.new_markdown_cell
code = nbf.v4.new_code_cell

cells = [
    md("""# Gradient descent, step by step

Gradient descent fits a model by repeating one move: compute how the loss changes when each
parameter changes (the gradient), and step every parameter a little in the opposite direction.
The size of that step is the gradient times the **learning rate**.

This notebook fits the smallest model there is, a line `y = w·x + b`, so that the loss is a
function of just two numbers and we can draw all of it: the loss surface, the path stochastic
gradient descent (SGD) takes across it, and what happens when the learning rate is too small or
too large. Run the cells in order; each one uses what the cells above defined. Everything runs on
a CPU in a few seconds, and the outputs you see were produced when this site was built."""),
    code("""import matplotlib.pyplot as plt
import numpy as np
import torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 100)
y = 3.0 * x + 0.5 + 0.3 * torch.randn(100)   # the truth: w = 3, b = 0.5, plus noise

plt.figure(figsize=(5, 3))
plt.scatter(x, y, s=8)
plt.title("The data: a noisy line")
plt.show()"""),
    md("""## The loss surface

For every pair `(w, b)` the mean squared error of the line is one number. Computing it over a
grid gives the surface that gradient descent walks on. For a line it is a bowl with a single
lowest point."""),
    code("""def mse(w, b):
    return ((w * x + b - y) ** 2).mean()

ws = torch.linspace(-1, 7, 121)
bs = torch.linspace(-3.5, 4.5, 121)
W, B = torch.meshgrid(ws, bs, indexing="ij")
# all grid points at once, by broadcasting: (121, 121, 1) against (100,)
surface = ((W[..., None] * x + B[..., None] - y) ** 2).mean(-1)
best = torch.linalg.lstsq(torch.stack([x, torch.ones_like(x)], 1), y[:, None]).solution.squeeze()
print(f"least-squares optimum: w = {best[0]:.3f}, b = {best[1]:.3f}, loss = {mse(*best):.4f}")"""),
    md("""## The path SGD takes

Each step uses a random mini-batch of 10 points, not all 100: that is the *stochastic* in SGD.
The gradient of a mini-batch points roughly, not exactly, downhill, so the path wiggles; it is
also ten times cheaper to compute, which is the whole point on real data sets."""),
    code("""def sgd(lr, steps=60, batch_size=10, start=(0.0, -3.0), seed=0):
    gen = torch.Generator().manual_seed(seed)
    w = torch.tensor(start[0], requires_grad=True)
    b = torch.tensor(start[1], requires_grad=True)
    path = [(w.item(), b.item())]
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch_size,), generator=gen)
        loss = ((w * x[idx] + b - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        path.append((w.item(), b.item()))
    return np.array(path)

path = sgd(lr=0.1)
fig, ax = plt.subplots(figsize=(6, 4.5))
cs = ax.contour(W, B, surface, levels=np.geomspace(0.1, 40, 14), cmap="viridis")
ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, linewidth=1, label="SGD, lr = 0.1")
ax.plot(*best, "k*", markersize=12, label="optimum")
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_title("Loss surface and the path SGD takes")
ax.legend()
plt.show()
print(f"after 60 steps: w = {path[-1, 0]:.3f}, b = {path[-1, 1]:.3f}, loss = {mse(*path[-1]):.4f}")"""),
    md("""## Too small, about right, too large

The same 60 steps with three learning rates. Too small and the parameters crawl: after 60 steps
the loss is still high. About right and the loss drops fast, then jitters around the minimum
(the noise of the mini-batches). Too large and every step overshoots the bottom of the bowl by
more than it started with: the parameters swing further out each time and the loss explodes."""),
    code("""rates = {"too small (0.005)": 0.005, "about right (0.1)": 0.1, "too large (1.1)": 1.1}
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
left.contour(W, B, surface, levels=np.geomspace(0.1, 40, 14), cmap="viridis")
for name, lr in rates.items():
    p = sgd(lr)
    losses = [mse(*wb).item() for wb in p]
    right.plot(losses, label=name)
    shown = p[np.all(np.abs(p) < 8, axis=1)][:25]   # the diverging path leaves the plot
    left.plot(shown[:, 0], shown[:, 1], "o-", markersize=3, linewidth=1, label=name)
    print(f"{name:>18}: loss after 60 steps = {losses[-1]:.3g}")
left.set_xlim(-1, 7)
left.set_ylim(-3.5, 4.5)
left.set_xlabel("w")
left.set_ylabel("b")
left.set_title("Paths for three learning rates")
right.set_yscale("log")
right.set_xlabel("step")
right.set_ylabel("loss (log scale)")
right.set_title("Loss per step")
right.legend()
plt.show()"""),
    md("""What to take away:

- The learning rate multiplies the gradient; it is the one number that decides whether training
  crawls, works or blows up. The learning-rate finder (Theory → Learning rate) turns picking it into
  a measurement instead of a guess.
- "Too large" is not "a bit faster": past a threshold (for this bowl, about 1 for the `b`
  direction) each step overshoots further than the last, and the loss grows without bound.
- A loss curve that falls quickly and then jitters is healthy SGD; the jitter is the mini-batch
  noise, and lowering the learning rate late in training (annealing) shrinks it."""),
]

nb = nbf.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
out = Path(__file__).resolve().parents[1] / "notebooks" / "gradient-descent.ipynb"
nbf.write(nb, out)
print("wrote", out)
