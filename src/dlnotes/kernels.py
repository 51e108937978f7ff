"""Named 3×3 image kernels and ``apply_kernel``, which slides one over a grayscale or RGB image.

A kernel's weights say how much each neighbour of a pixel counts. The edge detectors are Sobel
kernels, named after the side their positive weights are on: the "right" detector is large where
the image gets brighter towards the right. Each kernel is applied the way a convolutional layer
applies its filters (cross-correlation, no flip), with ``dlnotes.conv2d``.
"""

from __future__ import annotations

import numpy as np
import torch

from dlnotes.conv import conv2d

# --8<-- [start:kernels]
KERNELS: dict[str, torch.Tensor] = {
    name: torch.tensor(rows, dtype=torch.float32)
    for name, rows in {
        # Sobel edge detectors: a difference across the edge, smoothed (1, 2, 1) along it.
        "top": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
        "bottom": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "left": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
        "right": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        # Blurs: weighted averages (the weights sum to 1, so flat regions stay as they are).
        "box_blur": [[1 / 9] * 3] * 3,
        "gaussian_blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
        # The pixel plus the difference from its neighbours (the weights sum to 1).
        "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        # A diagonal difference plus the pixel: looks lit from the bottom right.
        "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        # The pixel minus its 8 neighbours (the weights sum to 0: flat regions go to 0).
        "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
        "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    }.items()
}
# --8<-- [end:kernels]


def apply_kernel(
    image: torch.Tensor | np.ndarray, kernel: str | torch.Tensor | np.ndarray
) -> torch.Tensor | np.ndarray:
    """Slide a 2-D kernel over every channel of an image; the result has the image's size.

    The border is extended by repeating the edge pixels, so that the result has no dark frame.
    Integer images (``uint8``) are first scaled to ``[0, 1]``. The result is float and is not
    clipped: an edge detector gives negative values too.

    Args:
        image: grayscale ``(H, W)``, or colour: a tensor ``(C, H, W)`` or an array ``(H, W, C)``
            with ``C`` 1, 3 or 4 (an array ``(C, H, W)`` and a tensor ``(H, W, C)`` are understood
            too when the other reading is impossible).
        kernel: a name from ``KERNELS`` or a 2-D tensor or array (any odd size, e.g. 3×3).

    Returns:
        The filtered image, of the same type (tensor or NumPy array) and layout as ``image``.

    Raises:
        TypeError: if ``image`` or ``kernel`` is not a tensor, an array (or, for the kernel, a name).
        ValueError: for an unknown kernel name, a kernel that is not 2-D with odd sides, or an
            image whose shape is not one of those above.
    """
    is_numpy = isinstance(image, np.ndarray)
    if not (is_numpy or isinstance(image, torch.Tensor)):
        raise TypeError(f"image must be a torch.Tensor or a numpy.ndarray, got {type(image).__name__}")
    img = torch.from_numpy(np.ascontiguousarray(image)) if is_numpy else image
    if not img.is_floating_point():
        img = img.float() / (255 if img.dtype == torch.uint8 else 1)
    k = _as_kernel(kernel).to(img.dtype)

    # Bring the image to (C, H, W); remember how to put it back.
    if img.dim() == 2:
        chw, back = img.unsqueeze(0), (lambda out: out[0])
    elif img.dim() == 3 and _channels_last(img.shape, prefer=is_numpy):
        chw, back = img.permute(2, 0, 1), (lambda out: out.permute(1, 2, 0))
    elif img.dim() == 3 and img.shape[0] in (1, 3, 4):
        chw, back = img, (lambda out: out)
    else:
        raise ValueError(
            "image must be (H, W), (C, H, W) or (H, W, C) with C in {1, 3, 4}, "
            f"got shape {tuple(img.shape)}"
        )
    kh, kw = k.shape
    padded = torch.nn.functional.pad(chw.unsqueeze(0), (kw // 2, kw // 2, kh // 2, kh // 2), mode="replicate")
    channels = chw.shape[0]
    weight = k.expand(channels, 1, kh, kw)  # the same kernel for every channel, separately
    out = back(conv2d(padded, weight, groups=channels)[0])
    return out.numpy() if is_numpy else out


def _channels_last(shape: torch.Size, prefer: bool) -> bool:
    last, first = shape[-1] in (1, 3, 4), shape[0] in (1, 3, 4)
    return last and (prefer or not first)


def _as_kernel(kernel: str | torch.Tensor | np.ndarray) -> torch.Tensor:
    if isinstance(kernel, str):
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; the names are {sorted(KERNELS)}")
        return KERNELS[kernel]
    if isinstance(kernel, np.ndarray):
        kernel = torch.from_numpy(np.asarray(kernel, dtype=np.float64))
    if not isinstance(kernel, torch.Tensor):
        raise TypeError(
            f"kernel must be a name, a torch.Tensor or a numpy.ndarray, got {type(kernel).__name__}"
        )
    if kernel.dim() != 2 or kernel.shape[0] % 2 == 0 or kernel.shape[1] % 2 == 0:
        raise ValueError(f"kernel must be 2-D with odd sides (3×3, 5×5, ...), got shape {tuple(kernel.shape)}")
    return kernel.float() if not kernel.is_floating_point() else kernel
