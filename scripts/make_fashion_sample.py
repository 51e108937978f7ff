"""Build the embedded Fashion-MNIST sample shipped in ``src/dlnotes/_data``.

The sample is a class-balanced subset of the real Fashion-MNIST files: 1,000 training
and 200 test images per class, picked with a fixed seed, stored as an ``.npz`` whose
arrays are compressed with LZMA. Run it once from the repository root with Debian's
``dataset-fashion-mnist`` installed (or ``--source DIR`` holding the four idx .gz files):

    python scripts/make_fashion_sample.py

It refuses to overwrite an existing sample unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import lzma
from pathlib import Path

import numpy as np

from dlnotes._io import atomic_write

OUT = Path(__file__).resolve().parents[1] / "src" / "dlnotes" / "_data" / "fashion_mnist_sample.npz.xz"


def read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def balanced(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in range(10)]
    idx = np.concatenate(picks)
    rng.shuffle(idx)
    return idx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=Path("/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--train-per-class", type=int, default=1000)
    ap.add_argument("--test-per-class", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="overwrite an existing sample")
    args = ap.parse_args()
    if OUT.exists() and not args.force:
        raise SystemExit(f"{OUT} exists; pass --force to overwrite it")
    rng = np.random.default_rng(args.seed)
    arrays = {}
    for split, prefix, per in (("train", "train", args.train_per_class), ("test", "t10k", args.test_per_class)):
        x = read_idx(args.source / f"{prefix}-images-idx3-ubyte.gz")
        y = read_idx(args.source / f"{prefix}-labels-idx1-ubyte.gz")
        idx = balanced(y, per, rng)
        arrays[f"{split}_images"] = x[idx]
        arrays[f"{split}_labels"] = y[idx]
        arrays[f"{split}_index"] = idx.astype(np.int32)  # position in the original file
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    data = lzma.compress(buf.getvalue(), preset=9 | lzma.PRESET_EXTREME)
    atomic_write(OUT, lambda tmp: Path(tmp).write_bytes(data))
    print(f"wrote {OUT} ({len(data) / 1e6:.2f} MB, sha256 {hashlib.sha256(data).hexdigest()[:16]})")


if __name__ == "__main__":
    main()
