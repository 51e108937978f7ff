"""Build-time data for the interactive pieces of the site (an MkDocs hook; not public API).

The pages' JavaScript (``docs/javascripts/``) computes in the reader's browser with numbers
that the Python package produced during this build, written into ``assets/interactive/``:

* ``kernels.json``: the kernels of ``dlnotes.kernels.KERNELS``, a few Fashion-MNIST images of the
  embedded sample, the image-kernels page's photo, and ``apply_kernel``'s output for every kernel
  on those images (what the browser tests compare the playground with).
* ``lr-explorer.json``: the data of the learning-rate page's loss surface and the gradient-descent
  path that ``snippets/lr_explorer.py`` computes for a few learning rates.
* ``small-cnn.json``: the weights of the CNN that the page "The CNN in your browser" trains while
  it is built. That page's code writes the file into the current directory, as a reader's run
  would; this hook moves it out of the way as soon as the page is rendered, and into the site.

Arrays travel as base64 of little-endian bytes (``uint8`` images, ``float32`` weights), which is
exact and about a quarter of the size of decimal text.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import runpy
import shutil
import tempfile
from pathlib import Path

import numpy as np

from dlnotes import _site

ROOT = Path(__file__).resolve().parents[2]
OUT = "assets/interactive"
CNN_FILE = "small-cnn.json"
CNN_PAGE = "cnn/in-your-browser.md"
FASHION_INDICES = (3, 0, 1, 16)  # index 3 is the image of the image-kernels page

_scratch: Path | None = None


def b64(array: np.ndarray, dtype: str) -> str:
    """An array as base64 of its little-endian bytes, after casting to ``dtype``."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def kernels_data() -> dict:
    from matplotlib import cbook
    from matplotlib import pyplot as plt

    from dlnotes.data import fashion_mnist
    from dlnotes.kernels import KERNELS, apply_kernel

    train, _ = fashion_mnist(sample=True)
    images = []
    for index in FASHION_INDICES:
        image = train.data[index]
        images.append({
            "name": f"{train.classes[train.targets[index]]} (Fashion-MNIST sample, image {index})",
            "height": 28, "width": 28, "channels": 1, "uint8": b64(image.numpy(), "u1"),
            "reference": {name: b64(apply_kernel(image, name).numpy(), "<f4") for name in KERNELS},
        })  # fmt: skip
    with cbook.get_sample_data("grace_hopper.jpg") as f:
        photo = plt.imread(f)[::2, ::2]  # the page's photo: uint8, (300, 256, 3)
    height, width, channels = photo.shape
    images.append({
        "name": "Grace Hopper (the photograph above)",
        "height": height, "width": width, "channels": channels, "uint8": b64(photo, "u1"),
    })  # fmt: skip
    kernels = {name: k.tolist() for name, k in KERNELS.items()}
    return {"kernels": kernels, "images": images}


def lr_explorer_data() -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        ns = runpy.run_path(str(ROOT / "snippets" / "lr_explorer.py"))
    reference = {str(lr): ns["descend"](lr).tolist() for lr in ns["RATES"].values()}
    return {
        "x": ns["x"].tolist(), "y": ns["y"].tolist(), "start": list(ns["START"]), "steps": ns["STEPS"],
        "rates": ns["RATES"], "reference": reference,
    }  # fmt: skip


def _write_json(path: Path, data: dict) -> None:
    """Write atomically, with the permissions an ordinary new file gets."""
    from dlnotes._io import atomic_write_text

    atomic_write_text(path, json.dumps(data, separators=(",", ":")))


def on_pre_build(config, **kwargs) -> None:
    global _scratch
    _scratch = Path(tempfile.mkdtemp(prefix="dlnotes-interactive-"))


def on_page_content(html_text: str, page, **kwargs) -> str:
    """Right after the CNN page ran its code: take the weights file it wrote into the current directory."""
    only = os.environ.get(_site.CHECK_ENV)  # make check builds one page; this one ran no code
    if page.file.src_uri == CNN_PAGE and not (only and only != CNN_PAGE):
        written = Path.cwd() / CNN_FILE
        if not written.exists():
            raise RuntimeError(f"{CNN_PAGE} was expected to write {CNN_FILE} into {Path.cwd()}, and did not")
        shutil.move(written, _scratch / CNN_FILE)
    return html_text


def on_post_build(config, **kwargs) -> None:
    out = Path(config["site_dir"]) / OUT
    # What the data depends on: the package (kernels, the sample) and the explorer's snippet.
    inputs = [_site._dependencies_digest(), (ROOT / "snippets" / "lr_explorer.py").read_text(encoding="utf-8")]
    data = _site.cached("interactive", inputs, lambda: {"kernels": kernels_data(), "lr": lr_explorer_data()})
    _write_json(out / "kernels.json", data["kernels"])
    _write_json(out / "lr-explorer.json", data["lr"])
    weights = _scratch / CNN_FILE
    if weights.exists():  # absent when the build ran no code on that page (make check of another page)
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(weights, out / CNN_FILE)
    shutil.rmtree(_scratch, ignore_errors=True)
