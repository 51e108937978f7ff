"""Batch size and memory

difficulty: medium
kind: code

Training keeps every layer's output (its *activations*) for the backward pass, for every image
in the batch, so memory grows with the batch size. Measure how many bytes of activations the
small CNN's three blocks produce per image (the starter records them with hooks), then find the
largest batch size whose block activations fit in a budget of 16 MiB.

Answer:
Memory for activations is (bytes per image) × (batch size), so the largest batch that fits is
`budget // per_image`. When training runs out of GPU memory, halving the batch size halves this
part (the weights and the optimizer's state stay the same size), which is the lesson's advice.
Real training stores more than the block outputs (every intermediate, gradients, workspace), so
measure with `torch.cuda.max_memory_allocated()` on a GPU; and when you shrink the batch,
lower the learning rate with it, or accumulate gradients over several batches.
"""

# --8<-- [start:starter]
import torch

from dlnotes import small_cnn

model = small_cnn()
sizes = []
hooks = [block.register_forward_hook(lambda m, i, out: sizes.append(out.numel() * out.element_size()))
         for block in (model.block1, model.block2, model.block3)]
model(torch.zeros(1, 1, 28, 28))  # one image
for h in hooks:
    h.remove()
per_image = sum(sizes)
budget = 16 * 2**20  # bytes
batch_size = 64  # TODO: the largest batch size whose activations fit in the budget
print(f"{per_image:,} bytes of block activations per image; batch {batch_size} needs {batch_size * per_image / 2**20:.1f} MiB")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import small_cnn

model = small_cnn()
sizes = []
hooks = [block.register_forward_hook(lambda m, i, out: sizes.append(out.numel() * out.element_size()))
         for block in (model.block1, model.block2, model.block3)]
model(torch.zeros(1, 1, 28, 28))  # one image
for h in hooks:
    h.remove()
per_image = sum(sizes)
budget = 16 * 2**20  # bytes
batch_size = budget // per_image  # memory grows linearly with the batch
print(f"{per_image:,} bytes of block activations per image; batch {batch_size} needs {batch_size * per_image / 2**20:.1f} MiB")
# --8<-- [end:solution]

# --8<-- [start:check]
assert batch_size * per_image <= budget, f"batch {batch_size} needs {batch_size * per_image:,} bytes, over the budget"
assert (batch_size + 1) * per_image > budget, f"a batch of {batch_size + 1} fits too: find the largest"
print(f"check passed: batch size {batch_size} is the largest that fits")
# --8<-- [end:check]
