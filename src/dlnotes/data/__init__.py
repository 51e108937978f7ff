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
one uint8 tensor and normalises and augments each batch there.

One module per topic: ``offline`` (MNIST, Fashion-MNIST and the embedded sample), ``folders`` (folder datasets and image
helpers), ``files`` (checking and downloading files), ``loader`` (``FastLoader``); every name
is importable from ``dlnotes.data``. ``show_batch`` lives in ``dlnotes.visualize``.
"""

from __future__ import annotations

from dlnotes.data.files import DownloadReport, check_image, download_images, verify_images
from dlnotes.data.folders import (
    IMAGE_EXTENSIONS,
    FolderSplits,
    ImageFolderDataset,
    image_folders,
    resize_image,
    to_tensor,
)
from dlnotes.data.loader import FastLoader, LoaderProtocol, channel_stats, fast_loaders
from dlnotes.data.offline import (
    DEBIAN_FASHION_DIR,
    FASHION_CLASSES,
    ArrayImageDataset,
    check_fashion_mnist_files,
    default_root,
    fashion_mnist,
    mnist,
)

__all__ = [
    "fashion_mnist", "mnist", "ArrayImageDataset", "FASHION_CLASSES", "DEBIAN_FASHION_DIR", "default_root",
    "check_fashion_mnist_files",
    "image_folders", "ImageFolderDataset", "FolderSplits", "resize_image", "to_tensor", "IMAGE_EXTENSIONS",
    "check_image", "verify_images", "download_images", "DownloadReport",
    "FastLoader", "fast_loaders", "channel_stats", "LoaderProtocol",
]  # fmt: skip


def __getattr__(name: str):
    if name == "show_batch":  # it draws, so it lives with the other plots; kept importable from here
        from dlnotes.visualize import show_batch

        return show_batch
    raise AttributeError(f"module 'dlnotes.data' has no attribute {name!r}")
