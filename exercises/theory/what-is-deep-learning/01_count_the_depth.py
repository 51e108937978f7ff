"""Count the depth

difficulty: easy
kind: predict

Before you run it: how deep is each of these two networks, counting the layers that have
weights? Which one has more parameters?

Answer:
The first is 4 layers deep (four `nn.Linear`), the second 2 (ReLU and Flatten have no weights).
The second is half as deep but has far more parameters, about 795,000 against about 6,200:
depth counts layers in a chain, not parameters, and a wide layer can hold more weights than
several narrow ones.
"""

# --8<-- [start:starter]
from torch import nn

deep = nn.Sequential(nn.Linear(10, 50), nn.ReLU(), nn.Linear(50, 50), nn.ReLU(),
                     nn.Linear(50, 50), nn.ReLU(), nn.Linear(50, 10))
wide = nn.Sequential(nn.Flatten(), nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 10))
for name, model in (("deep", deep), ("wide", wide)):
    depth = sum(isinstance(m, nn.Linear) for m in model.modules())
    print(f"{name}: {depth} layers with weights, {sum(p.numel() for p in model.parameters()):,d} parameters")
# --8<-- [end:starter]
