"""The matrix-multiplication engines behind ``dlnotes.conv2d`` (im2col and im2row).

``conv2d`` (in ``dlnotes.conv``) checks its arguments and picks one of the two autograd
functions here. Both copy the windows of a few images at a time into a reused buffer and
multiply it by the filters; their backward passes are the same steps transposed (a matrix
multiply, then adding the rows or columns back onto the pixels they came from):

* ``Im2colMatmul``: one product per image, windows as columns, written straight into the NCHW
  output (few input channels, 1×1 kernels, groups);
* ``Im2rowMatmul``: many images' pixels as the rows of one tall product, channels-last (many
  input channels).

No convolution function of PyTorch is called: only views, copies and matrix products.
"""

from __future__ import annotations

import math
import threading

import torch

CHUNK_BYTES = 2 << 20  # size of the reused im2col/im2row buffer (about one core's L2 cache)
WORKSPACE_BYTES = 64 << 20  # scratch buffers up to this size are kept from one call to the next
KEEP_ROWS_BYTES = 32 << 20  # a layer whose im2row matrix is at most this large keeps it for backward
POOL_SIZE = 4  # kept-rows buffers a thread holds on to for the next forward passes


# --8<-- [start:im2col]
class Im2colMatmul(torch.autograd.Function):
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
        return Im2colMatmul.compute(x, weight, bias, geometry)

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
# --8<-- [end:im2col]


class Im2rowMatmul(torch.autograd.Function):
    """out = im2row(x) @ filters + bias with the pixels as rows: the layout of small layers.

    ``Im2colMatmul`` multiplies (C_out × C·kH·kW) filters by one (C·kH·kW × H_out·W_out)
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
        return Im2rowMatmul.compute(x, weight, bias, geometry, ctx.lease.tensor if keep else None)

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


# --8<-- [start:windows]
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
# --8<-- [end:windows]


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


# --8<-- [start:col2im]
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
# --8<-- [end:col2im]
