"""A confusion matrix by hand

difficulty: easy
kind: code

Row i, column j of a confusion matrix counts the images of actual class i that the model
predicted as class j. Fill it in for the predictions below with a loop (or one `bincount`, as
`ClassificationInterpretation` does). Then read off which mistake is the most common.

Answer:
`for t, p in zip(targets, preds): cm[t, p] += 1`. The diagonal holds the right answers; the
largest entry off it is the most common confusion (here: actual class 2 predicted as 1, twice).
`interp.most_confused()` lists those entries in order, which is what to read when there are too
many classes for a picture, as the lesson notes say. See
[Interpretation](#interpretation-what-the-model-gets-wrong).
"""

# --8<-- [start:starter]
import torch

targets = torch.tensor([0, 0, 1, 1, 1, 2, 2, 2, 2, 0])
preds = torch.tensor([0, 1, 1, 1, 2, 2, 1, 1, 2, 0])
cm = torch.zeros(3, 3, dtype=torch.long)
# TODO: count each (actual, predicted) pair into cm
print(cm)
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

targets = torch.tensor([0, 0, 1, 1, 1, 2, 2, 2, 2, 0])
preds = torch.tensor([0, 1, 1, 1, 2, 2, 1, 1, 2, 0])
cm = torch.zeros(3, 3, dtype=torch.long)
for t, p in zip(targets.tolist(), preds.tolist()):
    cm[t, p] += 1  # row: actual class, column: predicted class
print(cm)
# --8<-- [end:solution]

# --8<-- [start:check]
assert cm.sum().item() == len(targets), f"the matrix counts {cm.sum().item()} items, not {len(targets)}"
assert torch.equal(cm, torch.bincount(targets * 3 + preds, minlength=9).reshape(3, 3)), "a count is in the wrong cell (rows are actual, columns predicted)"
print("check passed: the diagonal holds", cm.diag().sum().item(), "right answers")
# --8<-- [end:check]
