"""A true convolution

difficulty: medium
kind: code

Deep learning's `conv2d` is cross-correlation: it slides the kernel as it is. The convolution of
mathematics and signal processing flips the kernel first (both axes). Write `true_convolve(image,
kernel)` with `conv2d` so that it matches the textbook definition, which the check computes with
explicit loops on a small, asymmetric example.

Answer:
`conv2d(image, torch.flip(kernel, dims=(-2, -1)))`: flipping the kernel turns cross-correlation
into convolution. For a learned kernel the difference does not matter (the network would learn
the flipped weights); for a hand-made, asymmetric kernel like an edge detector, it swaps the
sign or the direction of the edge it finds. See [Deep learning's "convolution" is
cross-correlation](#deep-learnings-convolution-is-cross-correlation).
"""

# --8<-- [start:starter]
import torch

from dlnotes import conv2d


def true_convolve(image, kernel):
    """Convolution as in signal processing, for (1, 1, H, W) images and (1, 1, k, k) kernels."""
    return conv2d(image, kernel)  # TODO: flip the kernel first, along both spatial axes


image = torch.arange(25.0).reshape(1, 1, 5, 5) % 7
kernel = torch.tensor([[[[1.0, 2, 0], [0, -1, 0], [0, 0, 3]]]])
print(true_convolve(image, kernel))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import conv2d


def true_convolve(image, kernel):
    """Convolution as in signal processing, for (1, 1, H, W) images and (1, 1, k, k) kernels."""
    return conv2d(image, torch.flip(kernel, dims=(-2, -1)))


image = torch.arange(25.0).reshape(1, 1, 5, 5) % 7
kernel = torch.tensor([[[[1.0, 2, 0], [0, -1, 0], [0, 0, 3]]]])
print(true_convolve(image, kernel))
# --8<-- [end:solution]

# --8<-- [start:check]
# the textbook definition: out[i, j] = sum over (a, b) of image[i + 2 - a, j + 2 - b] * kernel[a, b]
img, ker = image[0, 0], kernel[0, 0]
expected = torch.zeros(3, 3)
for i in range(3):
    for j in range(3):
        expected[i, j] = sum(img[i + 2 - a, j + 2 - b] * ker[a, b] for a in range(3) for b in range(3))
assert torch.allclose(true_convolve(image, kernel)[0, 0], expected), "this is still cross-correlation"
print("check passed: a true convolution")
# --8<-- [end:check]
