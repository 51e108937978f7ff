"""Backpropagation by hand on a two-layer network, checked against autograd."""

import torch

torch.manual_seed(0)
dt = torch.float64                              # double precision: hand and autograd agree to ~1e-15
x = torch.randn(4, 3, dtype=dt)                 # a batch of 4 examples with 3 features
y = torch.randn(4, 1, dtype=dt)                 # one target number each
W1 = torch.randn(5, 3, dtype=dt, requires_grad=True)
b1 = torch.zeros(5, dtype=dt, requires_grad=True)
W2 = torch.randn(1, 5, dtype=dt, requires_grad=True)
b2 = torch.zeros(1, dtype=dt, requires_grad=True)

# Forward pass, keeping every intermediate value.
h = x @ W1.T + b1            # (4, 5) layer 1: weighted sums
a = torch.sigmoid(h)         # (4, 5) non-linearity
out = a @ W2.T + b2          # (4, 1) layer 2
loss = ((out - y) ** 2).mean()

# Backward pass by hand: the chain rule, from the loss back to each weight.
with torch.no_grad():
    d_out = 2 * (out - y) / out.numel()       # dL/d out         (4, 1)
    d_W2 = d_out.T @ a                        # dL/d W2 = dL/d out · d out/d W2   (1, 5)
    d_b2 = d_out.sum(0)                       # (1,)
    d_a = d_out @ W2                          # dL/d a  = dL/d out · W2           (4, 5)
    d_h = d_a * a * (1 - a)                   # sigmoid'(h) = a(1 - a)            (4, 5)
    d_W1 = d_h.T @ x                          # (5, 3)
    d_b1 = d_h.sum(0)                         # (5,)

loss.backward()                               # autograd does the same walk
print(f"loss = {loss.item():.6f}")
for name, mine, auto in (("W2", d_W2, W2.grad), ("b2", d_b2, b2.grad), ("W1", d_W1, W1.grad), ("b1", d_b1, b1.grad)):
    assert torch.allclose(mine, auto, rtol=1e-12, atol=1e-14), name
    print(f"dL/d{name}  by hand  {mine.flatten()[:3].numpy().round(6)}   autograd {auto.flatten()[:3].numpy().round(6)}"
          "   equal to 1e-12")
