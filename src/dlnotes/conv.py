"""Convolution from scratch: ``conv2d`` with the semantics of ``torch.nn.functional.conv2d``.

``conv2d`` is the fast version, and it is short: pad the input, look at every window through a
strided *view* (no copy), copy the windows into a matrix (im2col) and multiply it by the filters,
a few images at a time; its backward pass is the same two steps transposed (a matrix multiply,
then col2im). ``conv2d_naive`` computes the same numbers the way the lessons describe it: slide
the kernel over the image and, at every position, multiply element-wise and sum; autograd
differentiates it. Neither calls a convolution function of PyTorch.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import torch

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
    # (_Im2rowMatmul). Few input channels, a 1×1 kernel, or groups: one product per image, straight
    # into the NCHW output (_Im2colMatmul).
    kernel_taps, rows = weight.shape[2] * weight.shape[3], x.shape[1] >= ROWS_MIN_CHANNELS
    fn = _Im2rowMatmul if groups == 1 and kernel_taps > 1 and rows else _Im2colMatmul
    geometry = (stride, pads, dilation, groups)
    if torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in (x, weight, bias)):
        out = fn.apply(x, weight, bias, geometry)
    else:  # nothing to differentiate: skip autograd's bookkeeping
        out = fn.compute(x, weight, bias, geometry)
    return out if batched else out[0]


ROWS_MIN_CHANNELS = 16  # inputs with at least this many channels take the pixels-as-rows path
CHUNK_BYTES = 2 << 20  # size of the reused im2col/im2row buffer (about one core's L2 cache)
WORKSPACE_BYTES = 64 << 20  # scratch buffers up to this size are kept from one call to the next
KEEP_ROWS_BYTES = 32 << 20  # a layer whose im2row matrix is at most this large keeps it for backward
POOL_SIZE = 4  # kept-rows buffers a thread holds on to for the next forward passes


class _Im2colMatmul(torch.autograd.Function):
    """out = filters @ im2col(x) + bias, one matrix multiply per image (and group), and its gradients.

    For each chunk of images, the windows are copied into one reused buffer, the im2col matrix
    (one row per filter weight, one column per output pixel), and a batch of matrix multiplies
    (one per image and group) writes the chunk's output directly in (N, C_out, H_out, W_out)
    layout. Small chunks keep the buffer in the processor's cache instead of writing a 9× copy
    of the input to memory.
    """

    @staticmethod
    def compute(x, weight, bias, geometry):
        stride, pads, dilation, groups = geometry
        c_out, c_group, kh, kw = weight.shape
        xp = _padded(x, pads, channels_last=False)
        windows = _windows(xp, (kh, kw), stride, dilation, groups)  # (N, G, C/G, kH, kW, H_out, W_out)
        n, ho, wo = xp.shape[0], windows.shape[-2], windows.shape[-1]
        filters = weight.reshape(groups, c_out // groups, c_group * kh * kw)
        out = x.new_empty(n, c_out, ho, wo)
        for a, b, cols in _im2col_chunks(windows):  # cols: ((b - a)·G, C/G·kH·kW, H_out·W_out)
            torch.bmm(_per_image(filters, b - a), cols, out=out[a:b].view(cols.shape[0], -1, ho * wo))
        if bias is not None:
            out += bias.view(1, c_out, 1, 1)
        return _like(out, x)

    @staticmethod
    def forward(ctx, x, weight, bias, geometry):
        ctx.save_for_backward(x, weight)
        ctx.geometry, ctx.has_bias = geometry, bias is not None
        return _Im2colMatmul.compute(x, weight, bias, geometry)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        stride, pads, dilation, groups = ctx.geometry
        c_out, c_group, kh, kw = weight.shape
        xp = _padded(x, pads, channels_last=False)
        windows = _windows(xp, (kh, kw), stride, dilation, groups)
        n, ho, wo = xp.shape[0], windows.shape[-2], windows.shape[-1]
        filters = weight.reshape(groups, c_out // groups, c_group * kh * kw)
        g = grad_out.contiguous().view(n * groups, c_out // groups, ho * wo)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_xp = _scratch("grad_xp", xp.shape, xp).zero_() if need_x else None
        grad_w = torch.zeros_like(filters) if need_w else None
        for a, b, cols in _im2col_chunks(windows, copy=need_w):
            gc = g[a * groups: b * groups]
            if need_w:  # d out / d filters = the im2col matrix: sum over images and pixels
                part = _scratch("grad_w", (cols.shape[0],) + filters.shape[1:], cols)
                torch.bmm(gc, cols.transpose(1, 2), out=part)
                grad_w += part.view(b - a, *filters.shape).sum(0)
            if need_x:  # d out / d cols = filters^T; then col2im adds each window back in place
                torch.bmm(_per_image(filters.transpose(1, 2), b - a), gc, out=cols)
                _col2im_add(cols, grad_xp[a:b], (kh, kw), stride, dilation, (ho, wo))
        grad_x = _unpadded(grad_xp, pads, x) if need_x else None
        grad_w = grad_w.view_as(weight) if need_w else None
        grad_b = g.view(n, c_out, -1).sum((0, 2)) if ctx.has_bias and need_b else None
        return grad_x, grad_w, grad_b, None


class _Im2rowMatmul(torch.autograd.Function):
    """out = im2row(x) @ filters + bias with the pixels as rows: the layout of small layers.

    ``_Im2colMatmul`` multiplies (C_out × C·kH·kW) filters by one (C·kH·kW × H_out·W_out)
    matrix *per image*: on a 7×7 or 14×14 image that is a batch of small products, and small
    products leave most of the processor idle. Here the input is stored channels-last
    (N, H, W, C), so that the window of one output pixel is a row of C·kH·kW numbers; the rows
    of every pixel of every image in a chunk stack into one tall matrix, and a single large
    matrix multiply by the (C·kH·kW × C_out) filters gives the chunk's output, channels-last
    (moved to the NCHW output while it is still in the cache). The backward pass transposes
    the same two steps.
    """

    @staticmethod
    def compute(x, weight, bias, geometry, kept=None):
        """The output; with ``kept``, a (N, H_out, W_out, kH, kW, C) tensor, the rows are kept there."""
        stride, pads, dilation, _ = geometry
        c_out, c_in, kh, kw = weight.shape
        rows = _rows(_padded(x, pads, channels_last=True), (kh, kw), stride, dilation)
        n, ho, wo = rows.shape[:3]
        filters = weight.permute(2, 3, 1, 0).reshape(kh * kw * c_in, c_out)  # rows: (i, j, c)
        channels_last = _is_channels_last(x)
        out = x.new_empty(n, ho, wo, c_out).permute(0, 3, 1, 2) if channels_last else x.new_empty(n, c_out, ho, wo)
        for a, b, r in _im2row_chunks(rows, into=kept):  # r: ((b - a)·H_out·W_out, kH·kW·C)
            o = out[a:b].permute(0, 2, 3, 1) if channels_last else _scratch("out", (b - a, ho, wo, c_out), r)
            if bias is None:
                torch.mm(r, filters, out=o.view(-1, c_out))
            else:
                torch.addmm(bias, r, filters, out=o.view(-1, c_out))
            if not channels_last:
                out[a:b].copy_(o.permute(0, 3, 1, 2))  # channels-last chunk → NCHW, from the cache
        return out

    @staticmethod
    def forward(ctx, x, weight, bias, geometry):
        ctx.save_for_backward(x, weight)
        ctx.geometry, ctx.has_bias = geometry, bias is not None
        # A small layer keeps its rows for the backward pass (which then skips copying them again),
        # in memory lent to this graph until it is freed (see _Lease).
        n, c, h, w = x.shape
        (sh, sw), (top, bottom, left, right), (dh, dw), _ = geometry
        c_out, _, kh, kw = weight.shape
        shape = (n, (h + top + bottom - dh * (kh - 1) - 1) // sh + 1, (w + left + right - dw * (kw - 1) - 1) // sw + 1,
                 kh, kw, c)
        keep = ctx.needs_input_grad[1] and math.prod(shape) * x.element_size() <= KEEP_ROWS_BYTES
        ctx.lease = _Lease(shape, x) if keep else None
        return _Im2rowMatmul.compute(x, weight, bias, geometry, ctx.lease.tensor if keep else None)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        stride, pads, dilation, _ = ctx.geometry
        c_out, c_in, kh, kw = weight.shape
        n, _, h, w = x.shape
        xp_shape = (n, h + pads[0] + pads[1], w + pads[2] + pads[3], c_in)
        kept = ctx.lease.tensor if ctx.lease is not None else None
        rows = kept if kept is not None else _rows(_padded(x, pads, channels_last=True), (kh, kw), stride, dilation)
        ho, wo = rows.shape[1:3]
        filters = weight.permute(2, 3, 1, 0).reshape(kh * kw * c_in, c_out)
        g = grad_out.permute(0, 2, 3, 1)  # (N, H_out, W_out, C_out)
        if not g.is_contiguous():
            g = _scratch("grad_out", g.shape, g).copy_(g)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_xp = _scratch("grad_xp", xp_shape, x).zero_() if need_x else None
        grad_f = torch.zeros_like(filters) if need_w else None
        # With the rows kept, the whole batch at once (a small layer: fewer, larger operations);
        # otherwise chunk by chunk, copying the rows again.
        chunks = [(0, n, kept.view(-1, kh * kw * c_in))] if kept is not None else _im2row_chunks(rows, copy=need_w)
        for a, b, r in chunks:
            gc = g[a:b].reshape(-1, c_out)
            if need_w:  # d out / d filters = the rows: sum over every pixel of the chunk
                grad_f.addmm_(r.t(), gc)
            if need_x:  # d out / d rows = filters^T, then add each window back where it came from
                if kept is not None:  # the kept rows stay intact (a second backward needs them)
                    r = _scratch("grad_rows", r.shape, r)
                torch.mm(gc, filters.t(), out=r)
                _row2im_add(r.view(b - a, ho, wo, kh, kw, c_in), grad_xp[a:b], stride, dilation)
        grad_x = _unpadded(grad_xp.permute(0, 3, 1, 2), pads, x) if need_x else None
        grad_w = grad_f.view(kh, kw, c_in, c_out).permute(3, 2, 0, 1) if need_w else None
        grad_b = g.sum((0, 1, 2)) if ctx.has_bias and need_b else None
        return grad_x, grad_w, grad_b, None


class _Lease:
    """Memory lent to one autograd graph (the rows a layer keeps for its backward pass).

    When the graph is freed, the memory goes back to a small pool of this thread, and the next
    forward pass takes it from there instead of asking the operating system for fresh pages.
    """

    def __init__(self, shape, like: torch.Tensor):
        numel = math.prod(shape)
        self.pool = _workspace.__dict__.setdefault("pool", {}).setdefault((like.dtype, like.device), [])
        index = next((i for i, buffer in enumerate(self.pool) if buffer.numel() >= numel), None)
        self.buffer = self.pool.pop(index) if index is not None else torch.empty(numel, dtype=like.dtype,
                                                                                   device=like.device)
        self.tensor = self.buffer[:numel].view(shape)

    def __del__(self):
        if len(self.pool) < POOL_SIZE:
            self.pool.append(self.buffer)


def _scratch(name: str, shape, like: torch.Tensor) -> torch.Tensor:
    """A scratch tensor of this shape, reused from one call to the next (uninitialised).

    Fresh memory is expensive: the operating system maps and zeroes every page on its first use,
    which on a small layer costs more than the copies it holds. Buffers up to ``WORKSPACE_BYTES``
    are kept per thread and handed out again; the name keeps two buffers in use at once apart.
    A scratch buffer never leaves the function that asked for it (never returned, never saved).
    """
    numel = math.prod(shape)
    buffers = _workspace.__dict__.setdefault("buffers", {})
    key = (name, like.dtype, like.device)
    buffer = buffers.get(key)
    if buffer is None or buffer.numel() < numel:
        buffer = torch.empty(numel, dtype=like.dtype, device=like.device)
        if numel * buffer.element_size() <= WORKSPACE_BYTES:
            buffers[key] = buffer
    return buffer[:numel].view(shape)


_workspace = threading.local()


def _is_channels_last(x: torch.Tensor) -> bool:
    return x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous()


def _like(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The output in the input's memory layout, as F.conv2d does (NCHW or channels-last)."""
    return out.contiguous(memory_format=torch.channels_last) if _is_channels_last(x) else out


