"""Why not train on accuracy?

difficulty: medium
kind: open

Accuracy is what we care about for a classifier. Why can't gradient descent minimise
`1 - accuracy` directly? Run the starter, which nudges one weight and watches both numbers, then
explain what you see.

Answer:
Accuracy only changes when some example's largest logit changes places with another, so for
almost every small nudge of a weight it does not change at all: its gradient is zero almost
everywhere (and undefined at the jumps). Gradient descent would get no direction. Cross-entropy
changes smoothly with every logit, so every weight gets a useful slope, and lowering it usually
raises accuracy. This is why we train on a loss and report a metric; see the
[PyTorch loss functions](https://pytorch.org/docs/stable/nn.html#loss-functions) for the smooth
losses PyTorch offers.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x, y = torch.randn(100, 5), torch.randint(0, 3, (100,))
w = torch.randn(5, 3)
for nudge in (0.0, 0.001, 0.002, 0.003):
    w2 = w.clone()
    w2[0, 0] += nudge
    logits = x @ w2
    acc = (logits.argmax(1) == y).float().mean().item()
    print(f"nudge {nudge:.3f}: accuracy {acc:.2f}, cross-entropy {F.cross_entropy(logits, y).item():.6f}")
# --8<-- [end:starter]
