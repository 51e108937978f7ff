r"""Backpropagate through a ReLU

difficulty: medium
kind: code

The page's two-layer network uses a sigmoid, whose slope is $a(1-a)$. This one uses a ReLU.
Complete the backward pass by hand: what does the gradient do when it passes back through
$\mathrm{ReLU}(h) = \max(0, h)$? Then compare every gradient with autograd.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
x, y = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 1, dtype=torch.float64)
W1 = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
W2 = torch.randn(1, 5, dtype=torch.float64, requires_grad=True)

h = x @ W1.T
a = torch.relu(h)
out = a @ W2.T
loss = ((out - y) ** 2).mean()
loss.backward()

with torch.no_grad():
    d_out = 2 * (out - y) / out.numel()
    d_W2 = d_out.T @ a
    d_a = d_out @ W2
    d_h = d_a  # TODO: through the ReLU: what is its slope where h > 0, and where h < 0?
    d_W1 = d_h.T @ x
print("W1 gradient matches:", torch.allclose(d_W1, W1.grad), "  W2:", torch.allclose(d_W2, W2.grad))
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
x, y = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 1, dtype=torch.float64)
W1 = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
W2 = torch.randn(1, 5, dtype=torch.float64, requires_grad=True)

h = x @ W1.T
a = torch.relu(h)
out = a @ W2.T
loss = ((out - y) ** 2).mean()
loss.backward()

with torch.no_grad():
    d_out = 2 * (out - y) / out.numel()
    d_W2 = d_out.T @ a
    d_a = d_out @ W2
    d_h = d_a * (h > 0)  # slope 1 where the ReLU let the value through, 0 where it cut it off
    d_W1 = d_h.T @ x
print("W1 gradient matches:", torch.allclose(d_W1, W1.grad), "  W2:", torch.allclose(d_W2, W2.grad))
# --8<-- [end:solution]

# --8<-- [start:check]
assert torch.allclose(d_W2, W2.grad), "dL/dW2 differs from autograd"
assert torch.allclose(d_W1, W1.grad), "dL/dW1 differs from autograd: check the step through the ReLU"
print("check passed: every gradient matches autograd")
# --8<-- [end:check]
