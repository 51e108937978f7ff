"""More data helps, with diminishing returns: the same small model trained on 1% … 100% of the sample."""

import torch
from torch import nn

from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
x_all, y_all = train.data.flatten(1).float() / 255, train.targets
x_test, y_test = test.data.flatten(1).float() / 255, test.targets

results = []
for n in (100, 300, 1_000, 3_000, 10_000):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3)
    for _ in range(100):  # full-batch steps on the first n images; the same for every n
        loss = nn.functional.cross_entropy(model(x_all[:n]), y_all[:n])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
    results.append((n, acc))

print("training images  test accuracy  gain over previous row")
for i, (n, acc) in enumerate(results):
    gain = f"{acc - results[i - 1][1]:+.1%}" if i else ""
    print(f"{n:15,d}  {acc:13.1%}  {gain:>21s}")
gains = [b - a for (_, a), (_, b) in zip(results, results[1:])]
assert all(g > 0 for g in gains), gains                 # more data helped every time ...
assert gains[-1] < gains[0] / 2, gains                  # ... but the last step (about 3x the data) gained far less than the first
