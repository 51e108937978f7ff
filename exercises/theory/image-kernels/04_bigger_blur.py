"""A stronger blur

difficulty: medium
kind: code

A 3×3 box blur only reaches one pixel away, so on a 28×28 Fashion-MNIST image it is gentle.
Write a 5×5 box blur (every weight equal, the weights summing to 1) and compare how much of the
image's fine detail each blur leaves, measured as the mean absolute difference between
neighbouring pixels.
"""

# --8<-- [start:starter]
import torch

from dlnotes import fashion_mnist
from dlnotes.kernels import KERNELS, apply_kernel

train, _ = fashion_mnist(sample=True)
image = train.data[0].float() / 255


def detail(img):
    """Mean absolute difference between horizontal and vertical neighbours."""
    return ((img[:, 1:] - img[:, :-1]).abs().mean() + (img[1:] - img[:-1]).abs().mean()).item() / 2


kernel5 = KERNELS["box_blur"]  # TODO: a 5×5 kernel of equal weights that sum to 1
print(f"detail of the image      : {detail(image):.4f}")
print(f"after the 3×3 box blur   : {detail(apply_kernel(image, 'box_blur')):.4f}")
print(f"after your {tuple(kernel5.shape)} kernel: {detail(apply_kernel(image, kernel5)):.4f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import fashion_mnist
from dlnotes.kernels import KERNELS, apply_kernel

train, _ = fashion_mnist(sample=True)
image = train.data[0].float() / 255


def detail(img):
    """Mean absolute difference between horizontal and vertical neighbours."""
    return ((img[:, 1:] - img[:, :-1]).abs().mean() + (img[1:] - img[:-1]).abs().mean()).item() / 2


kernel5 = torch.full((5, 5), 1 / 25)  # 25 equal weights summing to 1
print(f"detail of the image      : {detail(image):.4f}")
print(f"after the 3×3 box blur   : {detail(apply_kernel(image, 'box_blur')):.4f}")
print(f"after your {tuple(kernel5.shape)} kernel: {detail(apply_kernel(image, kernel5)):.4f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert tuple(kernel5.shape) == (5, 5), f"the kernel is {tuple(kernel5.shape)}, not 5×5"
assert abs(kernel5.sum().item() - 1) < 1e-5 and torch.allclose(kernel5, kernel5.flatten()[0].expand(5, 5)), "all 25 weights equal, summing to 1"
assert detail(apply_kernel(image, kernel5)) < detail(apply_kernel(image, "box_blur")), "the 5×5 blur should leave less detail than the 3×3"
print("check passed: a 5×5 box blur, smoother than the 3×3 one")
# --8<-- [end:check]
