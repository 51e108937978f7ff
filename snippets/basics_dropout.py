"""Dropout: during training, zero a random share p of the activations and scale up the rest."""

import torch
from torch import nn

torch.manual_seed(0)
drop = nn.Dropout(p=0.5)
x = torch.ones(10)

drop.train()                                 # model.train() sets this for every layer
print("training, pass 1:", drop(x).tolist())
print("training, pass 2:", drop(x).tolist())  # a different random half each time
big = torch.ones(100_000)
print(f"training, mean over 100,000 ones: {drop(big).mean().item():.3f}  (kept values are scaled by 1/(1-p) = 2)")

drop.eval()                                  # model.eval(): dropout does nothing
print("evaluation      :", drop(x).tolist())
