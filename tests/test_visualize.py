"""activations via forward hooks, filter and feature-map plots, top-activating items."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from dlnotes import models  # noqa: E402
from dlnotes.visualize import (  # noqa: E402
    activations,
    conv_layers,
    image_for_display,
    plot_activations,
    plot_filters,
    show_batch,
    top_activating,
)


def tiny_cnn():
    """A model of known structure (the tests don't depend on how small_cnn is built)."""
    from collections import OrderedDict

    def block(c_in, c_out):
        return nn.Sequential(nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()), nn.MaxPool2d(2))

    return nn.Sequential(OrderedDict(
        block1=block(1, 16), block2=block(16, 32), block3=block(32, 64),
        pool=nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), head=nn.Linear(64, 10),
    ))


def model_and_image():
    torch.manual_seed(0)
    return tiny_cnn(), torch.rand(1, 28, 28)


def test_activations_equal_running_the_layers_by_hand():
    model, x = model_and_image()
    model.train()
    acts = activations(model, x, ["block1", "block2.0.0", "head"])
    assert list(acts) == ["block1", "block2.0.0", "head"]
    assert model.training, "the model's mode is restored"
    model.eval()
    with torch.no_grad():
        b1 = model.block1(x[None])
        conv2 = model.block2[0][0](b1)
        logits = model(x[None])
    assert torch.allclose(acts["block1"], b1) and torch.allclose(acts["block2.0.0"], conv2)
    assert torch.allclose(acts["head"], logits)


def test_works_on_the_package_models():
    torch.manual_seed(0)
    for model in (models.small_cnn(), models.small_resnet(width=8)):
        convs = conv_layers(model)
        acts = activations(model, torch.rand(1, 28, 28))
        assert list(acts) == list(convs)
        assert [a.shape[1] for a in acts.values()] == [c.out_channels for c in convs.values()]


def test_hooks_are_removed_even_after_an_error():
    model, x = model_and_image()
    with pytest.raises(RuntimeError):
        activations(model, torch.rand(1, 3, 28, 28), ["block1"])  # wrong channel count
    assert all(not m._forward_hooks for m in model.modules())
    activations(model, x)
    assert all(not m._forward_hooks for m in model.modules())


def test_default_layers_are_the_convolutions_and_modules_are_accepted():
    model, x = model_and_image()
    acts = activations(model, x)
    assert list(acts) == list(conv_layers(model)) and len(acts) == 3
    assert [tuple(a.shape) for a in acts.values()] == [(1, 16, 28, 28), (1, 32, 14, 14), (1, 64, 7, 7)]  # conv outputs
    by_module = activations(model, x, [model.block3])
    assert list(by_module) == ["block3"]
    with pytest.raises(ValueError, match="no submodule named 'nope'"):
        activations(model, x, ["nope"])
    with pytest.raises(ValueError, match="not part of the model"):
        activations(model, x, [nn.Conv2d(1, 1, 3)])
    with pytest.raises(TypeError, match="x must be a tensor"):
        activations(model, [[0.0]])


def test_plot_filters_draws_each_kernel_with_zero_at_the_centre_of_the_scale():
    model, _ = model_and_image()
    conv = model.block1[0][0]
    fig = plot_filters(conv, ncols=8)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 16
    assert torch.allclose(torch.as_tensor(images[3].get_array().data), conv.weight[3, 0].detach())
    lo, hi = images[0].get_clim()
    assert lo == pytest.approx(-hi)
    assert "16 filters of 3×3" in fig._suptitle.get_text()
    with pytest.raises(TypeError, match="nn.Conv2d"):
        plot_filters(model.head)
    with pytest.raises(ValueError, match="channel must be"):
        plot_filters(model.block2[0][0], channel=16)
    plt.close("all")


def test_plot_activations_shows_the_strongest_channels_of_each_layer():
    model, x = model_and_image()
    fig = plot_activations(model, x, max_maps=4)
    acts = activations(model, x)
    rows = [ax for ax in fig.axes if ax.images]
    assert len(rows) == 3 * 5  # 3 layers × (input + 4 maps)
    first = acts["block1.0.0"][0]
    strongest = first.mean(dim=(1, 2)).argsort(descending=True)[:4].tolist()
    titles = [ax.get_title() for ax in fig.axes[1:5]]
    assert titles == [f"ch {c}" for c in strongest]
    assert torch.allclose(torch.as_tensor(fig.axes[1].images[0].get_array().data), first[strongest[0]])
    with pytest.raises(ValueError, match="one image"):
        plot_activations(model, torch.rand(2, 1, 28, 28))
    plt.close("all")


def test_top_activating_ranks_items_by_their_peak_activation():
    model, _ = model_and_image()
    torch.manual_seed(1)
    xs = torch.rand(20, 1, 28, 28)
    loader = [(xs[:8], None), (xs[8:], None)]
    top = top_activating(model, "block2", loader, channels=[0, 5], k=3)
    peaks = activations(model, xs, ["block2"])["block2"].amax(dim=(2, 3))
    for ch in (0, 5):
        want = peaks[:, ch].topk(3)
        assert [i for i, _ in top[ch]] == want.indices.tolist()
        assert [s for _, s in top[ch]] == pytest.approx(want.values.tolist())


# ------------------------------------------------------------------ show_batch


def test_show_batch_titles_are_the_labels():
    from dlnotes.data import FastLoader, fashion_mnist

    train = fashion_mnist(sample=True)[0]
    fig = show_batch(train, n=10, ncols=5, seed=3)
    titled = [ax for ax in fig.axes if ax.get_title()]
    picks = torch.randperm(len(train), generator=torch.Generator().manual_seed(3))[:10].tolist()
    assert [ax.get_title() for ax in titled] == [train.classes[int(train.targets[i])] for i in picks]
    assert len(fig.axes) == 10
    loader = FastLoader(train, batch_size=16, shuffle=True, augment=True, device="cpu")
    state = loader.state_dict()["generator"]
    fig2 = show_batch(loader, n=16)
    assert len([ax for ax in fig2.axes if ax.get_title()]) == 16
    assert torch.equal(loader.state_dict()["generator"], state), "the loader's own sequence is untouched"
    x, y = next(iter(FastLoader(train, batch_size=4, device="cpu")))
    fig3 = show_batch((x, y), classes=train.classes)
    assert [ax.get_title() for ax in fig3.axes] == [train.classes[i] for i in y.tolist()]
    plt.close("all")
    with pytest.raises(TypeError, match="data must be"):
        show_batch(42)


def test_show_batch_is_still_importable_from_data():
    from dlnotes import data

    assert data.show_batch is show_batch


def test_image_for_display_brings_every_kind_of_image_to_0_1():
    from PIL import Image

    gray = image_for_display(torch.full((1, 4, 5), 255, dtype=torch.uint8))
    assert gray.shape == (4, 5) and gray.max() == 1.0
    rgb = image_for_display(torch.rand(3, 4, 5) * 6 - 3)  # normalised: stretched back
    assert rgb.shape == (4, 5, 3) and rgb.min() == 0.0 and rgb.max() == 1.0
    pil = image_for_display(Image.new("RGB", (5, 4), (255, 0, 0)))
    assert pil.shape == (4, 5, 3) and pil[..., 0].min() == 1.0 and pil[..., 1].max() == 0.0
