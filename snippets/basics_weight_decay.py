"""Weight decay, two ways: L2 in the loss (Adam) versus decoupled decay (AdamW, our Trainer's default)."""

import torch

from dlnotes import Trainer
from dlnotes.models import small_cnn

lr, wd = 0.01, 0.1


def one_weight_after(opt_class, grad_scale, steps=100):
    """A weight starting at 1.0 whose loss gradient is tiny noise times ``grad_scale``."""
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.tensor([1.0]))
    opt = opt_class([w], lr=lr, weight_decay=wd)
    for _ in range(steps):
        w.grad = grad_scale * torch.randn(1)
        opt.step()
    return w.item()


print("gradient scale   Adam + L2 (weight_decay)   AdamW (decoupled)")
after = {}
for scale in (0.0, 1e-3, 1.0):
    after[scale] = one_weight_after(torch.optim.Adam, scale), one_weight_after(torch.optim.AdamW, scale)
    print(f"{scale:14g}  {after[scale][0]:25.3f}  {after[scale][1]:18.3f}")
assert abs(after[1e-3][1] - after[1.0][1]) < 1e-3   # AdamW: the decay does not depend on the gradient's scale
assert after[1.0][0] - after[1e-3][0] > 0.5         # Adam + L2: small gradients, strong decay; large, almost none

# AdamW's update by hand: first shrink the weight, w <- w * (1 - lr*wd), then take Adam's step.
w = torch.nn.Parameter(torch.tensor([1.0]))
opt = torch.optim.AdamW([w], lr=lr, weight_decay=wd)
w.grad = torch.tensor([0.0])                 # no gradient at all: only the decay acts
opt.step()
assert torch.allclose(w.detach(), torch.tensor([1.0 * (1 - lr * wd)]))
print(f"AdamW, one step with zero gradient: 1.0 -> {w.item():.6f} = 1 - lr*wd")

# What our Trainer builds by default (wd=0.01):
data = [(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))]
trainer = Trainer(small_cnn(), data, device="cpu", verbose=False)
opt = trainer.optimizer
print(f"Trainer optimizer: {type(opt).__name__}, weight_decay {opt.param_groups[0]['weight_decay']}"
      f" on {sum(p.numel() for g in opt.param_groups if g['weight_decay'] for p in g['params']):,d}"
      f" of {sum(p.numel() for p in trainer.model.parameters()):,d} parameters")
