"""Recall for every class

difficulty: medium
kind: code

Write `recall_per_class(predictions, labels, n_classes)`: for each class, the share of its
images that the model labelled correctly. The starter returns the overall accuracy for every
class, which hides exactly what the page is about.

Answer:
Select each class's images with a mask and average the correct answers among them:
`torch.stack([(predictions[labels == c] == c).float().mean() for c in range(n_classes)])`.
`sklearn.metrics.recall_score(labels, predictions, average=None)` computes the same thing, and
`ClassificationInterpretation.confusion_matrix()` has it too: the diagonal divided by each
row's sum.
"""

# --8<-- [start:starter]
import torch


def recall_per_class(predictions, labels, n_classes):
    accuracy = (predictions == labels).float().mean()
    return accuracy.repeat(n_classes)  # TODO: one recall per class, not the overall accuracy


labels = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
predictions = torch.tensor([0, 0, 0, 1, 0, 0, 2, 2, 2, 1])
recall = recall_per_class(predictions, labels, 3)
print("recall per class:", [round(r, 2) for r in recall.tolist()])
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch


def recall_per_class(predictions, labels, n_classes):
    return torch.stack([(predictions[labels == c] == c).float().mean() for c in range(n_classes)])


labels = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
predictions = torch.tensor([0, 0, 0, 1, 0, 0, 2, 2, 2, 1])
recall = recall_per_class(predictions, labels, 3)
print("recall per class:", [round(r, 2) for r in recall.tolist()])
# --8<-- [end:solution]

# --8<-- [start:check]
assert torch.allclose(recall, torch.tensor([0.75, 0.0, 0.75])), f"expected [0.75, 0.0, 0.75], got {recall.tolist()}"
print("check passed: class 1 is never recognised, though the accuracy is 0.6")
# --8<-- [end:check]
