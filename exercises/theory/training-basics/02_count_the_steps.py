"""Count the steps of a training run

difficulty: easy
kind: code

Fashion-MNIST has 60,000 training images. With a batch size of 256, how many batches make one
epoch, and how many optimizer steps does training for 5 epochs take? Work it out for the default
`DataLoader` and for `drop_last=True`, then let PyTorch confirm.
"""

# --8<-- [start:starter]
import torch
from torch.utils.data import DataLoader, TensorDataset

n, batch_size, epochs = 60_000, 256, 5
steps = 0  # TODO: optimizer steps in 5 epochs, one step per batch (the last, smaller batch counts)
steps_drop_last = 0  # TODO: the same with drop_last=True (the last, smaller batch is skipped)

data = TensorDataset(torch.zeros(n, 1))
print(steps, epochs * len(DataLoader(data, batch_size=batch_size)))
print(steps_drop_last, epochs * len(DataLoader(data, batch_size=batch_size, drop_last=True)))
# --8<-- [end:starter]

# --8<-- [start:solution]
import math

import torch
from torch.utils.data import DataLoader, TensorDataset

n, batch_size, epochs = 60_000, 256, 5
steps = epochs * math.ceil(n / batch_size)  # 235 batches per epoch: 234 full ones and one of 96
steps_drop_last = epochs * (n // batch_size)  # 234 full batches per epoch

data = TensorDataset(torch.zeros(n, 1))
print(steps, epochs * len(DataLoader(data, batch_size=batch_size)))
print(steps_drop_last, epochs * len(DataLoader(data, batch_size=batch_size, drop_last=True)))
# --8<-- [end:solution]

# --8<-- [start:check]
assert steps == 5 * 235, f"{steps} steps: an epoch is 60,000 / 256 batches, rounded up"
assert steps_drop_last == 5 * 234, f"{steps_drop_last} steps: with drop_last the division is rounded down"
print("check passed: 1175 steps, or 1170 with drop_last")
# --8<-- [end:check]