def _padded(x: torch.Tensor, pads, channels_last: bool) -> torch.Tensor:
    """x with zeros around it (a scratch buffer): (N, C, H+pads, W+pads), stored NHWC if asked."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right) and x.is_contiguous(
        memory_format=torch.channels_last if channels_last else torch.contiguous_format
    ):
        return x.permute(0, 2, 3, 1) if channels_last else x
    n, c, h, w = x.shape
    hp, wp = h + top + bottom, w + left + right
    if channels_last:
        xp = _scratch("xp", (n, hp, wp, c), x)
        inside, borders = x.permute(0, 2, 3, 1), (xp[:, :top], xp[:, top + h:], xp[:, :, :left], xp[:, :, left + w:])
        xp[:, top:top + h, left:left + w] = inside
    else:
        xp = _scratch("xp", (n, c, hp, wp), x)
        borders = (xp[:, :, :top], xp[:, :, top + h:], xp[:, :, :, :left], xp[:, :, :, left + w:])
        xp[:, :, top:top + h, left:left + w] = x
    for border in borders:
        border.zero_()  # zeros around the image (only there: the inside was just written)
    return xp


def _unpadded(grad_xp: torch.Tensor, pads, x: torch.Tensor) -> torch.Tensor:
    """A new tensor shaped and laid out like x, holding the inside of grad_xp (NCHW view)."""
    top, _, left, _ = pads
    h, w = x.shape[2:]
    grad_x = torch.empty_like(x, memory_format=torch.preserve_format)
    return grad_x.copy_(grad_xp[:, :, top:top + h, left:left + w])


def _per_image(filters: torch.Tensor, images: int) -> torch.Tensor:
    """(G, A, B) filters as a (images·G, A, B) batch, one copy per image (a view when G = 1)."""
    groups = filters.shape[0]
    expanded = filters.unsqueeze(0).expand(images, *filters.shape)
    return expanded.reshape(images * groups, *filters.shape[1:])


def _windows(xp: torch.Tensor, kernel, stride, dilation, groups: int) -> torch.Tensor:
    """Every window of a padded NCHW batch, as a view (no copy): (N, groups, C/groups, kH, kW, H_out, W_out).

    Moving one step along an axis of this view moves ``s`` pixels for an output position and
    ``d`` pixels for a kernel tap: it is the image seen through the sliding window.
    """
    n, c, hp, wp = xp.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    s_n, s_c, s_h, s_w = xp.stride()
    return xp.as_strided(
        (n, groups, c // groups, kh, kw, ho, wo),
        (s_n, c // groups * s_c, s_c, dh * s_h, dw * s_w, sh * s_h, sw * s_w),
        xp.storage_offset(),
    )


def _rows(xp: torch.Tensor, kernel, stride, dilation) -> torch.Tensor:
    """Every window of a padded channels-last batch, as a view: (N, H_out, W_out, kH, kW, C)."""
    n, hp, wp, c = xp.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    s_n, s_h, s_w, s_c = xp.stride()
    return xp.as_strided((n, ho, wo, kh, kw, c), (s_n, sh * s_h, sw * s_w, dh * s_h, dw * s_w, s_c),
                         xp.storage_offset())


def _chunk(n: int, per_image: int, element_size: int) -> int:
    """Images per chunk: as many as fit in CHUNK_BYTES, at least one."""
    return max(1, min(n, CHUNK_BYTES // max(1, per_image * element_size)))


def _im2col_chunks(windows: torch.Tensor, copy: bool = True):
    """Yield (a, b, cols): the windows of images a..b copied (if ``copy``) into one reused buffer,
    as ((b - a)·groups, C/groups·kH·kW, H_out·W_out) matrices."""
    n, groups, c_group, kh, kw, ho, wo = windows.shape
    chunk = _chunk(n, windows[0].numel(), windows.element_size())
    buffer = _scratch("cols", (chunk, groups, c_group, kh, kw, ho, wo), windows)
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        cols = buffer[: b - a]
        if copy:
            cols.copy_(windows[a:b])  # the im2col copy
        yield a, b, cols.view((b - a) * groups, c_group * kh * kw, ho * wo)


def _im2row_chunks(rows: torch.Tensor, copy: bool = True, into: torch.Tensor | None = None):
    """Yield (a, b, r): the windows of images a..b copied (if ``copy``) into one reused buffer, or
    into ``into[a:b]`` to keep them all, one row per output pixel: ((b - a)·H_out·W_out, kH·kW·C)."""
    n, ho, wo, kh, kw, c = rows.shape
    chunk = _chunk(n, rows[0].numel(), rows.element_size())
    buffer = _scratch("rows", (chunk, ho, wo, kh, kw, c), rows) if into is None else None
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        r = buffer[: b - a] if into is None else into[a:b]
        if copy:
            r.copy_(rows[a:b])  # the im2row copy
        yield a, b, r.view((b - a) * ho * wo, kh * kw * c)


def _row2im_add(r: torch.Tensor, grad_xp: torch.Tensor, stride, dilation) -> None:
    """The adjoint of im2row: add every window's gradient back onto its pixels (channels-last)."""
    _, ho, wo, kh, kw, _ = r.shape
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(kh):
        for j in range(kw):
            # add_ on the view, not +=: a slice's += copies the result onto itself a second time
            grad_xp[:, i * dh: i * dh + sh * (ho - 1) + 1: sh, j * dw: j * dw + sw * (wo - 1) + 1: sw].add_(r[:, :, :, i, j])


def _col2im_add(cols: torch.Tensor, grad_xp: torch.Tensor, kernel, stride, dilation, out_size) -> None:
    """The adjoint of im2col: add every column back onto the pixels its window came from."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_size
    n, c = grad_xp.shape[:2]
    cols = cols.view(n, c, kh, kw, ho, wo)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
            columns = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
            grad_xp[:, :, rows, columns].add_(cols[:, :, i, j])  # add_, not += (see _row2im_add)
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
