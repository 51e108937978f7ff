"""The learning-rate range test on the embedded Fashion-MNIST sample, with a small CNN."""

import torch
from matplotlib import pyplot as plt

from dlnotes import FastLoader, Trainer, fashion_mnist, small_cnn

train, _ = fashion_mnist(sample=True)
loader = FastLoader(train, batch_size=64, shuffle=True, device="cpu", seed=0)
torch.manual_seed(0)
trainer = Trainer(small_cnn(), loader, device="cpu", verbose=False)

result = trainer.lr_find()  # 100 steps, learning rate 1e-7 → 10; the model is restored afterwards
print(f"{len(result.lrs)} steps ({result.stop_reason}), lr {result.lrs[0]:.0e} to {result.lrs[-1]:.0e}")
for name, lr in result.suggestions.items():
    print(f"{name:>8}: {lr:.2g}")
print(f"suggestion: {result.suggestion:.2g}")
result.plot()
plt.show()
