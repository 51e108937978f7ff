"""The notes' "right edge detector" against the Sobel kernel, on a bright square and on a real image."""

import matplotlib.pyplot as plt
import torch

from dlnotes.kernels import KERNELS, apply_kernel

notes_right = torch.tensor([[1.0, 0, 1], [-2, 0, 2], [-1, 0, -1]])  # from the lesson notes
sobel_right = KERNELS["right"]
print("Sobel 'right':\n", sobel_right)

square = torch.zeros(12, 12)
square[3:9, 3:9] = 1.0  # a bright square on a dark background
# Going right across the square's left side, the image gets brighter; across its right side, darker.
# Going down across its top side, brighter; across its bottom side, darker.
for name, kernel in (("notes' kernel", notes_right), ("Sobel right", sobel_right)):
    out = apply_kernel(square, kernel)
    print(f"{name}:")
    print(f"  vertical edges:   left side {out[5, 2:4].max().item():+.0f}, right side {out[5, 8:10].min().item():+.0f}")
    print(f"  horizontal edges: top side {out[2:4, 5].min().item():+.0f}, bottom side {out[8:10, 5].max().item():+.0f}")

fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
axes[0].imshow(square.numpy(), cmap="gray")
axes[0].set_title("input")
for ax, (name, kernel) in zip(axes[1:], (("notes' kernel", notes_right), ("Sobel right", sobel_right)), strict=True):
    ax.imshow(apply_kernel(square, kernel).numpy(), cmap="RdBu_r", vmin=-4, vmax=4)
    ax.set_title(name)
for ax in axes:
    ax.axis("off")
fig.suptitle("The notes' kernel also fires on the top and bottom edges")
plt.show()
