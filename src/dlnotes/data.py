"""Datasets that work offline, folders of images, and a fast in-memory loader.

``fashion_mnist(sample=True)`` is a real, class-balanced subset of Fashion-MNIST that
ships inside the package (10,000 training and 2,000 test images), so every page and
test runs with no network. ``fashion_mnist()`` is the full set, found offline where
possible: an existing cache, then Debian's ``dataset-fashion-mnist`` files, then the
download. ``mnist()`` is the same for the handwritten digits (cache, then download).

For your own pictures: ``image_folders(PATH)`` reads ``PATH/train/<class>/*`` and
``PATH/valid/<class>/*`` (or one folder of class folders, split by a seeded percentage),
``verify_images`` finds files that are not readable images, and ``download_images`` fills a
class folder from a file of URLs. ``FastLoader`` keeps a whole small dataset on the device as
one uint8 tensor and normalises and augments each batch there; ``show_batch`` draws a batch.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import io
import lzma
import math
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from torchvision.datasets import VisionDataset

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip

DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
_SAMPLE_FILE = Path(__file__).parent / "_data" / "fashion_mnist_sample.npz.xz"
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}


def default_root() -> Path:
    """Where downloaded datasets are cached: ``$DLNOTES_DATA`` or ``~/.cache/dlnotes``."""
    return Path(os.environ.get("DLNOTES_DATA", Path.home() / ".cache" / "dlnotes"))


def to_tensor(image: Image.Image) -> torch.Tensor:
    """A 28×28 PIL image → a float tensor of shape (1, 28, 28) in [0, 1] (like ``ToTensor``)."""
    return torch.from_numpy(np.array(image, dtype=np.uint8, copy=True)).unsqueeze(0).float().div_(255)


class ArrayImageDataset(VisionDataset):
    """Grayscale images held in memory, torchvision-style.

    ``data`` is a uint8 tensor N×H×W, ``targets`` an int64 tensor N, ``classes`` the
    class names. Items are ``(transform(PIL image), target)``, as in ``torchvision.datasets.MNIST``.
    """

    def __init__(self, data, targets, classes, transform=to_tensor, target_transform=None, name="dataset"):
        super().__init__(root=None, transform=transform, target_transform=target_transform)
        self.data = torch.as_tensor(data, dtype=torch.uint8)
        self.targets = torch.as_tensor(targets, dtype=torch.int64)
        if self.data.ndim != 3 or len(self.data) != len(self.targets):
            raise ValueError(
                f"data must be N×H×W with one target per image; got data {tuple(self.data.shape)} "
                f"and targets {tuple(self.targets.shape)}"
            )
        self.classes = list(classes)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.name = name

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        image = Image.fromarray(self.data[index].numpy(), mode="L")
        target = int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def extra_repr(self) -> str:
        return f"Classes: {len(self.classes)}"


@lru_cache(maxsize=1)
def _load_sample_arrays() -> dict[str, np.ndarray]:
    with lzma.open(_SAMPLE_FILE, "rb") as f:
        npz = np.load(io.BytesIO(f.read()))
        return {k: npz[k] for k in npz.files}


def _sample(transform, target_transform):
    arrays = _load_sample_arrays()
    return tuple(
        ArrayImageDataset(
            arrays[f"{split}_images"], arrays[f"{split}_labels"], FASHION_CLASSES,
            transform=transform, target_transform=target_transform, name=f"Fashion-MNIST sample ({split})",
        )
        for split in ("train", "test")
    )


def _read_idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path} is truncated: header says {dims}, found {arr.size} values")
    return arr.reshape(dims)


def check_fashion_mnist_files(folder: Path) -> None:
    """Verify a folder of Fashion-MNIST IDX files by content, not by checksum.

    Checks shapes, label range and class balance, and that the images the embedded
    sample took from these files are identical to the sample's (Debian's gzip files
    differ byte-wise from upstream, but their contents are the same).
    """
    folder = Path(folder)
    sample = _load_sample_arrays()
    for split, (images_name, labels_name, n) in _IDX_FILES.items():
        images = _read_idx(_find(folder, images_name))
        labels = _read_idx(_find(folder, labels_name))
        if images.shape != (n, 28, 28) or labels.shape != (n,):
            raise ValueError(f"{folder}: {split} images {images.shape}, labels {labels.shape}; expected ({n}, 28, 28) and ({n},)")
        counts = np.bincount(labels, minlength=10)
        if len(counts) != 10 or not np.all(counts == n // 10):
            raise ValueError(f"{folder}: {split} labels are not 10 balanced classes: {counts.tolist()}")
        idx = sample[f"{split}_index"]
        if not (np.array_equal(images[idx], sample[f"{split}_images"]) and np.array_equal(labels[idx], sample[f"{split}_labels"])):
            raise ValueError(f"{folder}: {split} images differ from Fashion-MNIST's")


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"{folder} has no {stem}[.gz]")


def _install_raw(source: Path, raw: Path) -> None:
    """Decompress the four IDX files from ``source`` into torchvision's ``raw`` folder, atomically."""
    raw.mkdir(parents=True, exist_ok=True)
    for images_name, labels_name, _ in _IDX_FILES.values():
        for stem in (images_name, labels_name):
            target = raw / stem
            if target.exists():
                continue
            src = _find(source, stem)
            fd, tmp = tempfile.mkstemp(dir=raw, prefix=f".{stem}-")
            try:
                with os.fdopen(fd, "wb") as out, (gzip.open if src.suffix == ".gz" else open)(src, "rb") as f:
                    shutil.copyfileobj(f, out)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


