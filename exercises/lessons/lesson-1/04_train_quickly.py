"""One epoch that learns

difficulty: medium
kind: code

The starter trains the small CNN for one epoch on 2,000 images of the sample with
`fit_one_cycle`, at a peak learning rate far too small to learn anything in one epoch. Change
the learning rate, and only that, so that the validation accuracy passes 60%.

Answer:
A peak rate around 1e-3 to 1e-2 works for AdamW on this model (the page's `lr_find` suggests one
in that range); 1e-6 leaves the weights almost where they started, so the model is close to
guessing (10% for ten classes). To find the rate without trying, run `trainer.lr_find()` first,
as on the page.
"""

# --8<-- [start:starter]
import torch

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

train, test = fashion_mnist(sample=True)
train_dl = FastLoader(train.data[:2000], train.targets[:2000], batch_size=64, shuffle=True, device="cpu", seed=0)
valid_dl = FastLoader(test.data[:1000], test.targets[:1000], batch_size=500, device="cpu", normalize=train_dl.stats)
torch.manual_seed(0)
trainer = Trainer(small_cnn(), train_dl, valid_dl, device="cpu", progress=False, verbose=False)
max_lr = 1e-6  # TODO: a peak learning rate that learns something in one epoch
trainer.fit_one_cycle(1, max_lr=max_lr)
accuracy = trainer.history[-1]["accuracy"]
print(f"max_lr {max_lr}: validation accuracy {accuracy:.1%}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

train, test = fashion_mnist(sample=True)
train_dl = FastLoader(train.data[:2000], train.targets[:2000], batch_size=64, shuffle=True, device="cpu", seed=0)
valid_dl = FastLoader(test.data[:1000], test.targets[:1000], batch_size=500, device="cpu", normalize=train_dl.stats)
torch.manual_seed(0)
trainer = Trainer(small_cnn(), train_dl, valid_dl, device="cpu", progress=False, verbose=False)
max_lr = 5e-3  # in the range lr_find suggests for this model
trainer.fit_one_cycle(1, max_lr=max_lr)
accuracy = trainer.history[-1]["accuracy"]
print(f"max_lr {max_lr}: validation accuracy {accuracy:.1%}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert len(trainer.history) == 1, "train for one epoch"
assert accuracy > 0.6, f"validation accuracy {accuracy:.1%}; get it above 60%"
print("check passed: one epoch, more than 60% right")
# --8<-- [end:check]
