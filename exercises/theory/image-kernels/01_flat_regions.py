"""What a kernel does to a flat grey image

difficulty: easy
kind: predict

A flat image is the same grey everywhere. Before you run it: what will each kernel leave in the
middle of the image? Think about what the weights of each kernel add up to.

Answer:
A kernel multiplies each neighbour by its weight and adds up, so on a flat image the output is
the grey value times the sum of the weights. Blur, sharpen and emboss sum to 1 and leave 0.5;
the edge detectors and the outline sum to 0 and give 0: where nothing changes, there is no edge.
That is why the page's edge images are white (zero) on flat background.
"""

# --8<-- [start:starter]
import torch

from dlnotes.kernels import KERNELS, apply_kernel

flat = torch.full((5, 5), 0.5)
for name in ("box_blur", "sharpen", "emboss", "top", "outline"):
    middle = apply_kernel(flat, name)[2, 2].item()
    print(f"{name:9s} weights sum to {KERNELS[name].sum().item():+.1f}, middle pixel {middle:+.2f}")
# --8<-- [end:starter]
