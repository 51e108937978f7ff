"""A small network learns a curve no straight line can: linear layers with ReLUs between them."""

import matplotlib.pyplot as plt
import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-3, 3, 256).unsqueeze(1)
y = torch.sin(2 * x) + 0.3 * x

model = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
n_params = sum(p.numel() for p in model.parameters())
print(f"parameters: {n_params}")

for step in range(1, 1001):
    loss = nn.functional.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step in (1, 100, 500, 1000):
        print(f"step {step:4d}: loss {loss.item():.4f}")

line = torch.linalg.lstsq(torch.cat([x, torch.ones_like(x)], 1), y).solution
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.plot(x, y, label="target: sin(2x) + 0.3x", linewidth=3, alpha=0.4)
ax.plot(x, model(x).detach(), label="network (32-32 ReLU)")
ax.plot(x, torch.cat([x, torch.ones_like(x)], 1) @ line, "--", label="best straight line")
ax.set_title("A two-hidden-layer network fits what a line cannot")
ax.legend(fontsize=8)
plt.show()
