"""Transfer learning: the shipped backbone, precompute, freeze semantics, the pets recipe."""

from __future__ import annotations

import copy
import importlib.util
import pickle
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn

from dlnotes.data import FastLoader
from dlnotes.features import FeatureLoader, body_and_head, body_features, feature_loaders
from dlnotes.models import (
    SMALL_RESNET_SHA256,
    SMALL_RESNET_WEIGHTS,
    load_backbone,
    pretrained_resnet,
    pretrained_small_resnet,
    sha256_file,
    small_resnet,
)
from dlnotes.trainer import Trainer, param_groups

ROOT = Path(__file__).resolve().parents[1]


def images(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 28, 28), generator=g, dtype=torch.uint8), torch.randint(0, 5, (n,), generator=g)


def quiet(model, train, valid=None):
    return Trainer(model, train, valid, device="cpu", precision="fp32", progress=False, verbose=False)


# ------------------------------------------------------------------ the shipped weights

def test_shipped_file_is_small_and_matches_its_checksum():
    assert SMALL_RESNET_WEIGHTS.is_file()
    assert SMALL_RESNET_WEIGHTS.stat().st_size < 3_000_000
    assert sha256_file(SMALL_RESNET_WEIGHTS) == SMALL_RESNET_SHA256


def test_pretrained_body_is_loaded_and_head_is_new():
    torch.manual_seed(0)
    model = pretrained_small_resnet(n_classes=3)
    data = load_backbone(SMALL_RESNET_WEIGHTS)
    for name, value in model.state_dict().items():
        if name.startswith("head."):
            assert name not in data["state_dict"]
        else:
            assert torch.equal(value, data["state_dict"][name]), name
    assert model.head.out_features == 3
    assert model(torch.randn(2, 1, 28, 28)).shape == (2, 3)
    scratch = pretrained_small_resnet(n_classes=3, weights=None)  # same architecture, random body
    assert [k for k in scratch.state_dict()] == [k for k in model.state_dict()]
    assert not torch.equal(scratch.stage1[0][0][0].weight, model.stage1[0][0][0].weight)


def test_pretrained_body_recognises_its_source_classes_better_than_chance():
    """A linear probe on the body's features separates two source classes it was trained on."""
    from dlnotes.data import fashion_mnist
    from dlnotes.models import SMALL_RESNET_STATS

    train, _ = fashion_mnist(sample=True)
    keep = (train.targets == 0) | (train.targets == 5)  # T-shirt/top vs Sandal, both pretrained on
    x, y = train.data[keep][:400], (train.targets[keep][:400] == 5).long()
    loader = FastLoader(x, y, batch_size=200, device="cpu", normalize=SMALL_RESNET_STATS)
    body, _ = body_and_head(pretrained_small_resnet(n_classes=2))
    feats, labels = body_features(body, loader)
    # nearest class mean in feature space: no training at all
    means = torch.stack([feats[labels == k].mean(0) for k in (0, 1)])
    pred = torch.cdist(feats, means).argmin(1)
    assert (pred == labels).float().mean() > 0.95


def test_corrupted_shipped_file_gives_a_clear_error(tmp_path, monkeypatch):
    bad = tmp_path / "body.pt"
    raw = bytearray(SMALL_RESNET_WEIGHTS.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped byte
    bad.write_bytes(bytes(raw))
    monkeypatch.setattr("dlnotes.models.SMALL_RESNET_WEIGHTS", bad)
    with pytest.raises(ValueError, match=r"corrupted or not the shipped file: SHA-256 is [0-9a-f]{64}, expected"):
        pretrained_small_resnet()


def test_missing_shipped_file(tmp_path, monkeypatch):
    monkeypatch.setattr("dlnotes.models.SMALL_RESNET_WEIGHTS", tmp_path / "gone.pt")
    with pytest.raises(FileNotFoundError, match="make_pretrained.py"):
        pretrained_small_resnet()


class Boom:
    def __reduce__(self):
        return (shutil.rmtree, ("/nonexistent-dlnotes-test",))


def test_a_pickle_with_code_is_refused_not_run(tmp_path):
    evil = tmp_path / "evil.pt"
    torch.save({"format": "dlnotes-backbone/1", "state_dict": {}, "x": Boom()}, evil)
    with pytest.raises(ValueError, match="is not a readable weights file"):
        pretrained_small_resnet(weights=evil)
    raw = tmp_path / "raw.pkl"
    raw.write_bytes(pickle.dumps(Boom(), protocol=2))
    with pytest.raises(ValueError, match="is not a readable weights file"):
        load_backbone(raw)


@pytest.mark.parametrize("content, message", [
    (b"not a torch file at all", "is not a readable weights file"),
    (b"", "is not a readable weights file"),
])
def test_garbage_files(tmp_path, content, message):
    path = tmp_path / "w.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        pretrained_small_resnet(weights=path)


def test_foreign_files_are_named(tmp_path):
    plain = tmp_path / "plain_state_dict.pt"
    torch.save(small_resnet(width=16).state_dict(), plain)
    with pytest.raises(ValueError, match=r"is not a dlnotes backbone file .*holds a dict with keys"):
        pretrained_small_resnet(weights=plain)
    tensor = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), tensor)
    with pytest.raises(ValueError, match="holds a Tensor"):
        pretrained_small_resnet(weights=tensor)
    data = load_backbone(SMALL_RESNET_WEIGHTS)
    wider = dict(data, width=32)
    path = tmp_path / "wider.pt"
    torch.save(wider, path)
    with pytest.raises(ValueError, match=r"holds a small_resnet\(width=32"):
        pretrained_small_resnet(weights=path)
    fewer = dict(data, state_dict={k: v for k, v in data["state_dict"].items() if not k.startswith("stage3.")})
    torch.save(fewer, path)
    with pytest.raises(ValueError, match=r"don't fit the body: missing \['stage3"):
        pretrained_small_resnet(weights=path)
    with pytest.raises(TypeError, match="weights must be 'DEFAULT', a path or None"):
        pretrained_small_resnet(weights=3)


