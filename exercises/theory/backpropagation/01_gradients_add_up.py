"""Gradients add up

difficulty: easy
kind: predict

Before you run it: `y = 3x` at x = 2, and `backward()` is called twice, recomputing `y` in
between. What is `x.grad` after the first call, and after the second?

Answer:
3, then 6. `backward()` *adds* the new gradient into `.grad` instead of replacing it. That is
useful (gradient accumulation adds the gradients of several batches on purpose) but it is also
why every training loop calls `optimizer.zero_grad()` once per step: without it, each step would
use the sum of all the gradients so far.
"""

# --8<-- [start:starter]
import torch

x = torch.tensor(2.0, requires_grad=True)
for call in (1, 2):
    y = 3 * x
    y.backward()
    print(f"after backward() number {call}: x.grad = {x.grad.item()}")
# --8<-- [end:starter]
