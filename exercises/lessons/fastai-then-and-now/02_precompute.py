"""precompute=True in plain PyTorch

difficulty: medium
kind: code

fastai 0.7's `precompute=True` ran the frozen body once per image and trained the head on the
cached activations. The starter trains a head on top of a frozen body, but runs the body again
at every step; a counter shows how many images went through it. Change it so that the body sees
each image exactly once, and the head trains on cached features.

Answer:
Compute `features = body(images)` once, under `torch.no_grad()` (no graph is needed for a frozen
body), then train the head on `features[rows]`. With a pretrained body this turned the first
epochs into a fraction of a second per epoch, but the cached features are those of the
*unaugmented* images, which is why augmentation did nothing until `precompute=False`.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
images, labels = torch.randn(500, 1, 28, 28), torch.randint(0, 10, (500,))
body = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
                           torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten())
body.requires_grad_(False)  # frozen, as in fastai before unfreeze()
head = torch.nn.Linear(8 * 4 * 4, 10)
seen = 0


def count(module, inputs, output):
    global seen
    seen += inputs[0].shape[0]


body.register_forward_hook(count)
opt = torch.optim.SGD(head.parameters(), lr=0.1)
for _ in range(50):
    rows = torch.randint(0, 500, (100,))
    features = body(images[rows])  # TODO: compute the features of all 500 images once, before the loop
    loss = F.cross_entropy(head(features), labels[rows])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"images through the body: {seen}, final loss {loss.item():.3f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
images, labels = torch.randn(500, 1, 28, 28), torch.randint(0, 10, (500,))
body = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
                           torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten())
body.requires_grad_(False)  # frozen, as in fastai before unfreeze()
head = torch.nn.Linear(8 * 4 * 4, 10)
seen = 0


def count(module, inputs, output):
    global seen
    seen += inputs[0].shape[0]


body.register_forward_hook(count)
with torch.no_grad():
    cached = body(images)  # precompute: every image through the body, once
opt = torch.optim.SGD(head.parameters(), lr=0.1)
for _ in range(50):
    rows = torch.randint(0, 500, (100,))
    features = cached[rows]
    loss = F.cross_entropy(head(features), labels[rows])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"images through the body: {seen}, final loss {loss.item():.3f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert seen == 500, f"{seen} images went through the body; with cached features it is 500"
assert head.weight.grad is not None, "the head was not trained"
print("check passed: the body ran once per image, the head trained on cached features")
# --8<-- [end:check]
