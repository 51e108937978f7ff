"""What overfitting looks like: train on 500 images for too long and watch the validation loss.

A plain PyTorch loop (no trainer) so that every step is visible. The training loss keeps
falling; the validation loss falls, bottoms out, then climbs while the model memorises
its 500 training images.
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from dlnotes import FastLoader, fashion_mnist

torch.manual_seed(0)
train, test = fashion_mnist(sample=True)
small = torch.cat([(train.targets == c).nonzero().flatten()[:50] for c in range(10)])  # 50 per class
train_loader = FastLoader(train.data[small], train.targets[small], batch_size=50, shuffle=True, device="cpu", seed=0)
valid_loader = FastLoader(test.data[:1000], test.targets[:1000], batch_size=1000, device="cpu", normalize=train_loader.stats)

model = torch.nn.Sequential(
    torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def evaluate(loader):
    """Mean loss and accuracy over a whole loader, without changing the model."""
    model.eval()
    loss = correct = 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    model.train()
    return loss / len(loader.images), correct / len(loader.images)


history = []
for _ in range(40):  # epochs
    for x, y in train_loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    (train_loss, _), (valid_loss, valid_acc) = evaluate(train_loader), evaluate(valid_loader)
    history.append((train_loss, valid_loss, valid_acc))

train_losses, valid_losses, valid_accs = zip(*history, strict=True)
best = min(range(len(history)), key=lambda e: valid_losses[e])
# the notes' sign of overfitting: a training loss "much lower" than the validation loss (here: under half)
gap = next((e for e in range(len(history)) if train_losses[e] < 0.5 * valid_losses[e]), None)
print("epoch  train loss  valid loss  valid accuracy")
for e in sorted({0, 2, best, 19, 39} | ({gap} if gap is not None else set())):
    print(f"{e + 1:5d}  {train_losses[e]:10.4f}  {valid_losses[e]:10.3f}  {valid_accs[e]:14.3f}")
print(f"training loss under half the validation loss from epoch {gap + 1 if gap is not None else 'never'}")
print(f"lowest validation loss after epoch {best + 1}")

fig, ax = plt.subplots(figsize=(7, 4))
epochs = range(1, len(history) + 1)
ax.plot(epochs, train_losses, label="training loss (500 images)")
ax.plot(epochs, valid_losses, label="validation loss (1,000 images)")
ax.axvline(best + 1, color="gray", linestyle=":", label=f"lowest validation loss (epoch {best + 1})")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy loss")
ax.set_title("Overfitting: training loss keeps falling, validation loss turns back up")
ax.legend()
plt.show()
