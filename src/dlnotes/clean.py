"""Cleaning a folder dataset with the model's help, and a person's decision.

``suspects`` ranks the files by the model's loss on their label and writes the ``k`` most
suspicious to a CSV, one row per file with ``action`` set to ``keep``. A person opens the
CSV (any spreadsheet or text editor), looks at each file and changes ``action`` to
``relabel:<class>`` or ``remove``. ``apply_cleaning`` then carries the CSV out by *moving*
files: a relabelled file goes into the other class's folder, a removed one into a
``removed/`` folder beside the dataset. Nothing is deleted and nothing is overwritten.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from dlnotes._io import atomic_write, move_no_clobber
from dlnotes.data.folders import image_files
from dlnotes.export import Predictor, preprocessing_of
from dlnotes.interpret import per_item_loss

COLUMNS = ("path", "label", "predicted", "loss", "probability", "action")


def _predictor_for(model_source: Any, classes: list[str]) -> Predictor:
    if isinstance(model_source, Predictor):
        return model_source
    if not hasattr(model_source, "model"):
        raise TypeError(f"trainer must be a Trainer or a Predictor (from load_predictor), got {type(model_source).__name__}")
    device = getattr(model_source, "device", None) or next(model_source.model.parameters()).device
    return Predictor(model_source.model, classes, preprocessing_of(model_source), device)


def _check_dataset(dataset: Any) -> tuple[list[tuple[Path, int]], list[str]]:
    samples, classes = getattr(dataset, "samples", None), getattr(dataset, "classes", None)
    if samples is None or classes is None:
        raise TypeError(
            f"dataset must be a folder dataset with .samples [(path, class_index)] and .classes, got {type(dataset).__name__}"
        )
    return [(Path(p).resolve(), int(y)) for p, y in samples], [str(c) for c in classes]


@dataclass
class FolderFiles:
    """The files of a folder dataset, for ``suspects``: ``samples``, ``classes`` and ``root``."""

    root: Path
    classes: list[str]
    samples: list[tuple[str, int]]


def folder_files(path: str | os.PathLike) -> FolderFiles:
    """Every image file of a folder dataset, labelled by its class folder.

    ``path`` is a folder of class folders (``path/<class>/<image>``), or a dataset folder
    with ``train/`` (and ``valid/``) holding the class folders; then both splits are listed.
    A ``removed/`` folder (where ``apply_cleaning`` puts removed files) is never listed.
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"path {str(path)!r} is not a folder; expected a folder of class folders")
    splits = [path / s for s in ("train", "valid") if (path / s).is_dir()] or [path]
    classes = sorted({d.name for split in splits for d in split.iterdir() if d.is_dir() and not d.name.startswith(".")} - {"removed"})
    if not classes:
        raise ValueError(f"path {str(path)!r} has no class folders: expected {path}/<class>/<image> or {path}/train/<class>/<image>")
    samples = [
        (str(f.resolve()), i)
        for split in splits
        for i, name in enumerate(classes)
        if (split / name).is_dir()
        for f in image_files(split / name)
    ]
    return FolderFiles(root=path, classes=classes, samples=samples)


@torch.no_grad()
def score_files(
    trainer: Any, dataset: Any, batch_size: int = 256
) -> list[dict[str, Any]]:
    """The model's verdict on every file of a folder dataset, in ``dataset.samples`` order.

    Each file is read and preprocessed the way ``load_predictor`` would (so the dataset's
    own transform does not matter). Returns one dict per file with the columns of the CSV
    (``action`` is ``"keep"``).
    """
    samples, classes = _check_dataset(dataset)
    owner_model = getattr(trainer, "model", None)
    was_training = owner_model.training if owner_model is not None else False
    predictor = _predictor_for(trainer, classes)  # puts the model in eval mode
    if len(predictor.classes) != len(classes):
        raise ValueError(f"the model has {len(predictor.classes)} classes but dataset has {len(classes)}: {classes}")
    if isinstance(trainer, Predictor) and predictor.classes != classes:
        raise ValueError(f"the model's classes {predictor.classes} are not the dataset's class folders {classes}")
    loss_each = per_item_loss(getattr(trainer, "loss_fn", None))
    model = predictor.model
    rows = []
    try:
        for start in range(0, len(samples), batch_size):
            chunk = samples[start : start + batch_size]
            x = torch.cat([predictor.preprocess(path) for path, _ in chunk]).to(predictor.device)
            y = torch.tensor([label for _, label in chunk], device=predictor.device)
            logits = model(x).float()
            probs = logits.softmax(dim=1)
            losses = loss_each(logits, y).reshape(-1)
            for (path, label), p, loss in zip(chunk, probs.cpu(), losses.cpu(), strict=True):
                pred = int(p.argmax())
                rows.append({
                    "path": str(path), "label": classes[label], "predicted": classes[pred],
                    "loss": float(loss), "probability": float(p[pred]), "action": "keep",
                })
    finally:
        model.train(was_training)
    return rows


