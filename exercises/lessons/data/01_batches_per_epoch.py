"""How many batches in an epoch?

difficulty: easy
kind: predict

A loader cuts 1,000 images into batches of 64. Before you run it: how many batches does one
epoch have, how big is the last one, and what changes with `drop_last=True`?

Answer:
1,000 = 15 · 64 + 40: 16 batches, the last one of 40 images. With `drop_last=True` the loader
skips that short batch: 15 batches, and those 40 images (a different 40 each epoch when the
loader shuffles) are not seen in that epoch. Training loops often drop it, because a tiny last
batch gives a noisy gradient step and upsets batch norm; validation must never drop it.
"""

# --8<-- [start:starter]
from dlnotes import FastLoader, fashion_mnist

train, _ = fashion_mnist(sample=True)
for drop_last in (False, True):
    loader = FastLoader(train.data[:1000], train.targets[:1000], batch_size=64, device="cpu", drop_last=drop_last)
    sizes = [len(y) for _, y in loader]
    print(f"drop_last={drop_last}: {len(sizes)} batches, the last of {sizes[-1]} images")
# --8<-- [end:starter]
