"""Models for the pages: a small CNN, a small ResNet for 28×28 images, a pretrained ResNet.

Every model here is a ``torch.nn.Sequential`` of named parts (or a torchvision ResNet), so
that printing it, hooking its convolutions or freezing its body works without special cases.
The last child is always the *head* (what ``Trainer.freeze`` leaves trainable), and
``param_groups`` splits a model into the groups that discriminative learning rates use.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

__all__ = [
    "small_cnn", "small_resnet", "pretrained_resnet", "conv_block", "conv_pool_block", "ResBlock",
    "head_and_body", "param_groups", "RESNETS",
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
