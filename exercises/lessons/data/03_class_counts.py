"""Is the sample balanced?

difficulty: medium
kind: code

Before training, look at the labels: count how many images of each class the embedded sample's
training set holds, with one tensor operation, and print the counts next to the class names.
Then compute what accuracy a model that always predicts the most common class would get: the
baseline any real model must beat.

Answer:
`torch.bincount(train.targets, minlength=10)` counts every label at once. The baseline is the
largest count divided by the total: on a balanced set of ten classes that is about 10%, so an
accuracy of 60% is real learning; on a set where one class is 95% of the images, 95% accuracy
can mean the model learned nothing. See [Why a validation set](#why-a-validation-set-and-what-overfitting-looks-like).
"""

# --8<-- [start:starter]
import torch

from dlnotes import fashion_mnist

train, _ = fashion_mnist(sample=True)
counts = torch.zeros(len(train.classes), dtype=torch.long)  # TODO: count the labels in train.targets
baseline = 0.0  # TODO: the accuracy of always predicting the most common class
for name, count in zip(train.classes, counts.tolist()):
    print(f"{name:12s} {count}")
print(f"always predicting the most common class: {baseline:.1%}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import fashion_mnist

train, _ = fashion_mnist(sample=True)
counts = torch.bincount(train.targets, minlength=len(train.classes))
baseline = counts.max().item() / counts.sum().item()
for name, count in zip(train.classes, counts.tolist()):
    print(f"{name:12s} {count}")
print(f"always predicting the most common class: {baseline:.1%}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert counts.sum().item() == len(train), f"the counts add up to {counts.sum().item()}, not {len(train)}"
assert all(counts[c].item() == sum(1 for t in train.targets.tolist() if t == c) for c in range(len(train.classes))), "a class count is wrong"
most = max(range(len(train.classes)), key=lambda c: counts[c].item())
assert abs(baseline - counts[most].item() / len(train)) < 1e-9, f"baseline {baseline:.3f} is not the most common class's share"
print("check passed: counts and baseline")
# --8<-- [end:check]
