"""Shapes through the network

difficulty: easy
kind: predict

`small_cnn()` is three blocks of (3×3 convolution, 2×2 max pooling, batch norm, ReLU) with 16,
32 and 64 filters, then global average pooling and a linear layer. Predict the shape after each
part for one 28×28 grayscale image before you run it.

Answer:
Each block has as many channels as filters and halves the height and width, rounding down:
(1, 16, 14, 14), (1, 32, 7, 7), (1, 64, 3, 3). Global average pooling keeps one number per
channel, (1, 64), and the head gives one score per class, (1, 10). The units of block 3 each see
most of the 28×28 image; the head only sees their averages.
"""

# --8<-- [start:starter]
import torch

from dlnotes import small_cnn

model = small_cnn().eval()
x = torch.zeros(1, 1, 28, 28)
for name, part in model.named_children():
    x = part(x)
    print(f"after {name:6s}: {tuple(x.shape)}")
# --8<-- [end:starter]