def _missing_data_error(name: str, root: Path, download_error: Exception | None) -> RuntimeError:
    why = f" (the download failed: {download_error})" if download_error else " (download=False)"
    folder = "FashionMNIST" if name == "Fashion-MNIST" else "MNIST"
    ways = [
        f"put the four IDX files (…-ubyte or …-ubyte.gz) in {root / folder / 'raw'}\n"
        f"     (or pass root=DIR, or set DLNOTES_DATA=DIR);"
    ]
    if name == "Fashion-MNIST":
        ways.append(f"on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (files in {DEBIAN_FASHION_DIR});")
    ways.append("connect to the internet and call again with download=True (the default);")
    lines = "\n".join(f"  {i}. {way}" for i, way in enumerate(ways, 1))
    tail = "\n  or use the embedded subset, which needs nothing: fashion_mnist(sample=True)."
    return RuntimeError(f"{name} was not found offline and could not be downloaded{why}. Get it one of these ways:\n{lines}{tail}")


def _check_idx_files(folder: Path) -> None:
    """Shapes and label range of an MNIST-format folder (for MNIST, which has no embedded reference)."""
    for split, (images_name, labels_name, n) in _IDX_FILES.items():
        images = _read_idx(_find(folder, images_name))
        labels = _read_idx(_find(folder, labels_name))
        if images.shape != (n, 28, 28) or labels.shape != (n,) or labels.max() > 9:
            raise ValueError(
                f"{folder}: {split} images {images.shape}, labels {labels.shape} (max {labels.max()}); "
                f"expected ({n}, 28, 28) and ({n},) labels 0-9"
            )


def _has_gz(raw: Path) -> bool:
    stems = [stem for names in _IDX_FILES.values() for stem in names[:2]]
    return raw.is_dir() and all((raw / stem).exists() or (raw / f"{stem}.gz").exists() for stem in stems)


def _idx_dataset(cls, name, root, transform, target_transform, download, debian_dir, check):
    """Cache → files you put in raw/ (gzipped is fine) → Debian's files → download → a clear error."""
    root = Path(root) if root is not None else default_root()
    raw = root / cls.__name__ / "raw"

    def build():
        return tuple(
            cls(str(root), train=train, transform=transform, target_transform=target_transform, download=False)
            for train in (True, False)
        )

    try:  # 1. an existing cache
        return build()
    except RuntimeError:
        pass
    if _has_gz(raw):  # 2. IDX files someone put in raw/, some of them still gzipped
        check(raw)
        _install_raw(raw, raw)
        return build()
    if debian_dir is not None and debian_dir.is_dir():  # 3. Debian's files
        check(debian_dir)
        _install_raw(debian_dir, raw)
        return build()
    download_error = None
    if download:  # 4. the download
        try:
            cls(str(root), train=True, download=True)
            cls(str(root), train=False, download=True)
            return build()
        except Exception as e:  # noqa: BLE001 - any failure ends in the same advice
            download_error = e
    raise _missing_data_error(name, root, download_error)


def fashion_mnist(
    root: str | os.PathLike | None = None,
    sample: bool = False,
    transform: Callable | None = to_tensor,
    target_transform: Callable | None = None,
    download: bool = True,
) -> tuple[VisionDataset, VisionDataset]:
    """Fashion-MNIST as ``(train_dataset, test_dataset)``.

    Args:
        root: cache folder (torchvision layout ``root/FashionMNIST/raw``); default
            ``$DLNOTES_DATA`` or ``~/.cache/dlnotes``.
        sample: if True, the embedded class-balanced subset (10,000 train, 2,000 test
            real images); never touches the disk cache or the network.
        transform: applied to each PIL image; the default gives a float tensor 1×28×28
            in [0, 1]. Pass ``None`` for PIL images.
        target_transform: applied to each label.
        download: allow the download as the last resort.

    Returns:
        ``(train, test)``. Each has ``.data`` (uint8 N×28×28), ``.targets`` and ``.classes``.

    Raises:
        RuntimeError: the full set is nowhere offline and the download failed or was not
            allowed; the message lists the ways to get it.
    """
    if not isinstance(sample, bool):
        raise TypeError(f"sample must be True or False, got {sample!r}")
    if sample:
        return _sample(transform, target_transform)
    from torchvision.datasets import FashionMNIST

    return _idx_dataset(
        FashionMNIST, "Fashion-MNIST", root, transform, target_transform, download,
        DEBIAN_FASHION_DIR, check_fashion_mnist_files,
    )  # fmt: skip