def test_a_copy_made_elsewhere_loads_by_path(tmp_path):
    copy_path = tmp_path / "copy.pt"
    shutil.copy(SMALL_RESNET_WEIGHTS, copy_path)
    a, b = pretrained_small_resnet(weights=copy_path), pretrained_small_resnet()
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items() if not k.startswith("head."))


# ------------------------------------------------------------------ precompute

def test_body_and_head_split_our_models_and_torchvision_resnets():
    model = small_resnet(n_classes=4, width=8).eval()
    body, head = body_and_head(model)
    assert head is model.head
    x = torch.randn(3, 1, 28, 28)
    assert torch.allclose(head(body(x)), model(x))
    tv = pretrained_resnet("resnet18", n_classes=2, weights=None).eval()
    body, head = body_and_head(tv)
    x = torch.randn(2, 3, 64, 64)
    assert head is tv.fc and body(x).shape == (2, 512)
    assert torch.allclose(head(body(x)), tv(x), atol=1e-5)
    with pytest.raises(ValueError, match="found no body"):
        body_and_head(nn.Linear(3, 2))


def test_feature_loader_shuffles_like_fast_loader():
    x, y = images(50)
    fast = FastLoader(x, y, batch_size=8, shuffle=True, device="cpu", normalize=False, seed=3)
    feats = FeatureLoader(torch.arange(50.0)[:, None], y, batch_size=8, shuffle=True, seed=3)
    assert len(fast) == len(feats) == 7
    for epoch in (0, 1):
        fast.set_epoch(epoch)
        feats.set_epoch(epoch)
        for (_, ya), (fb, yb) in zip(fast, feats):
            assert torch.equal(ya, yb)
            assert torch.equal(y[fb[:, 0].long()], ya)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        FeatureLoader(torch.zeros(4, 2), torch.zeros(4), batch_size=0)
    with pytest.raises(ValueError, match="features must be N×F"):
        FeatureLoader(torch.zeros(4, 2, 2), torch.zeros(4))


def test_precompute_gives_the_same_head_as_training_through_the_frozen_body():
    x, y = images(200)
    torch.manual_seed(0)
    base = pretrained_small_resnet(n_classes=5)
    a, b = copy.deepcopy(base), copy.deepcopy(base)
    loader = FastLoader(x, y, batch_size=32, shuffle=True, device="cpu", seed=1)
    slow = quiet(a, loader)
    slow.freeze(train_bn=False)
    slow.fit_one_cycle(2, 1e-2)
    feats, _ = feature_loaders(b, loader)
    assert len(feats) == len(loader) and feats.shuffle and feats.seed == 1
    quiet(body_and_head(b)[1], feats).fit_one_cycle(2, 1e-2)
    moved = (a.head.weight - base.head.weight).abs().max()
    assert moved > 1e-3  # the head did learn
    assert (a.head.weight - b.head.weight).abs().max() <= 1e-5
    assert (a.head.bias - b.head.bias).abs().max() <= 1e-5
    # the body did not change at all, batch-norm statistics included
    for (k, va), vb in zip(a.state_dict().items(), base.state_dict().values()):
        if not k.startswith("head."):
            assert torch.equal(va, vb), k


