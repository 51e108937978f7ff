"""Normalize each channel

difficulty: easy
kind: code

A batch of 8 RGB images has the shape `(8, 3, 28, 28)`. Normalize it per channel: subtract
each channel's mean and divide by its standard deviation (both over the batch and all pixels),
so that every channel ends up with mean 0 and standard deviation 1. Use broadcasting, no loop.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
images = torch.rand(8, 3, 28, 28) * torch.tensor([1.0, 2.0, 4.0]).reshape(1, 3, 1, 1)

normalized = images  # TODO: subtract the per-channel mean, divide by the per-channel std
print("means:", normalized.mean(dim=(0, 2, 3)))
print("stds: ", normalized.std(dim=(0, 2, 3)))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
images = torch.rand(8, 3, 28, 28) * torch.tensor([1.0, 2.0, 4.0]).reshape(1, 3, 1, 1)

mean = images.mean(dim=(0, 2, 3), keepdim=True)  # shape (1, 3, 1, 1): broadcasts over the batch
std = images.std(dim=(0, 2, 3), keepdim=True)
normalized = (images - mean) / std
print("means:", normalized.mean(dim=(0, 2, 3)))
print("stds: ", normalized.std(dim=(0, 2, 3)))
# --8<-- [end:solution]

# --8<-- [start:check]
assert normalized.shape == images.shape, f"the shape changed to {tuple(normalized.shape)}"
assert normalized.mean(dim=(0, 2, 3)).abs().max() < 1e-5, "each channel's mean should be 0"
assert (normalized.std(dim=(0, 2, 3)) - 1).abs().max() < 1e-4, "each channel's std should be 1"
print("check passed: every channel has mean 0 and std 1")
# --8<-- [end:check]
