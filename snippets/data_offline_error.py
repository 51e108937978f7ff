"""What you get when a dataset is nowhere to be found: an error that lists the ways to get it."""

import tempfile

from dlnotes import mnist

root = tempfile.mkdtemp()  # an empty cache folder, and no download allowed
try:
    mnist(root=root, download=False)
except RuntimeError as error:
    print(str(error).replace(root, "ROOT"))
