"""A model as an nn.Module subclass: declare the layers in __init__, say what happens in forward."""

import torch
import torch.nn.functional as F
from torch import nn

from dlnotes import fashion_mnist


class TinyNet(nn.Module):
    def __init__(self, n_classes=10, hidden=64):
        super().__init__()                       # registers everything assigned below
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.hidden = nn.Linear(8 * 14 * 14, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):                        # plain Python: print, branch, loop as you like
        x = F.max_pool2d(F.relu(self.conv(x)), 2)   # 8 × 14 × 14
        x = F.relu(self.hidden(x.flatten(1)))
        return self.head(x)                      # logits, one per class


torch.manual_seed(0)
train, test = fashion_mnist(sample=True)
x, y = train.data[:2000].unsqueeze(1) / 255, train.targets[:2000]
model = TinyNet()
print(model)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for epoch in range(3):
    for i in range(0, len(x), 100):              # batches of 100
        loss = F.cross_entropy(model(x[i:i + 100]), y[i:i + 100])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(test.data.unsqueeze(1) / 255).argmax(1) == test.targets).float().mean().item()
    model.train()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {acc:.1%}")
