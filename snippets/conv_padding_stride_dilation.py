"""Padding, stride and dilation: where the kernel's taps land, from dlnotes.conv.window_positions."""

import matplotlib.pyplot as plt

from dlnotes.conv import conv_output_size, window_positions

size, k = 5, 3
settings = [
    ("no padding", dict(padding=0, stride=1, dilation=1)),
    ("padding 1", dict(padding=1, stride=1, dilation=1)),
    ("stride 2, padding 1", dict(padding=1, stride=2, dilation=1)),
    ("dilation 2, padding 1", dict(padding=1, stride=1, dilation=2)),
]
fig, axes = plt.subplots(1, len(settings), figsize=(12, 3.4))
for ax, (name, s) in zip(axes, settings, strict=True):
    p = s["padding"]
    full = size + 2 * p
    out = conv_output_size(size, k, s["stride"], p, s["dilation"])
    print(f"{name:22s}: {size}x{size} input -> {out}x{out} output")
    for r in range(full):
        for c in range(full):
            pad = not (p <= r < p + size and p <= c < p + size)
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor="#eeeeee" if pad else "#b9cde5",
                                       edgecolor="white", hatch="//" if pad else None))  # fmt: skip
    windows = list(window_positions(full, full, k, s["stride"], s["dilation"]))
    for (i, j, rows, cols), colour, shift in ((windows[0], "C3", -0.15), (windows[1], "C2", 0.15)):
        xs = [c + 0.5 + shift for r in rows for c in cols]
        ys = [r + 0.5 + shift for r in rows for c in cols]
        ax.scatter(xs, ys, color=colour, s=30, label=f"taps for output ({i}, {j})")
    ax.set_xlim(0, full)
    ax.set_ylim(full, 0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{name}\n{size}×{size} → {out}×{out}", fontsize=10)
axes[0].legend(loc="upper left", bbox_to_anchor=(0, -0.02), fontsize=8, frameon=False)
fig.suptitle("Where a 3×3 kernel reads its first two windows (hatched: zero padding)")
plt.show()
