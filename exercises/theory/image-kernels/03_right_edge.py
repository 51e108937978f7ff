"""Build the right edge detector

difficulty: medium
kind: code

The starter applies the notes' "right edge detector", with its two wrong signs, to a bright
square. Fix the kernel so that it measures only left-to-right change: it should answer with
+4 along the square's left side (where the image gets brighter to the right), -4 along its right
side, and nothing at all along the top and bottom sides.

Answer:
The Sobel kernel is the right column minus the left column, the middle row weighted twice:
`[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]`. The notes' kernel adds a top-minus-bottom term in its
first and last rows, so it also answers (with ±2) on the top and bottom sides. The page's
correction box shows both kernels on the same square.
"""

# --8<-- [start:starter]
import torch

from dlnotes.kernels import apply_kernel

image = torch.zeros(12, 12)
image[3:9, 3:9] = 1.0  # a bright square, rows and columns 3 to 8

kernel = torch.tensor([[1.0, 0, 1], [-2, 0, 2], [-1, 0, -1]])  # TODO: fix the two wrong signs
response = apply_kernel(image, kernel)
print(response)
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes.kernels import apply_kernel

image = torch.zeros(12, 12)
image[3:9, 3:9] = 1.0  # a bright square, rows and columns 3 to 8

kernel = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])  # the right column minus the left
response = apply_kernel(image, kernel)
print(response)
# --8<-- [end:solution]

# --8<-- [start:check]
assert response[:, 4:8].abs().max() == 0, "the kernel still answers along the top or bottom side (columns 4-7)"
assert response[4:8, 2:4].min() == 4 and response[4:8, 8:10].max() == -4, "expected +4 along the left side and -4 along the right"
print("check passed: the Sobel right kernel, answering only to left-to-right change")
# --8<-- [end:check]
