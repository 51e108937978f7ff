"""The notes' reading of the range test ("until the loss starts decreasing") against Smith's."""

import torch

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

train, test = fashion_mnist(sample=True)
train_loader = FastLoader(train.data[:3200], train.targets[:3200], batch_size=64, shuffle=True, device="cpu", seed=0)
test_loader = FastLoader(test, batch_size=500, device="cpu", normalize=train_loader.stats)


def fresh_trainer() -> Trainer:
    torch.manual_seed(0)
    train_loader.set_epoch(0)
    return Trainer(small_cnn(), train_loader, test_loader, device="cpu", verbose=False)


result = fresh_trainer().lr_find()
# the notes: "keep increasing the learning rate until the loss starts decreasing"
start = result.losses[len(result.losses) // 10]  # where the smoothed loss has settled
notes_lr = next(lr for lr, loss in zip(result.lrs, result.losses, strict=True) if loss < 0.98 * start)
print(f"the loss starts decreasing at lr {notes_lr:.2g} (the notes' choice)")
print(f"lr_find suggests lr {result.suggestion:.2g}: the loss is still falling fast there")

for name, lr in (("notes", notes_lr), ("lr_find", result.suggestion)):
    trainer = fresh_trainer()
    trainer.fit_one_cycle(1, max_lr=lr)
    print(f"fit_one_cycle(1) at the {name:>7} learning rate {lr:.2g}: test accuracy {trainer.history[-1]['accuracy']:.1%}")
