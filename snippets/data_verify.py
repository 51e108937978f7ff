"""verify_images: find the files that are not readable images, without deleting anything."""

import shutil
import tempfile
from pathlib import Path

from PIL import Image

from dlnotes.data import check_image, fashion_mnist, verify_images

train, _ = fashion_mnist(sample=True)
work = Path(tempfile.mkdtemp())
root = work / "data"
folder = root / "train" / "Bag"
folder.mkdir(parents=True)
for i in range(6):
    Image.fromarray(train.data[i].numpy()).save(folder / f"good-{i}.png")
# what a scraped folder really contains: a cut-off download, an error page saved as .jpg, an empty file
Image.fromarray(train.data[6].numpy()).convert("RGB").save(folder / "cut-off.jpg")
data = (folder / "cut-off.jpg").read_bytes()
(folder / "cut-off.jpg").write_bytes(data[: len(data) // 2])
(folder / "error-page.jpg").write_text("<html><body>403 Forbidden</body></html>")
(folder / "empty.png").write_bytes(b"")

bad = verify_images(root, progress=False)  # nothing is deleted or moved: it only reports
for path in bad:
    print(path.relative_to(root), "->", check_image(path))
print("files still in the folder:", len(list(folder.iterdir())))

aside = work / "unreadable"
verify_images(root, move_to=aside, progress=False)  # now move them aside (never overwriting)
print("left in the folder:", sorted(p.name for p in folder.iterdir()))
print("moved aside:", sorted(str(p.relative_to(aside)) for p in aside.rglob("*.*")))
shutil.rmtree(work)  # tidy up the temporary folder
