"""FastLoader: the whole sample on the device as one uint8 tensor, normalised and augmented per batch."""

import matplotlib.pyplot as plt
import torch

from dlnotes import fashion_mnist, fast_loaders, show_batch

device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
train, test = fashion_mnist(sample=True)
train_loader, valid_loader = fast_loaders(train, test, batch_size=256, device=device, augment=True, seed=0)

print("batches per epoch:", len(train_loader), "train,", len(valid_loader), "valid")
print("statistics from the training images:", train_loader.stats)
print("valid uses the same statistics:", valid_loader.stats == train_loader.stats)
x, y = next(iter(train_loader))
print("a batch:", tuple(x.shape), x.dtype, tuple(y.shape), y.dtype, "on", x.device.type)
xs = torch.cat([x for x, _ in valid_loader])
print(f"validation pixels after normalising: mean {xs.mean():.3f}, std {xs.std():.3f}")

show_batch(train_loader, n=16, title="A training batch as the model sees it: shifted and flipped")
plt.show()
