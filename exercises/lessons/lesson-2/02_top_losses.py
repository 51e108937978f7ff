"""Top losses, by hand

difficulty: easy
kind: code

Given a model's scores (logits) for six images and their labels, compute the loss of each image
separately and list the indices of the three with the largest loss, largest first. That is what
`interp.top_losses(3)` and `suspects` do.

Answer:
`F.cross_entropy(logits, labels, reduction="none")` gives one loss per image (the default,
`"mean"`, averages them into one number for training); `losses.topk(3).indices` picks the
largest. Sorting by the loss, not by the model's confidence, is what makes a confident mistake
rank above an unsure right answer.
"""

# --8<-- [start:starter]
import torch
import torch.nn.functional as F

logits = torch.tensor([[4.0, 0.0, 0.0], [0.0, 3.0, 0.0], [2.0, 2.1, 0.0], [0.0, 0.0, 5.0], [0.5, 0.0, 0.0], [0.0, 4.0, 0.0]])
labels = torch.tensor([0, 1, 0, 0, 2, 1])
losses = torch.zeros(len(labels))  # TODO: the cross-entropy of each image on its own
top3 = [0, 1, 2]  # TODO: the indices of the three largest losses, largest first
print("losses:", [round(v, 3) for v in losses.tolist()])
print("top 3:", top3)
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch
import torch.nn.functional as F

logits = torch.tensor([[4.0, 0.0, 0.0], [0.0, 3.0, 0.0], [2.0, 2.1, 0.0], [0.0, 0.0, 5.0], [0.5, 0.0, 0.0], [0.0, 4.0, 0.0]])
labels = torch.tensor([0, 1, 0, 0, 2, 1])
losses = F.cross_entropy(logits, labels, reduction="none")  # one loss per image
top3 = losses.topk(3).indices.tolist()
print("losses:", [round(v, 3) for v in losses.tolist()])
print("top 3:", top3)
# --8<-- [end:solution]

# --8<-- [start:check]
expected = [-(logits[i].softmax(0)[labels[i]]).log().item() for i in range(len(labels))]
assert torch.allclose(torch.as_tensor(losses, dtype=torch.float32), torch.tensor(expected), atol=1e-5), "those are not the per-image losses"
assert list(top3) == sorted(range(len(labels)), key=lambda i: -expected[i])[:3], f"top 3 should be the largest losses, largest first, not {top3}"
print("check passed: the confident mistake (image 3) comes first")
# --8<-- [end:check]
