"""How fast is it? One pass over the sample: torchvision's usual pipeline against FastLoader."""
# output: varies

import time

from torch.utils.data import DataLoader
from torchvision.transforms import ToTensor

from dlnotes import FastLoader, fashion_mnist

train, _ = fashion_mnist(sample=True, transform=ToTensor())


def images_per_second(loader):
    start, seen = time.perf_counter(), 0
    for x, _ in loader:
        seen += len(x)
    return seen / (time.perf_counter() - start)


usual = DataLoader(train, batch_size=256, shuffle=True)  # a PIL image and a ToTensor call per image
fast = FastLoader(train, batch_size=256, shuffle=True, device="cpu")  # one indexing op per batch
augmented = FastLoader(train, batch_size=256, shuffle=True, device="cpu", augment=True)
for name, loader in (("DataLoader + ToTensor", usual), ("FastLoader", fast), ("FastLoader, augment=True", augmented)):
    print(f"{name:26} {images_per_second(loader):>10,.0f} images/s")
