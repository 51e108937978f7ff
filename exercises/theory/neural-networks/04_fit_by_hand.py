"""Train one neuron with your own loop

difficulty: medium
kind: code

The points lie on the line y = 3x + 1 (plus a little noise). The starter's training loop
computes the gradients of the mean squared error but never changes the weights. Write the
update step (gradient descent, by hand, without an optimizer) so that the neuron learns w ≈ 3
and b ≈ 1.

Answer:
Each step moves every parameter a little against its gradient: `w -= lr * w.grad`, inside
`torch.no_grad()` so that the update itself is not recorded, then the gradients are zeroed
because `backward()` adds to them. That is all `torch.optim.SGD` does (without momentum). See
[the learning rate](learning-rate.md) for what `lr` changes.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
x = torch.rand(100)
y = 3 * x + 1 + 0.05 * torch.randn(100)

w = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
lr = 0.5
for _ in range(300):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        pass  # TODO: move w and b against their gradients, then zero the gradients
print(f"w = {w.item():.3f}, b = {b.item():.3f}, loss = {loss.item():.4f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

torch.manual_seed(0)
x = torch.rand(100)
y = 3 * x + 1 + 0.05 * torch.randn(100)

w = torch.zeros((), requires_grad=True)
b = torch.zeros((), requires_grad=True)
lr = 0.5
for _ in range(300):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
print(f"w = {w.item():.3f}, b = {b.item():.3f}, loss = {loss.item():.4f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert abs(w.item() - 3) < 0.1 and abs(b.item() - 1) < 0.1, f"w = {w.item():.3f}, b = {b.item():.3f}; expected about 3 and 1"
print("check passed: the neuron found the line")
# --8<-- [end:check]
