"""The same classifier trained with cross-entropy and with MSE on one-hot targets."""

import torch
import torch.nn.functional as F
from torch import nn

from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
x, y = train.data[:2000].flatten(1).float() / 255, train.targets[:2000]
x_test, y_test = test.data.flatten(1).float() / 255, test.targets


def cross_entropy(logits, y):
    return F.cross_entropy(logits, y)


def mse_on_probabilities(logits, y):
    return F.mse_loss(logits.softmax(dim=1), F.one_hot(y, 10).float())


print("test accuracy after      10 steps  30 steps  100 steps")
results = {}
for loss_fn in (cross_entropy, mse_on_probabilities):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    accs = []
    for step in range(1, 101):
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in (10, 30, 100):
            with torch.no_grad():
                accs.append((model(x_test).argmax(1) == y_test).float().mean().item())
    results[loss_fn.__name__] = accs
    print(f"{loss_fn.__name__:22s}" + "".join(f"{a:10.1%}" for a in accs))
assert all(ce > mse for ce, mse in zip(results["cross_entropy"], results["mse_on_probabilities"]))