def _write_csv_atomically(path: Path, rows: list[dict[str, Any]], overwrite: bool) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "loss": f"{row['loss']:.4f}", "probability": f"{row['probability']:.4f}"})
    atomic_write(path, lambda tmp: Path(tmp).write_text(buf.getvalue(), encoding="utf-8", newline=""), exclusive=not overwrite)


# --8<-- [start:suspects]
def suspects(
    trainer: Any,
    dataset: Any,
    k: int = 20,
    csv_path: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> list[dict[str, Any]]:
    """The ``k`` files the model finds most at odds with their labels, written to a CSV if asked.

    The score is the loss on the file's label: high when the model is confident the image
    is something else. Rows are sorted by it, highest first, with ``action`` = ``keep``;
    edit ``action`` to ``relabel:<class>`` or ``remove``, then run ``apply_cleaning``.

    Args:
        trainer: a ``Trainer`` (its model, device, loss and preprocessing are used) or a
            ``Predictor`` from ``load_predictor``.
        dataset: a folder dataset (``.samples`` = ``[(path, class_index)]``, ``.classes``).
        k: how many rows.
        csv_path: where to write the CSV (the file to edit, then give to ``apply_cleaning``);
            None writes nothing.
        overwrite: replace an existing CSV (it may hold someone's edits, so by default an
            existing file is an error).

    Returns:
        The rows, as dicts with the CSV's columns.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if csv_path is not None and Path(csv_path).exists() and not overwrite:
        raise FileExistsError(f"csv_path {csv_path} already exists (it may hold your edits); pass overwrite=True to replace it")
    rows = sorted(score_files(trainer, dataset), key=lambda row: -row["loss"])[:k]
    if csv_path is not None:
        _write_csv_atomically(Path(csv_path), rows, overwrite)
    return rows
# --8<-- [end:suspects]


@dataclass
class CleaningReport:
    """What ``apply_cleaning`` did (or, with ``dry_run``, would do)."""

    moves: list[tuple[str, Path, Path]] = field(default_factory=list)
    """``(action, from, to)`` for every file moved, in CSV order."""
    kept: int = 0
    """Rows whose action was ``keep`` (or a relabel to the class the file is already in)."""
    dry_run: bool = False

    @property
    def relabelled(self) -> int:
        return sum(1 for action, _, _ in self.moves if action.startswith("relabel"))

    @property
    def removed(self) -> int:
        return sum(1 for action, _, _ in self.moves if action == "remove")

    def __str__(self) -> str:
        verb = "would move" if self.dry_run else "moved"
        lines = [f"{verb} {len(self.moves)} files: {self.relabelled} relabelled, {self.removed} removed; {self.kept} kept"]
        lines += [f"  {action:<20} {src} -> {dst}" for action, src, dst in self.moves]
        return "\n".join(lines)


def _free_name(dst: Path, taken: set[Path]) -> Path:
    """``dst``, or ``stem-1.ext``, ``stem-2.ext``... if that name is taken: never overwrite."""
    candidate, n = dst, 0
    while candidate.exists() or candidate in taken:
        n += 1
        candidate = dst.with_name(f"{dst.stem}-{n}{dst.suffix}")
    return candidate


def read_plan(csv_path: str | os.PathLike) -> list[tuple[int, Path, str]]:
    """Read and check a cleaning CSV: ``[(line number, file, action)]`` for every row.

    Raises:
        ValueError: a missing column, an unknown action, a duplicated or missing file.
    """
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise FileNotFoundError(f"csv_path: no file at {csv_path}")
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"path", "action"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"csv_path {csv_path} has no {sorted(missing)} column(s); its header is {reader.fieldnames}")
        plan, seen = [], {}
        for line, row in enumerate(reader, start=2):
            action = (row["action"] or "").strip()
            path = Path(row["path"] or "")
            if not path.is_absolute():
                path = csv_path.parent / path
            if action != "keep" and action != "remove" and not (action.startswith("relabel:") and action[8:].strip()):
                raise ValueError(
                    f"{csv_path}, line {line}: action must be 'keep', 'remove' or 'relabel:<class>', got {row['action']!r}"
                )
            if path in seen:
                raise ValueError(f"{csv_path}, line {line}: {path} is already listed on line {seen[path]}")
            seen[path] = line
            if action != "keep" and not path.is_file():
                raise ValueError(f"{csv_path}, line {line}: file {path} does not exist (moved already?)")
            if action.startswith("relabel:"):
                target = path.parent.parent / action[8:].strip()
                if not target.is_dir():
                    classes = sorted(p.name for p in path.parent.parent.iterdir() if p.is_dir())
                    raise ValueError(
                        f"{csv_path}, line {line}: {action!r} names no class folder beside {path.parent.name!r}; "
                        f"the classes are {classes}"
                    )
            plan.append((line, path, action))
    return plan


# --8<-- [start:apply_cleaning]
def apply_cleaning(
    csv_path: str | os.PathLike, removed_dir: str | os.PathLike | None = None, dry_run: bool = False
) -> CleaningReport:
    """Carry out an edited ``suspects`` CSV by moving files; delete nothing, overwrite nothing.

    The whole CSV is checked before any file moves. For a file ``<data>/<class>/<name>``:

    - ``keep``: nothing happens;
    - ``relabel:<other>``: it moves to ``<data>/<other>/<name>``;
    - ``remove``: it moves to ``<removed_dir>/<data's name>/<class>/<name>``, where
      ``removed_dir`` defaults to ``removed/`` beside ``<data>``.

    If a destination name is taken, ``-1``, ``-2``... is added before the extension.

    Args:
        csv_path: the edited CSV (columns ``path`` and ``action`` are used).
        removed_dir: where removed files go (default: ``removed`` beside the dataset folder).
        dry_run: only report what would be moved.

    Returns:
        A ``CleaningReport`` (print it to see every move).
    """
    plan = read_plan(csv_path)
    report = CleaningReport(dry_run=dry_run)
    taken: set[Path] = set()
    for _, path, action in plan:
        class_dir, data_dir = path.parent, path.parent.parent
        if action == "keep" or (action.startswith("relabel:") and action[8:].strip() == class_dir.name):
            report.kept += 1
            continue
        if action == "remove":
            base = Path(removed_dir) if removed_dir is not None else data_dir.parent / "removed"
            dst = base / data_dir.name / class_dir.name / path.name
        else:
            dst = data_dir / action[8:].strip() / path.name
        dst = _free_name(dst, taken)
        taken.add(dst)
        if not dry_run:
            if move_no_clobber(path, dst, rename=False) is None:
                raise FileExistsError(f"{dst} appeared while cleaning; not overwriting it")
        report.moves.append((action, path, dst))
    return report
# --8<-- [end:apply_cleaning]


def plant_mislabels(root: str | os.PathLike, per_class: int, rate: float, seed: int = 0) -> dict[str, str]:
    """A folder dataset with known mistakes, to try ``suspects`` on (the tests and the benchmark do).

    Writes ``per_class`` images of each class of the embedded Fashion-MNIST sample as
    ``root/<class>/<n>.png``, a share ``rate`` of them (chosen with ``seed``) under a wrong class.

    Returns:
        ``{file name: true class}`` for the planted mistakes.
    """
    import random

    from PIL import Image

    from dlnotes.data import fashion_mnist

    root = Path(root)
    train, _ = fashion_mnist(sample=True)
    names = [c.replace("/", "-") for c in train.classes]
    rng, taken, planted = random.Random(seed), [0] * len(names), {}
    for i, target in enumerate(train.targets.tolist()):
        if taken[target] == per_class:
            continue
        taken[target] += 1
        label = rng.choice([c for c in range(len(names)) if c != target]) if rng.random() < rate else target
        path = root / names[label] / f"{i:05d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(train.data[i].numpy()).save(path)
        if label != target:
            planted[path.name] = names[target]
    return planted
