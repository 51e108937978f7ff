"""Give the network its bends

difficulty: easy
kind: code

The starter trains a network with two linear layers on the curve sin(2x) + 0.3x. It cannot get
below the loss of the best straight line, however long it trains. Change the model, one layer
added, so that the training loss drops below 0.05.

Answer:
Without a non-linearity, two linear layers are one linear layer (the page shows the algebra), so
the "network" is a straight line. A ReLU between them lets each of the 32 hidden neurons switch
on at a different x, and the sum of those hinge shapes bends to follow the curve.
"""

# --8<-- [start:starter]
import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-3, 3, 256).unsqueeze(1)
y = torch.sin(2 * x) + 0.3 * x

model = nn.Sequential(nn.Linear(1, 32), nn.Linear(32, 1))  # TODO: add a non-linearity between the layers
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _ in range(500):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"training loss after 500 steps: {loss.item():.4f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-3, 3, 256).unsqueeze(1)
y = torch.sin(2 * x) + 0.3 * x

model = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 1))  # the ReLU lets the line bend
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for _ in range(500):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"training loss after 500 steps: {loss.item():.4f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert loss.item() < 0.05, f"loss {loss.item():.3f}: the model is still a straight line, which cannot follow the curve"
print("check passed: the network follows the curve")
# --8<-- [end:check]
