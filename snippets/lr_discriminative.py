"""Discriminative learning rates: fit_one_cycle with max_lr=slice(low, high)."""

import torch
from matplotlib import pyplot as plt

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

train, _ = fashion_mnist(sample=True)
loader = FastLoader(train.data[:1280], train.targets[:1280], batch_size=64, shuffle=True, device="cpu", seed=0)
torch.manual_seed(0)
trainer = Trainer(small_cnn(), loader, device="cpu", verbose=False)

for i, group in enumerate(trainer.optimizer.param_groups):
    n = sum(p.numel() for p in group["params"])
    print(f"group {i}: {len(group['params'])} tensors, {n:,} weights")


class RecordLRs:
    """A callback: the learning rate of every parameter group after every batch."""

    def __init__(self):
        self.lrs = []

    def on_batch_end(self, trainer):
        self.lrs.append([g["lr"] for g in trainer.optimizer.param_groups])


record = RecordLRs()
trainer.callbacks.append(record)
trainer.fit_one_cycle(1, max_lr=slice(1e-4, 1e-2))  # early layers 1e-4, head 1e-2, middle in between
peaks = [max(step[i] for step in record.lrs) for i in range(len(trainer.optimizer.param_groups))]
print("peak learning rate of each group:", ", ".join(f"{p:.0e}" for p in peaks))

fig, ax = plt.subplots(figsize=(6, 3.5))
for i, name in enumerate(("early layers", "late layers", "head")):
    ax.plot([step[i] for step in record.lrs], label=f"group {i}: {name}")
ax.set_yscale("log")
ax.set_xlabel("step")
ax.set_ylabel("learning rate (log scale)")
ax.set_title("fit_one_cycle(1, max_lr=slice(1e-4, 1e-2))")
ax.legend()
plt.show()
