"""Where dlnotes looks for datasets on this machine."""
# output: varies

import os

from dlnotes.data import DEBIAN_FASHION_DIR, default_root

print("cache folder:", default_root(), "(set DLNOTES_DATA to move it)")
print("DLNOTES_DATA is", repr(os.environ.get("DLNOTES_DATA")))
for name in ("FashionMNIST", "MNIST"):
    raw = default_root() / name / "raw"
    print(f"{name} in the cache:", sorted(p.name for p in raw.iterdir()) if raw.is_dir() else "not yet")
print("Debian's Fashion-MNIST files:", sorted(os.listdir(DEBIAN_FASHION_DIR)) if DEBIAN_FASHION_DIR.is_dir() else "not installed")
