"""The matrix product, one entry at a time: row i of A times column j of B, multiplied and summed."""

import torch

A = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]])  # 2 x 3
B = torch.tensor([[7.0, 8.0],
                  [9.0, 10.0],
                  [11.0, 12.0]])  # 3 x 2  # fmt: skip

C = torch.zeros(2, 2)
for i in range(2):  # each row of A
    for j in range(2):  # each column of B
        terms = [f"{A[i, k]:.0f}*{B[k, j]:.0f}" for k in range(3)]
        C[i, j] = sum(A[i, k] * B[k, j] for k in range(3))  # a dot product
        print(f"C[{i},{j}] = {' + '.join(terms)} = {C[i, j]:.0f}")
print("loops:\n", C)
print("A @ B:\n", A @ B)
print("same:", torch.equal(C, A @ B))
