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

dense = nn.Linear(28 * 28, 32 * 28 * 28)
print(f"a fully connected layer from a 28×28 image to 32 maps of 28×28 would need "
      f"{sum(p.numel() for p in dense.parameters()):,} parameters")