def mnist(
    root: str | os.PathLike | None = None,
    transform: Callable | None = to_tensor,
    target_transform: Callable | None = None,
    download: bool = True,
) -> tuple[VisionDataset, VisionDataset]:
    """MNIST (handwritten digits) as ``(train_dataset, test_dataset)``: 60,000 and 10,000 images.

    Looks in the cache first (``root/MNIST/raw``, where IDX files you put there by hand, even
    still gzipped, are found too), then downloads. There is no Debian package for MNIST.

    Args:
        root: cache folder; default ``$DLNOTES_DATA`` or ``~/.cache/dlnotes``.
        transform: applied to each PIL image; the default gives a float tensor 1×28×28 in [0, 1].
        target_transform: applied to each label.
        download: allow the download as the last resort.

    Returns:
        ``(train, test)``, each with ``.data`` (uint8 N×28×28), ``.targets`` and ``.classes``
        (``"0 - zero"`` … ``"9 - nine"``).

    Raises:
        RuntimeError: not found offline and the download failed or was not allowed; the
            message lists the ways to get it.
    """
    from torchvision.datasets import MNIST

    return _idx_dataset(MNIST, "MNIST", root, transform, target_transform, download, None, _check_idx_files)


# ---------------------------------------------------------------------------------------------
# Folders of images
# ---------------------------------------------------------------------------------------------

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def _image_files(folder: Path) -> list[Path]:
    """Image files under ``folder`` (recursively, hidden files and folders skipped), sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in filenames if _is_image_name(Path(f))]
    return sorted(found)


def pil_to_tensor(image: Image.Image) -> torch.Tensor:
    """A PIL image (mode ``L`` or ``RGB``) → a float tensor C×H×W in [0, 1]."""
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
    if method == "crop":
        return ImageOps.fit(image, (w, h), method=Image.Resampling.BILINEAR)
    if method == "squish":
        return image.resize((w, h), Image.Resampling.BILINEAR)
    if method == "pad":
        return ImageOps.pad(image, (w, h), method=Image.Resampling.BILINEAR, color=0)
    raise ValueError(f"resize must be 'crop', 'squish' or 'pad', got {method!r}")


class ImageFolderDataset(VisionDataset):
    """Image files with labels, read from disk one at a time, like torchvision's ``ImageFolder``.

    Made by ``image_folders``. ``samples`` is a list of ``(path, class_index)`` (the index is
    ``-1`` for the unlabeled ``test/`` set), ``targets`` the class indices, ``classes`` the
    class names (the folder names, sorted) and ``root`` the folder the class folders are in.
    An item is ``(image, label)``: by default a float tensor C×H×W in [0, 1] of the unified size.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        samples: list[tuple[str, int]],
        classes: list[str],
        size: int | tuple[int, int] | None = 64,
        mode: str = "RGB",
        resize: str = "crop",
        transform: Callable | None = None,
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
        image = self.transform(image) if self.transform is not None else pil_to_tensor(image)
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


def _class_folders(folder: Path, exclude: tuple[str, ...] = ()) -> dict[str, list[Path]]:
    """``{class name: image files}`` for the class folders in ``folder``, with clear errors."""
    subdirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name not in exclude)
    if not subdirs:
        loose = [f for f in folder.iterdir() if f.is_file() and _is_image_name(f)]
        found = f"found {len(loose)} image files directly in it" if loose else "found no subfolders"
        raise ValueError(
            f"{folder} has no class folders: expected one subfolder per class, {folder}/<class>/<image>, "
            f"but {found}"
        )
    classes = {d.name: _image_files(d) for d in subdirs}
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
    transform: Callable | None = None,
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
        transform: replaces the default "resize, then to a float tensor in [0, 1]"; it receives
            the PIL image (already converted to ``mode`` and resized).

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
        train_classes = _class_folders(train_dir)
        if valid_dir.is_dir():
            if valid_pct is not None:
                raise ValueError(f"valid_pct={valid_pct!r} was given but {valid_dir} exists; use one or the other")
            valid_classes = _class_folders(valid_dir)
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
        all_classes = _class_folders(path, exclude=("test",))
        classes = sorted(all_classes)
        train, valid = _split(all_classes, 0.2 if valid_pct is None else valid_pct, seed)
        roots = (path, path)
    options = dict(size=size, mode=mode, resize=resize, transform=transform)
    test = None
    if test_dir.is_dir():
        test_files = _image_files(test_dir)
        if not test_files:
            raise ValueError(f"{test_dir} has no images (files ending in {', '.join(IMAGE_EXTENSIONS)}); add some or remove the folder")
        test = ImageFolderDataset(test_dir, [(f, -1) for f in test_files], classes, **options)
    return FolderSplits(
        ImageFolderDataset(roots[0], train, classes, **options),
        ImageFolderDataset(roots[1], valid, classes, **options),
        test,
    )


# ---------------------------------------------------------------------------------------------
# Checking images, moving files aside, downloading
# ---------------------------------------------------------------------------------------------

_TRUNCATION_LOCK = threading.Lock()


