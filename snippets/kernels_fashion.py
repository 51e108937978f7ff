"""Every named kernel applied to a Fashion-MNIST image (the sample that ships with dlnotes)."""

import matplotlib.pyplot as plt

from dlnotes import fashion_mnist
from dlnotes.kernels import KERNELS, apply_kernel

train, _ = fashion_mnist(sample=True)
index = 3
image = train.data[index]  # uint8, 28x28; apply_kernel scales it to [0, 1]
print("image:", train.classes[train.targets[index]], tuple(image.shape), image.dtype)

fig, axes = plt.subplots(2, 6, figsize=(12, 4.6))
axes[0, 0].imshow(image.numpy(), cmap="gray")
axes[0, 0].set_title("original", fontsize=9)
for ax, (name, kernel) in zip(axes.flat[1:], KERNELS.items(), strict=False):
    out = apply_kernel(image, name)
    print(f"{name:14s} output range [{out.min().item():6.2f}, {out.max().item():5.2f}]")
    if kernel.sum() == 0:  # edge detectors and outline: show negatives and positives around grey
        limit = out.abs().max().item()
        ax.imshow(out.numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        ax.imshow(out.clamp(0, 1).numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_title(name, fontsize=9)
for ax in axes.flat:
    ax.axis("off")
fig.suptitle("The named kernels on a Fashion-MNIST image (red: positive, blue: negative)")
plt.show()
