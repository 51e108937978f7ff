"""Models for the pages: a small CNN, a small ResNet for 28×28 images, a pretrained ResNet.

Every model here is a ``torch.nn.Sequential`` of named parts (or a torchvision ResNet), so
that printing it, hooking its convolutions or freezing its body works without special cases.
The last child is always the *head* (what ``Trainer.freeze`` leaves trainable), and
``param_groups`` splits a model into the groups that discriminative learning rates use.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

__all__ = [
    "small_cnn", "small_resnet", "pretrained_resnet", "conv_block", "conv_pool_block", "ResBlock",
    "head_and_body", "param_groups", "RESNETS", "pretrained_small_resnet", "load_backbone",
]  # fmt: skip

RESNETS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152")


def _check_sizes(n_classes: int, in_channels: int) -> None:
    for name, value in (("n_classes", n_classes), ("in_channels", in_channels)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


# --8<-- [start:conv_block]
def conv_block(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    """3×3 convolution → batch norm → ReLU: the unit every model here is built from.

    Args:
        c_in: input channels.
        c_out: output channels (the number of filters).
        stride: 2 halves the height and width.
    """
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )
# --8<-- [end:conv_block]


# --8<-- [start:small_cnn]
def conv_pool_block(c_in: int, c_out: int) -> nn.Sequential:
    """(3×3 convolution → 2×2 max pooling) → batch norm → ReLU: halves the height and width.

    ``block[0][0]`` is the convolution (as in ``conv_block``, whose ``block[0]`` it is).

    Pooling right after the convolution gives the same kind of features as pooling at the
    end (max pooling commutes with ReLU, though batch norm's statistics are then computed on
    the pooled values), and batch norm and ReLU work on a quarter of the values, which saves
    time on a CPU. The standard order is convolution → batch norm → ReLU → pooling.

    Args:
        c_in: input channels.
        c_out: output channels (the number of filters).
    """
    return nn.Sequential(
        nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False), nn.MaxPool2d(2)),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def small_cnn(n_classes: int = 10, in_channels: int = 1, width: int = 16) -> nn.Sequential:
    """A small, fast CNN for 28×28 images (about 24,000 parameters with the default width).

    Three convolution blocks, each halving the image (28 → 14 → 7 → 3), then global average
    pooling and one fully connected layer that gives one score per class.

    Args:
        n_classes: number of classes (outputs of the last layer).
        in_channels: 1 for grayscale images, 3 for RGB.
        width: filters of the first block; the second and third have 2× and 4× as many.

    Returns:
        An ``nn.Sequential`` with named children ``block1`` … ``block3``, ``pool`` and ``head``.
    """
    _check_sizes(n_classes, in_channels)
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    w = width
    return nn.Sequential(OrderedDict(
        block1=conv_pool_block(in_channels, w),                    # w × 14 × 14
        block2=conv_pool_block(w, 2 * w),                          # 2w × 7 × 7
        block3=conv_pool_block(2 * w, 4 * w),                      # 4w × 3 × 3
        pool=nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),  # 4w
        head=nn.Linear(4 * w, n_classes),                          # n_classes
    ))
# --8<-- [end:small_cnn]


# --8<-- [start:resblock]
class ResBlock(nn.Module):
    """Two 3×3 convolutions with a shortcut: ``relu(x + F(x))``.

    When the block changes the number of channels or the resolution, the shortcut is a 1×1
    convolution with the same stride, so that the two branches have the same shape.

    Args:
        c_in: input channels.
        c_out: output channels.
        stride: 2 halves the height and width.
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        nn.init.zeros_(self.bn2.weight)  # each block starts as the identity: deep nets train from step 1
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))
# --8<-- [end:resblock]


