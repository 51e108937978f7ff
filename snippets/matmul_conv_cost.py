"""The cost of a convolution, read off the shapes of its matrix product (im2col)."""

from dlnotes.conv import conv_output_size

layers = [  # (name, batch, in channels, size, out channels, kernel, stride, padding)
    ("small CNN conv2", 64, 32, 14, 64, 3, 1, 1),
    ("ResNet-18 layer2 3x3", 64, 128, 28, 128, 3, 1, 1),
    ("ResNet-18 layer2 1x1 shortcut", 64, 64, 56, 128, 1, 2, 0),
]
for name, n, c_in, size, c_out, k, s, p in layers:
    out = conv_output_size(size, k, s, p)
    rows, inner = n * out * out, c_in * k * k  # im2col matrix: one row per output pixel
    macs = rows * inner * c_out  # (rows x inner) @ (inner x c_out)
    copy = rows * inner / (n * c_in * size * size)  # how many times im2col copies each input pixel
    print(f"{name}:")
    print(f"  im2col ({rows:,} x {inner:,}) @ filters ({inner:,} x {c_out}) -> {macs / 1e9:.2f} G multiply-adds")
    print(f"  the im2col matrix holds {rows * inner * 4 / 2**20:,.0f} MiB of float32, {copy:.2f}x the input")
