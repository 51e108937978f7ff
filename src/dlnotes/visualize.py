"""What a CNN learns: its filters, and what each layer computes for one image.

``activations`` records the outputs of chosen layers with forward hooks (removed again
afterwards, even on an error); ``plot_filters`` draws a convolution's kernels;
``plot_activations`` draws the feature maps that successive layers produce for one image;
``top_activating`` finds the dataset images that excite a channel most, the way Zeiler and
Fergus chose what to show for each feature.

The pictures of the data live here too: ``show_batch`` ("look at your data") and
``image_for_display``, the one conversion from a tensor or PIL image to what ``imshow`` draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from torch import nn


def conv_layers(model: nn.Module) -> dict[str, nn.Conv2d]:
    """Every ``nn.Conv2d`` in ``model``, by its dotted name, in definition order."""
    return {name: m for name, m in model.named_modules() if isinstance(m, nn.Conv2d)}


def _resolve(model: nn.Module, layers: str | nn.Module | Sequence[str | nn.Module] | None) -> dict[str, nn.Module]:
    named = dict(model.named_modules())
    if layers is None:
        found = conv_layers(model)
        if not found:
            raise ValueError("model has no nn.Conv2d layers; pass layers=[names or modules]")
        return found
    if isinstance(layers, (str, nn.Module)):
        layers = [layers]
    by_module = {id(m): name for name, m in named.items()}
    out = {}
    for layer in layers:
        if isinstance(layer, str):
            if layer not in named:
                raise ValueError(f"layers: model has no submodule named {layer!r}; it has {sorted(n for n in named if n)}")
            out[layer] = named[layer]
        elif isinstance(layer, nn.Module):
            if id(layer) not in by_module:
                raise ValueError(f"layers: {type(layer).__name__} module is not part of the model")
            out[by_module[id(layer)] or type(layer).__name__] = layer
        else:
            raise TypeError(f"layers must hold submodule names or modules, got {type(layer).__name__}")
    return out


# --8<-- [start:activations]
@torch.no_grad()
def activations(
    model: nn.Module, x: torch.Tensor, layers: str | nn.Module | Sequence[str | nn.Module] | None = None
) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``x`` and return what each of ``layers`` output, by layer name.

    Args:
        model: any ``nn.Module``.
        x: a batch (N×C×H×W), or one image (C×H×W), which is batched for the call.
        layers: submodule names (as in ``model.named_modules()``) or the modules
            themselves; default every ``nn.Conv2d``.

    Returns:
        ``{name: output tensor}`` (detached, on the CPU) in the order given.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a tensor, got {type(x).__name__}")
    if x.ndim == 3:
        x = x.unsqueeze(0)
    chosen = _resolve(model, layers)
    outputs: dict[str, torch.Tensor] = {}

    def keep(name):
        def hook(module, inputs, output):
            outputs[name] = output.detach().cpu()
        return hook

    handles = [module.register_forward_hook(keep(name)) for name, module in chosen.items()]
    was_training = model.training
    try:
        model.eval()
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        model(x.to(device))
    finally:
        for handle in handles:  # a hook left behind would fire on every later call
            handle.remove()
        model.train(was_training)
    return {name: outputs[name] for name in chosen if name in outputs}
# --8<-- [end:activations]


def plot_filters(conv: nn.Conv2d, ncols: int = 8, channel: int | None = None, title: str | None = None) -> Any:
    """Draw each output filter of a convolution as a small image.

    A kernel with 3 input channels is drawn in colour; otherwise one input channel is
    drawn (``channel``, default 0) on a blue-white-red scale centred at zero: red pixels
    are positive weights, blue negative, so an edge detector shows as a red stripe beside a
    blue one.

    Args:
        conv: an ``nn.Conv2d`` (usually the first layer).
        ncols: filters per row.
        channel: which input channel to draw when there are not exactly 3.
        title: figure title.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    w = conv.weight.detach().cpu().float()
    out_ch, in_ch = w.shape[:2]
    colour = in_ch == 3 and channel is None
    channel = 0 if channel is None else channel
    if not colour and not 0 <= channel < in_ch:
        raise ValueError(f"channel must be in [0, {in_ch}), got {channel}")
    nrows = math.ceil(out_ch / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.1 * nrows + 0.5), squeeze=False)
    limit = w.abs().max().item() or 1.0
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= out_ch:
            continue
        if colour:
            k = w[i].permute(1, 2, 0)
            ax.imshow(((k - k.min()) / (k.max() - k.min()).clamp(min=1e-12)).numpy())
        else:
            ax.imshow(w[i, channel].numpy(), cmap="bwr", vmin=-limit, vmax=limit)
    kh, kw = w.shape[2:]
    default = f"{out_ch} filters of {kh}×{kw}" + ("" if colour or in_ch == 1 else f" (input channel {channel} of {in_ch})")
    fig.suptitle(title or default)
    return fig


