"""How many operations is a matrix product?

difficulty: medium
kind: code

Multiplying an n×m matrix by an m×p matrix computes n·p output numbers, each a sum of m
products: m multiplications and m additions (counting the first addition to zero, as GFLOP/s
figures do). Write the number of floating-point operations as a formula, then use it to turn the
measured time of one product into GFLOP/s.
"""

# --8<-- [start:starter]
import time

import torch

n, m, p = 512, 256, 1024
a, b = torch.randn(n, m), torch.randn(m, p)
a @ b  # warm up
start = time.perf_counter()
a @ b
seconds = time.perf_counter() - start

flops = 0  # TODO: the number of floating-point operations of one (n×m) @ (m×p) product
print(f"{flops:,d} operations in {seconds * 1e3:.2f} ms: {flops / seconds / 1e9:.1f} GFLOP/s")
# --8<-- [end:starter]

# --8<-- [start:solution]
import time

import torch

n, m, p = 512, 256, 1024
a, b = torch.randn(n, m), torch.randn(m, p)
a @ b  # warm up
start = time.perf_counter()
a @ b
seconds = time.perf_counter() - start

flops = 2 * n * m * p  # n·p outputs, each m multiplications and m additions
print(f"{flops:,d} operations in {seconds * 1e3:.2f} ms: {flops / seconds / 1e9:.1f} GFLOP/s")
# --8<-- [end:solution]

# --8<-- [start:check]
assert flops == 2 * 512 * 256 * 1024, f"{flops:,d} operations: count n·p outputs, each with m multiplies and m adds"
print("check passed: 2·n·m·p operations")
# --8<-- [end:check]
