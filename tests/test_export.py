"""export / load_predictor: a round trip that predicts what the model predicts, and clear errors for bad files."""

from __future__ import annotations

import os

import pytest
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from dlnotes import models
from dlnotes.export import Prediction, architecture_of, export, load_predictor, preprocessing_of

CLASSES = ["zero", "one", "two", "three"]


class StatsLoader:
    """A loader like FastLoader: batches normalised with ``stats``, and ``classes``."""

    def __init__(self, images, labels, stats):
        self.images, self.labels, self.stats, self.classes = images, labels, stats, CLASSES

    def __iter__(self):
        mean, std = (torch.tensor(v).view(1, -1, 1, 1) for v in self.stats)
        yield (self.images.float() / 255 - mean) / std, self.labels

    def __len__(self):
        return 1


class FakeTrainer:
    def __init__(self, model, loader):
        self.model, self.train_loader, self.valid_loader = model, loader, None
        self.device = torch.device("cpu")


def make_trainer(model=None, channels=1, stats=((0.3,), (0.4,))):
    torch.manual_seed(0)
    model = model or models.small_cnn(n_classes=4, in_channels=channels)
    with torch.no_grad():  # non-default batch-norm statistics, so that a bad round trip shows
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    images = torch.randint(0, 256, (6, channels, 28, 28), dtype=torch.uint8)
    return FakeTrainer(model, StatsLoader(images, torch.arange(6) % 4, stats)), images


def expected_probs(model, image_uint8, stats):
    mean, std = (torch.tensor(v).view(1, -1, 1, 1) for v in stats)
    x = (image_uint8.float()[None] / 255 - mean) / std
    model.eval()
    with torch.no_grad():
        return model(x).softmax(1)[0]


def test_round_trip_predicts_what_the_model_predicts_from_tensor_pil_and_file(tmp_path):
    trainer, images = make_trainer()
    path = export(trainer, tmp_path / "model.pt")
    assert path.is_file() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    predictor = load_predictor(path)
    assert predictor.classes == CLASSES
    assert predictor.preprocessing == {"size": [28, 28], "channels": 1, "mean": [pytest.approx(0.3)], "std": [pytest.approx(0.4)], "resize": "squish"}
    image = images[2]
    want = expected_probs(trainer.model, image, ((0.3,), (0.4,)))
    Image.fromarray(image[0].numpy(), mode="L").save(tmp_path / "x.png")
    for given in (image[0], image, image.float() / 255, Image.open(tmp_path / "x.png"), tmp_path / "x.png", str(tmp_path / "x.png")):
        pred = predictor(given)
        assert isinstance(pred, Prediction)
        assert torch.allclose(torch.tensor(list(pred.probabilities.values())), want, atol=1e-5)
        assert pred.label == CLASSES[int(want.argmax())] == CLASSES[pred.index]
        assert pred.probability == pytest.approx(float(want.max()), abs=1e-5)
        assert list(pred.probabilities) == CLASSES


def test_rgb_model_and_image_of_another_size(tmp_path):
    stats = ((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))
    trainer, images = make_trainer(models.small_resnet(n_classes=4, in_channels=3, width=8), channels=3, stats=stats)
    predictor = load_predictor(export(trainer, tmp_path / "m.pt"))
    assert predictor.preprocessing["channels"] == 3 and predictor.preprocessing["mean"] == pytest.approx([0.5, 0.4, 0.3])
    big = Image.fromarray(images[0].permute(1, 2, 0).numpy(), mode="RGB").resize((56, 56), Image.Resampling.NEAREST)
    pred = predictor(big)  # squished back to 28×28
    assert sum(pred.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    gray = Image.fromarray(images[0, 0].numpy(), mode="L")
    assert predictor(gray).label in CLASSES  # converted to RGB like the training images


@pytest.mark.parametrize("build", [
    lambda: models.small_cnn(n_classes=3, in_channels=3),
    lambda: models.small_resnet(n_classes=5, in_channels=1, width=16),
    lambda: models.pretrained_resnet("resnet18", n_classes=2, weights=None, in_channels=1),
])
def test_architecture_is_found_and_rebuilt(build):
    model = build()
    name, kwargs = architecture_of(model)
    rebuilt = getattr(models, name)(**kwargs, **({"weights": None} if name == "pretrained_resnet" else {}))
    assert [(k, v.shape) for k, v in rebuilt.state_dict().items()] == [(k, v.shape) for k, v in model.state_dict().items()]


def test_a_model_not_from_dlnotes_models_is_refused_unless_named(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 26 * 26, 4))
    trainer, _ = make_trainer(model)
    with pytest.raises(ValueError, match="pass arch="):
        export(trainer, tmp_path / "m.pt")
    assert not (tmp_path / "m.pt").exists()


