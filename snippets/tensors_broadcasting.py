"""Broadcasting: how tensors of different shapes combine, and when they can't."""

import torch

col = torch.arange(3).reshape(3, 1)   # shape (3, 1)
row = torch.arange(4).reshape(1, 4)   # shape (1, 4)
table = col * 10 + row                # both stretch to (3, 4); no data is copied
print(table)
print("shape:", tuple(table.shape))

images = torch.rand(8, 3, 28, 28)     # a batch of 8 RGB images
mean = images.mean(dim=(0, 2, 3), keepdim=True)  # one mean per channel: shape (1, 3, 1, 1)
centered = images - mean              # (8, 3, 28, 28) - (1, 3, 1, 1) works
print("per-channel mean after centering:", centered.mean(dim=(0, 2, 3)).abs().max().item() < 1e-6)

try:
    torch.ones(3, 4) + torch.ones(3)  # trailing dims 4 and 3 differ, neither is 1
except RuntimeError as err:
    print("error:", str(err).splitlines()[0])
