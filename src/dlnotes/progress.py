"""What ``Trainer`` shows while it trains: a progress bar, the epoch table, the history plot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["in_notebook", "progress_bar", "EpochTable", "plot_history"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where tqdm draws a widget instead of text)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar (the notebook kind in Jupyter), or None when ``enabled`` is False."""
    if not enabled:
        return None
    if in_notebook():
        from tqdm.notebook import tqdm as notebook_tqdm

        try:
            return notebook_tqdm(total=total, desc=desc, leave=False)
        except ImportError:  # the widget needs ipywidgets; without it, the text bar works everywhere
            pass
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, leave=False, dynamic_ncols=True)


def _fmt_time(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class EpochTable:
    """The fastai-style table, one row per epoch: ``epoch train_loss valid_loss <metrics> time``."""

    def __init__(self, columns: Sequence[str]):
        self.columns = list(columns)

    def header(self) -> str:
        return "  ".join(f"{c:>10}" if c != "epoch" else f"{c:>5}" for c in self.columns)

    def row(self, values: dict) -> str:
        cells = []
        for c in self.columns:
            v = values.get(c)
            if c == "epoch":
                cells.append(f"{v:>5d}")
            elif c == "time":
                cells.append(f"{_fmt_time(v):>10}")
            else:
                cells.append(f"{v:>10.4f}")
        return "  ".join(cells)


def plot_history(history: Sequence[dict], metrics: Sequence[str], ax: Any = None) -> Any:
    """Train/valid loss and the metrics per epoch; the metrics on a twin axis.

    Args:
        history: ``Trainer.history``.
        metrics: the names of the metric columns.
        ax: a matplotlib axes for the losses; default a new figure.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if not history:
        raise ValueError("plot_history(): nothing trained yet (history is empty)")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    fig = ax.figure
    epochs = [r["epoch"] + 1 for r in history]
    ax.plot(epochs, [r["train_loss"] for r in history], "o-", label="train loss")
    if "valid_loss" in history[0]:
        ax.plot(epochs, [r["valid_loss"] for r in history], "o-", label="valid loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    names = [m for m in metrics if m in history[0]]
    handles, labels = ax.get_legend_handles_labels()
    if names:
        ax2 = ax.twinx()
        for k, name in enumerate(names):
            (h,) = ax2.plot(epochs, [r[name] for r in history], "s--", color=f"C{2 + k}", label=name)
            handles.append(h)
            labels.append(name)
        ax2.set_ylabel(", ".join(names))
    ax.legend(handles, labels, loc="center right")
    ax.set_title("Training history")
    return fig
