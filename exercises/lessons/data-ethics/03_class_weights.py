"""Weights that make every class count the same

difficulty: medium
kind: code

A training set has these numbers of images per class: 1,000, 1,000, 50 and 500. Compute
`weight`, one number per class for `F.cross_entropy(..., weight=weight)`, so that every class
adds the same total to the loss (weight × count is the same for all classes) and the weights
average 1, like the page's weighted run.

Answer:
`weight = 1 / counts`, then divide by its mean: `inverse / inverse.mean()`. The rare class gets
20 times the weight of a common one. Dividing by the mean keeps the loss on the usual scale, so
the learning rate that worked before still fits; fastai and scikit-learn's
`class_weight="balanced"` use the same idea with a different constant.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

counts = torch.tensor([1000.0, 1000.0, 50.0, 500.0])
weight = torch.ones(4)  # TODO: one over each count, scaled so that the weights average 1

logits = torch.zeros(4, 4)                  # a model that has learned nothing
targets = torch.tensor([0, 1, 2, 3])
print("weights:", [round(w, 3) for w in weight.tolist()])
print("total weight per class:", [round(t, 1) for t in (weight * counts).tolist()])
print("weighted loss:", F.cross_entropy(logits, targets, weight=weight).item())
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

counts = torch.tensor([1000.0, 1000.0, 50.0, 500.0])
inverse = 1.0 / counts
weight = inverse / inverse.mean()

logits = torch.zeros(4, 4)                  # a model that has learned nothing
targets = torch.tensor([0, 1, 2, 3])
print("weights:", [round(w, 3) for w in weight.tolist()])
print("total weight per class:", [round(t, 1) for t in (weight * counts).tolist()])
print("weighted loss:", F.cross_entropy(logits, targets, weight=weight).item())
# --8<-- [end:solution]

# --8<-- [start:check]
totals = weight * counts
assert torch.allclose(totals, totals[0].expand(4)), f"classes do not count the same: {totals.tolist()}"
assert abs(weight.mean().item() - 1) < 1e-6, f"the weights average {weight.mean().item():.3f}, not 1"
print("check passed: every class adds the same total weight")
# --8<-- [end:check]