def check_image(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a readable image, or None when it is one.

    The file is opened, verified and fully decoded, so truncated and corrupt files are caught
    as well as files that are not images at all (an HTML error page saved as ``.jpg``).

    Args:
        path: the file to check.

    Returns:
        None for a good image, else a short reason.
    """
    with _TRUNCATION_LOCK:  # decode strictly even if other code told PIL to accept truncated files
        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            if os.path.getsize(path) == 0:
                return "empty file"
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                im.load()
                if im.width == 0 or im.height == 0:
                    return "the image has no pixels"
        except UnidentifiedImageError:
            return "not an image (no image format recognised)"
        except Exception as e:  # noqa: BLE001 - PIL raises many kinds; all mean "not a readable image"
            return f"{type(e).__name__}: {str(e).replace(str(path), Path(path).name)}"
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None


_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _link_new(source: Path, target: Path, rename: bool = True) -> Path | None:
    """Give ``source``'s content the name ``target`` without ever replacing an existing file.

    With ``rename``, a taken name becomes ``name-1.ext``, ``name-2.ext``…; without it, a taken
    name returns None. A hard link makes the new name appear atomically and complete (across
    file systems the content is first copied to a temporary file beside the target); where the
    file system has no hard links (FAT, some network drives), the name is reserved with an
    exclusive create and the content renamed onto it. ``source`` may be gone afterwards.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staged, candidate, k = source, target, 0
    try:
        while True:
            try:
                os.link(staged, candidate)
                return candidate
            except FileExistsError:
                pass
            except OSError as e:
                if e.errno == errno.EXDEV and staged is source:
                    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-")
                    with os.fdopen(fd, "wb") as out, open(source, "rb") as f:
                        shutil.copyfileobj(f, out)
                    staged = Path(tmp)
                    continue
                if e.errno not in _NO_HARD_LINKS:
                    raise
                try:  # no hard links here: reserve the name (fails if taken), then rename onto it
                    os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    pass
                else:
                    os.replace(staged, candidate)
                    return candidate
            if not rename:
                return None
            k += 1
            candidate = target.with_name(f"{target.stem}-{k}{target.suffix}")
    finally:
        if staged is not source:
            staged.unlink(missing_ok=True)


def verify_images(
    path: str | os.PathLike,
    delete: bool = False,
    move_to: str | os.PathLike | None = None,
    extensions: Sequence[str] | None = IMAGE_EXTENSIONS,
    progress: bool = True,
) -> list[Path]:
    """Find the files under ``path`` that can't be opened as images; by default, only report them.

    Every file is opened and fully decoded (see ``check_image``), with a progress bar.

    Args:
        path: a folder (searched recursively; hidden files skipped) or a single file.
        delete: remove the bad files. Off by default: nothing is deleted unless you ask.
        move_to: move the bad files into this folder instead, keeping their paths relative to
            ``path`` (``move_to/<class>/<file>``); an existing file there is never overwritten
            (the moved file gets ``-1``, ``-2``… added to its name).
        extensions: check only files with these endings (default: the usual image formats);
            None checks every file.
        progress: show a progress bar (tqdm).

    Returns:
        The bad files, as they were named under ``path`` before any move or deletion.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: both ``delete`` and ``move_to`` were given.
    """
    from tqdm.auto import tqdm

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {str(path)!r} does not exist")
    if delete and move_to is not None:
        raise ValueError(f"delete=True and move_to={str(move_to)!r} both given; choose one")
    if not isinstance(delete, bool):
        raise TypeError(f"delete must be True or False, got {delete!r}")
    wanted = None if extensions is None else tuple(e.lower() for e in extensions)
    aside = Path(move_to).resolve() if move_to is not None else None
    if path.is_file():
        files, base = [path], path.parent
    else:
        files, base = [], path
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (aside is None or Path(dirpath, d).resolve() != aside))
            files += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
        files = sorted(f for f in files if wanted is None or f.suffix.lower() in wanted)
    bad = []
    for file in tqdm(files, desc="verify_images", unit="file", disable=not progress):
        if check_image(file) is None:
            continue
        bad.append(file)
        if delete:
            file.unlink()
        elif aside is not None:
            _link_new(file, aside / file.relative_to(base))
            file.unlink(missing_ok=True)
    return bad


_FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}


def _read_urls(urls_file: Path) -> list[str]:
    """The http(s) URLs of a text or CSV file: the first such cell of each row, duplicates dropped."""
    urls = []
    with open(urls_file, newline="", encoding="utf-8-sig") as f:
        for row in csv.reader(f):
            cell = next((c.strip().strip("'\"") for c in row if c.strip().strip("'\"").lower().startswith(("http://", "https://"))), None)
            if cell and cell not in urls:
                urls.append(cell)
    return urls


class _Permanent(Exception):
    """A failure that another attempt won't fix (404, not an image, too big)."""


