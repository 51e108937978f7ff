"""Tests for dlnotes.models."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlnotes.models import ResBlock, pretrained_resnet, small_cnn, small_resnet


@pytest.mark.parametrize("make", [small_cnn, small_resnet])
@pytest.mark.parametrize("n_classes, in_channels", [(10, 1), (3, 3)])
def test_output_shape_and_head(make, n_classes, in_channels):
    torch.manual_seed(0)
    model = make(n_classes=n_classes, in_channels=in_channels)
    out = model(torch.randn(5, in_channels, 28, 28))
    assert out.shape == (5, n_classes)
    assert list(model.children())[-1] is model.head and model.head.out_features == n_classes
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert convs and convs[0].in_channels == in_channels


def test_small_cnn_size_and_shapes():
    model = small_cnn()
    assert sum(p.numel() for p in model.parameters()) == 24_058
    shapes = []
    x = torch.zeros(1, 1, 28, 28)
    for name, child in model.named_children():
        x = child(x)
        shapes.append((name, tuple(x.shape[1:])))
    assert shapes == [("block1", (16, 14, 14)), ("block2", (32, 7, 7)), ("block3", (64, 3, 3)),
                      ("pool", (64,)), ("head", (10,))]


def test_resblock_starts_as_identity_plus_relu():
    block = ResBlock(4, 4).eval()
    x = torch.randn(2, 4, 8, 8)
    assert torch.allclose(block(x), torch.relu(x))
    down = ResBlock(4, 8, stride=2)
    assert down(x).shape == (2, 8, 4, 4)


def test_pretrained_resnet_new_head_without_download():
    model = pretrained_resnet("resnet18", n_classes=4, weights=None)
    assert isinstance(model.fc, nn.Linear) and model.fc.out_features == 4
    assert model(torch.randn(2, 3, 64, 64)).shape == (2, 4)
    gray = pretrained_resnet("resnet18", n_classes=2, in_channels=1)
    assert gray.conv1.in_channels == 1 and gray(torch.randn(1, 1, 64, 64)).shape == (1, 2)


@pytest.mark.parametrize("call, message", [
    (lambda: small_cnn(n_classes=0), "n_classes must be a positive int, got 0"),
    (lambda: small_resnet(in_channels=1.5), "in_channels must be a positive int, got 1.5"),
    (lambda: small_resnet(width=0), "width must be a positive int"),
    (lambda: small_cnn(width=True), "width must be a positive int"),
    (lambda: pretrained_resnet("vgg16"), "arch must be one of resnet18"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pretrained_small_resnet_is_small_resnet_16_with_a_new_head():
    from dlnotes.models import pretrained_small_resnet

    model = pretrained_small_resnet(n_classes=7)
    reference = small_resnet(n_classes=7, width=16)
    assert [(k, v.shape) for k, v in model.state_dict().items()] == [(k, v.shape) for k, v in reference.state_dict().items()]
    assert list(model.children())[-1] is model.head and model.head.out_features == 7
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 7)
    with pytest.raises(ValueError, match="n_classes must be a positive int, got 0"):
        pretrained_small_resnet(n_classes=0)
    with pytest.raises(FileNotFoundError, match="no backbone weights at"):
        pretrained_small_resnet(weights="no-such-file.pt")


def test_fast_resnet_averages_the_image_and_its_mirror_in_eval_mode_only():
    from dlnotes.models import FlipTTA, fast_resnet

    torch.manual_seed(0)
    model = fast_resnet(n_classes=4, in_channels=3, width=4)
    assert isinstance(model, FlipTTA)
    assert [name for name, _ in model.named_children()] == ["stage1", "stage2", "stage3", "pool", "head"]
    plain = torch.nn.Sequential(*model.children())  # the same layers, without the mirror
    x = torch.randn(3, 3, 28, 28)
    model.eval()
    with torch.no_grad():
        both = model(x)
        assert torch.allclose(both, (plain(x) + plain(x.flip(-1))) / 2, atol=1e-6)
        assert not torch.allclose(both, plain(x), atol=1e-4)  # the mirror changed the scores
        assert torch.allclose(model(x.flip(-1)), both, atol=1e-5)  # an image and its mirror: one answer
    model.train()
    torch.manual_seed(1)
    out = model(x)
    torch.manual_seed(1)
    assert torch.equal(out, plain(x))  # training sees each image once
    assert type(fast_resnet(tta=False)) is torch.nn.Sequential
