"""Output sizes

difficulty: easy
kind: predict

Use the formula on the page, ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, to work out each output size
before you run it.

Answer:
28 with a 3×3 kernel and padding 1 stays 28 (padding 1 is "same" for 3×3); stride 2 halves it to
14; a 5×5 kernel without padding loses 2 pixels on each side, 24; dilation 2 makes the 3×3
kernel span 5 pixels, so without padding that is also 24; 224 with the 7×7, stride 2, padding 3
stem of a ResNet gives 112.
"""

# --8<-- [start:starter]
from dlnotes.conv import conv_output_size

cases = [  # (input size, kernel, stride, padding, dilation)
    (28, 3, 1, 1, 1),
    (28, 3, 2, 1, 1),
    (28, 5, 1, 0, 1),
    (28, 3, 1, 0, 2),
    (224, 7, 2, 3, 1),
]
for n, k, s, p, d in cases:
    print(f"n={n:3d} k={k} s={s} p={p} d={d} -> {conv_output_size(n, k, s, p, d)}")
# --8<-- [end:starter]
