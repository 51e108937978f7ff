"""What a CNN learns, step 1: train the small CNN briefly on the embedded Fashion-MNIST sample."""

import copy

import torch

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

torch.manual_seed(0)
train, test = fashion_mnist(sample=True)
train_dl = FastLoader(train.data[:5000], train.targets[:5000], batch_size=64, shuffle=True, device="cpu", seed=0)
valid_dl = FastLoader(test, batch_size=500, device="cpu", normalize=train_dl.stats)  # in order: item i is test[i]

model = small_cnn(n_classes=10)
untrained = copy.deepcopy(model)  # to compare the filters before and after training
trainer = Trainer(model, train_dl, valid_dl, device="cpu", progress=False, verbose=False)
trainer.fit_one_cycle(2, max_lr=5e-3)

print(f"validation accuracy after 2 epochs on 5,000 images: {trainer.history[-1]['accuracy']:.3f}")
