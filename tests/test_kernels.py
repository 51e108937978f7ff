"""dlnotes.kernels: the named kernels do what their names say, and apply_kernel handles real images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlnotes.kernels import KERNELS, apply_kernel

NAMES = ["top", "bottom", "left", "right", "box_blur", "gaussian_blur", "sharpen", "emboss", "outline", "identity"]
NOTES_RIGHT = torch.tensor([[1.0, 0, 1], [-2, 0, 2], [-1, 0, -1]])  # the lesson notes' "right edge detector"


def step(direction: str, size: int = 8) -> torch.Tensor:
    """An image that is 0 on one half and 1 on the other; `direction` is the bright side."""
    img = torch.zeros(size, size)
    half = size // 2
    region = {"right": (slice(None), slice(half, None)), "left": (slice(None), slice(None, half)),
              "bottom": (slice(half, None), slice(None)), "top": (slice(None, half), slice(None))}[direction]  # fmt: skip
    img[region] = 1.0
    return img


def test_all_named_kernels_are_3x3_float():
    assert sorted(KERNELS) == sorted(NAMES)
    for k in KERNELS.values():
        assert k.shape == (3, 3) and k.dtype == torch.float32


def test_sobel_family_is_one_kernel_rotated():
    top = KERNELS["top"]
    assert torch.equal(KERNELS["bottom"], -top)
    assert torch.equal(KERNELS["left"], top.T)
    assert torch.equal(KERNELS["right"], -top.T)
    assert torch.equal(KERNELS["right"], torch.rot90(top, -1))  # rotate "top" a quarter turn clockwise


@pytest.mark.parametrize("side", ["top", "bottom", "left", "right"])
def test_edge_detectors_fire_on_their_side_only(side):
    opposite = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}
    across = {"top": "left", "bottom": "left", "left": "top", "right": "top"}
    img = step(side)
    assert apply_kernel(img, side).max() == pytest.approx(4.0)  # 1 + 2 + 1 across a sharp edge
    assert apply_kernel(img, opposite[side]).max() <= 0  # the opposite detector only goes negative
    assert apply_kernel(step(across[side]), side).abs().max() == 0  # blind to edges the other way


def test_the_notes_right_detector_also_fires_on_horizontal_edges():
    """The notes' kernel has two sign errors: it answers a horizontal edge as strongly as a vertical one."""
    on_vertical = apply_kernel(step("right"), NOTES_RIGHT).max()
    on_horizontal = apply_kernel(step("top"), NOTES_RIGHT).max()
    assert on_vertical == pytest.approx(2.0)
    assert on_horizontal == pytest.approx(2.0)  # the Sobel kernel gives 0 here
    assert apply_kernel(step("top"), "right").abs().max() == 0
    assert apply_kernel(step("right"), "right").max() == pytest.approx(4.0)


@pytest.mark.parametrize("name", NAMES)
def test_weights_sum_says_what_a_flat_region_becomes(name):
    flat = torch.full((6, 6), 0.5)
    expected = 0.5 * KERNELS[name].sum().item()
    out = apply_kernel(flat, name)
    assert torch.allclose(out, torch.full_like(out, expected), atol=1e-6)
    assert KERNELS[name].sum().item() == pytest.approx(
        {"box_blur": 1, "gaussian_blur": 1, "sharpen": 1, "emboss": 1, "identity": 1}.get(name, 0), abs=1e-6
    )


def test_identity_returns_the_image_and_matches_a_direct_convolution():
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(3, 10, 12, generator=gen)
    assert torch.equal(apply_kernel(img, "identity"), img)
    padded = F.pad(img.unsqueeze(0), (1, 1, 1, 1), mode="replicate")
    ref = F.conv2d(padded, KERNELS["sharpen"].expand(3, 1, 3, 3), groups=3)[0]
    assert torch.allclose(apply_kernel(img, "sharpen"), ref, atol=1e-6)


def test_rgb_channels_are_filtered_separately():
    gen = torch.Generator().manual_seed(1)
    img = torch.rand(3, 9, 9, generator=gen)
    out = apply_kernel(img, "emboss")
    for c in range(3):
        assert torch.allclose(out[c], apply_kernel(img[c], "emboss"), atol=1e-6)


def test_numpy_images_in_numpy_images_out():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(10, 12, 3), dtype=np.uint8)  # (H, W, C) as image files load
    out = apply_kernel(rgb, "gaussian_blur")
    assert isinstance(out, np.ndarray) and out.shape == (10, 12, 3) and out.dtype == np.float32
    as_tensor = apply_kernel(torch.from_numpy(rgb).permute(2, 0, 1).float() / 255, "gaussian_blur")
    assert np.allclose(out, as_tensor.permute(1, 2, 0).numpy(), atol=1e-6)
    gray = apply_kernel(rgb[..., 0].astype(np.float64), np.ones((3, 3)) / 9)
    assert gray.shape == (10, 12) and gray.dtype == np.float64


def test_larger_odd_kernels_work():
    img = torch.rand(1, 8, 8, generator=torch.Generator().manual_seed(2))
    out = apply_kernel(img, torch.ones(5, 5) / 25)
    assert out.shape == img.shape


@pytest.mark.parametrize(
    ("image", "kernel", "error", "match"),
    [
        (torch.rand(8, 8), "blurry", ValueError, "unknown kernel 'blurry'; the names are"),
        (torch.rand(8, 8), torch.ones(2, 2), ValueError, r"odd sides .* got shape \(2, 2\)"),
        (torch.rand(8, 8), torch.ones(3), ValueError, r"kernel must be 2-D"),
        (torch.rand(8, 8), [[0, 1, 0]], TypeError, "kernel must be a name, a torch.Tensor or a numpy.ndarray, got list"),
        (torch.rand(5, 8, 8), "top", ValueError, r"image must be .* got shape \(5, 8, 8\)"),
        (torch.rand(2, 3, 8, 8), "top", ValueError, r"got shape \(2, 3, 8, 8\)"),
        ([[0.0, 1.0]], "top", TypeError, "image must be a torch.Tensor or a numpy.ndarray, got list"),
    ],
)
def test_bad_input_raises_a_clear_error(image, kernel, error, match):
    with pytest.raises(error, match=match):
        apply_kernel(image, kernel)
