"""One image, or a batch?

difficulty: medium
kind: open

The page's JavaScript runs the model on one image at a time. A server would rather run it on a
batch of images at once, which is faster. Would a test image get the same probabilities alone
as in a batch of 64 others? Would it in training mode (`model.train()`)? Try it with the starter,
and explain what batch norm does differently in the two modes.

Answer:
In evaluation mode each image's output depends on that image alone: batch norm uses the running
mean and variance recorded during training, fixed numbers, so alone or in a batch the
probabilities agree to rounding. In training mode batch norm standardises each channel with the
mean and variance *of the current batch*, so an image's output depends on the other images in
the batch (alone, it is standardised with its own statistics only).
That is why a model must be put in evaluation mode before it is exported or used, and why the
running statistics travel with the weights. Further reading: Ioffe and Szegedy, [Batch
Normalization](https://arxiv.org/abs/1502.03167) (2015), section 3.1, and PyTorch's
[`BatchNorm2d`](https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html).
"""

# --8<-- [start:starter]
import torch

from dlnotes.models import small_cnn

torch.manual_seed(0)
model = small_cnn(width=4)
batch = torch.randn(64, 1, 28, 28)
model(batch)  # one step of training mode, so that the running statistics are not 0 and 1

for mode in ("eval", "train"):
    getattr(model, mode)()
    with torch.no_grad():
        in_batch = model(batch)[:1].softmax(dim=1)
        alone = model(batch[:1]).softmax(dim=1)
    print(f"{mode:5s}: largest difference, alone vs in a batch of 64: {(alone - in_batch).abs().max():.2e}")
# --8<-- [end:starter]
