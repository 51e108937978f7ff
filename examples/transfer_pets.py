"""Dogs vs cats with an ImageNet-pretrained ResNet-34: the notes' lesson 1, with dlnotes.

Needs a network connection (the Oxford-IIIT Pet images, about 800 MB, and ResNet-34's
ImageNet weights, about 85 MB, both downloaded once and cached) and, to finish in minutes
rather than hours, a GPU. Run it from anywhere:

    python examples/transfer_pets.py [DATA_FOLDER]

The site's tests import ``dogs_vs_cats`` and ``fine_tune`` from this file and run them on a
small folder of generated images with ``weights=None`` (no download), so this exact code is tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dlnotes import ClassificationInterpretation, Trainer
from dlnotes.data import fast_loaders, image_folders
from dlnotes.models import pretrained_resnet

IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))  # what torchvision's weights expect


# --8<-- [start:folder]
def dogs_vs_cats(root: Path) -> Path:
    """Download Oxford-IIIT Pet once and arrange it as root/dogs-vs-cats/{cat,dog}/ (links, no copies)."""
    from torchvision.datasets import OxfordIIITPet

    OxfordIIITPet(root, split="trainval", download=True)
    folder = root / "dogs-vs-cats"
    for image in sorted((root / "oxford-iiit-pet" / "images").glob("*.jpg")):
        kind = "cat" if image.name[0].isupper() else "dog"  # cat breeds' file names are capitalised
        link = folder / kind / image.name
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(image.resolve())
    return folder
# --8<-- [end:folder]


# --8<-- [start:recipe]
def fine_tune(folder: Path, weights: str | None = "DEFAULT", size: int = 224, batch_size: int = 64,
              freeze_epochs: int = 1, epochs: int = 3, num_iter: int = 100, device: str = "auto") -> Trainer:
    """Lesson 1's recipe: new head, train it with the body frozen, then fine-tune everything."""
    splits = image_folders(folder, size=size)  # RGB, 20% of each class held out for validation
    train_dl, valid_dl = fast_loaders(splits.train, splits.valid, batch_size=batch_size, device=device,
                                      augment=True, normalize=IMAGENET_STATS)
    model = pretrained_resnet("resnet34", n_classes=len(splits.train.classes), weights=weights)
    trainer = Trainer(model, train_dl, valid_dl, device=device, metrics=("accuracy",))

    trainer.freeze()                                    # only the new head (and batch norm) learns
    lr = trainer.lr_find(num_iter=num_iter).suggestion
    trainer.fit_one_cycle(freeze_epochs, lr)

    trainer.unfreeze()                                  # now every layer learns...
    lr = trainer.lr_find(num_iter=num_iter).suggestion
    trainer.fit_one_cycle(epochs, slice(lr / 100, lr))  # ...the early ones 100x more slowly
    return trainer
# --8<-- [end:recipe]


# --8<-- [start:main]
if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".cache" / "dlnotes"
    trainer = fine_tune(dogs_vs_cats(root))
    interp = ClassificationInterpretation.from_trainer(trainer)
    print(interp.most_confused())
# --8<-- [end:main]
