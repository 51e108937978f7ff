"""Datasets that work offline: MNIST, Fashion-MNIST and the embedded Fashion-MNIST sample.

``fashion_mnist(sample=True)`` is a real, class-balanced subset of Fashion-MNIST that
ships inside the package (10,000 training and 2,000 test images), so every page and
test runs with no network. ``fashion_mnist()`` is the full set, found offline where
possible: an existing cache, then Debian's ``dataset-fashion-mnist`` files, then the
download. ``mnist()`` is the same for the handwritten digits (cache, then download).
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.datasets import VisionDataset

from dlnotes._io import atomic_write
from dlnotes.data.folders import to_tensor

__all__ = ["fashion_mnist", "mnist", "ArrayImageDataset", "FASHION_CLASSES", "DEBIAN_FASHION_DIR",
           "default_root", "check_fashion_mnist_files"]

FASHION_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip

DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
_SAMPLE_FILE = Path(__file__).parent.parent / "_data" / "fashion_mnist_sample.npz.xz"
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}


def default_root() -> Path:
    """Where downloaded datasets are cached: ``$DLNOTES_DATA`` or ``~/.cache/dlnotes``."""
    return Path(os.environ.get("DLNOTES_DATA", Path.home() / ".cache" / "dlnotes"))

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
    for images_name, labels_name, _ in _IDX_FILES.values():
        for stem in (images_name, labels_name):
            target = raw / stem
            if target.exists():
                continue
            src = _find(source, stem)

            def write(tmp: str, src: Path = src) -> None:
                with open(tmp, "wb") as out, (gzip.open if src.suffix == ".gz" else open)(src, "rb") as f:
                    shutil.copyfileobj(f, out)

            atomic_write(target, write)


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

