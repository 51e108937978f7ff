"""Resampling with WeightedRandomSampler

difficulty: hard
kind: code

The page resamples with `torch.multinomial`. PyTorch's `WeightedRandomSampler` does the same
for a `DataLoader`. Give it one weight per *image* so that the rare class (50 of 2,050 images)
is drawn about as often as each of the two common classes.

Answer:
Each image's weight is one over the number of images of its class: `(1 / counts)[labels]`.
Every class then has the same total weight, so each is drawn with probability 1/3; the rare
images are drawn about 20 times as often as a common one, so each of them is repeated many times
per epoch. That repetition is the price: with very few rare images the model can memorise them,
which is why more data beats resampling.
"""

# --8<-- [start:starter]
import torch
from torch.utils.data import WeightedRandomSampler

labels = torch.tensor([0] * 1000 + [1] * 1000 + [2] * 50)
counts = torch.bincount(labels)
weights = torch.ones(len(labels))  # TODO: one weight per image, so that every class is drawn equally often

sampler = WeightedRandomSampler(weights, num_samples=30_000, replacement=True,
                                generator=torch.Generator().manual_seed(0))
drawn = labels[torch.tensor(list(sampler))]
share = torch.bincount(drawn, minlength=3).float() / len(drawn)
print("share of each class among the draws:", [round(s, 3) for s in share.tolist()])
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
from torch.utils.data import WeightedRandomSampler

labels = torch.tensor([0] * 1000 + [1] * 1000 + [2] * 50)
counts = torch.bincount(labels)
weights = (1.0 / counts.float())[labels]  # each class's weights add up to 1

sampler = WeightedRandomSampler(weights, num_samples=30_000, replacement=True,
                                generator=torch.Generator().manual_seed(0))
drawn = labels[torch.tensor(list(sampler))]
share = torch.bincount(drawn, minlength=3).float() / len(drawn)
print("share of each class among the draws:", [round(s, 3) for s in share.tolist()])
# --8<-- [end:solution]

# --8<-- [start:check]
assert (share - 1 / 3).abs().max() < 0.02, f"the classes are not drawn equally often: {share.tolist()}"
print("check passed: the rare class is drawn as often as the others")
# --8<-- [end:check]