def _fetch(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "dlnotes-download-images/0.1"})
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks, total = [], 0
            while chunk := response.read(1 << 16):
                total += len(chunk)
                if total > max_bytes:
                    raise _Permanent(f"larger than max_bytes={max_bytes}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"not complete after {timeout} s")
                chunks.append(chunk)
    except urllib.error.HTTPError as e:
        if e.code in (408, 429) or e.code >= 500:
            raise
        raise _Permanent(f"HTTP {e.code} {e.reason}") from e
    return b"".join(chunks)


def _image_extension(data: bytes) -> str:
    """The file extension for these bytes if they are a complete image, else ``_Permanent``."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
            fmt = im.format
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Exception as e:  # noqa: BLE001
        head = data[:40].decode("latin-1").strip().replace("\n", " ")
        raise _Permanent(f"not an image ({type(e).__name__}; starts with {head!r})") from e
    if fmt not in _FORMAT_EXTENSIONS:
        raise _Permanent(f"unsupported image format {fmt}")
    return _FORMAT_EXTENSIONS[fmt]


@dataclass
class DownloadReport:
    """What ``download_images`` did: files ``saved``, files ``existing`` from an earlier run, and
    ``failed`` as ``(url, reason)`` pairs."""

    saved: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.saved) + len(self.existing) + len(self.failed)
        lines = [f"{len(self.saved)} downloaded, {len(self.existing)} already there, {len(self.failed)} failed (of {n} URLs tried)"]
        lines += [f"  failed: {url}: {reason}" for url, reason in self.failed]
        return "\n".join(lines)


def download_images(
    urls_file: str | os.PathLike,
    dest: str | os.PathLike,
    max_images: int | None = None,
    timeout: float = 10.0,
    retries: int = 2,
    n_workers: int = 8,
    max_bytes: int = 20_000_000,
    progress: bool = True,
) -> DownloadReport:
    """Download the images listed in a text or CSV file of URLs into one class folder.

    Each download is checked by content (it must decode as a complete JPEG, PNG, GIF, WebP,
    BMP or TIFF image, whatever the server says), written atomically, named after a hash of its
    URL with the extension of its real format, and never replaces an existing file: run it
    again after a failure and only what is missing is fetched.

    Args:
        urls_file: a text file with one URL per line, or a CSV (the first http(s) cell of each
            row is used; header rows and other columns are ignored).
        dest: the class folder to fill (created if needed).
        max_images: stop once this many images from the list are in ``dest``; None for all.
        timeout: seconds allowed for each attempt (connecting, and the whole transfer).
        retries: further attempts after a timeout, a dropped connection or an HTTP 5xx/408/429
            (not after a 404 or a file that is not an image).
        n_workers: downloads running at the same time.
        max_bytes: refuse files larger than this.
        progress: show a progress bar (tqdm) and print the summary at the end.

    Returns:
        A ``DownloadReport`` (saved, existing, failed); printing it gives the summary.

    Raises:
        ValueError: ``urls_file`` holds no http(s) URL, or a bad argument.
    """
    from tqdm.auto import tqdm

    urls_file, dest = Path(urls_file), Path(dest)
    if max_images is not None and (not isinstance(max_images, int) or max_images < 1):
        raise ValueError(f"max_images must be a positive int or None, got {max_images!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not (isinstance(retries, int) and retries >= 0):
        raise ValueError(f"retries must be an int >= 0, got {retries!r}")
    urls = _read_urls(urls_file)
    if not urls:
        raise ValueError(f"urls_file {str(urls_file)!r} contains no http:// or https:// URLs")
    dest.mkdir(parents=True, exist_ok=True)

    def one(url: str) -> tuple[str, Path | str]:
        stem = hashlib.sha1(url.encode()).hexdigest()[:16]
        for ext in set(_FORMAT_EXTENSIONS.values()):
            if (dest / f"{stem}{ext}").exists():
                return "existing", dest / f"{stem}{ext}"
        reason = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            try:
                data = _fetch(url, timeout, max_bytes)
                ext = _image_extension(data)
            except _Permanent as e:
                return "failed", str(e)
            except Exception as e:  # noqa: BLE001 - timeouts, refused connections, 5xx: try again
                reason = f"{type(e).__name__}: {e}"
                continue
            fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{stem}-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                saved = _link_new(Path(tmp), dest / f"{stem}{ext}", rename=False)
            finally:
                Path(tmp).unlink(missing_ok=True)
            return ("saved", saved) if saved else ("existing", dest / f"{stem}{ext}")
        return "failed", f"{reason} (after {retries + 1} attempts)"

    report, results = DownloadReport(), {}
    pending, queue = {}, iter(urls)
    with ThreadPoolExecutor(max_workers=max(1, n_workers)) as pool, tqdm(
        total=len(urls) if max_images is None else min(len(urls), max_images), desc="download_images", unit="img", disable=not progress
    ) as bar:
        while True:
            have = len(report.saved) + len(report.existing)
            while len(pending) < n_workers and (max_images is None or have + len(pending) < max_images):
                url = next(queue, None)
                if url is None:
                    break
                pending[pool.submit(one, url)] = url
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                url = pending.pop(future)
                results[url] = status, value = future.result()
                if status == "failed":
                    report.failed.append((url, value))
                else:
                    getattr(report, status).append(value)
                    bar.update(1)
    order = {url: i for i, url in enumerate(urls)}  # report in the file's order, whatever finished first
    report.failed.sort(key=lambda item: order[item[0]])
    for name in ("saved", "existing"):
        getattr(report, name).sort(key=lambda path: min(order[u] for u, r in results.items() if r[1] == path))
    if progress:
        print(report)
    return report


# ---------------------------------------------------------------------------------------------
# The fast in-memory loader
# ---------------------------------------------------------------------------------------------


def pick_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"`` (or None): CUDA if there is one, else Apple's MPS, else the CPU; anything else as given."""
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(device)


def _to_uint8_nchw(images, what: str) -> torch.Tensor:
    x = torch.as_tensor(images)
    if x.is_floating_point():
        if x.numel() and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"{what}: float images must be in [0, 1], got values in [{x.min():.3g}, {x.max():.3g}]")
        x = x.mul(255).round_().to(torch.uint8)
    elif x.dtype != torch.uint8:
        raise TypeError(f"{what}: images must be uint8 (0-255) or float in [0, 1], got dtype {x.dtype}")
    if x.ndim == 3:
        return x.unsqueeze(1).contiguous()
    if x.ndim == 4:
        if x.shape[1] in (1, 3, 4):
            return x.contiguous()
        if x.shape[-1] in (1, 3, 4):
            return x.permute(0, 3, 1, 2).contiguous()
    raise ValueError(f"{what}: expected images N×H×W, N×C×H×W or N×H×W×C, got shape {tuple(x.shape)}")


