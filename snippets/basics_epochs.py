"""Epochs, batches, steps and iterations, counted on a real run."""

import math

import torch
from torch.utils.data import DataLoader, TensorDataset

from dlnotes import Trainer, fashion_mnist
from dlnotes.models import small_cnn

train, _ = fashion_mnist(sample=True)
n = 1_000
dataset = TensorDataset(train.data[:n].unsqueeze(1).float() / 255, train.targets[:n])
loader = DataLoader(dataset, batch_size=64, shuffle=True)
print(f"{n} images, batch size 64 -> {len(loader)} batches per epoch "
      f"(ceil({n}/64) = {math.ceil(n / 64)}; the last batch has {n - 64 * (len(loader) - 1)} images)")
print(f"with drop_last=True: {len(DataLoader(dataset, batch_size=64, drop_last=True))} batches, the last {n % 64} images skipped")

torch.manual_seed(0)
trainer = Trainer(small_cnn(), loader, device="cpu", verbose=False, progress=False)
trainer.fit(2, lr=1e-3)
print(f"after fit(2): {trainer.epoch} epochs, {trainer.step} optimizer steps = 2 x {len(loader)}")
assert trainer.step == 2 * len(loader)

torch.manual_seed(0)
trainer = Trainer(small_cnn(), loader, device="cpu", verbose=False, progress=False, accumulate=2)
trainer.fit(1, lr=1e-3)
print(f"accumulate=2: {len(loader)} batches but {trainer.step} steps in one epoch (one step per 2 batches)")
