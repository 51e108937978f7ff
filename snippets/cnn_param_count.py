"""Where parameter counts come from: the formulas, checked against PyTorch."""

from torch import nn

conv = nn.Conv2d(16, 32, kernel_size=3, padding=1, bias=False)
print("Conv2d(16 -> 32, 3×3): 32 filters × 16 channels × 3 × 3 =", 32 * 16 * 3 * 3,
      "| PyTorch:", sum(p.numel() for p in conv.parameters()))

bn = nn.BatchNorm2d(32)
print("BatchNorm2d(32): a scale and a shift per channel = 2 × 32 =", 2 * 32,
      "| PyTorch:", sum(p.numel() for p in bn.parameters()))

fc = nn.Linear(64, 10)
print("Linear(64 -> 10): 64 × 10 weights + 10 biases =", 64 * 10 + 10,
      "| PyTorch:", sum(p.numel() for p in fc.parameters()))

block1 = nn.Conv2d(1, 16, kernel_size=3, padding=1, bias=False)  # small_cnn's first convolution
dense = nn.Linear(28 * 28, 16 * 28 * 28, bias=False)  # the same 16 maps of 28×28, fully connected
print(f"from a 28×28 image to 16 maps of 28×28: a convolution needs "
      f"{sum(p.numel() for p in block1.parameters()):,} weights, a fully connected layer "
      f"{sum(p.numel() for p in dense.parameters()):,}")
