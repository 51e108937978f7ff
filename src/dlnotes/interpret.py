"""Reading a classifier's mistakes: ``ClassificationInterpretation``.

One pass over a validation loader keeps, for every item, what the model predicted, its
probabilities and its loss (never the images: ``plot_top_losses`` fetches the few it shows
from the dataset by index). Everything else (the confusion matrix, the most confused pairs,
the top losses, precision/recall/F1) is computed from those three tensors.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import torch
from torch import nn

from dlnotes.devices import select_device


class TopLoss(NamedTuple):
    """One row of ``top_losses``: where the item is and how wrong the model was about it."""

    index: int
    """Position of the item in the dataset the loader went through."""
    loss: float
    """The item's loss (for cross-entropy: ``-log(probability of the actual class)``)."""
    predicted: str
    """The class the model picked."""
    actual: str
    """The class the label says."""
    probability: float
    """The model's probability for the class it picked."""


class Report(dict):
    """``classification_report``'s result: a dict of dicts that prints as a table.

    Keys are the class names plus ``"macro avg"`` and ``"weighted avg"``, each mapping to
    ``{"precision", "recall", "f1", "support"}``; ``"accuracy"`` maps to a float.
    """

    def __str__(self) -> str:
        classes = [k for k in self if k not in ("accuracy", "macro avg", "weighted avg")]
        width = max(12, *(len(n) for n in classes))

        def line(name, row):
            return f"{name:>{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  {row['f1']:5.3f}  {row['support']:7d}"

        lines = [f"{'':>{width}}  precision  recall     f1  support"]
        lines += [line(name, self[name]) for name in classes]
        total = self["weighted avg"]["support"]
        lines += ["", f"{'accuracy':>{width}}  {'':9}  {'':6}  {self['accuracy']:5.3f}  {total:7d}"]
        lines += [line(name, self[name]) for name in ("macro avg", "weighted avg")]
        return "\n".join(lines)


def per_item_loss(loss_fn: nn.Module | None) -> Any:
    """A copy of ``loss_fn`` that returns one loss per item (``reduction="none"``).

    ``None`` means cross-entropy. A loss without a ``reduction`` attribute is called one
    item at a time.
    """
    if loss_fn is None:
        return nn.CrossEntropyLoss(reduction="none")
    if hasattr(loss_fn, "reduction"):
        unreduced = copy.copy(loss_fn)
        unreduced.reduction = "none"
        return unreduced

    def one_at_a_time(logits, targets):
        return torch.stack([loss_fn(logits[i : i + 1], targets[i : i + 1]).reshape(()) for i in range(len(targets))])

    return one_at_a_time


def _is_sequential(loader: Any) -> bool:
    """True unless the loader is known to shuffle (then item ``i`` is not ``dataset[i]``)."""
    sampler = getattr(loader, "sampler", None)
    if sampler is not None:
        return isinstance(sampler, torch.utils.data.SequentialSampler)
    return not getattr(loader, "shuffle", False)


