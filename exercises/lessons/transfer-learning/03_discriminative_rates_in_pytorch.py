"""Discriminative learning rates in plain PyTorch

difficulty: medium
kind: code

`fit_one_cycle(n, slice(1e-5, 1e-3))` gives the three parameter groups of `param_groups(model)`
the rates 1e-5, 1e-4 and 1e-3. Build the same thing with a plain `torch.optim.AdamW`: one
parameter group per group, each with its own `lr`. Change the line marked TODO.
"""

# --8<-- [start:starter]
import torch

from dlnotes.models import pretrained_small_resnet
from dlnotes.trainer import param_groups

model = pretrained_small_resnet(n_classes=5)
groups = param_groups(model)
rates = [1e-5, 1e-4, 1e-3]

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)  # TODO: one group per entry of `groups`, with its rate
for g in optimizer.param_groups:
    print(f"{sum(p.numel() for p in g['params']):>8,} parameters at lr {g['lr']:.0e}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes.models import pretrained_small_resnet
from dlnotes.trainer import param_groups

model = pretrained_small_resnet(n_classes=5)
groups = param_groups(model)
rates = [1e-5, 1e-4, 1e-3]

optimizer = torch.optim.AdamW([{"params": g, "lr": lr} for g, lr in zip(groups, rates)])
for g in optimizer.param_groups:
    print(f"{sum(p.numel() for p in g['params']):>8,} parameters at lr {g['lr']:.0e}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(optimizer.param_groups) == 3, f"{len(optimizer.param_groups)} parameter group(s), expected 3"
assert [g["lr"] for g in optimizer.param_groups] == rates, "each group needs its own rate, early layers first"
assert optimizer.param_groups[-1]["params"][-1] is model.head.bias, "the head belongs in the last group"
print("check passed: three groups, 1e-5 for the early body, 1e-3 for the head")
# --8<-- [end:check]
