"""Same accuracy, different loss

difficulty: easy
kind: predict

Two models classify the same four images (three classes; the right answers are 0, 1, 2, 0).
Both pick the right class three times. Before you run it: which has the lower cross-entropy loss,
and why does training minimise the loss rather than the error rate?

Answer:
Both are 75% accurate, but the confident model's loss is lower on the three it gets right and
much higher on the one it gets wrong (−ln 0.05 ≈ 3.0 for that image alone), so its mean loss is
higher. Accuracy only counts the top choice; the loss also scores how much probability went to
the right class, which is why it is what training minimises: a small change in the weights
changes it smoothly, while the accuracy only moves when a prediction flips (its gradient is
zero almost everywhere). The metric is for people; the loss is for the optimiser.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

targets = torch.tensor([0, 1, 2, 0])
cautious = torch.tensor([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
confident = torch.tensor([[0.98, 0.01, 0.01], [0.01, 0.98, 0.01], [0.01, 0.01, 0.98], [0.05, 0.9, 0.05]])
for name, probs in (("cautious", cautious), ("confident", confident)):
    accuracy = (probs.argmax(1) == targets).float().mean().item()
    loss = F.nll_loss(probs.log(), targets).item()  # cross-entropy, from probabilities
    print(f"{name:9s}: accuracy {accuracy:.0%}, loss {loss:.3f}")
# --8<-- [end:starter]
