"""One neuron by hand

difficulty: easy
kind: predict

A neuron with weights (1, −2, 0.5) and bias 0.5 gets two inputs. Work out its output for each by
hand before you run it: the weighted sum plus the bias, then ReLU (max(0, z)).

Answer:
For (2, 1, 4): z = 2 − 2 + 2 + 0.5 = 2.5, and ReLU keeps it. For (1, 2, 0): z = 1 − 4 + 0 + 0.5
= −2.5, and ReLU turns it into 0: a negative weighted sum switches the neuron off. That is all
`nn.Linear` followed by `nn.ReLU` computes, for many neurons and inputs at once.
"""

# --8<-- [start:starter]
import torch

w = torch.tensor([1.0, -2.0, 0.5])
b = 0.5
for x in (torch.tensor([2.0, 1.0, 4.0]), torch.tensor([1.0, 2.0, 0.0])):
    z = (w * x).sum() + b
    print(f"x = {x.tolist()}: z = {z.item():+.1f}, relu(z) = {torch.relu(z).item():.1f}")
# --8<-- [end:starter]
