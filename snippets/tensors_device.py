"""Moving to a device the portable way: CUDA, then Apple's MPS, then the CPU."""

import torch

device = (
    "cuda" if torch.cuda.is_available()
    else "mps" if torch.backends.mps.is_available()
    else "cpu"
)
x = torch.randn(4, 3, device=device)   # created directly on the device
w = torch.randn(3, 2).to(device)       # or moved there
y = x @ w                              # both operands live on the same device
print("device:", y.device.type)
print("shape :", tuple(y.shape))
print("back on the CPU as NumPy:", y.cpu().numpy().shape)