def test_precompute_refuses_augmented_loaders():
    x, y = images(40)
    loader = FastLoader(x, y, batch_size=8, shuffle=True, device="cpu", augment=True)
    with pytest.raises(ValueError, match="without augmentation"):
        feature_loaders(pretrained_small_resnet(), loader)


def test_body_features_restore_the_mode_and_work_with_dataloaders():
    x, y = images(20)
    ds = torch.utils.data.TensorDataset(x[:, None].float() / 255, y)
    body, _ = body_and_head(small_resnet(width=8))
    body.train()
    f, t = body_features(body, torch.utils.data.DataLoader(ds, batch_size=6))
    assert f.shape == (20, 32) and torch.equal(t, y) and body.training
    with pytest.raises(ValueError, match="no batches"):
        body_features(body, [])


# ------------------------------------------------------------------ freeze semantics

def bn_params(model):
    return [p for n, m in model.named_modules() if isinstance(m, nn.BatchNorm2d) and not n.startswith("head")
            for p in m.parameters(recurse=False)]


def test_freeze_keeps_batch_norm_training_by_default_and_train_bn_false_freezes_it():
    x, y = images(64)
    loader = FastLoader(x, y, batch_size=16, shuffle=True, device="cpu")
    model = pretrained_small_resnet(n_classes=5)
    before = copy.deepcopy(model.state_dict())
    t = quiet(model, loader)
    t.freeze()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    bn_names = {f"{name}.{kind}" for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)
                for kind in ("weight", "bias")}
    assert {n for n in trainable if not n.startswith("head.")} == bn_names
    t.fit(1, 1e-3)
    after = model.state_dict()
    assert not torch.equal(after["stage1.0.1.running_mean"], before["stage1.0.1.running_mean"])  # BN statistics adapted
    assert not torch.equal(after["stage1.0.1.weight"], before["stage1.0.1.weight"])  # BN scale learned
    assert torch.equal(after["stage1.0.0.0.weight"], before["stage1.0.0.0.weight"])  # convolutions frozen

    model = pretrained_small_resnet(n_classes=5)
    t = quiet(model, loader)
    t.freeze(train_bn=False)
    assert all(not p.requires_grad for p in bn_params(model))
    t.fit(1, 1e-3)
    after = model.state_dict()
    for k, v in before.items():
        if not k.startswith("head."):
            assert torch.equal(after[k], v), k  # nothing in the body moved, running statistics included
    t.unfreeze()
    assert all(p.requires_grad for p in model.parameters())
    t.fit(1, 1e-3)
    assert not torch.equal(model.state_dict()["stage1.0.1.running_mean"], before["stage1.0.1.running_mean"])


def test_param_groups_of_the_pretrained_small_resnet():
    model = pretrained_small_resnet(n_classes=5)
    groups = param_groups(model)
    owner = {id(p): n.split(".")[0] for n, p in model.named_parameters()}
    assert [sorted({owner[id(p)] for p in g}) for g in groups] == [["stage1", "stage2"], ["stage3"], ["head"]]
    t = quiet(model, [(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long))])
    t.fit(1, slice(1e-5, 1e-3))
    rates = [g["lr"] for g in t.optimizer.param_groups]
    assert rates == pytest.approx([1e-5, 1e-4, 1e-3])


# ------------------------------------------------------------------ the notes' real code, offline

def load_example():
    spec = importlib.util.spec_from_file_location("transfer_pets", ROOT / "examples" / "transfer_pets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dogs_vs_cats_recipe_runs_with_weights_none(tmp_path):
    """The exact function the page shows for Oxford-IIIT Pets, on a generated folder, no download."""
    g = torch.Generator().manual_seed(0)
    for kind, shade in (("cat", 60), ("dog", 190)):
        (tmp_path / kind).mkdir()
        for i in range(10):
            pixels = (shade + torch.randint(-40, 40, (40, 48, 3), generator=g)).clamp(0, 255).to(torch.uint8)
            Image.fromarray(pixels.numpy()).save(tmp_path / kind / f"{kind}_{i}.jpg")
    example = load_example()
    torch.manual_seed(0)
    trainer = example.fine_tune(tmp_path, weights=None, size=32, batch_size=8, freeze_epochs=1, epochs=1,
                                num_iter=10, device="cpu")
    assert type(trainer.model).__name__ == "ResNet" and trainer.model.fc.out_features == 2
    assert len(trainer.history) == 2
    assert all(p.requires_grad for p in trainer.model.parameters())  # unfrozen for the second stage
    assert 0 <= trainer.history[-1]["accuracy"] <= 1