def small_resnet(n_classes: int = 10, in_channels: int = 1, width: int = 32) -> nn.Sequential:
    """A small ResNet for 28×28 images, shaped to train fast on a CPU.

    Each stage halves the image with a convolution-pooling block and then refines it with a
    residual block: 28 → 14 (``width`` channels) → 7 (``2*width``) → 3 (``4*width``), then
    global average pooling and a linear head. With the default width it has about 480,000
    parameters; ``width=16`` (121,000) is the model of ``benchmarks/trainer.py``'s
    time-to-accuracy runs on Fashion-MNIST.

    Args:
        n_classes: number of classes.
        in_channels: 1 for grayscale images, 3 for RGB.
        width: channels of the first stage (doubling at each later stage).

    Returns:
        An ``nn.Sequential`` with children ``stage1`` … ``stage3``, ``pool``, ``head``.
    """
    _check_sizes(n_classes, in_channels)
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive int, got {width!r}")
    w = width
    return nn.Sequential(OrderedDict(
        stage1=nn.Sequential(conv_pool_block(in_channels, w), ResBlock(w, w)),      # w × 14 × 14
        stage2=nn.Sequential(conv_pool_block(w, 2 * w), ResBlock(2 * w, 2 * w)),    # 2w × 7 × 7
        stage3=nn.Sequential(conv_pool_block(2 * w, 4 * w), ResBlock(4 * w, 4 * w)),  # 4w × 3 × 3
        pool=nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        head=nn.Linear(4 * w, n_classes),
    ))


def pretrained_resnet(arch: str = "resnet34", n_classes: int = 10, weights: str | None = None,
                      in_channels: int = 3) -> nn.Module:
    """A torchvision ResNet with a new head of ``n_classes`` outputs, for transfer learning.

    Args:
        arch: a torchvision ResNet name: ``resnet18``, ``resnet34``, ``resnet50``, ``resnet101``,
            ``resnet152``.
        n_classes: outputs of the new head (``model.fc``).
        weights: torchvision weights name, e.g. ``"DEFAULT"`` or ``"IMAGENET1K_V1"``
            (downloaded once, then cached by torch); ``None`` for random weights (no download).
        in_channels: 3 for RGB; 1 replaces the first convolution by one that takes grayscale
            input (its pretrained filters summed over the colour channels).

    Returns:
        The ResNet, whose last layer ``fc`` is a fresh ``nn.Linear``. ``Trainer.freeze()``
        freezes everything but ``fc`` (and the batch-norm layers).
    """
    import torchvision

    if arch not in RESNETS:
        raise ValueError(f"arch must be one of {', '.join(RESNETS)}; got {arch!r}")
    _check_sizes(n_classes, in_channels)
    model = torchvision.models.get_model(arch, weights=weights)
    if in_channels != 3:
        old = model.conv1
        new = nn.Conv2d(in_channels, old.out_channels, old.kernel_size, old.stride, old.padding, bias=False)
        with torch.no_grad():
            new.weight.copy_(old.weight.sum(dim=1, keepdim=True).repeat(1, in_channels, 1, 1) / in_channels)
        model.conv1 = new
    model.fc = nn.Linear(model.fc.in_features, n_classes)
    return model


# --------------------------------------------------------------------------- parameter groups

def head_and_body(model: nn.Module) -> tuple[list[nn.Module], nn.Module]:
    """The model's top-level children split into the body and the head.

    The head is the child called ``head`` (the models above), ``fc`` (torchvision's ResNets)
    or ``classifier``; otherwise the last child that has parameters.

    Returns:
        ``(body, head)``: the other top-level children in order, and the head (the model
        itself when it has no children with parameters).
    """
    for name in ("head", "fc", "classifier"):
        head = getattr(model, name, None)
        if isinstance(head, nn.Module):
            break
    else:
        with_params = [m for m in model.children() if any(True for _ in m.parameters())]
        head = with_params[-1] if with_params else model
    body = [m for m in model.children() if m is not head]
    return body, head


