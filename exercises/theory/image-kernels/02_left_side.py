"""Light up the left side

difficulty: easy
kind: code

The kernels in `KERNELS` are named after the side their positive weights are on: `"top"` is
positive where the image is brighter *above* than below. On a bright square that is the square's
bottom side, which is where the starter finds its largest response. Change the kernel so that the
largest response is on the square's *left* side (columns 2 and 3). Pick one from `KERNELS`, or
write the 3×3 weights yourself.

Answer:
Along the left side of the square the image gets brighter towards the right, so the kernel that
answers there is `KERNELS["right"]`, the right column minus the left column. A kernel's name
says which way the brightness increases, not which side of an object it finds: the same kernel
is just as strongly *negative* on the square's right side. Print `response` to see both.
"""

# --8<-- [start:starter]
import torch

from dlnotes.kernels import KERNELS, apply_kernel

image = torch.zeros(12, 12)
image[3:9, 3:9] = 1.0  # a bright square: rows and columns 3 to 8

kernel = KERNELS["top"]  # TODO: a kernel whose largest response is on the left side
response = apply_kernel(image, kernel)
row, col = divmod(int(response.argmax()), response.shape[1])
print(f"largest response {response.max().item():.1f} at row {row}, column {col}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes.kernels import KERNELS, apply_kernel

image = torch.zeros(12, 12)
image[3:9, 3:9] = 1.0  # a bright square: rows and columns 3 to 8

kernel = KERNELS["right"]  # positive where the image gets brighter towards the right
response = apply_kernel(image, kernel)
row, col = divmod(int(response.argmax()), response.shape[1])
print(f"largest response {response.max().item():.1f} at row {row}, column {col}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert col in (2, 3) and 3 <= row <= 8, f"the largest response is at row {row}, column {col}: not on the left side"
print("check passed: the kernel lights up the left side")
# --8<-- [end:check]
