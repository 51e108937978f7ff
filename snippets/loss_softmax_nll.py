"""From logits to a loss: softmax, log, pick the true class (NLL), and F.cross_entropy doing all three."""

import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 1.0, 0.1],     # 3 images, 3 classes: the raw scores a model outputs
                       [0.5, 2.5, 0.3],
                       [1.2, 0.2, 3.1]])
targets = torch.tensor([0, 1, 1])           # the true class of each image

# 1. softmax: exponentiate, then divide by the row sum -> probabilities that add up to 1
probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
print("probabilities:\n", probs.numpy().round(3))
print("row sums:", [round(s, 6) for s in probs.sum(dim=1).tolist()])

# 2. negative log-likelihood: -log of the probability given to the true class, averaged
picked = probs[torch.arange(3), targets]
by_hand = -picked.log().mean()
print("p(true class):", picked.numpy().round(3), "-> -log p:", (-picked.log()).numpy().round(3))

# 3. PyTorch's three ways of saying the same thing
two_steps = F.nll_loss(F.log_softmax(logits, dim=1), targets)
one_call = F.cross_entropy(logits, targets)
module = torch.nn.CrossEntropyLoss()(logits, targets)
print(f"by hand                      : {by_hand.item():.6f}")
print(f"nll_loss(log_softmax(logits)): {two_steps.item():.6f}")
print(f"cross_entropy(logits)        : {one_call.item():.6f}")
print(f"nn.CrossEntropyLoss()        : {module.item():.6f}")
assert torch.allclose(by_hand, one_call) and torch.allclose(two_steps, one_call) and torch.allclose(module, one_call)

# Why log_softmax and not log(softmax(...)): with large logits exp() overflows to inf.
big = logits * 100
print("log(softmax) of large logits:", torch.log(big.exp() / big.exp().sum(1, keepdim=True))[0].tolist())
print("log_softmax of large logits :", F.log_softmax(big, dim=1)[0].tolist())
