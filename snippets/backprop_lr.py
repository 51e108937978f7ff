"""The learning rate does not change the gradient that backpropagation computes; it scales the step."""

import torch

torch.manual_seed(0)
x, y = torch.randn(8, 3), torch.randn(8, 1)
start = torch.nn.Linear(3, 1)

for lr in (0.1, 0.001):
    model = torch.nn.Linear(3, 1)
    model.load_state_dict(start.state_dict())          # the same starting weights each time
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss = ((model(x) - y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    grad = model.weight.grad.clone()
    before = model.weight.detach().clone()
    opt.step()                                          # w <- w - lr * gradient
    step = model.weight.detach() - before
    assert torch.allclose(step, -lr * grad)
    print(f"lr = {lr:<6}: gradient {grad.numpy().round(4)[0]}  step {step.numpy().round(5)[0]}")
