"""Convolution from scratch: ``conv2d`` with the semantics of ``torch.nn.functional.conv2d``.

``conv2d`` is the fast version, and it is short: pad the input, look at every window through a
strided *view* (no copy), copy the windows into a matrix (im2col) and multiply it by the filters,
a few images at a time; its backward pass is the same two steps transposed (a matrix multiply,
then col2im). Those engines are in ``dlnotes.im2col``; this module checks the arguments and
chooses between them. ``conv2d_naive`` computes the same numbers the way the lessons describe it: slide
the kernel over the image and, at every position, multiply element-wise and sum; autograd
differentiates it. Neither calls a convolution function of PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from dlnotes.im2col import Im2colMatmul, Im2rowMatmul

IntPair = int | tuple[int, int]


# --8<-- [start:output_size]
def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """The length of a convolution's output along one axis.

    A kernel of ``kernel_size`` taps spaced ``dilation`` apart spans
    ``dilation * (kernel_size - 1) + 1`` pixels; it fits in the padded input
    (``size + 2 * padding`` pixels) at every ``stride``-th position:

    ``out = (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``

    Args:
        size: length of the input along the axis (height or width).
        kernel_size: number of kernel taps along the axis.
        stride: step between two windows.
        padding: zeros added at *each* end of the axis.
        dilation: spacing between two taps of the kernel.

    Returns:
        The number of output positions along the axis.

    Raises:
        TypeError: if an argument is not an int.
        ValueError: if an argument is out of range, or the kernel does not fit in the padded input.
    """
    for name, value, low in (
        ("size", size, 0), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
        ("padding", padding, 0), ("dilation", dilation, 1),
    ):  # fmt: skip
        _check_int(value, name, low)
    span = dilation * (kernel_size - 1) + 1  # pixels covered by one window
    if span > size + 2 * padding:
        raise ValueError(
            f"kernel_size={kernel_size} with dilation={dilation} spans {span} pixels, larger than "
            f"the padded input ({size} + 2*{padding} = {size + 2 * padding} pixels)"
        )
    return (size + 2 * padding - span) // stride + 1
# --8<-- [end:output_size]


# --8<-- [start:conv2d]
def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> torch.Tensor:
    """2-D convolution (cross-correlation, as in deep learning) by im2col and matrix multiplies.

    Same arguments and results as ``torch.nn.functional.conv2d``, gradients included (first
    derivatives; asking for a second derivative through it raises an error).

    Args:
        input: ``(N, C_in, H, W)``, or ``(C_in, H, W)`` for a single image.
        weight: the filters, ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.
        stride: step of the window, an int or ``(sH, sW)``.
        padding: zeros around the input: an int, ``(pH, pW)``, ``"valid"`` (none) or ``"same"``
            (output as large as the input; stride 1 only; an even kernel gets the extra zero
            at the bottom and right, as in PyTorch).
        dilation: spacing between kernel taps, an int or ``(dH, dW)``.
        groups: split the channels into this many independent groups (``groups = C_in`` is a
            depthwise convolution).

    Returns:
        ``(N, C_out, H_out, W_out)``, or ``(C_out, H_out, W_out)`` for a single image.

    Raises:
        TypeError: for a non-tensor or non-float input, weight or bias, or a non-int argument.
        ValueError: for shapes or arguments that do not fit together; the message names them.
    """
    x, batched, stride, pads, dilation = _prepare(input, weight, bias, stride, padding, dilation, groups)
    # Many input channels: stack the windows of many images, pixels as rows, into one tall matrix
    # (Im2rowMatmul). Few input channels, a 1×1 kernel, or groups: one product per image, straight
    # into the NCHW output (Im2colMatmul). Both live in dlnotes/im2col.py.
    kernel_taps, rows = weight.shape[2] * weight.shape[3], x.shape[1] >= ROWS_MIN_CHANNELS
    fn = Im2rowMatmul if groups == 1 and kernel_taps > 1 and rows else Im2colMatmul
    geometry = (stride, pads, dilation, groups)
    if torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in (x, weight, bias)):
        out = fn.apply(x, weight, bias, geometry)
    else:  # nothing to differentiate: skip autograd's bookkeeping
        out = fn.compute(x, weight, bias, geometry)
    return out if batched else out[0]


ROWS_MIN_CHANNELS = 16  # inputs with at least this many channels take the pixels-as-rows path
# --8<-- [end:conv2d]


# --8<-- [start:windows]
def window_positions(
    height: int, width: int, kernel_size: IntPair, stride: IntPair = 1, dilation: IntPair = 1
) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """Where the kernel lands: one item per output pixel, in reading order.

    Args:
        height: height of the (already padded) input.
        width: width of the (already padded) input.
        kernel_size: ``kH`` or ``(kH, kW)``.
        stride: ``s`` or ``(sH, sW)``.
        dilation: ``d`` or ``(dH, dW)``.

    Yields:
        ``(i, j, rows, cols)``: output pixel ``(i, j)`` is computed from the input pixels at
        ``rows`` × ``cols``.
    """
    (kh, kw), (sh, sw) = _pair(kernel_size, "kernel_size"), _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    for i in range(conv_output_size(height, kh, sh, 0, dh)):
        for j in range(conv_output_size(width, kw, sw, 0, dw)):
            rows = [i * sh + a * dh for a in range(kh)]
            cols = [j * sw + b * dw for b in range(kw)]
            yield i, j, rows, cols
# --8<-- [end:windows]


# --8<-- [start:naive]
def conv2d_naive(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair | str = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> torch.Tensor:
    """The same convolution as ``conv2d``, computed one output pixel at a time (slow; for teaching).

    At each position of the window: multiply the window by the kernel element-wise, sum, write
    the sum, slide. Arguments, results and errors are those of ``conv2d``.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.
        stride: an int or a pair.
        padding: an int, a pair, ``"valid"`` or ``"same"``.
        dilation: an int or a pair.
        groups: number of channel groups.

    Returns:
        ``(N, C_out, H_out, W_out)``, or ``(C_out, H_out, W_out)`` for a single image.
    """
    x, batched, stride, (top, bottom, left, right), dilation = _prepare(
        input, weight, bias, stride, padding, dilation, groups
    )
    n, c_in, h, w = x.shape
    c_out, c_group, kh, kw = weight.shape
    xp = torch.nn.functional.pad(x, (left, right, top, bottom))  # zeros around the image
    filters = weight.reshape(groups, c_out // groups, c_group, kh, kw)
    ho = conv_output_size(xp.shape[2], kh, stride[0], 0, dilation[0])
    wo = conv_output_size(xp.shape[3], kw, stride[1], 0, dilation[1])
    pixels = {}
    for i, j, rows, cols in window_positions(xp.shape[2], xp.shape[3], (kh, kw), stride, dilation):
        window = xp[:, :, rows][:, :, :, cols]  # (N, C_in, kH, kW): what the kernel sees
        window = window.reshape(n, groups, 1, c_group, kh, kw)
        pixels[i, j] = (window * filters).sum(dim=(3, 4, 5)).reshape(n, c_out)  # multiply, sum
    out = torch.stack([torch.stack([pixels[i, j] for j in range(wo)], -1) for i in range(ho)], -2)
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)
    return out if batched else out[0]
# --8<-- [end:naive]


# ---------------------------------------------------------------- argument checking


def _check_int(value: object, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < low:
        what = "positive" if low == 1 else "non-negative"
        raise ValueError(f"{name} must be {what} (>= {low}), got {value}")


def _pair(value: object, name: str, low: int = 1) -> tuple[int, int]:
    """An int or a pair of ints → a pair, each ``>= low``."""
    pair = tuple(value) if isinstance(value, (tuple, list, torch.Size)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    for v in pair:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        if v < low:
            what = "positive" if low == 1 else "non-negative"
            raise ValueError(f"{name} must be {what} (>= {low}), got {value!r}")
    return pair  # type: ignore[return-value]


def _same_or_valid(
    padding: str, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zeros for ``padding="valid"`` or ``"same"``, as PyTorch does it."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding != "same":
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    if stride != (1, 1):
        raise ValueError(f"padding='same' needs stride 1 (as in PyTorch), got stride={stride}")
    # The window spans d*(k-1)+1 pixels, so the output keeps the input's size when d*(k-1)
    # zeros are added in total; when that is odd, the extra zero goes at the bottom/right.
    (th, tw) = (dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1))
    return th // 2, th - th // 2, tw // 2, tw - tw // 2


def _prepare(input, weight, bias, stride, padding, dilation, groups):
    """Check every argument of conv2d; return the input as NCHW and the normalised arguments."""
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
        if not t.is_floating_point():
            raise TypeError(f"{name} must have a floating-point dtype, got {t.dtype}")
    if input.dim() not in (3, 4):
        raise ValueError(
            f"input must be 3-D (C, H, W) or 4-D (N, C, H, W), got {input.dim()}-D "
            f"with shape {tuple(input.shape)}"
        )
    if weight.dim() != 4:
        raise ValueError(
            f"weight must be 4-D (C_out, C_in / groups, kH, kW), got shape {tuple(weight.shape)}"
        )
    if weight.dtype != input.dtype or weight.device != input.device:
        raise TypeError(
            f"input and weight must have the same dtype and device, got input {input.dtype} on "
            f"{input.device} and weight {weight.dtype} on {weight.device}"
        )
    _check_int(groups, "groups", 1)
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    c_in, (c_out, c_group, kh, kw) = x.shape[1], weight.shape
    if min(c_out, c_group, kh, kw) == 0:
        raise ValueError(f"weight must have no empty dimension, got shape {tuple(weight.shape)}")
    if c_in % groups or c_out % groups:
        raise ValueError(
            f"groups={groups} must divide both the input channels ({c_in}, input shape "
            f"{tuple(input.shape)}) and the output channels ({c_out}, weight shape {tuple(weight.shape)})"
        )
    if c_group * groups != c_in:
        raise ValueError(
            f"channel mismatch: input shape {tuple(input.shape)} has {c_in} channels, but weight "
            f"shape {tuple(weight.shape)} with groups={groups} expects {c_group} * {groups} = "
            f"{c_group * groups}"
        )
    if bias is not None:
        if not isinstance(bias, torch.Tensor):
            raise TypeError(f"bias must be a torch.Tensor or None, got {type(bias).__name__}")
        if tuple(bias.shape) != (c_out,):
            raise ValueError(
                f"bias must have shape ({c_out},) to match weight shape {tuple(weight.shape)}, "
                f"got {tuple(bias.shape)}"
            )
        if bias.dtype != input.dtype or bias.device != input.device:
            raise TypeError(
                f"bias must have the input's dtype and device ({input.dtype} on {input.device}), "
                f"got {bias.dtype} on {bias.device}"
            )
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        pads = _same_or_valid(padding, (kh, kw), stride, dilation)
    else:
        ph, pw = _pair(padding, "padding", low=0)
        pads = (ph, ph, pw, pw)
    for axis, size, k, d, before, after in (
        ("height", x.shape[2], kh, dilation[0], pads[0], pads[1]),
        ("width", x.shape[3], kw, dilation[1], pads[2], pads[3]),
    ):
        if d * (k - 1) + 1 > size + before + after:
            raise ValueError(
                f"kernel {axis} {k} (dilation {d}, spanning {d * (k - 1) + 1} pixels) is larger than "
                f"the padded input {axis} {size + before + after} (input shape {tuple(input.shape)}, "
                f"weight shape {tuple(weight.shape)}, padding={padding!r})"
            )
    return x, batched, stride, pads, dilation
