"""What the learning rate does: the same model, the same batches, three learning rates."""

import torch
import torch.nn.functional as F
from matplotlib import pyplot as plt

from dlnotes import FastLoader, fashion_mnist, small_cnn

train, _ = fashion_mnist(sample=True)  # the embedded sample: no download
loader = FastLoader(train.data[:3200], train.targets[:3200], batch_size=64, shuffle=True, device="cpu", seed=0)


def training_losses(lr: float, steps: int = 50) -> list[float]:
    """Train a fresh small CNN with SGD at a constant learning rate; the loss of every batch."""
    torch.manual_seed(0)  # the same initial weights for every learning rate
    loader.set_epoch(0)  # and the same batches
    model = small_cnn()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    while len(losses) < steps:
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()  # weights -= lr * (momentum-averaged) gradient
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return losses


fig, ax = plt.subplots(figsize=(7, 4))
for lr, label in ((0.001, "too small"), (0.1, "good"), (3.0, "too large")):
    losses = training_losses(lr)
    last = sum(losses[-10:]) / 10
    print(f"lr {lr:<5}  ({label:>9}): loss {losses[0]:.2f} at the start, {last:.2f} over the last 10 batches")
    ax.plot(losses, label=f"lr = {lr} ({label})")
ax.axhline(2.303, color="0.6", ls=":", label="guessing (ln 10)")
ax.set_xlabel("training step (batch of 64)")
ax.set_ylabel("training loss")
ax.set_title("Three learning rates, same model and data")
ax.set_ylim(0, 4)
ax.legend()
plt.show()
