"""The kernels on a natural photograph: the portrait of Grace Hopper that ships with matplotlib."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cbook

from dlnotes.kernels import apply_kernel

with cbook.get_sample_data("grace_hopper.jpg") as f:
    photo = plt.imread(f)  # uint8, (height, width, 3)
photo = photo[::2, ::2]  # half size: 300 x 256
gray = photo.mean(axis=2) / 255  # (height, width) in [0, 1]
print("photo:", photo.shape, photo.dtype, "| grayscale:", gray.shape)

panels = [("original", photo / 255)]
for name in ("gaussian_blur", "sharpen", "emboss"):
    panels.append((name, np.clip(apply_kernel(photo, name), 0, 1)))  # RGB in, RGB out
for name in ("top", "right", "outline"):
    panels.append((name, apply_kernel(gray, name)))

fig, axes = plt.subplots(1, len(panels), figsize=(14, 2.9))
for ax, (name, img) in zip(axes, panels, strict=True):
    if img.ndim == 2:
        limit = np.percentile(np.abs(img), 99.5)  # a few strong edges would wash out the rest
        ax.imshow(img, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(img)
    ax.set_title(name, fontsize=9)
    ax.axis("off")
    print(f"{name:14s} {img.shape}")
fig.suptitle("Kernels on a photograph (colour kernels per channel; edge kernels on the grey image)")
plt.show()
