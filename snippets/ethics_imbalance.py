"""Class imbalance: make one class rare in training, watch its recall collapse, then fix it.

Three models, the same small network and the same training budget, tested on the same
balanced test images (200 per class):
  balanced  - all 1,000 pullovers of the sample (the reference);
  rare      - only 50 pullovers kept, 1,000 of every other class: plain cross-entropy;
  weighted  - the same data, each class's loss weighted by 1 / its number of images;
  resampled - the same data, batches drawn so that every class comes up equally often.
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from dlnotes import fashion_mnist

threads = torch.get_num_threads()
torch.set_num_threads(1)  # one thread is plenty for a model this small (and the build machine is shared)

train, test = fashion_mnist(sample=True)
RARE, KEEP = train.classes.index("Pullover"), 50

x_all = train.data.flatten(1).float() / 255
y_all = train.targets
x_test, y_test = test.data.flatten(1).float() / 255, test.targets

rare_rows = (y_all == RARE).nonzero().flatten()
keep = torch.ones(len(y_all), dtype=torch.bool)
keep[rare_rows[KEEP:]] = False  # drop all pullovers but the first 50
x_rare, y_rare = x_all[keep], y_all[keep]
counts = torch.bincount(y_rare, minlength=10)


def train_model(x, y, class_weight=None, sample_weight=None, steps=300, batch_size=256):
    """A one-hidden-layer network trained for a fixed number of steps (same budget for every run)."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(steps):
        if sample_weight is None:
            rows = torch.randint(len(y), (batch_size,))                          # uniform draw
        else:
            rows = torch.multinomial(sample_weight, batch_size, replacement=True)  # resampling
        loss = F.cross_entropy(model(x[rows]), y[rows], weight=class_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def recall_per_class(model):
    """For each class: the share of its test images that the model labels correctly."""
    with torch.no_grad():
        pred = model(x_test).argmax(1)
    return torch.stack([(pred[y_test == c] == c).float().mean() for c in range(10)])


inverse = 1.0 / counts.float()
runs = {
    "balanced": train_model(x_all, y_all),
    "rare": train_model(x_rare, y_rare),
    "weighted": train_model(x_rare, y_rare, class_weight=inverse / inverse.mean()),
    "resampled": train_model(x_rare, y_rare, sample_weight=inverse[y_rare]),
}
recalls = {name: recall_per_class(model) for name, model in runs.items()}

share = counts.float() / counts.sum()  # the class mix of the rare-pullover training set
print(f"training images per class (rare run): {counts.tolist()}")
print(f"{'run':10s} {'Pullover recall':>15s} {'accuracy, balanced test':>24s} {'accuracy, training mix':>23s}")
for name, r in recalls.items():
    print(f"{name:10s} {r[RARE]:15.2f} {r.mean():24.3f} {(r * share).sum():23.3f}")

with torch.no_grad():
    answers = torch.bincount(runs["rare"](x_test[y_test == RARE]).argmax(1), minlength=10)
order = answers.argsort(descending=True)[:3].tolist()
print("the rare run calls the 200 test pullovers:", ", ".join(f"{train.classes[c]} {answers[c]}" for c in order))
for name in ("weighted", "resampled"):
    change = recalls[name] - recalls["rare"]
    loser = int(change.argmin())
    print(f"{name}: {train.classes[RARE]} recall {recalls['rare'][RARE]:.2f} -> {recalls[name][RARE]:.2f}, "
          f"paid for by {train.classes[loser]} {recalls['rare'][loser]:.2f} -> {recalls[name][loser]:.2f}")

fig, ax = plt.subplots(figsize=(9, 3.8))
width = 0.2
for i, (name, r) in enumerate(recalls.items()):
    ax.bar(torch.arange(10) + (i - 1.5) * width, r, width, label=name)
ax.set_xticks(range(10), train.classes, rotation=30, ha="right")
ax.set_ylabel("recall on the test set")
ax.set_title("Recall per class when only 50 of 1,000 training pullovers are kept")
ax.legend(ncol=4, loc="lower left")
plt.show()
torch.set_num_threads(threads)  # put the setting back