@torch.no_grad()
def collect(
    model: nn.Module, loader: Iterable, loss_fn: nn.Module | None = None, device: str | torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run ``model`` over ``loader`` once; return ``(probabilities, targets, losses)`` on the CPU.

    The model is put in eval mode for the pass and back in its previous mode afterwards.
    ``device``: None runs where the model is; anything else (``"auto"``, ``"cuda"``…, see
    ``dlnotes.devices.select_device``) moves the model there first.
    """
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    else:
        device = select_device(device)
        model.to(device)
    loss_each = per_item_loss(loss_fn)
    was_training = model.training
    model.eval()
    probs, targets, losses = [], [], []
    try:
        for batch in loader:
            if not isinstance(batch, (tuple, list)) or len(batch) < 2:
                raise TypeError(f"loader must yield (inputs, targets) batches, got {type(batch).__name__}")
            x, y = batch[0].to(device), torch.as_tensor(batch[1]).to(device)
            logits = model(x).float()
            probs.append(logits.softmax(dim=1).cpu())
            losses.append(loss_each(logits, y).float().reshape(-1).cpu())
            targets.append(y.cpu().long())
    finally:
        model.train(was_training)
    if not probs:
        raise ValueError("loader yielded no batches; nothing to interpret")
    return torch.cat(probs), torch.cat(targets), torch.cat(losses)


class ClassificationInterpretation:
    """What a classifier got wrong, and how wrong.

    Build it with ``from_trainer`` (or ``from_model``); the constructor takes the results of
    the pass directly, which is how the tests build a case by hand.

    Args:
        probs: N×C probabilities (each row sums to 1).
        targets: N actual class indices.
        losses: N per-item losses.
        classes: the C class names (default ``"0"``, ``"1"``, ...).
        dataset: where ``plot_top_losses`` fetches images: ``dataset[i][0]`` is item ``i``.
    """

    def __init__(
        self,
        probs: torch.Tensor,
        targets: torch.Tensor,
        losses: torch.Tensor,
        classes: Sequence[str] | None = None,
        dataset: Any = None,
    ) -> None:
        probs, targets, losses = torch.as_tensor(probs).float(), torch.as_tensor(targets).long(), torch.as_tensor(losses).float()
        if probs.ndim != 2:
            raise ValueError(f"probs must be N×C, got shape {tuple(probs.shape)}")
        n, c = probs.shape
        if targets.shape != (n,) or losses.shape != (n,):
            raise ValueError(
                f"targets and losses must have one value per row of probs ({n}), "
                f"got targets {tuple(targets.shape)} and losses {tuple(losses.shape)}"
            )
        if n and (targets.min() < 0 or targets.max() >= c):
            raise ValueError(f"targets must be class indices in [0, {c}), got values from {int(targets.min())} to {int(targets.max())}")
        classes = [str(i) for i in range(c)] if classes is None else [str(name) for name in classes]
        if len(classes) != c:
            raise ValueError(f"classes must name the {c} columns of probs, got {len(classes)} names")
        self.probs, self.targets, self.losses = probs, targets, losses
        self.preds = probs.argmax(dim=1)
        self.classes = classes
        self.dataset = dataset

    @classmethod
    def from_model(
        cls,
        model: nn.Module,
        loader: Iterable,
        loss_fn: nn.Module | None = None,
        device: str | torch.device | None = None,
        classes: Sequence[str] | None = None,
        dataset: Any = None,
    ) -> ClassificationInterpretation:
        """One pass of ``model`` over ``loader``.

        Args:
            model: the classifier (outputs logits).
            loader: re-iterable of ``(x, y)`` batches.
            loss_fn: the training loss (default cross-entropy); used per item.
            device: None (the default) runs where the model is; a device name or ``"auto"``
                moves the model there first (see ``dlnotes.devices.select_device``).
            classes: class names; default ``loader.dataset.classes`` when there is one.
            dataset: where to fetch images for ``plot_top_losses``; default the loader's
                dataset, if the loader does not shuffle.
        """
        probs, targets, losses = collect(model, loader, loss_fn, device)
        if dataset is None and _is_sequential(loader):
            dataset = getattr(loader, "dataset", None)
        if classes is None:
            classes = getattr(dataset, "classes", None) or getattr(getattr(loader, "dataset", None), "classes", None)
        return cls(probs, targets, losses, classes=classes, dataset=dataset)

    @classmethod
    def from_trainer(
        cls, trainer: Any, loader: Iterable | None = None, classes: Sequence[str] | None = None, dataset: Any = None
    ) -> ClassificationInterpretation:
        """One pass of the trainer's model over ``loader`` (default its validation loader).

        Args:
            trainer: a ``Trainer`` (uses its ``model``, ``device``, ``loss_fn`` and ``valid_loader``).
            loader: the batches to interpret; default ``trainer.valid_loader``.
            classes: class names; default the loader's dataset's ``classes``.
            dataset: where ``plot_top_losses`` fetches images (see ``from_model``).
        """
        loader = trainer.valid_loader if loader is None else loader
        if loader is None:
            raise ValueError("loader is None and the trainer has no valid_loader; pass loader=...")
        return cls.from_model(
            trainer.model, loader, getattr(trainer, "loss_fn", None), getattr(trainer, "device", None), classes, dataset
        )

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def accuracy(self) -> float:
        """Fraction of items whose prediction is the actual class."""
        return (self.preds == self.targets).float().mean().item()

    # --8<-- [start:confusion_matrix]
    def confusion_matrix(self) -> torch.Tensor:
        """C×C counts: row = actual class, column = predicted class."""
        c = len(self.classes)
        flat = self.targets * c + self.preds  # one number per (actual, predicted) pair
        return torch.bincount(flat, minlength=c * c).reshape(c, c)

    def most_confused(self, min_count: int = 1) -> list[tuple[str, str, int]]:
        """Off-diagonal cells with at least ``min_count`` items, most frequent first.

        Returns ``[(actual, predicted, count), ...]``; ties keep the matrix's row-major order.
        """
        if not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be a positive int, got {min_count!r}")
        cm = self.confusion_matrix()
        cells = [
            (self.classes[a], self.classes[p], int(cm[a, p]))
            for a in range(len(self.classes))
            for p in range(len(self.classes))
            if a != p and cm[a, p] >= min_count
        ]
        return sorted(cells, key=lambda cell: -cell[2])  # sorted() is stable
    # --8<-- [end:confusion_matrix]

    def top_losses(self, k: int | None = None) -> list[TopLoss]:
        """The ``k`` items with the largest loss (all items if ``k`` is None), largest first."""
        if k is None:
            k = len(self)
        if not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be a non-negative int or None, got {k!r}")
        k = min(k, len(self))
        values, order = self.losses.topk(k)
        return [
            TopLoss(
                index=int(i),
                loss=float(v),
                predicted=self.classes[int(self.preds[i])],
                actual=self.classes[int(self.targets[i])],
                probability=float(self.probs[i, self.preds[i]]),
            )
            for v, i in zip(values, order, strict=True)
        ]

    def classification_report(self) -> Report:
        """Precision, recall and F1 per class, their plain (macro) and support-weighted means, and accuracy.

        precision = correct predictions of the class / all predictions of the class;
        recall = correct predictions of the class / all items of the class;
        F1 = their harmonic mean. A ratio with a zero denominator counts as 0.
        """
        cm = self.confusion_matrix().double()
        correct, predicted, support = cm.diag(), cm.sum(dim=0), cm.sum(dim=1)

        def ratio(a, b):
            return torch.where(b > 0, a / b.clamp(min=1e-12), torch.zeros_like(a))

        precision, recall = ratio(correct, predicted), ratio(correct, support)
        f1 = ratio(2 * precision * recall, precision + recall)
        report = Report()
        for i, name in enumerate(self.classes):
            report[name] = {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]), "support": int(support[i])}
        n = support.sum()
        weights = support / n if n > 0 else support
        for name, w in (("macro avg", torch.full_like(support, 1 / len(self.classes))), ("weighted avg", weights)):
            report[name] = {
                "precision": float((precision * w).sum()),
                "recall": float((recall * w).sum()),
                "f1": float((f1 * w).sum()),
                "support": int(n),
            }
        report["accuracy"] = float(correct.sum() / n) if n > 0 else 0.0
        return report

    def plot_confusion_matrix(self, normalize: bool = False, ax: Any = None, cmap: str = "Blues") -> Any:
        """Draw the confusion matrix with the count (or row fraction) in each cell.

        Args:
            normalize: divide each row by its total, so a cell reads "fraction of this
                actual class predicted as that class" (the diagonal is then per-class recall).
            ax: a matplotlib Axes to draw on (default: a new figure).
            cmap: matplotlib colormap name.

        Returns:
            The matplotlib Figure.
        """
        import matplotlib.pyplot as plt

        cm = self.confusion_matrix().double()
        if normalize:
            cm = cm / cm.sum(dim=1, keepdim=True).clamp(min=1)
        c = len(self.classes)
        if ax is None:
            size = max(4.0, 0.55 * c + 2)
            _, ax = plt.subplots(figsize=(size, size))
        ax.imshow(cm.numpy(), cmap=cmap, vmin=0)
        ax.set_xticks(range(c), self.classes, rotation=90)
        ax.set_yticks(range(c), self.classes)
        ax.set_xlabel("predicted")
        ax.set_ylabel("actual")
        ax.set_title("Confusion matrix" + (" (each row sums to 1)" if normalize else ""))
        threshold = cm.max().item() / 2
        for a in range(c):
            for p in range(c):
                value = cm[a, p].item()
                text = f"{value:.2f}" if normalize else f"{int(value)}"
                ax.text(p, a, text, ha="center", va="center", fontsize=8, color="white" if value > threshold else "black")
        return ax.figure

    def plot_top_losses(self, k: int = 9, ncols: int | None = None, dataset: Any = None) -> Any:
        """Show the ``k`` highest-loss images, each titled predicted / actual / loss / probability.

        Args:
            k: how many images.
            ncols: images per row (default about the square root of ``k``).
            dataset: where to fetch the images (default the one recorded at construction);
                ``dataset[i][0]`` must be image ``i`` as a C×H×W or H×W tensor.

        Returns:
            The matplotlib Figure.
        """
        import math

        import matplotlib.pyplot as plt

        from dlnotes.visualize import image_for_display

        dataset = self.dataset if dataset is None else dataset
        if dataset is None:
            raise ValueError(
                "no dataset to fetch images from: the loader shuffles or has no .dataset; "
                "pass dataset=... (the dataset in the loader's order)"
            )
        rows = self.top_losses(k)
        if not rows:
            raise ValueError("k must be at least 1 to plot anything")
        ncols = ncols or math.ceil(math.sqrt(len(rows)))
        nrows = math.ceil(len(rows) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.3 * ncols, 2.6 * nrows), squeeze=False)
        for ax in axes.flat:
            ax.axis("off")
        for ax, row in zip(axes.flat, rows, strict=False):
            ax.imshow(image_for_display(dataset[row.index][0]), cmap="gray")
            ax.set_title(f"{row.predicted} / {row.actual}\n{row.loss:.2f} / {row.probability:.2f}", fontsize=9)
        fig.suptitle("Top losses: predicted / actual, loss / probability of the prediction")
        fig.tight_layout()
        return fig
