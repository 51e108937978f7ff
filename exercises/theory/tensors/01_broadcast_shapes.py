"""Which shapes broadcast?

difficulty: easy
kind: predict

Before you run it: what shape does each sum have, and which one fails? Line the shapes up from the
right; two sizes fit if they are equal or one of them is 1.

Answer:
Broadcasting compares shapes from the last dimension backwards and stretches any size-1 (or
missing) dimension to match. `(3, 1) + (4,)` gives `(3, 4)`; `(2, 1, 5) + (3, 1)` gives
`(2, 3, 5)`; `(3, 4) + (3,)` fails, because the last sizes, 4 and 3, differ and neither is 1.
To add one number per *row* of a `(3, 4)` tensor, give the vector the shape `(3, 1)`.
"""

# --8<-- [start:starter]
import torch

pairs = [((3, 1), (4,)), ((2, 1, 5), (3, 1)), ((3, 4), (3,))]
for a, b in pairs:
    try:
        shape = tuple((torch.zeros(a) + torch.zeros(b)).shape)
        print(f"{a} + {b} -> {shape}")
    except RuntimeError:
        print(f"{a} + {b} -> error")
# --8<-- [end:starter]
