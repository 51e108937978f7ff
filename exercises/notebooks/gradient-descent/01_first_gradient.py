"""The first gradient

difficulty: easy
kind: predict

Two points, (1, 2) and (2, 4), lie on the line y = 2x. Fit y = w·x with the mean squared error,
starting from w = 0. Before you run it: what is the loss at w = 0, what is its gradient, and
which way does one step with learning rate 0.1 move w?

Answer:
The loss is the mean of (w·x − y)², which at w = 0 is (4 + 16) / 2 = 10. Its derivative is the
mean of 2·(w·x − y)·x = (2·(−2)·1 + 2·(−4)·2) / 2 = −10: negative, so the loss falls as w grows,
and the step w − 0.1·(−10) = 1 moves w up, halfway to the answer 2.
"""

# --8<-- [start:starter]
import torch

x = torch.tensor([1.0, 2.0])
y = torch.tensor([2.0, 4.0])
w = torch.tensor(0.0, requires_grad=True)
loss = ((w * x - y) ** 2).mean()
loss.backward()
print(f"loss {loss.item():.1f}, gradient {w.grad.item():.1f}, w after one step {w.item() - 0.1 * w.grad.item():.1f}")
# --8<-- [end:starter]