def param_groups(model: nn.Module) -> list[list[nn.Parameter]]:
    """The model's parameters in up to three groups for discriminative learning rates.

    The body (every top-level child but the head) is cut into two halves, early layers and
    late layers; the head is the third group. A ``slice(low, high)`` learning rate gives the
    first group ``low``, the head ``high`` and the middle group their geometric mean.

    Args:
        model: the model.

    Returns:
        Lists of parameters, earliest layers first, none empty.
    """
    body, head = head_and_body(model)
    if head is model:
        return [list(model.parameters())]
    body = [m for m in body if any(True for _ in m.parameters())]
    half = (len(body) + 1) // 2
    groups = [
        [p for m in body[:half] for p in m.parameters()],
        [p for m in body[half:] for p in m.parameters()],
        list(head.parameters()),
    ]
    seen = {id(p) for g in groups for p in g}
    rest = [p for p in model.parameters() if id(p) not in seen]  # parameters owned by the model itself
    if rest:
        groups[0] = rest + groups[0]
    return [g for g in groups if g]


# --------------------------------------------------------------------------- the shipped backbone

SMALL_RESNET_WEIGHTS = Path(__file__).resolve().parent / "_data" / "small_resnet_fmnist5.pt"
"""The body that ``scripts/make_pretrained.py`` trained on five Fashion-MNIST classes."""

SMALL_RESNET_SHA256 = "b71bd0ef1d0cda82eb91feb43c0bd87f0d161508448d5180e57e60d15d949b40"
"""SHA-256 of ``SMALL_RESNET_WEIGHTS``: the loader refuses any other file under that name."""

SMALL_RESNET_STATS = ((0.286,), (0.353,))
"""Mean and std the body was pretrained with (Fashion-MNIST's training set, rounded): normalise
new data with them, e.g. ``fast_loaders(train, valid, normalize=SMALL_RESNET_STATS)``."""

SMALL_RESNET_SOURCE_CLASSES = (0, 1, 2, 3, 5)
"""Fashion-MNIST classes the body was pretrained on (T-shirt/top, Trouser, Pullover, Dress, Sandal);
the other five (Coat, Shirt, Sneaker, Bag, Ankle boot) it has never seen."""

