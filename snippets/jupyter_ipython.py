"""Jupyter's `?`, `??`, `!` and `%` lines, run through IPython itself (the engine inside Jupyter)."""

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

config = Config()
config.HistoryManager.hist_file = ":memory:"   # keep no history file
config.InteractiveShell.colors = "nocolor"     # plain text, for this page
shell = InteractiveShell.instance(config=config)


def cell(source):
    """Run one notebook cell, as if typed into Jupyter, and show it with what it printed."""
    print(f"In [{shell.execution_count}]: " + source.replace("\n", "\n        "))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        shell.run_cell(source, store_history=True)
    for line in out.getvalue().splitlines():
        if not line.startswith("File:"):           # the file's folder differs from machine to machine
            print("  " + line)


cell("from dlnotes import Trainer, fashion_mnist\n"
     "from dlnotes.data import FastLoader\n"
     "from dlnotes.models import small_cnn\n"
     "learn = Trainer(small_cnn(), FastLoader(fashion_mnist(sample=True)[0], device='cpu'), verbose=False)")
cell("learn.lr_find?")            # the signature and the docstring
cell("??learn.lr_find()")         # the notes' line: a call is not an object, so there is nothing to look up
cell("name = 'dogscats'\nout = !echo {name}.zip\nout")   # a shell command; {name} is a Python variable

# %autoreload: edit a module on disk and the next cell runs the new code, with no restart
folder = Path(tempfile.mkdtemp())
sys.path.insert(0, str(folder))
(folder / "helpers.py").write_text("def greet():\n    return 'version 1'\n")
cell("%load_ext autoreload\n%autoreload 2\nimport helpers\nhelpers.greet()")
(folder / "helpers.py").write_text("def greet():\n    return 'version 2, edited on disk'\n")
os.utime(folder / "helpers.py", (0, os.path.getmtime(folder / "helpers.py") + 5))  # make sure it looks newer
cell("helpers.greet()")
