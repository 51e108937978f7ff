"""dlnotes.conv against torch.nn.functional.conv2d: values, gradients, shapes, layouts and errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlnotes.conv import conv2d, conv2d_naive, conv_output_size, window_positions

TOL = {torch.float32: 1e-4, torch.float64: 1e-10}
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def configurations(draw, max_channels_per_group=3, max_size=9):
    """A valid conv2d call: tensors (input, weight, bias) and keyword arguments."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, max_channels_per_group))
    c_out = groups * draw(st.integers(1, max_channels_per_group))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2))))
    dh, dw = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    padding = draw(
        st.one_of(
            st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)), st.sampled_from(["same", "valid"])
        )
    )
    if padding == "same":
        stride = 1
    else:
        stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    ph, pw = (0, 0) if isinstance(padding, str) else padding if isinstance(padding, tuple) else (padding, padding)
    h = draw(st.integers(max(1, dh * (kh - 1) + 1 - 2 * ph), max_size))
    w = draw(st.integers(max(1, dw * (kw - 1) + 1 - 2 * pw), max_size))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    batch = draw(st.sampled_from([None, 1, 2, 3]))  # None: a single (C, H, W) image
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    shape = (c_in, h, w) if batch is None else (batch, c_in, h, w)
    x = torch.randn(shape, generator=gen, dtype=dtype)
    weight = torch.randn(c_out, c_in // groups, kh, kw, generator=gen, dtype=dtype)
    bias = torch.randn(c_out, generator=gen, dtype=dtype) if draw(st.booleans()) else None
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    return x, weight, bias, kwargs


def forward_and_grads(fn, x, weight, bias, kwargs, seed=0, normalize=False):
    """fn's output and the gradients of a random linear function of it w.r.t. input, weight and bias.

    With ``normalize``, the random weights of that function are divided by sqrt(output size), as
    in a loss averaged over the batch, so that the gradients are of order 1.
    """
    leaves = [t.detach().clone().requires_grad_() for t in (x, weight) + ((bias,) if bias is not None else ())]
    out = fn(leaves[0], leaves[1], leaves[2] if bias is not None else None, **kwargs)
    probe = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    probe = (probe / out.numel() ** 0.5 if normalize else probe).to(out.dtype)
    grads = torch.autograd.grad((out * probe).sum(), leaves)
    return out.detach(), grads


def max_diff(a, b):
    return (a - b).abs().max().item() if a.numel() else 0.0


@FAST
@given(configurations())
def test_conv2d_matches_torch_forward_and_backward(config):
    x, weight, bias, kwargs = config
    ours, our_grads = forward_and_grads(conv2d, x, weight, bias, kwargs)
    ref, ref_grads = forward_and_grads(F.conv2d, x, weight, bias, kwargs)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    tol = TOL[x.dtype]
    assert max_diff(ours, ref) < tol, kwargs
    for name, g, r in zip(("input", "weight", "bias")[: len(ref_grads)], our_grads, ref_grads, strict=True):
        assert g.shape == r.shape
        assert max_diff(g, r) < tol, (name, kwargs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations(max_channels_per_group=2, max_size=7))
def test_conv2d_naive_matches_conv2d(config):
    x, weight, bias, kwargs = config
    naive, naive_grads = forward_and_grads(conv2d_naive, x, weight, bias, kwargs)
    fast, fast_grads = forward_and_grads(conv2d, x, weight, bias, kwargs)
    tol = TOL[x.dtype]
    assert naive.shape == fast.shape
    assert max_diff(naive, fast) < tol
    for g, f in zip(naive_grads, fast_grads, strict=True):
        assert max_diff(g, f) < tol


@pytest.mark.parametrize(
    ("n", "c_in", "size", "c_out", "kernel", "kwargs"),
    [
        (4, 32, 14, 64, 3, dict(padding=1)),  # a small-CNN layer
        (2, 64, 16, 64, 3, dict(stride=2, padding=1)),  # a ResNet downsampling conv
        (2, 64, 16, 128, 1, dict(stride=2)),  # a ResNet 1x1 shortcut
        (2, 32, 12, 32, 3, dict(padding="same", groups=32)),  # depthwise
        (2, 16, 13, 8, 4, dict(padding="same", dilation=2)),  # even kernel, 'same'
        (1, 3, 30, 16, 7, dict(stride=2, padding=3)),  # a ResNet stem
    ],
)
def test_float32_bar_on_realistic_layers(n, c_in, size, c_out, kernel, kwargs):
    """The bar: under 1e-4 from F.conv2d in float32, forward and backward, with Kaiming-scaled weights.

    Both are float32 computations with their own rounding: against the float64 truth, ours is
    also at least as accurate as PyTorch's (up to a margin), including unscaled gradients.
    """
    gen = torch.Generator().manual_seed(1)
    groups = kwargs.get("groups", 1)
    x = torch.randn(n, c_in, size, size, generator=gen)
    weight = torch.randn(c_out, c_in // groups, kernel, kernel, generator=gen)
    weight *= (2 / (c_in // groups * kernel * kernel)) ** 0.5
    bias = torch.randn(c_out, generator=gen) * 0.1
    ours, our_grads = forward_and_grads(conv2d, x, weight, bias, kwargs, normalize=True)
    ref, ref_grads = forward_and_grads(F.conv2d, x, weight, bias, kwargs, normalize=True)
    assert max_diff(ours, ref) < 1e-4
    for g, r in zip(our_grads, ref_grads, strict=True):
        assert max_diff(g, r) < 1e-4

    truth = forward_and_grads(F.conv2d, x.double(), weight.double(), bias.double(), kwargs)
    ours = forward_and_grads(conv2d, x, weight, bias, kwargs)
    theirs = forward_and_grads(F.conv2d, x, weight, bias, kwargs)
    for t, o, r in zip((truth[0], *truth[1]), (ours[0], *ours[1]), (theirs[0], *theirs[1]), strict=True):
        scale = t.abs().max().item()
        assert max_diff(o.double(), t) <= 2 * max_diff(r.double(), t) + 1e-6 * scale


def test_small_im2col_buffer_gives_the_same_results(monkeypatch):
    """conv2d works through the batch in chunks that fit its im2col buffer; chunk edges change nothing."""
    import dlnotes.conv
    import dlnotes.im2col

    gen = torch.Generator().manual_seed(3)
    x = torch.randn(7, 6, 9, 8, generator=gen, dtype=torch.float64)
    weight = torch.randn(4, 3, 3, 2, generator=gen, dtype=torch.float64)
    bias = torch.randn(4, generator=gen, dtype=torch.float64)
    kwargs = dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)
    ref, ref_grads = forward_and_grads(F.conv2d, x, weight, bias, kwargs)
    for chunk_bytes in (1, 3 * 4 * 3 * 2 * 5 * 8 * 8, 1 << 30):  # one image, three images, all at once
        monkeypatch.setattr(dlnotes.im2col, "CHUNK_BYTES", chunk_bytes)
        out, grads = forward_and_grads(conv2d, x, weight, bias, kwargs)
        assert max_diff(out, ref) < 1e-12
        for g, r in zip(grads, ref_grads, strict=True):
            assert max_diff(g, r) < 1e-12


@pytest.mark.parametrize("kwargs", [
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same"),
    dict(stride=2, padding=0),
])
def test_one_matrix_multiply_path_chunks_change_nothing(monkeypatch, kwargs):
    """groups=1 takes the pixels-as-rows path (one tall matrix multiply per chunk of images):
    its forward and backward match F.conv2d whatever the chunk size."""
    import dlnotes.conv
    import dlnotes.im2col

    monkeypatch.setattr(dlnotes.conv, "ROWS_MIN_CHANNELS", 1)
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(5, 3, 9, 8, generator=gen, dtype=torch.float64)
    weight = torch.randn(4, 3, 3, 2, generator=gen, dtype=torch.float64)
    bias = torch.randn(4, generator=gen, dtype=torch.float64)
    ref, ref_grads = forward_and_grads(F.conv2d, x, weight, bias, kwargs)
    for chunk_bytes in (1, 2 * 9 * 8 * 3 * 2 * 3 * 8, 1 << 30):  # one image, about two, all at once
        monkeypatch.setattr(dlnotes.im2col, "CHUNK_BYTES", chunk_bytes)
        out, grads = forward_and_grads(conv2d, x, weight, bias, kwargs)
        assert out.shape == ref.shape and out.is_contiguous()
        assert max_diff(out, ref) < 1e-12
        for g, r in zip(grads, ref_grads, strict=True):
            assert max_diff(g, r) < 1e-12


@pytest.mark.parametrize("rows_min_channels", [1, 1 << 30])  # every groups=1 call by im2row / by im2col
@pytest.mark.parametrize("kwargs", [
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same"),
    dict(stride=2, padding=0),
    dict(padding=1, channels_last=True),
])
def test_both_groups_1_paths_pass_gradcheck(monkeypatch, rows_min_channels, kwargs):
    """groups=1 takes the im2row path with many input channels and the im2col path with few: both
    are exact, in float64, for the input, the weight and the bias, whatever the input's layout."""
    import dlnotes.conv
    import dlnotes.im2col

    monkeypatch.setattr(dlnotes.conv, "ROWS_MIN_CHANNELS", rows_min_channels)
    monkeypatch.setattr(dlnotes.im2col, "CHUNK_BYTES", 2 * 3 * 3 * 3 * 7 * 6 * 8)  # about two images a chunk
    kwargs = dict(kwargs)
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(3, 3, 7, 6, generator=gen, dtype=torch.float64)
    if kwargs.pop("channels_last", False):
        x = x.contiguous(memory_format=torch.channels_last)
    weight = torch.randn(4, 3, 3, 2, generator=gen, dtype=torch.float64)
    bias = torch.randn(4, generator=gen, dtype=torch.float64)
    inputs = tuple(t.requires_grad_() for t in (x, weight, bias))
    assert torch.autograd.gradcheck(lambda *t: conv2d(*t, **kwargs), inputs)
    out = conv2d(x, weight, bias, **kwargs)
    assert max_diff(out, F.conv2d(x, weight, bias, **kwargs)) < 1e-12
    assert out.is_contiguous(memory_format=torch.channels_last) == (not x.is_contiguous())


@pytest.mark.parametrize("workspace_bytes", [0, 1 << 30])
@pytest.mark.parametrize("keep_bytes", [0, 1 << 30])  # the im2row path keeps its rows for backward, or not
@pytest.mark.parametrize("rows_min_channels", [1, 1 << 30])  # the im2row path, the im2col path
def test_reused_scratch_buffers_never_leak_between_calls(monkeypatch, workspace_bytes, keep_bytes, rows_min_channels):
    """conv2d reuses its scratch buffers from call to call (or not, at WORKSPACE_BYTES = 0), and the
    memory of kept rows once their graph is freed: an output, or a graph waiting for its backward
    pass (a second one, with retain_graph), must not change when other calls reuse them."""
    import dlnotes.conv
    import dlnotes.im2col

    monkeypatch.setattr(dlnotes.im2col, "WORKSPACE_BYTES", workspace_bytes)
    monkeypatch.setattr(dlnotes.im2col, "KEEP_ROWS_BYTES", keep_bytes)
    monkeypatch.setattr(dlnotes.conv, "ROWS_MIN_CHANNELS", rows_min_channels)
    monkeypatch.setattr(dlnotes.im2col, "CHUNK_BYTES", 2 * 6 * 5 * 3 * 9 * 8)  # about two images per chunk
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(5, 3, 6, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    weight = torch.randn(4, 3, 3, 3, generator=gen, dtype=torch.float64, requires_grad=True)
    probe = torch.randn(5, 4, 6, 5, generator=gen, dtype=torch.float64)
    out = conv2d(x, weight, padding=1)
    kept = out.detach().clone()
    first = torch.autograd.grad((out * probe).sum(), (x, weight), retain_graph=True)
    for size in (6, 20):  # other calls, smaller and larger, forward and backward, in between
        other = torch.randn(2, 3, size, size, dtype=torch.float64, requires_grad=True)
        conv2d(other, weight, padding=1).sum().backward()
        with torch.no_grad():
            conv2d(other, weight, padding=2)
    assert torch.equal(out, kept)
    second = torch.autograd.grad((out * probe).sum(), (x, weight))
    ref = torch.autograd.grad((F.conv2d(x, weight, padding=1) * probe).sum(), (x, weight))
    for a, b, r in zip(first, second, ref, strict=True):
        assert torch.equal(a, b) and max_diff(a, r) < 1e-12


def test_without_gradients_the_same_numbers():
    """Under no_grad (or when nothing requires a gradient) conv2d skips autograd: same output."""
    gen = torch.Generator().manual_seed(7)
    for shape, groups in (((4, 6, 5, 5), 1), ((2, 6, 20, 20), 1), ((2, 6, 9, 9), 3)):
        x = torch.randn(shape, generator=gen, dtype=torch.float64)
        weight = torch.randn(6, 6 // groups, 3, 3, generator=gen, dtype=torch.float64)
        bias = torch.randn(6, generator=gen, dtype=torch.float64)
        with torch.no_grad():
            out = conv2d(x, weight, bias, padding=1, groups=groups)
        assert not out.requires_grad and out.grad_fn is None
        assert max_diff(out, F.conv2d(x, weight, bias, padding=1, groups=groups)) < 1e-12
        assert conv2d(x, weight.requires_grad_(), bias, padding=1, groups=groups).grad_fn is not None


def test_only_the_gradients_asked_for_are_computed():
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    weight = torch.randn(4, 3, 3, 3)
    bias = torch.randn(4, requires_grad=True)
    conv2d(x, weight, bias).sum().backward()
    assert x.grad is not None and bias.grad is not None and weight.grad is None
    assert torch.allclose(bias.grad, torch.full((4,), 2 * 4 * 4.0))


def test_second_derivatives_are_refused_clearly():
    x = torch.randn(1, 2, 5, 5, requires_grad=True)
    weight = torch.randn(3, 2, 3, 3, requires_grad=True)
    (g,) = torch.autograd.grad(conv2d(x, weight).square().sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_same_padding_with_even_kernels_puts_the_extra_zero_bottom_right():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    weight = torch.zeros(1, 1, 2, 2)
    weight[0, 0, 1, 1] = 1.0  # picks the bottom-right pixel of each window
    out = conv2d(x, weight, padding="same")
    assert out.shape == x.shape
    # The window at (i, j) covers rows i..i+1 and columns j..j+1 of the input padded at the bottom/right.
    expected = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
    assert torch.equal(out, expected)
    assert torch.equal(out, F.conv2d(x, weight, padding="same"))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_other_float_dtypes(dtype):
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(2, 4, 9, 9, generator=gen).to(dtype)
    weight = (torch.randn(6, 2, 3, 3, generator=gen) / 3).to(dtype)
    bias = torch.randn(6, generator=gen).to(dtype)
    out = conv2d(x, weight, bias, padding=1, groups=2)
    ref = F.conv2d(x.double(), weight.double(), bias.double(), padding=1, groups=2)
    assert out.dtype == dtype
    tol = {torch.float16: 1e-2, torch.bfloat16: 6e-2, torch.float64: 1e-12}[dtype]
    assert max_diff(out.double(), ref) < tol * ref.abs().max().item()


def test_memory_layout_follows_the_input():
    x = torch.randn(2, 3, 8, 8)
    weight = torch.randn(5, 3, 3, 3)
    assert conv2d(x, weight).is_contiguous()
    assert conv2d(x, weight).view(2, -1).shape == (2, 5 * 36)  # view works, as on F.conv2d's output
    x_cl = x.contiguous(memory_format=torch.channels_last)
    out = conv2d(x_cl, weight)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert max_diff(out, F.conv2d(x, weight)) < 1e-5


def test_single_image_in_single_image_out():
    x = torch.randn(3, 10, 10)
    weight = torch.randn(4, 3, 3, 3)
    out = conv2d(x, weight, stride=(2, 1), padding=(1, 0))
    assert out.shape == F.conv2d(x, weight, stride=(2, 1), padding=(1, 0)).shape == (4, 5, 8)
    assert conv2d_naive(x, weight).shape == (4, 8, 8)


def test_uses_no_convolution_function_of_torch(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a torch convolution/im2col function was called")

    for owner, name in [
        (torch, "conv2d"), (torch, "convolution"), (torch, "_convolution"), (F, "conv2d"), (F, "unfold"),
        (torch.nn.functional, "fold"), (torch._C._nn, "im2col"), (torch._C._nn, "col2im"),
    ]:  # fmt: skip
        monkeypatch.setattr(owner, name, forbidden)
    x = torch.randn(2, 4, 7, 7, requires_grad=True)
    weight = torch.randn(6, 2, 3, 3, requires_grad=True)
    for fn in (conv2d, conv2d_naive):
        fn(x, weight, padding="same", groups=2).sum().backward()
    assert x.grad is not None and weight.grad is not None


def test_an_impulse_shows_it_is_cross_correlation():
    """Deep learning's convolution does not flip the kernel: an impulse comes out as the kernel flipped.

    A true convolution f*g of an impulse gives g back as it is; cross-correlation gives it rotated by 180°.
    """
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    kernel = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out = conv2d(x, kernel, padding=1)
    assert torch.equal(out, F.conv2d(x, kernel, padding=1))
    assert torch.equal(out[0, 0, 1:4, 1:4], kernel[0, 0].flip(0, 1))
    assert torch.equal(conv2d(x, kernel.flip(2, 3), padding=1)[0, 0, 1:4, 1:4], kernel[0, 0])


# ---------------------------------------------------------------- conv_output_size and window_positions


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((28, 3), 26),
        ((28, 3, 1, 1), 28),
        ((28, 3, 2, 1), 14),
        ((224, 7, 2, 3), 112),
        ((7, 3, 1, 0, 2), 3),
        ((5, 5), 1),
    ],
)
def test_conv_output_size_worked_examples(args, expected):
    assert conv_output_size(*args) == expected


@settings(max_examples=100, deadline=None)
@given(
    size=st.integers(1, 20), kernel=st.integers(1, 5), stride=st.integers(1, 4),
    padding=st.integers(0, 3), dilation=st.integers(1, 3),
)  # fmt: skip
def test_conv_output_size_agrees_with_torch(size, kernel, stride, padding, dilation):
    fits = dilation * (kernel - 1) + 1 <= size + 2 * padding
    if not fits:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_size(size, kernel, stride, padding, dilation)
        return
    out = F.conv2d(torch.zeros(1, 1, size, 1), torch.zeros(1, 1, kernel, 1), stride=stride,
                   padding=(padding, 0), dilation=dilation)  # fmt: skip
    assert conv_output_size(size, kernel, stride, padding, dilation) == out.shape[2]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((28.0, 3), TypeError, "size must be an int"),
        ((28, 0), ValueError, "kernel_size must be positive"),
        ((28, 3, 0), ValueError, "stride must be positive"),
        ((28, 3, 1, -1), ValueError, "padding must be non-negative"),
        ((28, 3, 1, 0, 0), ValueError, "dilation must be positive"),
        ((2, 3), ValueError, "larger than the padded input"),
    ],
)
def test_conv_output_size_errors(args, error, match):
    with pytest.raises(error, match=match):
        conv_output_size(*args)


def test_window_positions_cover_every_output_pixel_once():
    positions = list(window_positions(7, 6, (3, 2), stride=(2, 1), dilation=(1, 2)))
    assert [(i, j) for i, j, _, _ in positions] == [(i, j) for i in range(3) for j in range(4)]
    i, j, rows, cols = positions[-1]
    assert (rows, cols) == ([4, 5, 6], [3, 5])


# ---------------------------------------------------------------- bad input


X = torch.randn(2, 4, 8, 8)
W = torch.randn(6, 4, 3, 3)


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive])
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda f: f(torch.randn(2, 3, 8, 8), W), ValueError, r"channel mismatch: input shape \(2, 3, 8, 8\) has 3 channels"),
        (lambda f: f(X, torch.randn(6, 2, 3, 3), groups=3), ValueError, r"groups=3 must divide both the input channels \(4"),
        (lambda f: f(X, torch.randn(5, 2, 3, 3), groups=2), ValueError, r"groups=2 must divide .* output channels \(5"),
        (lambda f: f(X, torch.randn(6, 4, 3, 3), groups=2), ValueError, "channel mismatch"),
        (lambda f: f(X, W, groups=0), ValueError, "groups must be positive"),
        (lambda f: f(X, torch.randn(6, 4, 9, 3)), ValueError, r"kernel height 9 .* larger than the padded input height 8"),
        (lambda f: f(X, W, dilation=(1, 4)), ValueError, r"kernel width 3 \(dilation 4, spanning 9 pixels\) is larger"),
        (lambda f: f(X, W, stride=0), ValueError, r"stride must be positive \(>= 1\), got 0"),
        (lambda f: f(X, W, stride=(1, -2)), ValueError, r"stride must be positive"),
        (lambda f: f(X, W, dilation=0), ValueError, "dilation must be positive"),
        (lambda f: f(X, W, padding=-1), ValueError, r"padding must be non-negative \(>= 0\), got -1"),
        (lambda f: f(X, W, padding=(1, 2, 3)), ValueError, "padding must be an int or a pair"),
        (lambda f: f(X, W, padding="full"), ValueError, r"padding must be an int, a pair, 'valid' or 'same', got 'full'"),
        (lambda f: f(X, W, padding="same", stride=2), ValueError, "padding='same' needs stride 1"),
        (lambda f: f(X, W, stride=1.5), TypeError, "stride must be an int or a pair of ints"),
        (lambda f: f(torch.randn(8, 8), W), ValueError, r"input must be 3-D \(C, H, W\) or 4-D .* got 2-D with shape \(8, 8\)"),
        (lambda f: f(torch.randn(1, 2, 4, 8, 8), W), ValueError, "got 5-D"),
        (lambda f: f(X, torch.randn(6, 4, 3)), ValueError, r"weight must be 4-D .* got shape \(6, 4, 3\)"),
        (lambda f: f(X, W, torch.randn(5)), ValueError, r"bias must have shape \(6,\)"),
        (lambda f: f(X, W.double()), TypeError, "same dtype and device"),
        (lambda f: f(X.long(), W), TypeError, "input must have a floating-point dtype, got torch.int64"),
        (lambda f: f(X.numpy(), W), TypeError, "input must be a torch.Tensor, got ndarray"),
        (lambda f: f(X, W, groups=1.0), TypeError, "groups must be an int"),
    ],
)
def test_bad_input_raises_a_clear_error(fn, call, error, match):
    with pytest.raises(error, match=match):
        call(fn)