def test_existing_file_is_not_overwritten_unless_asked(tmp_path):
    trainer, _ = make_trainer()
    target = tmp_path / "model.pt"
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export(trainer, target)
    assert target.read_bytes() == b"mine"
    export(trainer, target, overwrite=True)
    assert load_predictor(target).classes == CLASSES


def test_corrupt_file_gives_a_clear_error(tmp_path):
    trainer, _ = make_trainer()
    good = export(trainer, tmp_path / "model.pt").read_bytes()
    bad = tmp_path / "truncated.pt"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="not a readable dlnotes export"):
        load_predictor(bad)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(os.urandom(300))
    with pytest.raises(ValueError, match="not a readable dlnotes export"):
        load_predictor(junk)
    with pytest.raises(FileNotFoundError, match="no dlnotes export at"):
        load_predictor(tmp_path / "missing.pt")


def test_foreign_torch_files_are_named_as_such(tmp_path):
    plain = tmp_path / "state.pt"
    torch.save(models.small_cnn().state_dict(), plain)  # a bare state_dict: no architecture, no classes
    with pytest.raises(ValueError, match="not a dlnotes export"):
        load_predictor(plain)
    tensor = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), tensor)
    with pytest.raises(ValueError, match="not a dlnotes export"):
        load_predictor(tensor)


class Boom:
    """Unpickling this would create a file: the attack weights_only=True blocks."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_file_that_would_run_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"format": "dlnotes-export", "version": 1, "payload": Boom(str(marker))}, evil, pickle_protocol=2)
    with pytest.raises(ValueError, match="not a readable dlnotes export"):
        load_predictor(evil)
    assert not marker.exists()


def test_bad_images_are_named(tmp_path):
    trainer, _ = make_trainer()
    predictor = load_predictor(export(trainer, tmp_path / "m.pt"))
    with pytest.raises(TypeError, match="image must be a file path, a PIL image or a tensor"):
        predictor([1, 2, 3])
    with pytest.raises(FileNotFoundError, match="no file at"):
        predictor(tmp_path / "nope.png")
    with pytest.raises(ValueError, match="C×H×W or H×W"):
        predictor(torch.zeros(1, 1, 1, 28, 28))


def test_preprocessing_without_stats_is_plain_pixels():
    loader = DataLoader(TensorDataset(torch.rand(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)), batch_size=2)
    trainer = FakeTrainer(models.small_cnn(), loader)
    assert preprocessing_of(trainer) == {"size": [28, 28], "channels": 1, "mean": [0.0], "std": [1.0], "resize": "squish"}


def test_trainer_export_records_the_fast_loaders_normalisation_and_classes(tmp_path):
    from dlnotes.data import FastLoader, fashion_mnist
    from dlnotes.trainer import Trainer

    train, _ = fashion_mnist(sample=True)
    loader = FastLoader(train.data[:64], train.targets[:64], batch_size=32, device="cpu")
    loader.classes = train.classes
    trainer = Trainer(models.small_cnn(), loader, device="cpu", progress=False, verbose=False)
    predictor = load_predictor(trainer.export(tmp_path / "fashion.pt"))
    assert predictor.classes == train.classes
    assert predictor.preprocessing["mean"] == pytest.approx(list(loader.stats[0]))
    assert predictor.preprocessing["std"] == pytest.approx(list(loader.stats[1]))
    x, _ = next(iter(loader))
    trainer.model.eval()
    with torch.no_grad():
        want = trainer.model(x[:1]).softmax(1)[0]
    got = predictor(train.data[0])  # the raw uint8 image: the predictor normalises it like the loader did
    assert torch.allclose(torch.tensor(list(got.probabilities.values())), want, atol=1e-5)
