"""Rescue a training run

difficulty: medium
kind: code

The starter trains the small CNN on the embedded Fashion-MNIST sample for 40 steps of SGD with
momentum, at a learning rate at which the loss barely moves from where it started (about
ln 10 ≈ 2.3, the loss of guessing). Change the learning rate, and only that, so that the mean
loss of the last 10 steps drops below 1.2.

Answer:
A rate around 0.05 to 0.2 works (the page's figure uses 0.1); 1e-4 moves the weights too
little in 40 steps, while 3 or more makes the loss explode. The range test finds the good
region without trying each rate by hand:
`Trainer(small_cnn(), loader).lr_find()`, as in [The range test](#the-range-test).
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

from dlnotes import FastLoader, fashion_mnist, small_cnn

train, _ = fashion_mnist(sample=True)
loader = FastLoader(train.data[:2560], train.targets[:2560], batch_size=64, shuffle=True, device="cpu", seed=0)
torch.manual_seed(0)
model = small_cnn()
lr = 1e-4  # TODO: a learning rate at which 40 steps make real progress
optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
losses = []
for x, y in loader:
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
last10 = sum(losses[-10:]) / 10
print(f"lr {lr}: {len(losses)} steps, loss {losses[0]:.2f} at the start, {last10:.2f} over the last 10")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

from dlnotes import FastLoader, fashion_mnist, small_cnn

train, _ = fashion_mnist(sample=True)
loader = FastLoader(train.data[:2560], train.targets[:2560], batch_size=64, shuffle=True, device="cpu", seed=0)
torch.manual_seed(0)
model = small_cnn()
lr = 0.1  # the page's "good" rate
optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
losses = []
for x, y in loader:
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
last10 = sum(losses[-10:]) / 10
print(f"lr {lr}: {len(losses)} steps, loss {losses[0]:.2f} at the start, {last10:.2f} over the last 10")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(losses) == 40, "train for the same 40 steps"
assert last10 < 1.2, f"the last 10 steps average {last10:.2f}; get it below 1.2"
print("check passed: 40 steps that learn something")
# --8<-- [end:check]
