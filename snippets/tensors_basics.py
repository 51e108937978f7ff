"""Tensors vs NumPy arrays: creation, dtype, shape, and sharing memory."""

import numpy as np
import torch

a = np.arange(6).reshape(2, 3)        # a NumPy array
t = torch.tensor([[0, 1, 2], [3, 4, 5]])  # a PyTorch tensor with the same values

print("numpy :", a.dtype, a.shape)
print("torch :", t.dtype, tuple(t.shape), t.device)
print("float :", torch.zeros(2, 3).dtype)  # the default float type is float32, NumPy's is float64
print("equal :", np.array_equal(a, t.numpy()))

x = np.ones(3, dtype=np.float32)
y = torch.from_numpy(x)   # no copy: y and x share one buffer
x[0] = 7
print("shared:", y)
z = torch.tensor(x)       # torch.tensor always copies
x[1] = 9
print("copied:", z)
