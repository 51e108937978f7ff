"""One script for one process or many: run it with `python`, or with `torchrun` for several.

    python trainer_ddp.py                                   # one process
    torchrun --standalone --nproc_per_node=2 trainer_ddp.py # two processes (GPUs, or CPU with gloo)

Under torchrun, Trainer joins the process group (NCCL on GPUs, gloo on the CPU), wraps the
model in DistributedDataParallel, gives each process its share of the batches (reshuffled every
epoch), adds up the metrics over all processes, and prints and saves on rank 0 only.
"""
# output: varies

import tempfile
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from dlnotes import Trainer, fashion_mnist, small_cnn


def as_tensors(dataset):
    x = dataset.data.unsqueeze(1).float().div(255).sub(0.286).div(0.353)  # normalised N×1×28×28
    return TensorDataset(x, dataset.targets)


torch.manual_seed(0)  # the same initial weights in every process
train, test = fashion_mnist(sample=True)
pin = torch.cuda.is_available()  # page-locked memory makes the copies to the GPU asynchronous
train_dl = DataLoader(as_tensors(train), batch_size=128, shuffle=True, pin_memory=pin)
valid_dl = DataLoader(as_tensors(test), batch_size=512, pin_memory=pin)

trainer = Trainer(small_cnn(), train_dl, valid_dl)
checkpoint = Path(tempfile.gettempdir()) / "dlnotes-ddp-example.pt"  # written by rank 0 after every epoch
trainer.fit_one_cycle(2, max_lr=1e-2, checkpoint=checkpoint)
if trainer.rank == 0:
    print(f"{trainer.world_size} process(es), each saw {len(trainer.train_loader)} batches per epoch")
