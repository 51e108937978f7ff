"""Sounds a CNN can tell apart once they are pictures: rising, falling and steady whistles."""

import math

import matplotlib.pyplot as plt
import torch

from dlnotes import Trainer
from dlnotes.data import FastLoader
from dlnotes.models import small_cnn

threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread is plenty for a model this small (and the build machine is shared)

CLASSES = ["rising", "falling", "steady"]
RATE, SECONDS, N_FFT, HOP = 8000, 0.5, 128, 128


def whistle(kind, generator):
    """Half a second of a whistle of the given kind, at a random pitch, with noise."""
    t = torch.arange(0, SECONDS, 1 / RATE)
    start = 500 + 2500 * torch.rand((), generator=generator)      # random starting pitch (Hz)
    slope = {"rising": 1000.0, "falling": -1000.0, "steady": 0.0}[kind]  # Hz per second
    phase = 2 * math.pi * (start * t + slope * t**2 / 2)
    return torch.sin(phase) + 1.5 * torch.randn(t.shape, generator=generator)


def spectrogram(signal):
    """Log-power spectrogram, frequency bins x time frames."""
    spec = torch.stft(signal, N_FFT, HOP, window=torch.hann_window(N_FFT), return_complex=True)
    return torch.log10(spec.abs() ** 2 + 1e-6)


def make_set(n_per_class, seed):
    generator = torch.Generator().manual_seed(seed)
    images, labels = [], []
    for label, kind in enumerate(CLASSES):
        for _ in range(n_per_class):
            images.append(spectrogram(whistle(kind, generator)))
            labels.append(label)
    images = torch.stack(images).unsqueeze(1)                      # N x 1 x freq x time
    return images, torch.tensor(labels)


train_x, train_y = make_set(100, seed=0)
valid_x, valid_y = make_set(50, seed=1)
low, high = train_x.min(), train_x.max()                           # scale to [0, 1] like pixels
train_x = (train_x - low) / (high - low)
valid_x = ((valid_x - low) / (high - low)).clamp(0, 1)
print("one picture per sound:", tuple(train_x.shape[1:]), "(channels, frequency, time)")

torch.manual_seed(0)
train_loader = FastLoader(train_x, train_y, batch_size=30, shuffle=True, device="cpu")
valid_loader = FastLoader(valid_x, valid_y, batch_size=150, device="cpu", normalize=train_loader.stats)
learn = Trainer(small_cnn(n_classes=3), train_loader, valid_loader, device="cpu", verbose=False)
learn.fit_one_cycle(3, 1e-2)
print(f"validation accuracy after 3 epochs: {learn.evaluate()['accuracy']:.3f} (chance: 0.333)")

fig, axes = plt.subplots(1, 3, figsize=(9, 2.8))
for ax, label in zip(axes, range(3)):
    ax.imshow(valid_x[valid_y == label][0, 0], origin="lower", aspect="auto", cmap="magma")
    ax.set_title(CLASSES[label])
    ax.set_xlabel("time frame")
axes[0].set_ylabel("frequency bin")
fig.suptitle("What the CNN sees: one validation picture per class")
fig.tight_layout()
plt.show()
torch.set_num_threads(threads)  # put the setting back