def plot_activations(
    model: nn.Module,
    x: torch.Tensor,
    layers: str | nn.Module | Sequence[str | nn.Module] | None = None,
    max_maps: int = 8,
    image: torch.Tensor | None = None,
) -> Any:
    """One row per layer: the feature maps that layer produced for one image.

    Each row shows the ``max_maps`` channels with the largest mean activation (the ones
    this image excites most), each titled with its channel number and drawn on its own
    scale (bright = strong).

    Args:
        model: the network.
        x: one image as the model takes it (C×H×W or 1×C×H×W, already normalised).
        layers: which layers (names or modules); default every ``nn.Conv2d``.
        max_maps: channels shown per layer.
        image: what to draw as the input (default ``x``), e.g. the un-normalised image.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if x.ndim == 4 and x.shape[0] != 1:
        raise ValueError(f"x must be one image, got a batch of {x.shape[0]}")
    if not isinstance(max_maps, int) or max_maps < 1:
        raise ValueError(f"max_maps must be a positive int, got {max_maps!r}")
    acts = activations(model, x, layers)
    fig, axes = plt.subplots(
        len(acts), max_maps + 1, figsize=(1.25 * (max_maps + 1), 1.45 * len(acts) + 0.4), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    shown = image if image is not None else x.squeeze(0) if x.ndim == 4 else x
    for row, (name, out) in zip(axes, acts.items(), strict=True):
        row[0].imshow(image_for_display(shown), cmap="gray")
        row[0].set_title("input", fontsize=8)
        out = out[0]
        if out.ndim != 3:
            raise ValueError(f"layer {name!r} output has shape {tuple(out.shape)}; expected feature maps C×H×W")
        strongest = out.mean(dim=(1, 2)).argsort(descending=True)[:max_maps]
        for ax, ch in zip(row[1:], strongest.tolist(), strict=False):
            ax.imshow(out[ch].numpy(), cmap="viridis")
            ax.set_title(f"ch {ch}", fontsize=8)
        h, w = out.shape[1:]
        row[1].text(-0.15, 0.5, f"{name}\n{out.shape[0]}×{h}×{w}", transform=row[1].transAxes, ha="right", va="center", fontsize=8)
    fig.suptitle("Feature maps, strongest channels first")
    fig.tight_layout()
    return fig


@torch.no_grad()
def top_activating(
    model: nn.Module, layer: str | nn.Module, loader: Iterable, channels: Sequence[int], k: int = 6
) -> dict[int, list[tuple[int, float]]]:
    """For each channel of ``layer``, the ``k`` items of ``loader`` that excite it most.

    The score of an item is the channel's largest activation anywhere in its feature map.
    Items are numbered in the loader's order (use a loader that does not shuffle).

    Returns:
        ``{channel: [(item index, score), ...]}``, strongest first.
    """
    name, module = next(iter(_resolve(model, layer).items()))
    scores = []
    for batch in loader:
        out = activations(model, batch[0], [module])
        maps = next(iter(out.values()))
        if maps.ndim != 4:
            raise ValueError(f"layer {name!r} output has shape {tuple(maps.shape)}; expected N×C×H×W")
        scores.append(maps[:, list(channels)].amax(dim=(2, 3)))
    scores = torch.cat(scores)
    k = min(k, len(scores))
    top = scores.topk(k, dim=0)
    return {
        ch: [(int(i), float(v)) for v, i in zip(top.values[:, j], top.indices[:, j], strict=True)] for j, ch in enumerate(channels)
    }


# --------------------------------------------------------------------------- looking at the data

def image_for_display(image: Any) -> Any:
    """An image → a float array in [0, 1] that ``imshow`` draws as it should look.

    Args:
        image: a tensor C×H×W or H×W (uint8 0–255, floats in [0, 1], or normalised floats,
            which are stretched back to [0, 1]), or a PIL image or array H×W(×C).

    Returns:
        A NumPy array H×W (grayscale) or H×W×C.
    """
    import numpy as np

    if isinstance(image, torch.Tensor):
        x = image.detach().cpu()
        if x.ndim == 3 and x.shape[0] in (1, 3, 4):  # C×H×W → H×W×C
            x = x.permute(1, 2, 0)
    else:
        x = torch.as_tensor(np.asarray(image))
    x = x.float().div(255) if x.dtype == torch.uint8 else x.float()
    if x.ndim == 3 and x.shape[2] == 1:
        x = x[:, :, 0]
    lo, hi = x.min(), x.max()
    if lo < 0 or hi > 1:  # normalised: stretch back to [0, 1] for display
        x = (x - lo) / (hi - lo).clamp(min=1e-12)
    return x.numpy()


def show_batch(
    data: Any,
    n: int = 16,
    ncols: int = 8,
    classes: Sequence[str] | None = None,
    seed: int = 0,
    title: str | None = None,
) -> Any:
    """A grid of images with their labels, for "look at your data".

    Args:
        data: a dataset of ``(image, label)`` items (``n`` random ones are shown), a
            ``FastLoader`` (one batch as training sees it, augmented, drawn with its own
            generator so the loader's sequence is not disturbed), or a pair ``(images, labels)``.
        n: how many images.
        ncols: images per row.
        classes: names for the labels (default: the data's ``.classes``).
        seed: which random images / which batch.
        title: a title over the grid.

    Returns:
        The matplotlib figure (still open: ``plt.show()`` or ``fig.savefig(...)`` it).
    """
    import matplotlib.pyplot as plt

    from dlnotes.data.loader import FastLoader

    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    if isinstance(data, FastLoader):
        x, y = next(data._batches(torch.Generator().manual_seed(seed)))  # noqa: SLF001
        images, labels = data.denormalize(x[:n]).cpu(), y[:n].cpu().tolist()
        classes = classes if classes is not None else data.classes
    elif isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], torch.Tensor):
        images, labels = data[0][:n].detach().cpu(), torch.as_tensor(data[1][:n]).tolist()
    elif hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        g = torch.Generator().manual_seed(seed)
        picks = torch.randperm(len(data), generator=g)[:n].tolist()
        items = [data[i] for i in picks]
        images = [im for im, _ in items]
        labels = [int(label) for _, label in items]
        classes = classes if classes is not None else getattr(data, "classes", None)
    else:
        raise TypeError(f"data must be a dataset, a FastLoader or an (images, labels) pair, got {type(data).__name__}")
    count = len(labels)
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.9 * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label in zip(axes.flat, images, labels, strict=False):
        image = image_for_display(image)
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
        name = classes[label] if classes is not None and 0 <= label < len(classes) else str(label)
        ax.set_title(name, fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
