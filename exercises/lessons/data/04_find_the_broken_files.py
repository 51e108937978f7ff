"""Find the broken downloads

difficulty: medium
kind: code

The starter builds a small image folder with five good PNG files and two files that only look
like images (a truncated download and an HTML error page). Find the broken ones with
`verify_images`, without deleting anything, and print their names.

Answer:
`verify_images(folder, progress=False)` opens and fully decodes every image file and returns the
ones that fail, deleting nothing unless you pass `delete=True` or `move_to=...`. Decoding
matters: the truncated file has a valid header, so a check that only reads the header (or the
file ending) would let it through and the training run would crash on it later. See
[Checking images](#checking-images-verify_images).
"""

# --8<-- [start:starter]
import tempfile
from pathlib import Path

from PIL import Image

from dlnotes import fashion_mnist, verify_images

train, _ = fashion_mnist(sample=True)
folder = Path(tempfile.mkdtemp()) / "Sneaker"
folder.mkdir()
for i in range(5):
    Image.fromarray(train.data[i].numpy()).save(folder / f"good-{i}.png")
data = (folder / "good-0.png").read_bytes()
(folder / "truncated.png").write_bytes(data[: len(data) // 2])
(folder / "error-page.png").write_text("<html><body>404 Not Found</body></html>")

broken = []  # TODO: the files verify_images finds broken (report only, delete nothing)
print("broken:", sorted(p.name for p in broken))
print("files left:", len(list(folder.iterdir())))
# --8<-- [end:starter]

# --8<-- [start:solution]
import tempfile
from pathlib import Path

from PIL import Image

from dlnotes import fashion_mnist, verify_images

train, _ = fashion_mnist(sample=True)
folder = Path(tempfile.mkdtemp()) / "Sneaker"
folder.mkdir()
for i in range(5):
    Image.fromarray(train.data[i].numpy()).save(folder / f"good-{i}.png")
data = (folder / "good-0.png").read_bytes()
(folder / "truncated.png").write_bytes(data[: len(data) // 2])
(folder / "error-page.png").write_text("<html><body>404 Not Found</body></html>")

broken = verify_images(folder, progress=False)  # reports only: nothing is deleted or moved
print("broken:", sorted(p.name for p in broken))
print("files left:", len(list(folder.iterdir())))
# --8<-- [end:solution]

# --8<-- [start:check]
assert sorted(p.name for p in broken) == ["error-page.png", "truncated.png"], f"found {sorted(p.name for p in broken)}"
assert len(list(folder.iterdir())) == 7, "a file was deleted or moved"
print("check passed: both broken files found, nothing deleted")
# --8<-- [end:check]
