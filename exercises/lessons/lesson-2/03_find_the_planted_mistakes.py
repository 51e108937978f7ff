"""Find the planted mistakes

difficulty: medium
kind: code

The starter flips the labels of 100 of 2,000 training images, trains a small linear classifier
on the flipped labels for a few seconds, and computes the loss of every image under its (maybe
wrong) label. It then takes the 100 images with the *lowest* loss as suspects, which finds
almost none of the flipped ones. Change the ranking so that at least half of the 100 suspects
are flipped images.

Answer:
Rank by the *largest* loss (`losses.topk(100).indices`, or `argsort(descending=True)`): a
mislabelled image is one where the model, having learned the classes from the other 95%,
gives its label a low probability. Choosing twice as many suspects as you expect mistakes finds
more of them, at the cost of more images to look at; the page's `suspects` does the same with
a CNN, on files.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

from dlnotes import fashion_mnist

train, _ = fashion_mnist(sample=True)
x = train.data[:2000].flatten(1).float() / 255
labels = train.targets[:2000].clone()
g = torch.Generator().manual_seed(0)
flipped = torch.randperm(2000, generator=g)[:100]
labels[flipped] = (labels[flipped] + torch.randint(1, 10, (100,), generator=g)) % 10  # a wrong class

torch.manual_seed(0)
model = torch.nn.Linear(784, 10)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(100):
    loss = F.cross_entropy(model(x), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    losses = F.cross_entropy(model(x), labels, reduction="none")
suspects = losses.argsort()[:100]  # TODO: rank so that the suspects are the likely mistakes
found = len(set(suspects.tolist()) & set(flipped.tolist()))
print(f"{found} of the 100 suspects are flipped labels")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

from dlnotes import fashion_mnist

train, _ = fashion_mnist(sample=True)
x = train.data[:2000].flatten(1).float() / 255
labels = train.targets[:2000].clone()
g = torch.Generator().manual_seed(0)
flipped = torch.randperm(2000, generator=g)[:100]
labels[flipped] = (labels[flipped] + torch.randint(1, 10, (100,), generator=g)) % 10  # a wrong class

torch.manual_seed(0)
model = torch.nn.Linear(784, 10)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(100):
    loss = F.cross_entropy(model(x), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    losses = F.cross_entropy(model(x), labels, reduction="none")
suspects = losses.topk(100).indices  # the largest losses: labels the model most disagrees with
found = len(set(suspects.tolist()) & set(flipped.tolist()))
print(f"{found} of the 100 suspects are flipped labels")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(suspects) == 100, "keep 100 suspects"
assert found >= 50, f"only {found} of the 100 suspects are flipped labels"
print("check passed: most suspects are real mistakes")
# --8<-- [end:check]
