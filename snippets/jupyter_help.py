"""What Shift-Tab, `?` and `??` show, with the standard library's `inspect` (works outside Jupyter too)."""

import inspect

from dlnotes import Trainer, fashion_mnist
from dlnotes.data import FastLoader
from dlnotes.models import small_cnn

train, _ = fashion_mnist(sample=True)
learn = Trainer(small_cnn(), FastLoader(train, batch_size=256, device="cpu"), verbose=False)

# Shift-Tab (and the first lines of `?`): the signature
print("signature:", inspect.signature(learn.lr_find))

# `?`: the docstring
print("docstring:")
print(inspect.getdoc(learn.lr_find))

# `??`: the source code
print("source:")
print(inspect.getsource(learn.lr_find))

# `??` needs the object itself. `learn.lr_find()` is not an object but a call: it would
# RUN the range test and hand back its result, which is not the function you meant to read.
print("learn.lr_find   is a", type(learn.lr_find).__name__)
