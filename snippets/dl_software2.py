"""Software 2.0 in miniature: the same code learns two different programs from two sets of examples."""

import torch
from torch import nn

inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
examples = {
    "AND": torch.tensor([0.0, 0.0, 0.0, 1.0]),
    "XOR": torch.tensor([0.0, 1.0, 1.0, 0.0]),
}


def learn(targets, seed=0):
    """The whole 'source code': a fixed architecture and a training loop. Only the examples differ."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        loss = nn.functional.binary_cross_entropy_with_logits(model(inputs).squeeze(1), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


for name, targets in examples.items():
    model = learn(targets)
    answers = (model(inputs).squeeze(1) > 0).int().tolist()
    assert answers == targets.int().tolist(), (name, answers)
    print(f"{name}: examples {targets.int().tolist()} -> learned program answers {answers}")