def _dataset_arrays(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """All images and labels of a dataset: from ``.data``/``.targets`` when it has them, else item by item."""
    if hasattr(dataset, "data") and hasattr(dataset, "targets"):
        return _to_uint8_nchw(dataset.data, f"{type(dataset).__name__}.data"), torch.as_tensor(dataset.targets, dtype=torch.int64)
    if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
        raise TypeError(
            f"dataset_or_images must be a dataset of (image, label) items or a tensor of images, got {type(dataset).__name__}"
        )
    if len(dataset) == 0:
        raise ValueError("dataset_or_images is an empty dataset")
    first = torch.as_tensor(dataset[0][0])
    images = torch.empty((len(dataset), *first.shape), dtype=torch.uint8)
    labels = torch.empty(len(dataset), dtype=torch.int64)
    for i in range(len(dataset)):
        image, label = dataset[i]
        image = torch.as_tensor(image)
        if image.shape != first.shape:
            raise ValueError(
                f"item {i} of the dataset has shape {tuple(image.shape)} but item 0 has {tuple(first.shape)}; "
                f"give every image the same size (image_folders(..., size=...))"
            )
        images[i] = image.mul(255).round_() if image.is_floating_point() else image
        labels[i] = int(label)
    return _to_uint8_nchw(images, "dataset_or_images"), labels


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of uint8 images N×C×H×W, on the [0, 1] scale.

    Exact and fast: a uint8 pixel has only 256 possible values, so each channel's histogram
    (one ``bincount``) gives the sums in float64 without any float copy of the images.
    """
    if images.dtype != torch.uint8 or images.ndim != 4:
        raise ValueError(f"images must be uint8 N×C×H×W, got {images.dtype} of shape {tuple(images.shape)}")
    values = torch.arange(256, dtype=torch.float64) / 255
    means, stds = [], []
    for c in range(images.shape[1]):
        counts = torch.bincount(images[:, c].reshape(-1).cpu(), minlength=256).to(torch.float64)
        total = counts.sum()
        mean = (counts * values).sum() / total
        var = (counts * values**2).sum() / total - mean**2
        means.append(round(mean.item(), 6))
        stds.append(round(var.clamp_min(0).sqrt().item(), 6))
    return tuple(means), tuple(stds)


def _one_thread(batches):
    """Run each step of ``batches`` with one intra-op thread, then give the caller its threads back.

    Cutting a batch out of memory is a few small, memory-bound operations: splitting them
    across threads only adds synchronisation, which on a busy machine made a batch 10-20×
    slower. The model's own work (between batches) keeps all its threads.
    """
    while True:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            batch = next(batches)
        except StopIteration:
            return
        finally:
            torch.set_num_threads(threads)
        yield batch


class FastLoader:
    """A loader for datasets that fit in memory: the whole set is one uint8 tensor on the device.

    Each batch is cut out of that tensor with one indexing operation, then augmented and
    normalised there, so there is no per-image Python work, no worker processes and no copy
    from the CPU per batch. Iterating gives ``(x, y)``: ``x`` float N×C×H×W normalised,
    ``y`` int64, both on ``device``. Every pass is a new epoch: a new shuffle (and new
    augmentations) drawn from the loader's own ``torch.Generator``, so a seed gives the same
    sequence of batches on every run.

    Args:
        dataset_or_images: a dataset with ``.data``/``.targets`` (Fashion-MNIST, MNIST,
            torchvision's), any dataset of ``(image tensor, label)`` items of one size (an
            ``image_folders`` split), or images as a tensor/array (uint8, or float in [0, 1];
            N×H×W, N×C×H×W or N×H×W×C). A dataset's own ``transform`` is not applied.
        targets: the labels when ``dataset_or_images`` is a tensor of images.
        batch_size: images per batch.
        shuffle: draw a new order every epoch (for training).
        device: where the data and the batches live; ``"auto"`` picks CUDA, MPS or the CPU.
        normalize: True computes per-channel mean and std from these images; a pair
            ``(mean, std)`` uses given statistics (pass the training loader's ``stats`` to a
            validation loader); False only scales to [0, 1].
        augment: random shifts (crops of the image padded by ``pad`` pixels) and, with ``flip``,
            horizontal flips, drawn per image, per batch.
        seed: seeds the loader's generator (shuffle and augmentation); None draws the seed
            from torch's global generator.
        drop_last: skip the last batch when it is smaller than ``batch_size``.
        pad: the largest shift in pixels when ``augment`` is on.
        flip: flip half of the images left-right when ``augment`` is on (turn it off for digits
            and text).
    """

    def __init__(
        self,
        dataset_or_images: Any,
        targets: Any = None,
        batch_size: int = 256,
        shuffle: bool = False,
        device: str | torch.device | None = "auto",
        normalize: bool | tuple[Sequence[float], Sequence[float]] = True,
        augment: bool = False,
        seed: int | None = 0,
        drop_last: bool = False,
        pad: int = 2,
        flip: bool = True,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if not isinstance(pad, int) or pad < 0:
            raise ValueError(f"pad must be an int >= 0, got {pad!r}")
        if isinstance(dataset_or_images, (torch.Tensor, np.ndarray)):
            if targets is None:
                raise ValueError("targets is required when dataset_or_images is a tensor of images")
            images, labels = _to_uint8_nchw(dataset_or_images, "dataset_or_images"), torch.as_tensor(targets).long()
            if labels.shape != (len(images),):
                raise ValueError(f"targets must hold one label per image: {len(images)} images, targets of shape {tuple(labels.shape)}")
            self.dataset = torch.utils.data.TensorDataset(images, labels)
        else:
            if targets is not None:
                raise ValueError("targets must be None when dataset_or_images is a dataset (its labels are used)")
            images, labels = _dataset_arrays(dataset_or_images)
            self.dataset = dataset_or_images
        if labels.shape != (len(images),):
            raise ValueError(f"targets must hold one label per image: {len(images)} images, targets of shape {tuple(labels.shape)}")
        if len(images) == 0:
            raise ValueError("dataset_or_images has no images")
        self.classes = getattr(dataset_or_images, "classes", None)
        self.batch_size, self.shuffle, self.drop_last = batch_size, bool(shuffle), bool(drop_last)
        self.augment, self.pad, self.flip = bool(augment), pad, bool(flip)
        self.device = pick_device(device)
        n_channels = images.shape[1]
        if normalize is True:
            self.stats = channel_stats(images)
        elif normalize is False or normalize is None:
            self.stats = ((0.0,) * n_channels, (1.0,) * n_channels)
        else:
            try:
                mean, std = normalize
                mean = tuple(float(m) for m in torch.as_tensor(mean, dtype=torch.float64).reshape(-1).expand(n_channels))
                std = tuple(float(s) for s in torch.as_tensor(std, dtype=torch.float64).reshape(-1).expand(n_channels))
            except (TypeError, ValueError, RuntimeError):
                raise ValueError(f"normalize must be True, False or (mean, std) with {n_channels} value(s) each, got {normalize!r}") from None
            if min(std) <= 0:
                raise ValueError(f"normalize: every std must be > 0, got {std}")
            self.stats = (mean, std)
        self.normalize = normalize is not False and normalize is not None
        mean_t = torch.tensor(self.stats[0], dtype=torch.float32).view(1, -1, 1, 1)
        std_t = torch.tensor(self.stats[1], dtype=torch.float32).view(1, -1, 1, 1)
        self._scale = (1 / (255 * std_t)).to(self.device)  # (x / 255 - mean) / std == x * scale + shift
        self._shift = (-mean_t / std_t).to(self.device)
        self.images = images.to(self.device)
        self.targets = labels.to(self.device)
        self.seed = int(torch.randint(0, 2**62, ())) if seed is None else int(seed)
        self.generator = torch.Generator()
        self.generator.manual_seed(self.seed)
        self.rank, self.world_size = 0, 1

    def set_epoch(self, epoch: int) -> None:
        """Make epoch ``epoch``'s shuffle and augmentation a function of (seed, epoch) alone.

        Without it, each pass simply continues the generator's sequence. A trainer that calls
        it every epoch (as with ``DistributedSampler``) gets the same batches for an epoch
        however it got there, for instance after resuming from a checkpoint.
        """
        self.generator.manual_seed((self.seed * 1_000_003 + int(epoch)) % 2**63)

    def set_distributed(self, rank: int, world_size: int) -> None:
        """Serve only process ``rank``'s share of every epoch (for DistributedDataParallel).

        All processes draw the same permutation and take every ``world_size``-th index of it.
        With ``shuffle`` (training) the permutation is padded by wrapping around so that every
        process gets the same number of batches; without it (evaluation) nothing is repeated.
        """
        if not (isinstance(world_size, int) and world_size >= 1 and isinstance(rank, int) and 0 <= rank < world_size):
            raise ValueError(f"need 0 <= rank < world_size, got rank={rank!r}, world_size={world_size!r}")
        self.rank, self.world_size = rank, world_size

    def _shard_size(self) -> int:
        n, ws = len(self.images), self.world_size
        if ws == 1:
            return n
        return math.ceil(n / ws) if self.shuffle else len(range(self.rank, n, ws))

    def __len__(self) -> int:
        n = self._shard_size()
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        if self.device.type == "cpu":
            return _one_thread(self._batches(self.generator))
        return self._batches(self.generator)

    # --8<-- [start:batches]
    def _batches(self, generator: torch.Generator):
        n, bs = len(self.images), self.batch_size
        order = torch.randperm(n, generator=generator) if self.shuffle else None
        if self.world_size > 1:  # this process's share: every world_size-th image
            if order is None:
                order = torch.arange(self.rank, n, self.world_size)
            else:
                order = torch.cat([order, order[: self._shard_size() * self.world_size - n]])[self.rank :: self.world_size]
        if self.augment:  # each process augments differently, reproducibly
            augment_seed = int(torch.randint(0, 2**62, (), generator=generator)) + self.rank
            generator = torch.Generator().manual_seed(augment_seed)
        order = order.to(self.device) if order is not None else None
        m = len(order) if order is not None else n
        for start in range(0, m - bs + 1 if self.drop_last else m, bs):
            index = order[start : start + bs] if order is not None else slice(start, start + bs)
            x, y = self.images[index], self.targets[index]  # one gather: uint8, on the device
            if self.augment:
                x = self._augment(x, generator)
            yield x.float().mul_(self._scale).add_(self._shift), y  # (x/255 - mean) / std

    def _augment(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Shift each image by up to ±pad pixels (black comes in at the edges) and flip half of
        them left-right: one ``gather`` from the padded batch does both."""
        b, c, h, w = x.shape
        p, dev = self.pad, x.device
        dy, dx = torch.randint(0, 2 * p + 1, (2, b, 1), generator=generator).to(dev)  # the window's corner
        flip = ((torch.rand(b, 1, generator=generator) < 0.5) & self.flip).to(dev)
        cols = torch.arange(w, device=dev).expand(b, w)
        cols = dx + torch.where(flip, cols.flip(1), cols)  # b×w: which padded column each output column reads
        rows = dy + torch.arange(h, device=dev)  # b×h
        index = (rows[:, :, None] * (w + 2 * p) + cols[:, None, :]).view(b, 1, h * w).expand(b, c, h * w)
        padded = F.pad(x, (p, p, p, p)).view(b, c, -1)
        return padded.gather(2, index).view(b, c, h, w)
    # --8<-- [end:batches]

    def state_dict(self) -> dict:
        """The generator's state, to resume the same sequence of epochs (see ``load_state_dict``)."""
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self.generator.set_state(state["generator"])

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        """A batch this loader produced, back to [0, 1] pixels (for showing it)."""
        return ((x - self._shift.to(x.device)) / (255 * self._scale.to(x.device))).clamp(0, 1)

    def __repr__(self) -> str:
        c, h, w = self.images.shape[1:]
        return (
            f"FastLoader({len(self.images)} images {c}×{h}×{w}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"augment={self.augment}, device={self.device}, mean={self.stats[0]}, std={self.stats[1]})"
        )


