"""What does freeze() leave trainable?

difficulty: easy
kind: predict

Before you run it: the pretrained small ResNet has about 121,000 parameters and a head of
64 × 5 weights plus 5 biases. How many parameters still train after `trainer.freeze()`, and how
many after `trainer.freeze(train_bn=False)`? Which layers are the difference?

Answer:
`freeze()` leaves the head (325 parameters) and every batch-norm layer of the body trainable: each
batch-norm layer has a scale and a shift per channel, a few hundred parameters in all, well
under 1% of the body. `freeze(train_bn=False)` leaves only the head. The batch-norm layers are
few parameters but much influence: they set the scale and centre of every channel the head reads.
"""

# --8<-- [start:starter]
import torch

from dlnotes import Trainer
from dlnotes.models import pretrained_small_resnet

batches = [(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))]  # the loader is not used here
model = pretrained_small_resnet(n_classes=5)
trainer = Trainer(model, batches, device="cpu", verbose=False)


def trainable():
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


print(f"all parameters:               {sum(p.numel() for p in model.parameters()):,}")
trainer.freeze()
print(f"after freeze():               {trainable():,}")
trainer.freeze(train_bn=False)
print(f"after freeze(train_bn=False): {trainable():,}")
trainer.unfreeze()
print(f"after unfreeze():             {trainable():,}")
# --8<-- [end:starter]

# --8<-- [start:check]
trainer.freeze(train_bn=False)
assert trainable() == model.head.weight.numel() + model.head.bias.numel()
print("check passed: with train_bn=False only the head trains")
# --8<-- [end:check]
