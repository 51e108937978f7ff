"""A folder dataset: train/<class>/ and valid/<class>/, read with image_folders.

To have something to read, the script first writes a few images of the embedded sample as
JPEG and PNG files of different sizes, the way photos you collect yourself would be.
"""

import shutil
import tempfile
from pathlib import Path

from PIL import Image

from dlnotes import fashion_mnist, image_folders

train, test = fashion_mnist(sample=True)
work = Path(tempfile.mkdtemp())
path = work / "clothes"
for split, dataset, per_class in (("train", train, 20), ("valid", test, 5)):
    for name in ("Sneaker", "Sandal", "Ankle boot"):
        c = dataset.classes.index(name)
        picks = (dataset.targets == c).nonzero().flatten()[:per_class].tolist()
        for k, i in enumerate(picks):
            folder = path / split / name
            folder.mkdir(parents=True, exist_ok=True)
            image = Image.fromarray(dataset.data[i].numpy()).resize((40 + 3 * k, 30 + 2 * k))
            image.save(folder / f"{split}-{i}.{'png' if k % 2 else 'jpg'}")

for line in sorted(str(p.relative_to(path)) for p in path.glob("*/*")):
    print(line)

train_ds, valid_ds, test_ds = image_folders(path, size=32, mode="L")
print("classes:", train_ds.classes)
print("train:", len(train_ds), "valid:", len(valid_ds), "test:", test_ds)
file, label = train_ds.samples[0]
print("first sample:", Path(file).relative_to(path), "->", label, train_ds.classes[label])
image, label = valid_ds[0]
print("an item:", tuple(image.shape), image.dtype, label)

# One folder of class folders and no valid/: a seeded 20% of every class becomes valid.
one_folder = image_folders(path / "train", size=32, valid_pct=0.2, seed=42)
print("split by valid_pct=0.2:", len(one_folder.train), "train,", len(one_folder.valid), "valid")
shutil.rmtree(work)  # tidy up the temporary folder
