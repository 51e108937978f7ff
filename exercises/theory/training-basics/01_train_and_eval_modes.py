"""Training mode and evaluation mode

difficulty: easy
kind: predict

Before you run it: the model contains a dropout layer. Will two calls on the same input give the
same output in training mode? In evaluation mode?

Answer:
In training mode the two outputs differ, because dropout zeroes a different random half of the
hidden activations each call. After `model.eval()` dropout does nothing, and the two outputs are
identical. Measure a model (validation loss, accuracy, predictions) only in evaluation mode, and
switch back with `model.train()` before training on.
"""

# --8<-- [start:starter]
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
x = torch.randn(1, 4)
for mode in ("train", "eval"):
    getattr(model, mode)()
    with torch.no_grad():
        first, second = model(x).item(), model(x).item()
    print(f"{mode:5s}: {first:.4f} {second:.4f}  same: {first == second}")
# --8<-- [end:starter]
