"""Shapes in, shape out

difficulty: easy
kind: predict

Before running it: what shape does each product have, and how many multiply-adds does it take?
One of the three products is impossible: which, and why?

Answer:
An (n × k) by (k × m) product is n × m and costs n·m·k multiply-adds: (2 × 3)(3 × 4) is 2 × 4
for 24; a batch of 64 rows of 784 pixels times a 784 × 10 weight matrix is 64 × 10 for 501,760.
(3 × 4)(3 × 4) fails: the inner sizes, 4 and 3, must agree. `A @ B.T` would work.
"""

# --8<-- [start:starter]
import torch

for a, b in (((2, 3), (3, 4)), ((64, 784), (784, 10)), ((3, 4), (3, 4))):
    try:
        c = torch.ones(a) @ torch.ones(b)
        print(f"{a} @ {b} -> {tuple(c.shape)}, {a[0] * b[1] * a[1]:,} multiply-adds")
    except RuntimeError:
        print(f"{a} @ {b} -> error: inner sizes {a[1]} and {b[0]} differ")
# --8<-- [end:starter]
