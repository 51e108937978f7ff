"""Find the double softmax

difficulty: medium
kind: code

This classifier ends with a softmax, and is trained with `nn.CrossEntropyLoss`. It runs without
an error, but it learns slowly and its loss cannot get near zero even on 20 examples it sees over
and over. Fix the model so that the loss is computed correctly, then train again.
"""

# --8<-- [start:starter]
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(20, 5), torch.randint(0, 3, (20,))
model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 3), nn.Softmax(dim=1))  # TODO: what should forward return?
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(300):
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"training loss after 300 steps: {loss.item():.3f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(20, 5), torch.randint(0, 3, (20,))
model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 3))  # logits: the loss applies the softmax
loss_fn = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(300):
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"training loss after 300 steps: {loss.item():.3f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert not any(isinstance(m, nn.Softmax) for m in model.modules()), "the model still ends with a softmax"
assert loss.item() < 0.1, f"the training loss is {loss.item():.3f}; 20 examples should be fitted almost exactly"
print("check passed: the model returns logits and fits its 20 examples")
# --8<-- [end:check]
