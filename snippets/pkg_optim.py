"""torch.optim: optimizers that update parameters from their gradients, and learning-rate schedules."""

import torch

w = torch.tensor([5.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)   # halve the rate every 10 steps
for _ in range(30):
    loss = (w - 2) ** 2          # minimum at w = 2
    opt.zero_grad()              # gradients add up unless cleared
    loss.backward()
    opt.step()                   # w <- w - lr * dloss/dw
    sched.step()
print(f"w after 30 steps: {w.item():.4f}, learning rate now {sched.get_last_lr()[0]}")

optimizers = sorted(n for n, c in vars(torch.optim).items() if isinstance(c, type) and issubclass(c, torch.optim.Optimizer) and c is not torch.optim.Optimizer)
print("optimizers in torch.optim:", ", ".join(optimizers))
