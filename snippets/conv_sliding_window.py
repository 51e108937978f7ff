"""The sliding window, drawn from the code that computes it: dlnotes.conv.window_positions."""

import matplotlib.pyplot as plt
import torch

from dlnotes.conv import conv2d_naive, window_positions

image = torch.tensor([[3, 0, 1, 2, 7],
                      [1, 5, 8, 9, 3],
                      [2, 7, 2, 5, 1],
                      [0, 1, 3, 1, 7],
                      [4, 2, 1, 6, 2]], dtype=torch.float32)  # fmt: skip
kernel = torch.tensor([[1, 0, -1],
                       [1, 0, -1],
                       [1, 0, -1]], dtype=torch.float32)  # fmt: skip
out = conv2d_naive(image.view(1, 1, 5, 5), kernel.view(1, 1, 3, 3))[0, 0]
print("output:\n", out)

positions = list(window_positions(5, 5, kernel_size=3))  # the same loop conv2d_naive runs
shown = [positions[0], positions[1], positions[5], positions[-1]]
fig, axes = plt.subplots(2, len(shown), figsize=(11, 5.6))
for col, (i, j, rows, cols) in enumerate(shown):
    top, bottom = axes[0, col], axes[1, col]
    top.imshow(image.numpy(), cmap="Greys", vmin=0, vmax=20)
    for r in range(5):
        for c in range(5):
            inside = r in rows and c in cols
            text = f"{image[r, c]:.0f}" + (f"\n×{kernel[r - rows[0], c - cols[0]]:.0f}" if inside else "")
            top.text(c, r, text, ha="center", va="center", fontsize=8, color="C3" if inside else "black")
    top.add_patch(plt.Rectangle((cols[0] - 0.5, rows[0] - 0.5), 3, 3, fill=False, edgecolor="C3", linewidth=2.5))
    products = image[rows][:, cols] * kernel
    top.set_title(f"window for output ({i}, {j})\nsum of products = {products.sum():.0f}", fontsize=9)
    done = torch.full_like(out, float("nan"))
    for p, (a, b, _, _) in enumerate(positions):
        if p <= positions.index((i, j, rows, cols)):
            done[a, b] = out[a, b]
    bottom.imshow(torch.zeros_like(out).numpy(), cmap="Greys", vmin=0, vmax=1)
    for a in range(3):
        for b in range(3):
            if not torch.isnan(done[a, b]):
                bottom.text(b, a, f"{done[a, b]:.0f}", ha="center", va="center", fontsize=10,
                            color="C3" if (a, b) == (i, j) else "black")  # fmt: skip
    bottom.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="C3", linewidth=2.5))
    bottom.set_title("output so far", fontsize=9)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("A 3×3 kernel sliding over a 5×5 image (stride 1, no padding)")
plt.show()
