"""What plot_lr would have drawn

difficulty: easy
kind: predict

A range test of 50 steps raises the learning rate from 1e-7 to 10, multiplying it by the same
factor at every step. Before you run it: what is the rate at the middle step (step 25 of 0–49),
roughly? And what does the plot of rate against step look like on a log axis?

Answer:
The rates are evenly spaced on a log scale, so the middle one is the geometric mean of the ends,
about √(1e-7 × 10) ≈ 1e-3 (slightly above, since step 25 is just past the middle of 0–49). On a
log axis the plot is a straight line: that is all `sched.plot_lr()` shows during a range test,
the same for every model, which is why you cannot choose a learning rate from it.
"""

# --8<-- [start:starter]
import torch

start, end, steps = 1e-7, 10.0, 50
lrs = start * (end / start) ** (torch.arange(steps) / (steps - 1))
print("first three:", [f"{lr:.1e}" for lr in lrs[:3].tolist()])
print(f"step 25: {lrs[25]:.1e}")
print("the same factor every step:", torch.allclose(lrs[1:] / lrs[:-1], lrs[1] / lrs[0]))
# --8<-- [end:starter]
