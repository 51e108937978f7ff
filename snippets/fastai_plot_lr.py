"""Two plots the 2017 notes mix up: the learning rate per step (`sched.plot_lr`) and the loss
against the learning rate (`sched.plot`), the one you choose a rate from. Both from one range test."""

import matplotlib.pyplot as plt
import torch

from dlnotes import Trainer, fashion_mnist
from dlnotes.data import FastLoader
from dlnotes.models import small_cnn

torch.manual_seed(0)
train, _ = fashion_mnist(sample=True)
learn = Trainer(small_cnn(), FastLoader(train, batch_size=128, shuffle=True, device="cpu"), device="cpu", verbose=False)
result = learn.lr_find(num_iter=80)
print(f"{len(result.lrs)} steps, learning rate from {result.lrs[0]:.0e} to {result.lrs[-1]:.3g}")
print(f"suggested learning rate: {result.suggestion:.2g}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.plot(range(1, len(result.lrs) + 1), result.lrs)
left.set_yscale("log")
left.set_xlabel("step (mini-batch)")
left.set_ylabel("learning rate (log scale)")
left.set_title("v0.7 sched.plot_lr(): the schedule, nothing to choose from")
result.plot(ax=right)
right.set_title("v0.7 sched.plot(), v2 lr_find(): choose from this one")
fig.tight_layout()
plt.show()
