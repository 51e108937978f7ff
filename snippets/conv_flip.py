"""Convolution flips the kernel, cross-correlation does not; deep learning's conv2d is the second."""

import numpy as np
import torch

signal = np.array([0, 0, 1, 0, 0, 0, 2, 0, 0], dtype=float)  # two impulses
kernel = np.array([1, 2, 3], dtype=float)                   # an asymmetric kernel

print("signal                :", signal)
print("convolution   f * g   :", np.convolve(signal, kernel, mode="same"))   # each impulse leaves 1 2 3
print("cross-correlation     :", np.correlate(signal, kernel, mode="same"))  # each impulse leaves 3 2 1

# PyTorch's conv2d (and ours) is cross-correlation: the same 1-D example as a 1x9 image.
x = torch.tensor(signal).view(1, 1, 1, 9)
w = torch.tensor(kernel).view(1, 1, 1, 3)
out = torch.nn.functional.conv2d(x, w, padding=(0, 1))
print("torch conv2d          :", out.flatten().numpy())
flipped = torch.nn.functional.conv2d(x, w.flip(-1), padding=(0, 1))
print("conv2d, kernel flipped:", flipped.flatten().numpy(), "(= the true convolution)")
