"""Learn another program from examples

difficulty: easy
kind: code

The Software 2.0 example learned AND and XOR from four examples each, with the same code. Make
the same code learn **OR** (true when at least one input is 1) by writing down its examples.
"""

# --8<-- [start:starter]
import torch
from torch import nn

inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
targets = torch.tensor([0.0, 0.0, 0.0, 0.0])  # TODO: the answers of OR for the four inputs

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.05)
for _ in range(300):
    loss = nn.functional.binary_cross_entropy_with_logits(model(inputs).squeeze(1), targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
answers = (model(inputs).squeeze(1) > 0).int().tolist()
print("learned program answers", answers)
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn

inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
targets = torch.tensor([0.0, 1.0, 1.0, 1.0])  # OR: 1 unless both inputs are 0

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.05)
for _ in range(300):
    loss = nn.functional.binary_cross_entropy_with_logits(model(inputs).squeeze(1), targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
answers = (model(inputs).squeeze(1) > 0).int().tolist()
print("learned program answers", answers)
# --8<-- [end:solution]

# --8<-- [start:check]
assert answers == [0, 1, 1, 1], f"the learned program answers {answers}; OR is [0, 1, 1, 1]"
print("check passed: the same code learned OR from four examples")
# --8<-- [end:check]
