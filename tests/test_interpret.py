"""ClassificationInterpretation: counts checked against brute force, a hand-built case, one real pass."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from dlnotes.interpret import ClassificationInterpretation, TopLoss  # noqa: E402


def one_hot_probs(preds, c, p=0.7):
    """Probabilities whose argmax is ``preds``: p on the prediction, the rest spread evenly."""
    probs = torch.full((len(preds), c), (1 - p) / (c - 1))
    probs[torch.arange(len(preds)), torch.as_tensor(preds)] = p
    return probs


def hand_built():
    # actual:    0  0  0  1  1  2  2  2  2  1
    # predicted: 0  1  1  1  0  2  1  1  1  1
    targets = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2, 1])
    preds = torch.tensor([0, 1, 1, 1, 0, 2, 1, 1, 1, 1])
    losses = torch.tensor([0.1, 2.0, 1.5, 0.2, 3.0, 0.05, 0.9, 2.5, 0.7, 0.3])
    return ClassificationInterpretation(one_hot_probs(preds, 3), targets, losses, classes=["cat", "dog", "fox"])


def test_hand_built_confusion_matrix():
    cm = hand_built().confusion_matrix()
    assert cm.tolist() == [[1, 2, 0], [1, 2, 0], [0, 3, 1]]  # rows actual, columns predicted


def test_hand_built_most_confused():
    interp = hand_built()
    assert interp.most_confused() == [("fox", "dog", 3), ("cat", "dog", 2), ("dog", "cat", 1)]
    assert interp.most_confused(min_count=2) == [("fox", "dog", 3), ("cat", "dog", 2)]
    assert interp.most_confused(min_count=4) == []
    with pytest.raises(ValueError, match="min_count"):
        interp.most_confused(min_count=0)


def test_hand_built_top_losses():
    top = hand_built().top_losses(3)
    assert top == [
        TopLoss(4, pytest.approx(3.0), "cat", "dog", pytest.approx(0.7)),
        TopLoss(7, pytest.approx(2.5), "dog", "fox", pytest.approx(0.7)),
        TopLoss(1, pytest.approx(2.0), "dog", "cat", pytest.approx(0.7)),
    ]
    assert len(hand_built().top_losses()) == 10
    assert len(hand_built().top_losses(50)) == 10
    with pytest.raises(ValueError, match="k must be"):
        hand_built().top_losses(-1)


def test_hand_built_classification_report():
    report = hand_built().classification_report()
    # dog: predicted 7 times, 2 right; 3 items, 2 right
    assert report["dog"]["precision"] == pytest.approx(2 / 7)
    assert report["dog"]["recall"] == pytest.approx(2 / 3)
    assert report["dog"]["f1"] == pytest.approx(2 * (2 / 7) * (2 / 3) / (2 / 7 + 2 / 3))
    assert report["fox"] == {"precision": 1.0, "recall": 0.25, "f1": pytest.approx(0.4), "support": 4}
    assert report["accuracy"] == pytest.approx(0.4)
    assert report["macro avg"]["recall"] == pytest.approx((1 / 3 + 2 / 3 + 1 / 4) / 3)
    assert report["weighted avg"]["recall"] == pytest.approx(0.4)  # support-weighted recall is accuracy
    text = str(report)
    assert "precision" in text and "fox" in text and "accuracy" in text


def test_class_never_predicted_has_zero_precision_not_nan():
    interp = ClassificationInterpretation(one_hot_probs([0, 0], 2), torch.tensor([0, 1]), torch.zeros(2))
    report = interp.classification_report()
    assert report["1"]["precision"] == 0.0 and report["1"]["f1"] == 0.0


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6).flatmap(lambda c: st.tuples(
    st.just(c),
    st.lists(st.tuples(st.integers(0, c - 1), st.integers(0, c - 1)), min_size=1, max_size=60),
)))
def test_confusion_matrix_equals_brute_force_count(case):
    c, pairs = case
    if c == 1:
        pairs = [(0, 0) for _ in pairs]
    targets = torch.tensor([a for a, _ in pairs])
    preds = [p for _, p in pairs]
    probs = one_hot_probs(preds, c) if c > 1 else torch.ones(len(pairs), 1)
    interp = ClassificationInterpretation(probs, targets, torch.rand(len(pairs)))
    brute = [[sum(1 for a, p in pairs if a == i and p == j) for j in range(c)] for i in range(c)]
    assert interp.confusion_matrix().tolist() == brute
    mc = interp.most_confused()
    assert [n for *_, n in mc] == sorted((n for *_, n in mc), reverse=True)
    assert sum(n for *_, n in mc) == sum(1 for a, p in pairs if a != p)
    assert interp.classification_report()["accuracy"] == pytest.approx(sum(a == p for a, p in pairs) / len(pairs))


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="probs must be N×C"):
        ClassificationInterpretation(torch.rand(5), torch.zeros(5), torch.zeros(5))
    with pytest.raises(ValueError, match="targets must be class indices"):
        ClassificationInterpretation(one_hot_probs([0, 1], 2), torch.tensor([0, 2]), torch.zeros(2))
    with pytest.raises(ValueError, match="classes must name"):
        ClassificationInterpretation(one_hot_probs([0, 1], 2), torch.tensor([0, 1]), torch.zeros(2), classes=["a"])


class FakeTrainer:
    def __init__(self, model, valid_loader):
        self.model, self.valid_loader = model, valid_loader
        self.loss_fn = nn.CrossEntropyLoss()
        self.device = torch.device("cpu")


def real_pass():
    torch.manual_seed(0)
    x = torch.randn(50, 1, 4, 4)
    y = torch.randint(0, 3, (50,))
    ds = TensorDataset(x, y)
    ds.classes = ["a", "b", "c"]
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    model.train()
    trainer = FakeTrainer(model, DataLoader(ds, batch_size=8))
    return trainer, ds, x, y, model


def test_from_trainer_matches_a_direct_computation():
    trainer, ds, x, y, model = real_pass()
    interp = ClassificationInterpretation.from_trainer(trainer)
    assert model.training, "the model's mode is restored after the pass"
    with torch.no_grad():
        model.eval()
        logits = model(x)
    assert torch.allclose(interp.probs, logits.softmax(1), atol=1e-6)
    assert torch.allclose(interp.losses, nn.functional.cross_entropy(logits, y, reduction="none"), atol=1e-6)
    assert torch.equal(interp.preds, logits.argmax(1)) and torch.equal(interp.targets, y)
    assert interp.classes == ["a", "b", "c"] and interp.dataset is ds
    assert trainer.loss_fn.reduction == "mean", "the trainer's loss is not changed"
    assert interp.accuracy == pytest.approx((logits.argmax(1) == y).float().mean().item())


def test_loss_without_reduction_attribute_is_called_per_item():
    trainer, ds, x, y, model = real_pass()
    trainer.loss_fn = lambda logits, t: nn.functional.cross_entropy(logits, t) * 2
    interp = ClassificationInterpretation.from_trainer(trainer)
    with torch.no_grad():
        model.eval()
        expected = 2 * nn.functional.cross_entropy(model(x), y, reduction="none")
    assert torch.allclose(interp.losses, expected, atol=1e-5)


def test_shuffled_loader_records_no_dataset_and_plot_says_why():
    trainer, ds, *_ = real_pass()
    interp = ClassificationInterpretation.from_trainer(trainer, DataLoader(ds, batch_size=8, shuffle=True))
    assert interp.dataset is None
    with pytest.raises(ValueError, match="pass dataset="):
        interp.plot_top_losses(4)


def test_plots_draw_what_they_say():
    trainer, ds, *_ = real_pass()
    interp = ClassificationInterpretation.from_trainer(trainer)
    fig = interp.plot_confusion_matrix(normalize=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    cm = interp.confusion_matrix().double()
    assert texts[0] == f"{(cm[0, 0] / cm[0].sum()).item():.2f}"
    fig = interp.plot_top_losses(4)
    top = interp.top_losses(4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0] == f"{top[0].predicted} / {top[0].actual}\n{top[0].loss:.2f} / {top[0].probability:.2f}"
    assert len(titles) == 4
    plt.close("all")
