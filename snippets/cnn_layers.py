"""The layers of a real CNN: what each one does to the shape of one image, and its parameters."""

import torch

from dlnotes import small_cnn

torch.manual_seed(0)
model = small_cnn(n_classes=10)
x = torch.randn(1, 1, 28, 28)  # a batch of one grey 28×28 image

print(f"{'layer':<24} {'output shape':<14} {'parameters':>10}")
print(f"{'input':<24} {str(tuple(x.shape[1:])):<14}")
for name, layer in model.named_modules():
    if list(layer.children()):  # a container: its layers come next
        continue
    x = layer(x)
    n = sum(p.numel() for p in layer.parameters())
    print(f"{name + ' ' + type(layer).__name__:<24} {str(tuple(x.shape[1:])):<14} {n:>10,}")
total = sum(p.numel() for p in model.parameters())
convs = sum(p.numel() for m in model.modules() if isinstance(m, torch.nn.Conv2d) for p in m.parameters())
print(f"total: {total:,} parameters, {convs:,} of them in the convolutions ({convs / total:.0%})")
