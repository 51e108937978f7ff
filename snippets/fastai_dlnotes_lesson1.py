"""The notes' lesson-1 workflow, one line per fastai step, in dlnotes (runs on a CPU in seconds),
and the two plots the 2017 notes mix up: the learning rate per step (v0.7 `sched.plot_lr()`) and
the loss against the learning rate (`sched.plot()`), the one you choose a rate from."""

import matplotlib.pyplot as plt
import torch

from dlnotes import ClassificationInterpretation, Trainer, fashion_mnist
from dlnotes.data import fast_loaders
from dlnotes.models import small_cnn

threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread is plenty for a model this small (and the build machine is shared)

torch.manual_seed(0)
train, valid = fashion_mnist(sample=True)                           # untar_data(URLs.…)
dls = fast_loaders(train, valid, batch_size=128, device="cpu")       # ImageDataLoaders (v1: ImageDataBunch)
learn = Trainer(small_cnn(), *dls, metrics=("error_rate",), device="cpu", verbose=False)  # vision_learner
result = learn.lr_find(num_iter=50)                                 # learn.lr_find()
learn.fit_one_cycle(1, result.suggestion)                           # learn.fit_one_cycle(1, lr)
interp = ClassificationInterpretation.from_trainer(learn)           # ClassificationInterpretation.from_learner(learn)

print(f"range test: {len(result.lrs)} steps, learning rate from {result.lrs[0]:.0e} up to {result.lrs[-1]:.2g}")
print(f"suggested learning rate: {result.suggestion:.2g}")
print(f"error rate after 1 epoch: {learn.evaluate()['error_rate']:.3f}")
print("most confused (actual, predicted, count):", interp.most_confused()[:3])

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
left.plot(range(1, len(result.lrs) + 1), result.lrs)
left.set_yscale("log")
left.set_xlabel("step (mini-batch)")
left.set_ylabel("learning rate (log scale)")
left.set_title("sched.plot_lr(): the schedule, nothing to choose")
result.plot(ax=right)
right.set_title("sched.plot() / lr_find(): choose from this one")
fig.tight_layout()
plt.show()
torch.set_num_threads(threads)  # put the setting back
