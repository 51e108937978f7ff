r"""AdamW's first step by hand

difficulty: medium
kind: code

On its first step Adam's bias-corrected averages are just the gradient $g$ and its square $g^2$,
so Adam's step is $\eta\, g / (\sqrt{g^2} + \epsilon)$. AdamW first shrinks the weight by the
factor $1 - \eta\lambda$, then takes that step. Compute the weights after one AdamW step by hand
and compare them with `torch.optim.AdamW`.
"""

# --8<-- [start:starter]
import torch

lr, wd, eps = 0.1, 0.5, 1e-8
w = torch.tensor([1.0, -2.0, 3.0])
g = torch.tensor([0.5, 0.0, -4.0])

by_hand = w.clone()  # TODO: shrink by (1 - lr*wd), then subtract lr * g / (sqrt(g²) + eps)

p = torch.nn.Parameter(w.clone())
opt = torch.optim.AdamW([p], lr=lr, weight_decay=wd, eps=eps)
p.grad = g.clone()
opt.step()
print("by hand:", [round(v, 6) for v in by_hand.tolist()], " AdamW:", [round(v, 6) for v in p.detach().tolist()])
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

lr, wd, eps = 0.1, 0.5, 1e-8
w = torch.tensor([1.0, -2.0, 3.0])
g = torch.tensor([0.5, 0.0, -4.0])

by_hand = w * (1 - lr * wd) - lr * g / (g.abs() + eps)  # decay first, then Adam's step of size ~lr

p = torch.nn.Parameter(w.clone())
opt = torch.optim.AdamW([p], lr=lr, weight_decay=wd, eps=eps)
p.grad = g.clone()
opt.step()
print("by hand:", [round(v, 6) for v in by_hand.tolist()], " AdamW:", [round(v, 6) for v in p.detach().tolist()])
# --8<-- [end:solution]

# --8<-- [start:check]
assert torch.allclose(by_hand, p.detach(), atol=1e-6), f"by hand {by_hand.tolist()}, AdamW {p.detach().tolist()}"
print("check passed: decoupled decay, then Adam's step")
# --8<-- [end:check]
