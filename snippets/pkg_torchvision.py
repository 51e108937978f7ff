"""torchvision: data sets, model architectures and image transforms for computer vision."""

import torch
from torchvision import datasets, models
from torchvision.transforms import v2

from dlnotes import fashion_mnist

# datasets: FashionMNIST is the MNIST class with other download addresses.
print("FashionMNIST is a subclass of MNIST:", issubclass(datasets.FashionMNIST, datasets.MNIST))

# models: architectures by name; weights=None builds one without downloading anything.
resnet = models.resnet18(weights=None)
print(f"resnet18: {sum(p.numel() for p in resnet.parameters()):,d} parameters, head {resnet.fc}")

# transforms: turn an image into the tensor a model wants, here with random augmentation.
torch.manual_seed(0)
train, _ = fashion_mnist(sample=True)  # the embedded sample, torchvision-style
transform = v2.Compose([v2.RandomHorizontalFlip(), v2.RandomCrop(28, padding=2), v2.ToDtype(torch.float32, scale=True)])
image = train.data[0].unsqueeze(0)     # 1 × 28 × 28, uint8
out = transform(image)
print(f"image {tuple(image.shape)} {image.dtype} -> {tuple(out.shape)} {out.dtype}, values {out.min():.1f}..{out.max():.1f}")
