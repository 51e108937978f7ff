"""How far does a pixel see?

difficulty: hard
kind: open

After one 3×3 convolution, an output pixel depends on a 3×3 patch of the input: its *receptive
field*. How big is it after two 3×3 convolutions? After three, with a stride-2 layer or 2×2
pooling in between? With dilation? Work it out, then measure it: set the input's
`requires_grad`, back-propagate from one output pixel, and count the input pixels whose gradient
is not zero (the starter does it for two layers).

Answer:
Each 3×3 layer at stride 1 adds 2 pixels (3, 5, 7, …); a stride (or pooling) multiplies what
every later layer adds by the stride, and dilation d makes a 3×3 kernel add 2d. That is why
networks downsample: a 28×28 image needs few layers before one pixel "sees" all of it. The
*effective* receptive field, where the gradient is large, is smaller and roughly Gaussian.
Further reading: Araujo, Norris and Sim, [Computing receptive fields of convolutional neural
networks](https://distill.pub/2019/computing-receptive-fields/) (Distill, 2019); Luo et al.,
[Understanding the effective receptive field](https://arxiv.org/abs/1701.04128) (2016);
Dumoulin and Visin, [A guide to convolution arithmetic](https://arxiv.org/abs/1603.07285).
"""

# --8<-- [start:starter]
import torch
from torch import nn

layers = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 3, padding=1))
x = torch.randn(1, 1, 15, 15, requires_grad=True)
layers(x)[0, 0, 7, 7].backward()  # one output pixel in the middle
seen = (x.grad[0, 0] != 0).nonzero()
rows, cols = seen[:, 0], seen[:, 1]
print(f"receptive field: {int(rows.max() - rows.min()) + 1} x {int(cols.max() - cols.min()) + 1} pixels")
# --8<-- [end:starter]
