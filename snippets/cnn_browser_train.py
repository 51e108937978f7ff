"""The CNN for the browser: the lesson's small CNN, trained briefly on the embedded Fashion-MNIST sample."""

import torch

from dlnotes.data import FastLoader, fashion_mnist
from dlnotes.models import small_cnn
from dlnotes.trainer import Trainer

torch.manual_seed(0)
train, test = fashion_mnist(sample=True)
n_train, n_valid = 2000, 1000  # kept small so that the site builds fast
train_dl = FastLoader(train.data[:n_train], train.targets[:n_train], batch_size=64, shuffle=True, device="cpu", seed=0)
valid_dl = FastLoader(test.data[:n_valid], test.targets[:n_valid], batch_size=500, device="cpu", normalize=train_dl.stats)

model = small_cnn(n_classes=10, width=8)  # half the default width: about 6,000 weights
trainer = Trainer(model, train_dl, valid_dl, device="cpu", progress=False, verbose=False)
trainer.fit_one_cycle(2, max_lr=1e-2)

n_weights = sum(p.numel() for p in model.parameters())
print(f"{n_weights:,} weights; accuracy on {n_valid:,} test images: {trainer.history[-1]['accuracy']:.3f}")
