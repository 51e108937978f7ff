"""``python -m dlnotes train``: the trainer from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from dlnotes import cli


@pytest.fixture
def folder(tmp_path):
    """A tiny folder dataset: light and dark images, 15 of each, in class folders."""
    rng = np.random.default_rng(0)
    root = tmp_path / "shapes"
    for name, level in (("dark", 40), ("light", 210)):
        (root / name).mkdir(parents=True)
        for i in range(15):
            pixels = np.clip(rng.normal(level, 20, (16, 16, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_no_arguments_runs_train_with_its_defaults(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "cmd_train", lambda args: seen.setdefault("args", args) and 0)
    assert cli.main([]) == 0
    args = seen["args"]
    assert args.dataset == ["sample"] and args.model == "fast_resnet" and args.lr == "8e-3"
    assert args.device == "auto" and args.precision == "auto" and args.epochs >= 1


def test_train_on_a_folder_writes_json_and_checkpoint(folder, tmp_path, capsys):
    out_json, ckpt = tmp_path / "r.json", tmp_path / "m.pt"
    rc = cli.main(["train", "--dataset", "folder", str(folder), "--size", "16", "--epochs", "2",
                   "--batch-size", "8", "--lr", "3e-3", "--device", "cpu", "--json", str(out_json), "--save", str(ckpt)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "fast_resnet on folder" in out and "24 training and 6 test images, 2 classes" in out
    assert out.count("\n    ") >= 2  # two epoch rows
    record = json.loads(out_json.read_text())
    assert set(record) >= {"accuracy", "seconds", "epochs", "device", "history"}
    assert record["epochs"] == 2 and record["device"] == "cpu" and 0 <= record["accuracy"] <= 1
    assert record["accuracy"] == record["history"][-1]["accuracy"]
    state = torch.load(ckpt, weights_only=True)
    assert state["epoch"] == 2 and state["model"]["head.weight"].shape == (2, 64)
    # existing outputs are not overwritten without --overwrite
    before = out_json.read_text()
    with pytest.raises(SystemExit, match="already exists.*--overwrite"):
        cli.main(["train", "--dataset", "folder", str(folder), "--json", str(out_json)])
    assert out_json.read_text() == before


def test_lr_auto_runs_the_lr_finder_first(folder, capsys):
    rc = cli.main(["train", "--dataset", "folder", str(folder), "--size", "16", "--epochs", "1",
                   "--batch-size", "4", "--lr", "auto", "--device", "cpu"])
    assert rc == 0
    out = capsys.readouterr().out
    line = next(s for s in out.splitlines() if s.startswith("lr_find suggests"))
    assert float(line.split()[-1]) > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "imagenet"], "--dataset must be sample, fashion-mnist, mnist or folder PATH, got 'imagenet'"),
        (["--dataset", "folder"], "--dataset folder needs exactly one PATH"),
        (["--dataset", "sample", "x"], "--dataset sample takes no PATH"),
        (["--lr", "fast"], "--lr must be 'auto' or a number"),
        (["--lr", "-1"], "--lr must be a positive number"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--device", "tpu"], "device must be 'auto', 'cuda'"),
    ],
)
def test_bad_arguments_say_what_is_wrong(argv, message):
    with pytest.raises(SystemExit, match=message.replace("(", r"\(").replace(")", r"\)")):
        cli.main(["train", *argv])


def test_cuda_without_cuda_explains_itself(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", None)
    with pytest.raises(SystemExit, match="CPU-only build"):
        cli.main(["train", "--device", "cuda"])


def test_train_defaults_are_the_fast_recipe():
    args = cli.build_parser().parse_args(["train"])
    assert (args.model, args.epochs, args.batch_size, args.lr) == ("fast_resnet", 7, 256, "8e-3")
    assert args.augment == "auto" and args.label_smoothing == 0.1
    assert cli.build_parser().parse_args(["train", "--augment"]).augment == "shift"  # the flag alone: as before


@pytest.mark.parametrize("augment, dataset, expected", [
    ("auto", "fashion-mnist", dict(augment=True, pad=0, flip=True, tta=True)),
    ("auto", "sample", dict(augment=True, pad=0, flip=True, tta=True)),
    ("auto", "mnist", dict(augment=False, pad=2, flip=False, tta=False)),  # digits have no mirror image
    ("shift", "mnist", dict(augment=True, pad=2, flip=False, tta=False)),
    ("shift", "folder", dict(augment=True, pad=2, flip=True, tta=True)),
    ("none", "sample", dict(augment=False, pad=2, flip=True, tta=False)),
])
def test_augment_choices(augment, dataset, expected):
    assert cli._augmentation(augment, dataset) == expected


def test_label_smoothing_and_test_time_flips_reach_the_trainer(folder, monkeypatch):
    from dlnotes import trainer as trainer_module
    from dlnotes.models import FlipTTA

    seen = []
    original = trainer_module.Trainer.__init__

    def spy(self, model, *args, **kwargs):
        seen.append((model, kwargs["loss_fn"]))
        original(self, model, *args, **kwargs)

    monkeypatch.setattr(trainer_module.Trainer, "__init__", spy)
    common = ["train", "--dataset", "folder", str(folder), "--size", "16", "--epochs", "1", "--batch-size", "8",
              "--device", "cpu"]
    assert cli.main([*common, "--label-smoothing", "0.2"]) == 0
    model, loss_fn = seen[-1]
    assert isinstance(model, FlipTTA) and loss_fn.label_smoothing == 0.2
    assert cli.main([*common, "--augment", "none", "--label-smoothing", "0"]) == 0
    model, loss_fn = seen[-1]
    assert not isinstance(model, FlipTTA) and loss_fn.label_smoothing == 0.0  # no mirrors in training: none at test


@pytest.mark.parametrize("value", ["1", "-0.1"])
def test_bad_label_smoothing_says_what_is_wrong(value):
    with pytest.raises(SystemExit, match=rf"--label-smoothing must be in \[0, 1\), got {value}"):
        cli.main(["train", "--label-smoothing", value])
