r"""Shift every logit

difficulty: easy
kind: predict

Before you run it: what happens to the softmax probabilities, and to the cross-entropy loss, if
you add the same number (here 10) to every logit of an example? And if you multiply them all by 10?

Answer:
Adding a constant changes nothing: $e^{z_j + c} = e^c e^{z_j}$, and the $e^c$ cancels between the
numerator and the sum below it. Only differences between logits matter (and `log_softmax`
subtracts the largest logit for exactly this reason). Multiplying the logits by 10 makes the
differences 10 times larger: the largest logit's probability goes towards 1, and the loss falls
if that is the true class and rises sharply if it is not.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 1.0, 0.1]])
target = torch.tensor([0])
for name, z in (("logits", logits), ("logits + 10", logits + 10), ("logits * 10", logits * 10)):
    probs = [round(p, 4) for p in F.softmax(z, dim=1)[0].tolist()]
    print(f"{name:12s} softmax {probs}  loss {F.cross_entropy(z, target).item():.4f}")
# --8<-- [end:starter]
