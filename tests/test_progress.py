"""What the trainer shows while it trains: the progress bar works in a terminal and in any notebook."""

from __future__ import annotations

import builtins

from dlnotes import progress


def test_no_bar_when_disabled():
    assert progress.progress_bar(10, "epoch 1", enabled=False) is None


def test_in_a_notebook_without_ipywidgets_the_text_bar_is_used(monkeypatch):
    """tqdm's notebook bar needs ipywidgets; a reader's Jupyter may not have it (a downloaded
    notebook crashed on this before): the bar must fall back to text, not raise."""
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    real_import = builtins.__import__

    def no_ipywidgets(name, *args, **kwargs):
        if name.startswith("ipywidgets"):
            raise ImportError("No module named 'ipywidgets'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipywidgets)
    import tqdm.notebook

    monkeypatch.setattr(tqdm.notebook, "IProgress", None)  # what tqdm sets when ipywidgets is missing
    bar = progress.progress_bar(3, "epoch 1", enabled=True)
    bar.update(3)
    bar.close()
    assert type(bar).__module__ == "tqdm.std"
