"""download_images: a file of URLs into a class folder, with content checks and a summary.

So that this runs anywhere (and the page shows real output), the script serves a few files
from a tiny web server on this machine: two real images, a web page pretending to be a JPEG,
and a missing file. For your own data, put real image URLs in urls.txt instead.
"""

import http.server
import shutil
import tempfile
import threading
from pathlib import Path

from PIL import Image

from dlnotes import download_images, fashion_mnist

work = Path(tempfile.mkdtemp())
site = work / "site"
site.mkdir()
train, _ = fashion_mnist(sample=True)
Image.fromarray(train.data[0].numpy()).save(site / "boot.png")
Image.fromarray(train.data[1].numpy()).convert("RGB").save(site / "shirt.jpg")
(site / "not-a-photo.jpg").write_text("<html><body>Please log in to see this image</body></html>")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(site), **kwargs)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

urls = work / "urls.txt"  # one URL per line (a CSV with a URL column works too)
urls.write_text("".join(f"{base}/{name}\n" for name in ("boot.png", "shirt.jpg", "not-a-photo.jpg", "gone.jpg")))

dest = work / "data" / "train" / "clothes"
report = download_images(dest, urls, timeout=5, retries=2, progress=False)
print(str(report).replace(base, "http://127.0.0.1:PORT"))
print("saved:", sorted(p.suffix for p in report.saved), "(extensions from the content, not the URL)")

again = download_images(dest, urls, timeout=5, retries=0, progress=False)
print("second run:", len(again.saved), "downloaded,", len(again.existing), "already there")
server.shutdown()
shutil.rmtree(work)  # tidy up the temporary folder
