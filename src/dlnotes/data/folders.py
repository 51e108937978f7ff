"""Folders of images: ``image_folders`` (train/valid/test splits, class names from folder names)
and the helpers every part of the package uses to find, read and resize image files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision.datasets import VisionDataset

__all__ = ["image_folders", "ImageFolderDataset", "FolderSplits", "resize_image", "to_tensor",
           "IMAGE_EXTENSIONS", "image_files", "class_folders"]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def image_files(folder: Path) -> list[Path]:
    """Image files under ``folder`` (recursively, hidden files and folders skipped), sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in filenames if _is_image_name(Path(f))]
    return sorted(found)


def to_tensor(image: Image.Image) -> torch.Tensor:
    """A PIL image (mode ``L`` or ``RGB``) → a float tensor C×H×W in [0, 1].

    What ``torchvision.transforms.functional.to_tensor`` does for these modes: the default
    ``transform`` of every dataset here.
    """
    array = np.array(image, dtype=np.uint8, copy=True)
    array = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array)).float().div_(255)


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        return (size, size)
    if isinstance(size, (tuple, list)) and len(size) == 2 and all(isinstance(s, int) and s > 0 for s in size):
        return (int(size[0]), int(size[1]))
    raise ValueError(f"size must be a positive int or a (height, width) pair, got {size!r}")


def resize_image(image: Image.Image, size: tuple[int, int], method: str = "crop") -> Image.Image:
    """Bring an image to ``size`` = (height, width).

    Args:
        image: a PIL image.
        size: (height, width) of the result.
        method: ``"crop"`` scales the shorter side to fit and cuts the centre (no distortion,
            loses the edges); ``"squish"`` stretches to the size (keeps everything, distorts);
            ``"pad"`` scales the longer side to fit and pads with black (keeps everything, no
            distortion).

    Returns:
        The resized PIL image.
    """
    h, w = size
    if method not in ("crop", "squish", "pad"):
        raise ValueError(f"resize must be 'crop', 'squish' or 'pad', got {method!r}")
    if image.size == (w, h):
        return image
    if method == "crop":
        return ImageOps.fit(image, (w, h), method=Image.Resampling.BILINEAR)
    if method == "squish":
        return image.resize((w, h), Image.Resampling.BILINEAR)
    return ImageOps.pad(image, (w, h), method=Image.Resampling.BILINEAR, color=0)