_WEIGHTS_FORMAT = "dlnotes-backbone/1"


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_backbone(path: str | os.PathLike, sha256: str | None = None) -> dict:
    """Read a backbone file written by ``scripts/make_pretrained.py``, safely.

    The file is read with ``torch.load(weights_only=True)``, which only rebuilds tensors and
    plain containers: a file that holds pickled code is refused, never run.

    Args:
        path: the ``.pt`` file.
        sha256: the expected SHA-256 of the file (64 hex digits); ``None`` skips the check.

    Returns:
        The file's dict: ``format``, ``arch``, ``width``, ``in_channels``, ``source_classes``,
        ``stats`` and ``state_dict`` (the body's tensors).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the checksum differs (a corrupted or replaced file), or the file is not a
            backbone file (not a torch file, a pickle with code, another kind of checkpoint).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no backbone weights at {path}; scripts/make_pretrained.py makes them")
    if sha256 is not None:
        actual = sha256_file(path)
        if actual != sha256:
            raise ValueError(
                f"the backbone weights at {path} are corrupted or not the shipped file: SHA-256 is "
                f"{actual}, expected {sha256}. Reinstall dlnotes, or rerun scripts/make_pretrained.py"
            )
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # not a zip/pickle, a truncated file, or pickled code that weights_only refuses
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        reason = next((line for line in lines if "Unsupported global" in line or "error:" in line), lines[0] if lines else "")
        raise ValueError(f"{path} is not a readable weights file ({type(e).__name__}: {reason[:200]})") from None
    if not (isinstance(data, dict) and data.get("format") == _WEIGHTS_FORMAT and isinstance(data.get("state_dict"), dict)):
        kind = f"a dict with keys {sorted(map(str, data))[:6]}" if isinstance(data, dict) else f"a {type(data).__name__}"
        raise ValueError(f"{path} is not a dlnotes backbone file (format {_WEIGHTS_FORMAT!r}): it holds {kind}")
    return data


def pretrained_small_resnet(n_classes: int = 5, weights: str | os.PathLike | None = "DEFAULT") -> nn.Sequential:
    """``small_resnet(width=16)`` with the body the project pretrained and a new head.

    The body (``stage1`` … ``stage3``) was trained by ``scripts/make_pretrained.py`` on the
    30,000 training images of five Fashion-MNIST classes (``SMALL_RESNET_SOURCE_CLASSES``);
    its head was thrown away. It expects 1×28×28 images normalised with ``SMALL_RESNET_STATS``.
    The file ships with the package, so this works offline.

    Args:
        n_classes: outputs of the new head (a fresh ``nn.Linear``).
        weights: ``"DEFAULT"`` for the shipped body (its SHA-256 is checked), a path to a file
            made by ``scripts/make_pretrained.py``, or ``None`` for random weights (the same
            architecture trained from scratch: the baseline that shows what pretraining buys).

    Returns:
        An ``nn.Sequential`` with children ``stage1`` … ``stage3``, ``pool``, ``head``.

    Raises:
        ValueError: the weights file is corrupted, foreign, or made for another architecture.
    """
    _check_sizes(n_classes, 1)
    model = small_resnet(n_classes=n_classes, in_channels=1, width=16)
    if weights is None:
        return model
    if isinstance(weights, str) and weights == "DEFAULT":
        data = load_backbone(SMALL_RESNET_WEIGHTS, sha256=SMALL_RESNET_SHA256)
    elif isinstance(weights, (str, os.PathLike)):
        data = load_backbone(weights)
    else:
        raise TypeError(f"weights must be 'DEFAULT', a path or None, got {weights!r}")
    if (data.get("arch"), data.get("width"), data.get("in_channels")) != ("small_resnet", 16, 1):
        raise ValueError(f"weights: the file holds a {data.get('arch')}(width={data.get('width')}, "
                         f"in_channels={data.get('in_channels')}), expected small_resnet(width=16, in_channels=1)")
    body = {k: v for k, v in model.state_dict().items() if not k.startswith("head.")}
    state = data["state_dict"]
    missing, unexpected = sorted(set(body) - set(state)), sorted(set(state) - set(body))
    wrong = [k for k in set(body) & set(state) if not isinstance(state[k], torch.Tensor) or state[k].shape != body[k].shape]
    if missing or unexpected or wrong:
        raise ValueError(f"weights: the file's tensors don't fit the body: missing {missing[:5]}, "
                         f"unexpected {unexpected[:5]}, wrong shape {sorted(wrong)[:5]}")
    model.load_state_dict(state, strict=False)
    return model


# --8<-- [start:flip_tta]
class FlipTTA(nn.Sequential):
    """An ``nn.Sequential`` that, in eval mode, also looks at the mirror image (test-time augmentation).

    While training it is the plain sequence of layers. In eval mode (validation, ``predict``)
    it runs the batch twice, as given and flipped left-right, and averages the two sets of
    scores: two looks at an image make fewer mistakes than one, for the price of a second
    forward pass at test time only. Use it for images whose mirror is as likely as the image
    itself (clothes, animals); not for digits or text.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = super().forward(x)
        if self.training:
            return out
        return (out + super().forward(x.flip(-1))) / 2
# --8<-- [end:flip_tta]


def fast_resnet(n_classes: int = 10, in_channels: int = 1, width: int = 16, tta: bool = True) -> nn.Sequential:
    """``small_resnet``'s layers, with test-time flip averaging: the command line's default model.

    Args:
        n_classes: number of classes.
        in_channels: 1 for grayscale images, 3 for RGB.
        width: channels of the first stage (doubling at each later stage).
        tta: average the scores of each image and its mirror in eval mode (``FlipTTA``).

    Returns:
        A ``FlipTTA`` (or, with ``tta=False``, an ``nn.Sequential``) with the children of
        ``small_resnet``: ``stage1`` … ``stage3``, ``pool``, ``head``.
    """
    body = small_resnet(n_classes, in_channels, width)
    return FlipTTA(OrderedDict(body.named_children())) if tta else body
