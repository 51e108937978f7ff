"""Cross-entropy in two lines

difficulty: easy
kind: code

Compute the mean cross-entropy of a batch yourself, from `F.log_softmax` and indexing: for each
row, take the log-probability of that row's target class, negate it, and average over the rows.
Don't call `F.cross_entropy` or `F.nll_loss`.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(5, 4)          # 5 examples, 4 classes
targets = torch.tensor([3, 0, 1, 1, 2])

log_probs = F.log_softmax(logits, dim=1)
loss = torch.tensor(0.0)  # TODO: minus the mean of each row's log-probability of its target
print(f"by hand: {loss.item():.6f}   F.cross_entropy: {F.cross_entropy(logits, targets).item():.6f}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(5, 4)          # 5 examples, 4 classes
targets = torch.tensor([3, 0, 1, 1, 2])

log_probs = F.log_softmax(logits, dim=1)
loss = -log_probs[torch.arange(len(targets)), targets].mean()  # row i, column targets[i]
print(f"by hand: {loss.item():.6f}   F.cross_entropy: {F.cross_entropy(logits, targets).item():.6f}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert torch.allclose(loss, F.cross_entropy(logits, targets)), f"{loss.item():.6f} is not the cross-entropy"
print("check passed: equal to F.cross_entropy")
# --8<-- [end:check]