def fast_loaders(
    train: Any,
    valid: Any = None,
    batch_size: int = 256,
    device: str | torch.device | None = "auto",
    augment: bool = False,
    seed: int | None = 0,
    **options: Any,
) -> tuple[FastLoader, FastLoader | None]:
    """The usual pair: a shuffled training loader, and a validation loader that uses the
    training set's statistics (never its own), in order, without augmentation.

    Args:
        train: the training dataset (anything ``FastLoader`` accepts).
        valid: the validation dataset, or None.
        batch_size: training batch size (validation uses twice as many: no gradients to store).
        device: as in ``FastLoader``.
        augment: augment the training batches.
        seed: seeds the training loader's shuffle and augmentation.
        **options: more ``FastLoader`` arguments for the training loader (``pad``, ``flip``, ``drop_last``).

    Returns:
        ``(train_loader, valid_loader)``; ``valid_loader`` is None without ``valid``.
    """
    train_loader = FastLoader(train, batch_size=batch_size, shuffle=True, device=device, augment=augment, seed=seed, **options)
    if valid is None:
        return train_loader, None
    valid_loader = FastLoader(valid, batch_size=2 * batch_size, device=train_loader.device, normalize=train_loader.stats)
    return train_loader, valid_loader


# ---------------------------------------------------------------------------------------------
# Looking at the data
# ---------------------------------------------------------------------------------------------


