"""Lesson 1, step 1: the data, as batches of tensors ready for a model."""

import torch

from dlnotes import fashion_mnist, fast_loaders

torch.manual_seed(0)
train, test = fashion_mnist(sample=True)  # 10,000 training and 2,000 test images, shipped with the package
train_dl, valid_dl = fast_loaders(train, test, batch_size=128, seed=0)

print(f"training set: {len(train):,} images, {len(train_dl)} batches of up to {train_dl.batch_size}")
print(f"validation set: {len(test):,} images, {len(valid_dl)} batches")
print("classes:", ", ".join(train.classes))
x, y = next(iter(train_dl))
print("one batch:", tuple(x.shape), x.dtype, "labels", tuple(y.shape), y.dtype)
print(f"normalised with mean {train_dl.stats[0][0]:.3f} and std {train_dl.stats[1][0]:.3f}:",
      f"pixels now from {x.min():.2f} to {x.max():.2f}")
print("first labels:", [train.classes[i] for i in y[:4].tolist()])
