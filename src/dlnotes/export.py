"""Using a trained model: ``export`` writes one file, ``load_predictor`` turns it into a function.

The file holds only what inference needs, as plain data that ``torch.load(weights_only=True)``
can read without running any code from the file: the weights, the name and arguments of the
``dlnotes.models`` constructor that rebuilds the network, the class names, and the
preprocessing (image size, channels, normalisation).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import nn

from dlnotes._io import atomic_write, load_torch_file
from dlnotes.devices import select_device
from dlnotes.models import RESNETS

FORMAT = "dlnotes-export"
VERSION = 1
ARCHITECTURES = ("small_cnn", "small_resnet", "pretrained_resnet")  # what load_predictor can rebuild


class Prediction(NamedTuple):
    """What a predictor returns for one image."""

    label: str
    """The most probable class."""
    index: int
    """Its position in ``classes``."""
    probability: float
    """Its probability."""
    probabilities: dict[str, float]
    """Every class's probability, by name (in class order)."""


def _signature(model: nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


def _candidates(model: nn.Module):
    """(name, kwargs) of every ``dlnotes.models`` constructor call that could have built ``model``."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not convs or not linears:
        return
    kw = {"n_classes": linears[-1].out_features, "in_channels": convs[0].in_channels}
    yield "small_cnn", kw
    yield "small_cnn", {**kw, "width": convs[0].out_channels}
    yield "small_resnet", {**kw, "width": convs[0].out_channels}
    for arch in RESNETS:
        yield "pretrained_resnet", {"arch": arch, **kw}


def architecture_of(model: nn.Module) -> tuple[str, dict[str, Any]]:
    """The ``dlnotes.models`` constructor and arguments that rebuild ``model``'s structure.

    Each candidate is built on the ``meta`` device (no memory, no weights) and its
    parameter names and shapes compared with the model's.

    Raises:
        ValueError: if no constructor in ``dlnotes.models`` builds this structure.
    """
    from dlnotes import models

    wanted = _signature(model)
    for name, kwargs in _candidates(model):
        try:
            with torch.device("meta"):
                candidate = build_model(name, kwargs, _models=models)
        except TypeError:  # this version of the constructor takes no such argument
            continue
        if _signature(candidate) == wanted:
            return name, kwargs
    raise ValueError(
        f"model ({type(model).__name__}) was not built by small_cnn, small_resnet or pretrained_resnet "
        "from dlnotes.models, so load_predictor could not rebuild it; pass arch=(name, kwargs) to export"
    )


def build_model(name: str, kwargs: dict[str, Any], _models: Any = None) -> nn.Module:
    """Call the ``dlnotes.models`` constructor ``name`` with ``kwargs`` (random weights, no download)."""
    if _models is None:
        from dlnotes import models as _models
    if name not in ARCHITECTURES:
        raise ValueError(f"architecture name must be one of {ARCHITECTURES}, got {name!r}")
    kwargs = dict(kwargs)
    if name == "pretrained_resnet":
        kwargs["weights"] = None  # the exported weights replace them
    return getattr(_models, name)(**kwargs)


def _first_batch(trainer: Any) -> torch.Tensor | None:
    for loader in (getattr(trainer, "valid_loader", None), getattr(trainer, "train_loader", None)):
        if loader is not None:
            for batch in loader:
                return batch[0]
    return None


def _as_floats(value: Any, name: str) -> list[float]:
    values = torch.as_tensor(value, dtype=torch.float64).reshape(-1).tolist()
    if not values:
        raise ValueError(f"{name} must hold at least one number, got {value!r}")
    return [float(v) for v in values]


def preprocessing_of(trainer: Any) -> dict[str, Any]:
    """What to do to an image before the model sees it, as the trainer's data did it.

    Looks for ``mean``/``std`` on ``trainer.preprocessing`` (a dict), then on the training
    loader (``FastLoader.stats`` records the normalisation it applied); without them the
    model gets pixels in [0, 1]. The image size and channels come from one batch; how to
    resize an image of another size (``"crop"``, ``"squish"`` or ``"pad"``) from the
    training dataset's ``resize`` (an ``image_folders`` dataset), else ``"squish"``.
    """
    given = dict(getattr(trainer, "preprocessing", None) or {})
    loader = getattr(trainer, "train_loader", None)
    mean, std = given.get("mean"), given.get("std")
    if mean is None or std is None:
        mean, std = getattr(loader, "mean", None), getattr(loader, "std", None)
    if (mean is None or std is None) and getattr(loader, "stats", None) is not None:
        mean, std = loader.stats  # FastLoader: (mean, std) it normalised with
    x = _first_batch(trainer)
    if "size" in given and "channels" in given:
        size, channels = list(given["size"]), int(given["channels"])
    elif x is not None and x.ndim == 4:
        channels, size = int(x.shape[1]), [int(x.shape[2]), int(x.shape[3])]
    else:
        raise ValueError("could not tell the input size: the trainer has no loader; pass preprocessing={'size': [H, W], 'channels': C}")
    mean = [0.0] * channels if mean is None else _as_floats(mean, "mean")
    std = [1.0] * channels if std is None else _as_floats(std, "std")
    resize = given.get("resize") or getattr(getattr(loader, "dataset", None), "resize", None) or "squish"
    return {"size": size, "channels": channels, "mean": mean, "std": std, "resize": str(resize)}


def _classes_of(trainer: Any) -> list[str] | None:
    for owner in (trainer, getattr(trainer, "train_loader", None), getattr(getattr(trainer, "train_loader", None), "dataset", None)):
        classes = getattr(owner, "classes", None)
        if classes:
            return [str(c) for c in classes]
    return None


# --8<-- [start:export]
def export(
    trainer: Any,
    path: str | os.PathLike,
    classes: Sequence[str] | None = None,
    preprocessing: dict[str, Any] | None = None,
    arch: tuple[str, dict[str, Any]] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write everything inference needs to one file, atomically.

    Args:
        trainer: a ``Trainer`` (or anything with ``.model``, and loaders to infer the rest).
        path: the file to write (``.pt`` by convention).
        classes: class names; default from the trainer's training data.
        preprocessing: ``{"size": [H, W], "channels": C, "mean": [...], "std": [...]}``;
            default as the trainer's data did it (see ``preprocessing_of``).
        arch: ``(constructor name, kwargs)`` in ``dlnotes.models``; default found by
            matching the model's structure (see ``architecture_of``).
        overwrite: replace an existing file (otherwise an existing file is an error).

    Returns:
        The path written.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
    model = trainer.model
    name, kwargs = arch if arch is not None else architecture_of(model)
    prep = preprocessing_of(trainer) if preprocessing is None else dict(preprocessing)
    classes = list(classes) if classes is not None else _classes_of(trainer)
    n_out = [m for m in model.modules() if isinstance(m, nn.Linear)][-1].out_features
    if classes is None:
        classes = [str(i) for i in range(n_out)]
    if len(classes) != n_out:
        raise ValueError(f"classes has {len(classes)} names but the model has {n_out} outputs")
    record = {
        "format": FORMAT,
        "version": VERSION,
        "arch": name,
        "arch_kwargs": dict(kwargs),
        "classes": [str(c) for c in classes],
        "preprocessing": prep,
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
    }
    # written beside, then renamed: readers never see a half-written file
    atomic_write(path, lambda tmp: torch.save(record, tmp), exclusive=not overwrite)
    return path
# --8<-- [end:export]


class Predictor:
    """A trained classifier as a function: ``predictor(image) -> Prediction``.

    Made by ``load_predictor``. ``image`` is a file path, a PIL image, or a tensor of
    pixels in [0, 1] (C×H×W or H×W; uint8 tensors are divided by 255). The image is
    converted to the model's channels and size, normalised as in training, and run through
    the model in eval mode.

    Attributes:
        model: the rebuilt network (eval mode).
        classes: class names, in output order.
        preprocessing: the dict stored in the file.
        device: where the model runs.
    """

    def __init__(self, model: nn.Module, classes: Sequence[str], preprocessing: dict[str, Any], device: torch.device | str = "cpu") -> None:
        self.device = select_device(device)
        self.model = model.to(self.device).eval()
        self.classes = list(classes)
        self.preprocessing = dict(preprocessing)
        c = self.preprocessing["channels"]
        self._mean = torch.tensor(self.preprocessing["mean"]).reshape(-1, 1, 1)
        self._std = torch.tensor(self.preprocessing["std"]).reshape(-1, 1, 1)
        if len(self._mean) not in (1, c) or len(self._std) not in (1, c):
            raise ValueError(f"preprocessing mean/std must have 1 or {c} values")

    def to_tensor(self, image: Any) -> torch.Tensor:
        """An image (path, PIL image or tensor) → the un-normalised C×H×W float tensor in [0, 1]."""
        from PIL import Image

        from dlnotes.data.folders import resize_image, to_tensor

        c, size = self.preprocessing["channels"], tuple(self.preprocessing["size"])
        if isinstance(image, (str, os.PathLike)):
            if not Path(image).is_file():
                raise FileNotFoundError(f"image: no file at {image}")
            with Image.open(image) as img:
                image = img.copy()
        if isinstance(image, Image.Image):
            image = image.convert("L" if c == 1 else "RGB")
            return to_tensor(resize_image(image, size, self.preprocessing.get("resize", "squish")))
        if isinstance(image, torch.Tensor):
            x = image.detach().cpu()
            x = x.float().div(255) if x.dtype == torch.uint8 else x.float()
            if x.ndim == 2:
                x = x.unsqueeze(0)
            if x.ndim != 3:
                raise ValueError(f"image tensor must be C×H×W or H×W, got shape {tuple(image.shape)}")
            if x.shape[0] != c:
                if x.shape[0] == 1:
                    x = x.expand(c, -1, -1)
                elif c == 1 and x.shape[0] == 3:
                    x = x.mean(dim=0, keepdim=True)
                else:
                    raise ValueError(f"image tensor has {x.shape[0]} channels; the model takes {c}")
            if tuple(x.shape[1:]) != size:
                x = torch.nn.functional.interpolate(x[None], size=size, mode="bilinear", align_corners=False)[0]
            return x
        raise TypeError(f"image must be a file path, a PIL image or a tensor, got {type(image).__name__}")

    def preprocess(self, image: Any) -> torch.Tensor:
        """An image → the normalised 1×C×H×W batch the model takes."""
        return ((self.to_tensor(image) - self._mean) / self._std).unsqueeze(0)

    @torch.no_grad()
    def __call__(self, image: Any) -> Prediction:
        """Classify one image (file path, PIL image or tensor)."""
        probs = self.model(self.preprocess(image).to(self.device)).float().softmax(dim=1)[0].cpu()
        i = int(probs.argmax())
        return Prediction(self.classes[i], i, float(probs[i]), {c: float(p) for c, p in zip(self.classes, probs, strict=True)})

    def __repr__(self) -> str:
        arch = type(self.model).__name__
        return f"Predictor({arch}, {len(self.classes)} classes, input {self.preprocessing['channels']}×{'×'.join(map(str, self.preprocessing['size']))})"


def load_predictor(path: str | os.PathLike, device: torch.device | str = "cpu") -> Predictor:
    """Read a file written by ``export`` and return a ``Predictor``.

    Loading uses ``torch.load(weights_only=True)``: the file can hold only tensors and plain
    data, so opening a file from elsewhere cannot run code.

    Args:
        path: the exported file.
        device: where to run the model: ``"cpu"`` (the default), ``"auto"`` (CUDA, then MPS,
            then the CPU) or a device name (see ``dlnotes.devices.select_device``).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is damaged, or is not a dlnotes export.
    """
    path = Path(path)
    record = load_torch_file(path, "dlnotes export", {"format"}, "trainer.export(path)")
    if record["format"] != FORMAT:
        raise ValueError(f"path: {path} is not a dlnotes export (its format is {record['format']!r}, expected {FORMAT!r})")
    if record.get("version") != VERSION:
        raise ValueError(f"path: {path} is a dlnotes export of version {record.get('version')!r}; this dlnotes reads version {VERSION}")
    missing = {"arch", "arch_kwargs", "classes", "preprocessing", "state_dict"} - set(record)
    if missing:
        raise ValueError(f"path: {path} is an incomplete dlnotes export (missing {sorted(missing)})")
    model = build_model(record["arch"], record["arch_kwargs"])
    try:
        model.load_state_dict(record["state_dict"])
    except RuntimeError as e:
        raise ValueError(f"path: {path}: the weights do not fit {record['arch']}({record['arch_kwargs']}): {e}") from e
    return Predictor(model, record["classes"], record["preprocessing"], device)
