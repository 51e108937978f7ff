"""The model that never says "rare"

difficulty: easy
kind: predict

A test set has 950 images of common classes and 50 of a rare one. A "model" answers the most
common class every time, without looking at the image. Before you run it: what accuracy does it
get, and what recall on the rare class?

Answer:
95% accuracy and a recall of 0 on the rare class: accuracy counts images, and 95% of them are
not rare. That is why the page measures recall per class. A model that has learned nothing
about the rare class can look excellent on a test set with the same skew as its training data.
"""

# --8<-- [start:starter]
import torch

labels = torch.tensor([0] * 950 + [1] * 50)   # class 1 is the rare one
predictions = torch.zeros_like(labels)        # always answer class 0

accuracy = (predictions == labels).float().mean().item()
rare_recall = (predictions[labels == 1] == 1).float().mean().item()
print(f"accuracy {accuracy:.2f}, recall on the rare class {rare_recall:.2f}")
# --8<-- [end:starter]

# --8<-- [start:check]
assert round(accuracy, 2) == 0.95 and rare_recall == 0.0
print("check passed: high accuracy, zero recall on the rare class")
# --8<-- [end:check]
