"""Let autograd find a slope

difficulty: medium
kind: code

For f(x) = x³ − 2x, the slope at x = 2 is f′(2) = 3·2² − 2 = 10. Get that number from autograd
instead of by hand: make `x` a tensor that records operations, compute `f`, call `backward()`,
and read the gradient.
"""

# --8<-- [start:starter]
import torch

x = torch.tensor(2.0)  # TODO: ask autograd to record what happens to x
y = x**3 - 2 * x
slope = None  # TODO: call backward() on y and read x's gradient
print("f(2) =", y.item(), " f'(2) =", slope)
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

x = torch.tensor(2.0, requires_grad=True)  # record every operation on x
y = x**3 - 2 * x
y.backward()  # dy/dx, stored in x.grad
slope = x.grad.item()
print("f(2) =", y.item(), " f'(2) =", slope)
# --8<-- [end:solution]

# --8<-- [start:check]
assert slope is not None and abs(float(slope) - 10.0) < 1e-6, f"f'(2) should be 10, got {slope}"
print("check passed: autograd's slope is 10")
# --8<-- [end:check]