def show_batch(
    data: Any,
    n: int = 16,
    ncols: int = 8,
    classes: Sequence[str] | None = None,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """A grid of images with their labels, for "look at your data".

    Args:
        data: a dataset of ``(image, label)`` items (``n`` random ones are shown), a
            ``FastLoader`` (one batch as training sees it, augmented, drawn with its own
            generator so the loader's sequence is not disturbed), or a pair ``(images, labels)``.
        n: how many images.
        ncols: images per row.
        classes: names for the labels (default: the data's ``.classes``).
        seed: which random images / which batch.
        title: a title over the grid.

    Returns:
        The matplotlib figure (still open: ``plt.show()`` or ``fig.savefig(...)`` it).
    """
    import matplotlib.pyplot as plt

    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if isinstance(data, FastLoader):
        x, y = next(data._batches(torch.Generator().manual_seed(seed)))  # noqa: SLF001
        images, labels = data.denormalize(x[:n]).cpu(), y[:n].cpu().tolist()
        classes = classes if classes is not None else data.classes
    elif isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], torch.Tensor):
        images, labels = data[0][:n].detach().cpu(), torch.as_tensor(data[1][:n]).tolist()
    elif hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        g = torch.Generator().manual_seed(seed)
        picks = torch.randperm(len(data), generator=g)[:n].tolist()
        items = [data[i] for i in picks]
        images = [torch.as_tensor(np.array(im)) if not isinstance(im, torch.Tensor) else im for im, _ in items]
        labels = [int(label) for _, label in items]
        classes = classes if classes is not None else getattr(data, "classes", None)
    else:
        raise TypeError(f"data must be a dataset, a FastLoader or an (images, labels) pair, got {type(data).__name__}")
    count = len(labels)
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.9 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label in zip(axes.flat, images, labels, strict=False):
        image = torch.as_tensor(image)
        image = image.float().div(255) if image.dtype == torch.uint8 else image.float()
        if image.ndim == 3 and image.shape[0] in (1, 3):  # C×H×W → H×W(×C)
            image = image[0] if image.shape[0] == 1 else image.permute(1, 2, 0)
        ax.imshow(image.numpy(), cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
        name = classes[label] if classes is not None and 0 <= label < len(classes) else str(label)
        ax.set_title(name, fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
