"""What fills memory during training, and how it grows with the batch size.

Weights, their gradients and AdamW's two running averages take the same room whatever the
batch size; the activations saved for the backward pass grow with it. PyTorch's
saved-tensors hooks let us count those exactly, on any device (here the CPU).
"""

import torch
from torch import nn

from dlnotes import small_resnet

torch.manual_seed(0)
model = small_resnet(width=32)
n_params = sum(p.numel() for p in model.parameters())
fixed = n_params * 4 * 4  # fp32 weights + gradients + AdamW's exp_avg and exp_avg_sq


def saved_bytes(batch_size, dtype=None):
    """Bytes of the tensors autograd keeps for the backward pass of one training step."""
    storages = {}
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}

    def pack(t):  # called for every tensor saved for backward; count each memory block once
        storage = t.untyped_storage()
        if storage.data_ptr() not in weights:  # the weights are counted above
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    x = torch.randn(batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (batch_size,))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        with torch.autocast("cpu", dtype=dtype, enabled=dtype is not None):
            loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    model.zero_grad(set_to_none=True)
    return sum(storages.values())


MiB = 2**20
print(f"small_resnet: {n_params:,} parameters -> weights, gradients and AdamW state: {fixed / MiB:.1f} MiB")
per_image = {name: saved_bytes(32, dtype) / 32 for name, dtype in (("fp32", None), ("bf16", torch.bfloat16))}
print(f"check: {saved_bytes(8) / 8 / per_image['fp32']:.2f}× as much per image in a batch of 8 (it grows linearly)")
print(f"activations saved for backward: {per_image['fp32'] / 1024:.0f} KiB per image in fp32, "
      f"{per_image['bf16'] / 1024:.0f} KiB with bf16 autocast")
print(f"{'batch size':>10} {'fp32 total':>12} {'bf16 total':>12}")
for bs in (128, 512, 2048, 8192):
    print(f"{bs:>10} {(fixed + bs * per_image['fp32']) / MiB:>8.0f} MiB {(fixed + bs * per_image['bf16']) / MiB:>8.0f} MiB")
