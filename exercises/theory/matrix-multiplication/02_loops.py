"""Matrix multiplication with three loops

difficulty: easy
kind: code

Finish the function: entry (i, j) of the product is the dot product of row i of `a` with column
j of `b`. Use plain loops (the point is to see the formula), then compare with `a @ b`.

Answer:
`c[i, j] = sum(a[i, p] * b[p, j] for p in range(k))`. Three nested loops, n·m·k multiply-adds.
Python loops are far slower than `a @ b`, which computes the same sums in tiles, with vector
instructions, on every core ([What it costs](#what-it-costs)).
"""

# --8<-- [start:starter]
import torch


def matmul(a, b):
    n, k = a.shape
    k2, m = b.shape
    assert k == k2, f"inner sizes differ: {k} and {k2}"
    c = torch.zeros(n, m)
    for i in range(n):
        for j in range(m):
            c[i, j] = 0.0  # TODO: the dot product of row i of a and column j of b
    return c


torch.manual_seed(0)
a, b = torch.randn(4, 3), torch.randn(3, 5)
print(matmul(a, b))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch


def matmul(a, b):
    n, k = a.shape
    k2, m = b.shape
    assert k == k2, f"inner sizes differ: {k} and {k2}"
    c = torch.zeros(n, m)
    for i in range(n):
        for j in range(m):
            c[i, j] = sum(a[i, p] * b[p, j] for p in range(k))
    return c


torch.manual_seed(0)
a, b = torch.randn(4, 3), torch.randn(3, 5)
print(matmul(a, b))
# --8<-- [end:solution]

# --8<-- [start:check]
assert torch.allclose(matmul(a, b), a @ b, atol=1e-5), "matmul(a, b) differs from a @ b"
assert torch.allclose(matmul(b.T, a.T), (a @ b).T, atol=1e-5), "wrong for other shapes"
print("check passed: your loops compute a @ b")
# --8<-- [end:check]
