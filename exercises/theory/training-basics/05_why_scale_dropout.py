"""Why does dropout scale the survivors?

difficulty: hard
kind: open

In training, `nn.Dropout(p)` zeroes a share p of the activations and multiplies the rest by
$1/(1-p)$; in evaluation it does nothing. What would go wrong if it only zeroed them, without the
scaling? The original paper scaled at *test* time instead: why is scaling during training more
convenient? Run the starter for a hint.

Answer:
The next layer learns its weights for the activations it sees in training. Without the scaling
their sum is on average $(1-p)$ times smaller in training than at evaluation, where nothing is
dropped, so at evaluation every following layer would get inputs larger than any it was trained
on. Dividing the survivors by $1-p$ keeps the expected value the same in both modes. The original
paper ([Srivastava et al., 2014](https://jmlr.org/papers/v15/srivastava14a.html)) multiplied the
weights by $1-p$ at test time instead; doing the correction in training ("inverted dropout")
leaves the evaluated model untouched, so it can be exported and run without knowing dropout was
ever there.
"""

# --8<-- [start:starter]
import torch

torch.manual_seed(0)
x = torch.ones(100_000)
p = 0.5
mask = (torch.rand_like(x) > p).float()
print("mean without dropout            :", x.mean().item())
print("mean, zeroed only               :", round((x * mask).mean().item(), 3))
print("mean, zeroed and scaled by 1/(1-p):", round((x * mask / (1 - p)).mean().item(), 3))
# --8<-- [end:starter]
