"""torch.autograd.detect_anomaly: find the operation whose backward pass made a NaN."""

import warnings

import torch

x = torch.tensor([0.0, 1.0, 4.0], requires_grad=True)
y = (torch.sqrt(x) * torch.tensor([0.0, 1.0, 1.0])).sum()   # sqrt's slope at 0 is infinite; inf * 0 = nan
y.backward()
print("gradient without anomaly detection:", x.grad.tolist())  # a NaN, and no clue where it came from

x.grad = None
warnings.simplefilter("ignore")                # the mode warns that it is slow; we know
with torch.autograd.detect_anomaly():
    y = (torch.sqrt(x) * torch.tensor([0.0, 1.0, 1.0])).sum()
    try:
        y.backward()
    except RuntimeError as error:
        print("with detect_anomaly:", error)
