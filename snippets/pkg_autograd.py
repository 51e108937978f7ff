"""torch.autograd: derivatives of whatever the code computed."""

import torch

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)   # record operations on w
loss = (w**2).sum()                                      # 1 + 4 + 9
(grad,) = torch.autograd.grad(loss, w)                   # d loss / d w = 2w
print("loss:", loss.item(), " gradient:", grad.tolist())

with torch.no_grad():                                    # not recorded: for updates and evaluation
    w -= 0.1 * grad
print("after one step:", [round(v, 4) for v in w.tolist()], " requires_grad:", w.requires_grad)
