"""What the interpretation numbers count, on ten predictions small enough to check by eye."""

import torch

from dlnotes import ClassificationInterpretation

classes = ["cat", "dog", "fox"]
actual = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
logits = torch.tensor([  # the model's scores for cat, dog, fox
    [3.0, 0.0, 0.0], [0.5, 2.0, 0.0], [1.0, 1.2, 0.0],   # cats: right, wrong (dog), narrowly wrong (dog)
    [0.0, 3.0, 0.0], [2.5, 0.0, 0.0], [0.0, 1.0, 0.5],   # dogs: right, wrong (cat), right
    [0.0, 0.0, 3.0], [0.0, 2.0, 0.0], [0.0, 1.5, 1.0],   # foxes: right, wrong (dog), wrong (dog)
    [0.0, 0.2, 2.0],                                     # fox: right
])
losses = torch.nn.functional.cross_entropy(logits, actual, reduction="none")
interp = ClassificationInterpretation(logits.softmax(dim=1), actual, losses, classes=classes)

print("confusion matrix (rows: actual cat, dog, fox; columns: predicted cat, dog, fox)")
print(interp.confusion_matrix())
print("most confused:", interp.most_confused())
print("top 3 losses:")
for row in interp.top_losses(3):
    print(f"  item {row.index}: actual {row.actual}, predicted {row.predicted} "
          f"with probability {row.probability:.2f}, loss {row.loss:.2f}")
print()
print(interp.classification_report())
