"""The embedded Fashion-MNIST sample: what is in it, and the statistics a model is fed with."""

import torch

from dlnotes.data import channel_stats, fashion_mnist

train, test = fashion_mnist(sample=True)  # shipped inside the package: no network, no disk cache
print("train:", len(train), "images; test:", len(test), "images")
print("classes:", train.classes)
print("images per class in train:", torch.bincount(train.targets).tolist())
print("data:", train.data.dtype, tuple(train.data.shape))

image, label = train[0]  # an item: a float tensor 1×28×28 in [0, 1], and an int
print(f"item 0: {tuple(image.shape)} {image.dtype}, label {label} = {train.classes[label]}")

# Normalisation statistics come from the TRAINING images only (never from valid or test):
mean, std = channel_stats(train.data.unsqueeze(1))
print(f"training mean {mean[0]:.4f}, std {std[0]:.4f}")