class ImageFolderDataset(VisionDataset):
    """Image files with labels, read from disk one at a time, like torchvision's ``ImageFolder``.

    Made by ``image_folders``. ``samples`` is a list of ``(path, class_index)`` (the index is
    ``-1`` for the unlabeled ``test/`` set), ``targets`` the class indices, ``classes`` the
    class names (the folder names, sorted) and ``root`` the folder the class folders are in.
    An item is ``(transform(image), label)`` for the PIL image of the unified size: by default
    a float tensor C×H×W in [0, 1]; with ``transform=None`` the PIL image itself (as in torchvision).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        samples: list[tuple[str, int]],
        classes: list[str],
        size: int | tuple[int, int] | None = 64,
        mode: str = "RGB",
        resize: str = "crop",
        transform: Callable | None = to_tensor,
        target_transform: Callable | None = None,
    ) -> None:
        super().__init__(root=str(root), transform=transform, target_transform=target_transform)
        if mode not in ("RGB", "L"):
            raise ValueError(f"mode must be 'RGB' (colour) or 'L' (grayscale), got {mode!r}")
        if resize not in ("crop", "squish", "pad"):
            raise ValueError(f"resize must be 'crop', 'squish' or 'pad', got {resize!r}")
        self.root = Path(root)
        self.samples = [(str(p), int(c)) for p, c in samples]
        self.targets = [c for _, c in self.samples]
        self.classes = list(classes)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.size = _check_size(size)
        self.mode = mode
        self.resize = resize

    def __len__(self) -> int:
        return len(self.samples)

    def load(self, index: int) -> Image.Image:
        """The image of item ``index`` as a PIL image in ``mode``, resized to ``size``."""
        path = self.samples[index][0]
        try:
            with Image.open(path) as im:
                image = im.convert(self.mode)
        except Exception as e:  # noqa: BLE001 - PIL raises many kinds; all mean "not a readable image"
            raise OSError(
                f"cannot read {path} as an image ({type(e).__name__}: {e}); "
                f"find and move aside every such file with dlnotes.data.verify_images({str(self.root)!r}, move_to=...)"
            ) from e
        return resize_image(image, self.size, self.resize) if self.size else image

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = self.load(index)
        if self.transform is not None:
            image = self.transform(image)
        target = self.samples[index][1]
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def extra_repr(self) -> str:
        return f"Classes: {len(self.classes)}\nSize: {self.size}, mode {self.mode}, resize {self.resize!r}"


class FolderSplits(NamedTuple):
    """What ``image_folders`` returns: ``train``, ``valid`` and ``test`` (None when there is no ``test/``)."""

    train: ImageFolderDataset
    valid: ImageFolderDataset
    test: ImageFolderDataset | None


def class_folders(folder: Path, exclude: tuple[str, ...] = ()) -> dict[str, list[Path]]:
    """``{class name: image files}`` for the class folders in ``folder``, with clear errors."""
    subdirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name not in exclude)
    if not subdirs:
        loose = [f for f in folder.iterdir() if f.is_file() and _is_image_name(f)]
        found = f"found {len(loose)} image files directly in it" if loose else "found no subfolders"
        raise ValueError(
            f"{folder} has no class folders: expected one subfolder per class, {folder}/<class>/<image>, "
            f"but {found}"
        )
    classes = {d.name: image_files(d) for d in subdirs}
    empty = [name for name, files in classes.items() if not files]
    if empty:
        raise ValueError(
            f"class folders with no images in {folder}: {empty}; add images "
            f"(files ending in {', '.join(IMAGE_EXTENSIONS)}) or remove these folders"
        )
    return classes


def _split(classes: dict[str, list[Path]], valid_pct: float, seed: int):
    """A stratified, seeded split: ``valid_pct`` of every class goes to valid (at least one image when it has two)."""
    g = torch.Generator().manual_seed(seed)
    train, valid = [], []
    for index, name in enumerate(sorted(classes)):
        files = classes[name]
        n_valid = min(max(round(len(files) * valid_pct), 1 if len(files) > 1 else 0), len(files) - 1)
        order = torch.randperm(len(files), generator=g).tolist()
        valid += [(files[i], index) for i in sorted(order[:n_valid])]
        train += [(files[i], index) for i in sorted(order[n_valid:])]
    return train, valid


def image_folders(
    path: str | os.PathLike,
    size: int | tuple[int, int] | None = 64,
    valid_pct: float | None = None,
    seed: int = 42,
    mode: str = "RGB",
    resize: str = "crop",
    transform: Callable | None = to_tensor,
) -> FolderSplits:
    """Train, valid (and test) datasets from a folder of images, class names from the folders.

    Two layouts are understood:

    * ``path/train/<class>/*`` and ``path/valid/<class>/*`` (the lessons' layout), with an optional
      ``path/test/`` of unlabeled images. Without ``valid/``, ``valid_pct`` of ``train/`` is split off.
    * ``path/<class>/*``: one folder of class folders, split into train and valid by ``valid_pct``
      (default 0.2) of every class, chosen with ``seed``. A ``path/test/`` folder is the unlabeled test set.

    Args:
        path: the dataset folder.
        size: every image is brought to this size (an int for square, or (height, width));
            None keeps the files' own sizes (then they can't be batched unless they agree).
        valid_pct: the fraction of each class to hold out for validation when there is no
            ``valid/`` folder (default 0.2).
        seed: seeds the train/valid split, so the same files land in valid every time.
        mode: ``"RGB"`` or ``"L"`` (grayscale).
        resize: how to reach ``size``: ``"crop"``, ``"squish"`` or ``"pad"`` (see ``resize_image``).
        transform: applied to each PIL image (already converted to ``mode`` and resized); the
            default gives a float tensor C×H×W in [0, 1]. Pass ``None`` for PIL images (the
            same meaning as in ``fashion_mnist`` and torchvision's datasets).

    Returns:
        ``FolderSplits(train, valid, test)``: ``ImageFolderDataset`` objects with ``.samples``,
        ``.classes``, ``.root``; ``test`` is None without a ``test/`` folder and its labels are -1.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
        ValueError: the layout is wrong: no class folders, a class folder without images,
            train and valid classes that differ, ``valid/`` without ``train/``, or bad arguments.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"path {str(path)!r} is not a folder; expected a dataset folder with train/ and valid/ or class folders")
    if valid_pct is not None and not (isinstance(valid_pct, (int, float)) and 0 < valid_pct < 1):
        raise ValueError(f"valid_pct must be a fraction between 0 and 1 (e.g. 0.2), got {valid_pct!r}")
    _check_size(size)
    train_dir, valid_dir, test_dir = path / "train", path / "valid", path / "test"
    if train_dir.is_dir():
        train_classes = class_folders(train_dir)
        if valid_dir.is_dir():
            if valid_pct is not None:
                raise ValueError(f"valid_pct={valid_pct!r} was given but {valid_dir} exists; use one or the other")
            valid_classes = class_folders(valid_dir)
            if set(train_classes) != set(valid_classes):
                only_train = sorted(set(train_classes) - set(valid_classes))
                only_valid = sorted(set(valid_classes) - set(train_classes))
                raise ValueError(
                    f"train and valid classes differ in {path}: only in train/: {only_train}, "
                    f"only in valid/: {only_valid}; both need the same class folders"
                )
            classes = sorted(train_classes)
            train = [(f, i) for i, c in enumerate(classes) for f in train_classes[c]]
            valid = [(f, i) for i, c in enumerate(classes) for f in valid_classes[c]]
            roots = (train_dir, valid_dir)
        else:
            classes = sorted(train_classes)
            train, valid = _split(train_classes, 0.2 if valid_pct is None else valid_pct, seed)
            roots = (train_dir, train_dir)
    elif valid_dir.is_dir():
        raise ValueError(f"{path} has valid/ but no train/; expected {path}/train/<class>/ next to {path}/valid/<class>/")
    else:
        all_classes = class_folders(path, exclude=("test",))
        classes = sorted(all_classes)
        train, valid = _split(all_classes, 0.2 if valid_pct is None else valid_pct, seed)
        roots = (path, path)
    options = dict(size=size, mode=mode, resize=resize, transform=transform)
    test = None
    if test_dir.is_dir():
        test_files = image_files(test_dir)
        if not test_files:
            raise ValueError(f"{test_dir} has no images (files ending in {', '.join(IMAGE_EXTENSIONS)}); add some or remove the folder")
        test = ImageFolderDataset(test_dir, [(f, -1) for f in test_files], classes, **options)
    return FolderSplits(
        ImageFolderDataset(roots[0], train, classes, **options),
        ImageFolderDataset(roots[1], valid, classes, **options),
        test,
    )
