"""What a convolution layer costs

difficulty: medium
kind: code

A convolution is a matrix product once the windows are copied out (im2col): one row per output
pixel (of every image), one column per kernel tap of every input channel, one filter per output
channel. Fill in the count of multiply-adds for the first layer of a network on a batch of 32
RGB images of 224 × 224: 64 filters of 7 × 7, stride 2, padding 3. The check counts another way:
every number in the output is one window times one filter.

Answer:
The output is 112 × 112 (`conv_output_size(224, 7, 2, 3)`), so the im2col matrix has
32 · 112 · 112 rows and 3 · 7 · 7 = 147 columns, and multiplying it by the 147 × 64 filter
matrix takes 32 · 112² · 147 · 64 ≈ 3.8 billion multiply-adds, for one layer and one batch.
This is ResNet's stem; the page's table has more layers.
"""

# --8<-- [start:starter]
from torch import nn

from dlnotes.conv import conv_output_size

n, c_in, size, c_out, k, stride, padding = 32, 3, 224, 64, 7, 2, 3
out = conv_output_size(size, k, stride, padding)
rows = 0  # TODO: rows of the im2col matrix (one per output pixel of every image)
inner = 0  # TODO: columns (one per kernel tap of every input channel)
macs = rows * inner * c_out
print(f"output {out}x{out}; im2col ({rows:,} x {inner}) @ ({inner} x {c_out}): {macs / 1e9:.2f} G multiply-adds")
layer = nn.Conv2d(c_in, c_out, k, stride, padding, bias=False)
# --8<-- [end:starter]

# --8<-- [start:solution]
from torch import nn

from dlnotes.conv import conv_output_size

n, c_in, size, c_out, k, stride, padding = 32, 3, 224, 64, 7, 2, 3
out = conv_output_size(size, k, stride, padding)
rows = n * out * out  # one row per output pixel, of every image
inner = c_in * k * k  # one column per kernel tap, of every input channel
macs = rows * inner * c_out
print(f"output {out}x{out}; im2col ({rows:,} x {inner}) @ ({inner} x {c_out}): {macs / 1e9:.2f} G multiply-adds")
layer = nn.Conv2d(c_in, c_out, k, stride, padding, bias=False)
# --8<-- [end:solution]

# --8<-- [start:check]
# every output number is one dot product of a window (inner values) with a filter
outputs = n * c_out * out * out
assert macs == outputs * layer.weight[0].numel(), f"{macs:,} multiply-adds; expected {outputs * layer.weight[0].numel():,}"
print("check passed: multiply-adds = output numbers × weights per filter")
# --8<-- [end:check]
