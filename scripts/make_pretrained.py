"""Make the pretrained backbone shipped in ``src/dlnotes/_data`` (``pretrained_small_resnet``).

What it does, exactly:

1. Reads the full Fashion-MNIST training set (Debian's ``dataset-fashion-mnist`` or the
   dlnotes cache; never downloads) and keeps the 30,000 images of five classes,
   ``SMALL_RESNET_SOURCE_CLASSES`` (T-shirt/top, Trouser, Pullover, Dress, Sandal). The other five
   classes (Coat, Shirt, Sneaker, Bag, Ankle boot) are held out: the lesson on transfer
   learning teaches the body to recognise them from a few labelled images.
2. Trains ``small_resnet(n_classes=5, width=16)`` on them from a fixed seed, on the CPU, with
   one thread: ``fit_one_cycle(epochs, max_lr)``, batch 256, AdamW (the ``Trainer`` default),
   random shifts and flips, images normalised with ``SMALL_RESNET_STATS``.
3. Reports the accuracy on the 5,000 test images of the same five classes.
4. Saves the body (every tensor but the head's) in float32 with ``torch.save``, in a dict that
   also records how it was made, and prints the file's SHA-256. ``SMALL_RESNET_SHA256`` in
   ``src/dlnotes/models.py`` must equal it (the loader refuses any other file).

Why this split: the held-out classes are related to the pretraining ones (coats and shirts to
T-shirts and pullovers, sneakers and ankle boots to sandals) but not the same, and two of them,
coat and shirt, are hard to tell apart from a few images, which is where transfer pays. (A first
split, tops and bags for pretraining, shoes, trousers and dresses held out, taught less: the
held-out classes were easy enough that five images per class trained from scratch did better.)

Run it from the repository root (about two minutes on one laptop core):

    python scripts/make_pretrained.py            # refuses to overwrite the shipped file
    python scripts/make_pretrained.py --force    # remake it
    python scripts/make_pretrained.py --out /tmp/body.pt   # a copy elsewhere, to compare

One thread and a fixed seed make the run repeatable on one machine and PyTorch version; other
CPUs or versions may round differently, and then the checksum differs.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import time
from pathlib import Path

import torch

from dlnotes._io import atomic_write
from dlnotes.data import FastLoader, fashion_mnist
from dlnotes.models import (
    _WEIGHTS_FORMAT,
    SMALL_RESNET_SHA256,
    SMALL_RESNET_SOURCE_CLASSES,
    SMALL_RESNET_STATS,
    SMALL_RESNET_WEIGHTS,
    small_resnet,
)
from dlnotes.trainer import Trainer


def subset(dataset, classes):
    """Images and labels 0..len(classes)-1 of the given classes, in the dataset's order."""
    targets = torch.as_tensor(dataset.targets)
    keep = torch.isin(targets, torch.tensor(classes))
    relabel = {c: i for i, c in enumerate(classes)}
    return dataset.data[keep], torch.tensor([relabel[int(t)] for t in targets[keep]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-lr", type=float, default=8e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=SMALL_RESNET_WEIGHTS)
    ap.add_argument("--force", action="store_true", help="overwrite an existing file at --out")
    args = ap.parse_args()
    if args.out.exists() and not args.force:
        raise SystemExit(f"{args.out} exists; pass --force to overwrite it")

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    train, test = fashion_mnist(download=False)
    classes = list(SMALL_RESNET_SOURCE_CLASSES)
    x_train, y_train = subset(train, classes)
    x_test, y_test = subset(test, classes)
    print(f"source classes: {[train.classes[c] for c in classes]}: {len(x_train)} training, {len(x_test)} test images")

    train_dl = FastLoader(x_train, y_train, batch_size=256, shuffle=True, device="cpu", normalize=SMALL_RESNET_STATS,
                          augment=True, seed=args.seed)
    test_dl = FastLoader(x_test, y_test, batch_size=1000, device="cpu", normalize=SMALL_RESNET_STATS)
    model = small_resnet(n_classes=len(classes), in_channels=1, width=16)
    trainer = Trainer(model, train_dl, test_dl, device="cpu", precision="fp32", progress=False)
    start = time.perf_counter()
    trainer.fit_one_cycle(args.epochs, args.max_lr)
    seconds = time.perf_counter() - start
    accuracy = trainer.history[-1]["accuracy"]

    body = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items() if not k.startswith("head.")}
    data = {
        "format": _WEIGHTS_FORMAT,
        "arch": "small_resnet",
        "width": 16,
        "in_channels": 1,
        "source_classes": classes,
        "stats": [list(SMALL_RESNET_STATS[0]), list(SMALL_RESNET_STATS[1])],
        "recipe": f"fit_one_cycle({args.epochs}, {args.max_lr}), batch 256, AdamW, shifts+flips, seed {args.seed}, 1 thread",
        "source_test_accuracy": round(float(accuracy), 4),
        "torch": str(torch.__version__),  # a plain str: weights_only loading refuses torch.torch_version.TorchVersion
        "state_dict": body,
    }

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            torch.save(data, f)

    atomic_write(args.out, write)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    n_params = sum(v.numel() for k, v in body.items() if "running" not in k and "num_batches" not in k)
    print(f"trained {args.epochs} epochs in {seconds:.0f} s on {platform.machine()} (torch {torch.__version__})")
    print(f"accuracy on the source classes' test images: {accuracy:.4f}")
    print(f"wrote {args.out}: {args.out.stat().st_size / 1e6:.2f} MB, {n_params:,} body parameters")
    print(f"SHA-256 {digest}")
    if args.out.resolve() == SMALL_RESNET_WEIGHTS.resolve() and digest != SMALL_RESNET_SHA256:
        print("the file differs from the shipped one: set SMALL_RESNET_SHA256 in src/dlnotes/models.py to the SHA-256 above")


if __name__ == "__main__":
    main()
