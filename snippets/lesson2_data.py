"""Lesson 2, step 1: a folder dataset with labels we know to be wrong.

Real photos scraped from the web come with wrong labels; here we make that situation on
purpose, so that we can check how many of them the model finds. Images of the embedded
Fashion-MNIST sample are written as PNG files into one folder per class, and about 1 in 20
training images is filed under a wrong class. The validation images are all filed correctly.
"""

import random
import tempfile
from pathlib import Path

from PIL import Image

from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
folders = [name.replace("/", "-") for name in train.classes]  # "T-shirt/top" can't be a folder name
data = Path(tempfile.mkdtemp()) / "fashion"
rng = random.Random(0)
planted = {}  # file name -> the class it really belongs to

for split, dataset, per_class in (("train", train, 200), ("valid", test, 50)):
    taken = [0] * len(folders)
    for i, (pixels, target) in enumerate(zip(dataset.data, dataset.targets.tolist(), strict=True)):
        if taken[target] == per_class:
            continue
        taken[target] += 1
        label = target
        if split == "train" and rng.random() < 0.05:  # the mistake: file it under another class
            label = rng.choice([c for c in range(len(folders)) if c != target])
        path = data / split / folders[label] / f"{split}-{i:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels.numpy()).save(path)
        if label != target:
            planted[path.name] = folders[target]

for split in ("train", "valid"):
    counts = {d.name: len(list(d.iterdir())) for d in sorted((data / split).iterdir())}
    print(f"{split}/: {sum(counts.values())} images in {len(counts)} class folders")
print("class folders:", ", ".join(counts))
print(f"planted mistakes: {len(planted)} training images filed under a wrong class")
example, truth = next(iter(planted.items()))
wrong = next((data / "train").glob(f"*/{example}")).parent.name
print(f"for example train/{wrong}/{example} belongs in {truth}/")
