"""torch: tensors and the maths on them."""

import torch

x = torch.arange(6, dtype=torch.float32).reshape(2, 3)   # create
w = torch.ones(3, 4)
print("x:", x.tolist(), x.shape, x.dtype)
print("x @ w:", (x @ w).tolist())                        # matrix product
print("mean of each row:", x.mean(dim=1).tolist())       # reductions along a dimension
print("as NumPy:", x.numpy().sum())                      # shares memory with NumPy on the CPU
device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
print("moved to", x.to(device).device)                   # the same tensor on the best device here
