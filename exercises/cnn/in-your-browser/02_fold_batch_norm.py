r"""Fold batch norm into the convolution

difficulty: medium
kind: code

At inference, batch norm is a fixed scale and shift per channel:
$(x - \mu) / \sqrt{\sigma^2 + \epsilon} \cdot \gamma + \beta$. A convolution followed by it is
therefore one convolution with other weights and a bias, and deployment tools merge the two to
save work. In the starter, `block` is the `conv_block` of `dlnotes.models` (convolution → batch
norm → ReLU) in evaluation mode; compute the weight and the bias of the single `conv2d` that
gives the same result as its first two layers.

Answer:
Output channel $o$ of the convolution is scaled by $s_o = \gamma_o / \sqrt{\sigma_o^2 + \epsilon}$
and shifted by $\beta_o - \mu_o s_o$; scaling the output is scaling all of that channel's weights,
so the folded weight is `weight * s[:, None, None, None]` and the bias is `beta - mu * s`. In
`small_cnn` the pooling sits between the convolution and batch norm; folding still works when every
$s_o$ is positive, because max pooling commutes with an increasing function, but not in general.
"""

# --8<-- [start:starter]
import torch

from dlnotes import conv2d
from dlnotes.models import conv_block

torch.manual_seed(0)
block = conv_block(3, 8)
conv, bn = block[0], block[1]
with torch.no_grad():  # batch norm statistics as if trained
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.5, 0.5)
block.eval()

scale = torch.ones(8)  # TODO: batch norm's scale per channel, from bn.weight, bn.running_var and bn.eps
weight = conv.weight * scale[:, None, None, None]
bias = torch.zeros(8)  # TODO: batch norm's shift per channel

x = torch.randn(2, 3, 10, 10)
with torch.no_grad():
    folded = conv2d(x, weight, bias, padding=1)
    difference = (folded - block[:2](x)).abs().max().item()
print(f"largest difference from convolution + batch norm: {difference:.2e}")
# --8<-- [end:starter]

# --8<-- [start:solution]
import torch

from dlnotes import conv2d
from dlnotes.models import conv_block

torch.manual_seed(0)
block = conv_block(3, 8)
conv, bn = block[0], block[1]
with torch.no_grad():  # batch norm statistics as if trained
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.5, 0.5)
block.eval()

scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
weight = conv.weight * scale[:, None, None, None]
bias = bn.bias - bn.running_mean * scale

x = torch.randn(2, 3, 10, 10)
with torch.no_grad():
    folded = conv2d(x, weight, bias, padding=1)
    difference = (folded - block[:2](x)).abs().max().item()
print(f"largest difference from convolution + batch norm: {difference:.2e}")
# --8<-- [end:solution]

# --8<-- [start:check]
assert difference < 1e-5, f"the folded convolution differs from convolution + batch norm by {difference:.2e}"
print("check passed: one convolution does the work of two layers")
# --8<-- [end:check]
