"""The introductory theory pages and the PyTorch package map: what their prose says about the build's output."""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, ROOT, page_html
from pages import article, python_blocks, soup, text_outputs

pytestmark = pytest.mark.site

NEW_PAGES = [
    DOCS / "theory" / "what-is-deep-learning.md",
    DOCS / "theory" / "loss-functions.md",
    DOCS / "theory" / "backpropagation.md",
    DOCS / "theory" / "training-basics.md",
    DOCS / "setup" / "pytorch-packages.md",
]


def built(site, source):
    return soup(page_html(site, source))


def output_with(page, needle):
    found = [o for o in text_outputs(page) if needle in o]
    assert found, f"no build output containing {needle!r}"
    return found[0]


@pytest.mark.parametrize("source", NEW_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_opens_with_objectives_and_prerequisites_and_runs_code(source, built_site):
    body = article(built(built_site["dir"], source))
    first = body.select_one("div.admonition")
    assert first is not None and "What you will learn" in first.get_text()
    assert "Prerequisites" in first.get_text()
    assert len(text_outputs(built(built_site["dir"], source))) >= 3  # code ran at build and printed


def test_measured_gflops_sit_next_to_linked_published_figures(built_site):
    page = built(built_site["dir"], DOCS / "theory" / "what-is-deep-learning.md")
    out = output_with(page, "GFLOP/s")
    measured = float(re.search(r"1024 x 1024: ([\d,]+) GFLOP/s", out).group(1).replace(",", ""))
    assert measured > 0
    rows = re.findall(r"^NVIDIA (T4|A100|H100)[^\n]*?\s([\d,]+)\s+([\d,]+)\s*$", out, re.M)
    assert {r[0] for r in rows} == {"T4", "A100", "H100"}
    for _, peak, ratio in rows:  # the ratio column is the published peak over this build's measurement
        # `measured` is printed rounded to a whole GFLOP/s, so the ratio lies between the peak over
        # its upper and lower rounding bounds (and is itself rounded to a whole number).
        peak = int(peak.replace(",", ""))
        low, high = peak / (measured + 0.5), peak / max(measured - 0.5, 1e-9)
        assert low - 1 <= int(ratio.replace(",", "")) <= high + 1
    links = {a["href"] for a in article(page).select("a[href]")}
    for gpu in ("tesla-t4", "a100", "h100"):
        assert any(h.startswith("https://www.nvidia.com/") and h.rstrip("/").endswith(gpu) for h in links), gpu


def test_resnet34_is_34_layers_deep_on_the_page(built_site):
    out = output_with(built(built_site["dir"], DOCS / "theory" / "what-is-deep-learning.md"), "resnet34")
    assert re.search(r"^resnet34 \(torchvision\)\s+34\s", out, re.M)


def test_four_ways_to_cross_entropy_print_the_same_number(built_site):
    out = output_with(built(built_site["dir"], DOCS / "theory" / "loss-functions.md"), "cross_entropy(logits)")
    values = re.findall(r"^(?:by hand|nll_loss\(log_softmax\(logits\)\)|cross_entropy\(logits\)|nn\.CrossEntropyLoss\(\))\s*: ([\d.]+)$", out, re.M)
    assert len(values) == 4 and len(set(values)) == 1, values


def test_cross_entropy_ahead_of_mse_at_every_checkpoint(built_site):
    out = output_with(built(built_site["dir"], DOCS / "theory" / "loss-functions.md"), "mse_on_probabilities")
    ce = [float(v) for v in re.search(r"^cross_entropy\s+(.*)$", out, re.M).group(1).replace("%", "").split()]
    mse = [float(v) for v in re.search(r"^mse_on_probabilities\s+(.*)$", out, re.M).group(1).replace("%", "").split()]
    assert len(ce) == len(mse) == 3 and all(a > b for a, b in zip(ce, mse))


def test_backprop_by_hand_matches_autograd_for_every_parameter(built_site):
    out = output_with(built(built_site["dir"], DOCS / "theory" / "backpropagation.md"), "dL/dW2")
    rows = re.findall(r"^dL/d(W1|b1|W2|b2)\s+by hand\s+\[([^\]]+)\]\s+autograd\s+\[([^\]]+)\]\s+equal to 1e-12$", out, re.M)
    assert {r[0] for r in rows} == {"W1", "b1", "W2", "b2"}
    assert all(mine.split() == auto.split() for _, mine, auto in rows)


def test_learning_rate_leaves_the_gradient_alone(built_site):
    out = output_with(built(built_site["dir"], DOCS / "theory" / "backpropagation.md"), "lr = ")
    grads = re.findall(r"gradient \[([^\]]+)\]", out)
    assert len(grads) == 2 and grads[0] == grads[1]


def test_residual_gradients_and_trainer_weight_decay_as_the_text_says(built_site):
    page = built(built_site["dir"], DOCS / "theory" / "training-basics.md")
    out = output_with(page, "shortcuts")
    plain = [float(v) for v in re.search(r"no shortcuts\s+(\S+)\s+(\S+)", out).groups()]
    resid = [float(v) for v in re.search(r"with shortcuts\s+(\S+)\s+(\S+)", out).groups()]
    assert plain[0] / plain[1] < 1e-6 and 0.1 < resid[0] / resid[1] < 10
    wd = output_with(page, "Trainer optimizer")
    assert re.search(r"Trainer optimizer: AdamW, weight_decay 0\.01 on ([\d,]+) of \1 parameters", wd)  # "on all the model's parameters"


def test_package_map_has_a_running_example_per_package(built_site):
    page = built(built_site["dir"], DOCS / "setup" / "pytorch-packages.md")
    body = article(page)
    for package in ("torch", "torch.nn", "torch.autograd", "torch.nn.functional", "torch.optim", "torch.utils.data", "torchvision"):
        heading = body.find("h3", id=package.replace(".", ""))
        assert heading is not None and heading.get_text().strip().rstrip("¶").strip() == package, package
        section = []
        for sibling in heading.find_next_siblings():
            if sibling.name in ("h2", "h3"):
                break
            section.append(sibling)
        assert any("language-text" in " ".join(s.get("class", [])) or s.select("div.language-text") for s in section), package
    excerpts = [b for b in python_blocks(page) if b.excerpt]
    assert any("breakpoint()" in b.code for b in excerpts)
    assert "SqrtBackward0" in output_with(page, "detect_anomaly")
    compile_out = output_with(page, "captured graph")
    assert compile_out.count("captured graph") >= 3  # one graph for f, and g broken in two or more
