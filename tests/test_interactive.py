"""The interactive pieces compute what the Python package computes (Chromium, driven by Playwright).

* the kernel playground (image-kernels page) gives ``apply_kernel``'s output for every named
  kernel, for a kernel typed in, on a Fashion-MNIST image and on the photo, also stacked;
* the learning-rate explorer (learning-rate page) gives the path of ``snippets/lr_explorer.py``;
* the CNN of "The CNN in your browser" gives PyTorch's class probabilities for 20 test images.

Each piece is also driven with the keyboard, checked at 375 px wide, for labels on its controls,
and for console errors and requests that leave 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch
from browser import watch
from conftest import ROOT

pytestmark = pytest.mark.site

PAGES = {
    "kernels": ("/theory/image-kernels/", ".dl-kernels"),
    "lr": ("/theory/learning-rate/", ".dl-lr-explorer"),
    "cnn": ("/cnn/in-your-browser/", ".dl-cnn"),
}


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    return built_site["dir"]


def open_piece(browser, server, name, **context_options):
    """A new page showing one interactive piece, ready; it records errors and outside requests."""
    context = browser.new_context(**context_options)
    page = watch(context.new_page())
    path, selector = PAGES[name]
    page.goto(server + path, wait_until="networkidle")
    page.piece = page.locator(selector)
    page.wait_for_function(f"document.querySelector('{selector}').dlResult !== undefined", timeout=30000)
    return page


# A piece's result; an image's values come back as the base64 of their float32 bytes ("f32"):
# the same numbers, but Playwright checks each element of a plain array one by one (seconds a result).
RESULT = """el => {
  const r = el.dlResult;
  if (!r.values) return r;
  const bytes = new Uint8Array(Float32Array.from(r.values).buffer);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return {...r, values: undefined, f32: btoa(text)};
}"""


def result(page) -> dict:
    return page.piece.evaluate(RESULT)


def assert_clean(page):
    assert not page.problems, "\n".join(page.problems)
    assert not page.external, "requests leaving the machine:\n" + "\n".join(sorted(set(page.external)))


def decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def load(site: Path, name: str) -> dict:
    return json.loads((site / "assets" / "interactive" / name).read_text(encoding="utf-8"))


# --- kernel playground -----------------------------------------------------------------------


def image_of(entry: dict) -> np.ndarray:
    shape = (entry["height"], entry["width"]) + ((entry["channels"],) if entry["channels"] > 1 else ())
    return decode(entry["uint8"], "u1").reshape(shape).copy()


def shown(page, entry) -> np.ndarray:
    r = result(page)
    assert (r["height"], r["width"], r["channels"]) == (entry["height"], entry["width"], entry["channels"])
    return decode(r["f32"], "<f4").reshape(image_of(entry).shape)


def test_exported_kernel_data_is_the_package_s(site):
    from dlnotes.data import fashion_mnist
    from dlnotes.kernels import KERNELS, apply_kernel

    data = load(site, "kernels.json")
    assert data["kernels"] == {name: k.tolist() for name, k in KERNELS.items()}
    train, _ = fashion_mnist(sample=True)
    fashion = [e for e in data["images"] if "reference" in e]
    assert len(fashion) >= 2 and any(e["channels"] == 3 for e in data["images"])
    for entry in fashion:
        image = image_of(entry)
        assert any(np.array_equal(image, train.data[i].numpy()) for i in range(50)), entry["name"]
        for name in KERNELS:
            reference = decode(entry["reference"][name], "<f4").reshape(image.shape)
            np.testing.assert_array_equal(reference, apply_kernel(torch.from_numpy(image.copy()), name).numpy())


@pytest.mark.site_first
def test_kernel_playground_equals_apply_kernel(browser, server, site):
    from dlnotes.kernels import KERNELS, apply_kernel

    data = load(site, "kernels.json")
    page = open_piece(browser, server, "kernels")
    piece = page.piece
    first = piece.locator("fieldset.dl-kernel").nth(0)
    for index, entry in enumerate(data["images"]):
        piece.locator("select.dl-image").select_option(str(index))
        for name in KERNELS:
            first.locator("select.dl-named").select_option(name)
            out = shown(page, entry)
            if "reference" in entry:  # exported at build: what apply_kernel gave then
                expected = decode(entry["reference"][name], "<f4").reshape(out.shape)
            else:  # the photo: computed here, from the exported pixels
                expected = apply_kernel(image_of(entry), name)
            np.testing.assert_allclose(out, expected, rtol=0, atol=1e-5, err_msg=f"{name} on {entry['name']}")

    # a random kernel, typed into the grid
    rng = np.random.default_rng(13)
    kernel = np.round(rng.uniform(-2, 2, (3, 3)), 3)
    cells = first.locator(".dl-grid input")
    for k, value in enumerate(kernel.flat):
        cells.nth(k).fill("")
        cells.nth(k).press_sequentially(f"{value:g}")
    assert first.locator("select.dl-named").input_value() == ""  # "custom"
    for index, entry in enumerate(data["images"]):
        piece.locator("select.dl-image").select_option(str(index))
        out = shown(page, entry)
        np.testing.assert_allclose(out, apply_kernel(image_of(entry), kernel), rtol=0, atol=1e-5)

    # stacked: the random kernel, a ReLU, then "outline"; and without the ReLU
    piece.locator("input.dl-stack").check()
    piece.locator("fieldset.dl-kernel").nth(1).locator("select.dl-named").select_option("outline")
    entry = data["images"][0]
    piece.locator("select.dl-image").select_option("0")
    step = apply_kernel(image_of(entry), kernel)
    np.testing.assert_allclose(shown(page, entry), apply_kernel(np.maximum(step, 0), "outline"), rtol=0, atol=1e-5)
    piece.locator("input.dl-relu").uncheck()
    np.testing.assert_allclose(shown(page, entry), apply_kernel(step, "outline"), rtol=0, atol=1e-5)
    caption = piece.locator(".dl-out-caption").inner_text()
    lo, hi = apply_kernel(step, "outline").min(), apply_kernel(step, "outline").max()
    assert f"{lo:.3f}" in caption and f"{hi:.3f}" in caption, caption  # the value range is shown
    assert_clean(page)


# --- learning-rate explorer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def lr_snippet() -> dict:
    return runpy.run_path(str(ROOT / "snippets" / "lr_explorer.py"))


def test_lr_explorer_equals_the_python_path(browser, server, site, lr_snippet):
    data = load(site, "lr-explorer.json")
    assert data["rates"] == lr_snippet["RATES"] and len(data["rates"]) == 3
    np.testing.assert_array_equal(data["x"], lr_snippet["x"].numpy())
    page = open_piece(browser, server, "lr")
    verdicts = {"too small": "Too small", "good": "Good", "diverges": "Diverges"}
    for name, lr in lr_snippet["RATES"].items():
        page.piece.locator("input.dl-lr").fill(str(lr))
        r = result(page)
        assert r["lr"] == lr
        expected = lr_snippet["descend"](lr).numpy()
        got = np.array(r["path"])
        assert got.shape == expected.shape == (lr_snippet["STEPS"] + 1, 2)
        error = np.abs(got - expected) / np.maximum(1, np.abs(expected))  # relative beyond 1: paths that diverge
        assert error.max() <= 1e-6, f"lr={lr}: largest difference {error.max():.2e}"
        np.testing.assert_allclose(got, np.array(data["reference"][str(lr)]), rtol=1e-6, atol=1e-6)
        assert page.piece.locator(".dl-verdict").inner_text().split(". ", 1)[1].startswith(verdicts[name])
    assert_clean(page)


# --- the CNN in the browser ------------------------------------------------------------------


def pytorch_model(file: dict) -> torch.nn.Module:
    from dlnotes.models import small_cnn

    state = {name: torch.from_numpy(decode(e["float32"], "<f4").reshape(e["shape"]).copy())
             for name, e in file["state_dict"].items()}  # fmt: skip
    model = small_cnn(n_classes=len(file["classes"]), width=state["block1.0.0.weight"].shape[0])
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(name.endswith("num_batches_tracked") for name in missing), (missing, unexpected)
    return model.eval()


def test_browser_cnn_equals_pytorch_on_20_test_images(browser, server, site):
    from dlnotes.data import fashion_mnist

    file = load(site, "small-cnn.json")
    model = pytorch_model(file)
    images = torch.from_numpy(decode(file["test_images"]["uint8"], "u1").reshape(-1, 1, 28, 28).copy())
    _, test = fashion_mnist(sample=True)
    indices = file["test_images"]["indices"]
    assert torch.equal(images[:, 0], test.data[indices]) and file["test_images"]["labels"] == test.targets[indices].tolist()
    with torch.no_grad():
        expected = model((images.float() / 255 - file["mean"]) / file["std"]).softmax(dim=1).numpy()

    page = open_piece(browser, server, "cnn")
    thumbs = page.piece.locator("button.dl-thumb")
    assert thumbs.count() == len(indices) >= 20
    worst = 0.0
    for i in range(20):
        thumbs.nth(i).click()
        r = result(page)
        assert r["index"] == i
        probabilities = np.array(r["probabilities"])
        worst = max(worst, float(np.abs(probabilities - expected[i]).max()))
        assert r["predicted"] == int(expected[i].argmax()), f"image {i}: class {r['predicted']} in the browser"
        assert file["classes"][r["predicted"]] in page.piece.locator(".dl-prediction").inner_text()
    assert worst <= 1e-4, f"largest difference in a probability: {worst:.2e}"
    maps = page.piece.locator(".dl-maps figure")
    assert maps.count() == 3 and maps.nth(0).locator("canvas").count() == file["state_dict"]["block1.0.0.weight"]["shape"][0]
    assert_clean(page)


# --- keyboard, labels, narrow screens ----------------------------------------------------------

UNLABELLED = """el => [...el.querySelectorAll('input, select, button')].filter(
    c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby')
).map(c => c.outerHTML)"""


@pytest.mark.parametrize("name", PAGES)
def test_controls_have_labels_and_fit_375_px(browser, server, name):
    page = open_piece(browser, server, name, viewport={"width": 375, "height": 800}, color_scheme="dark")
    assert page.piece.evaluate(UNLABELLED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the page scrolls sideways at 375 px"
    box = page.piece.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    overflowing = page.piece.evaluate(
        "el => [...el.querySelectorAll('*')].filter(c => c.getBoundingClientRect().right > innerWidth + 0.5).map(c => c.outerHTML.slice(0, 80))"
    )
    assert overflowing == []
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert_clean(page)


@pytest.mark.site_first
def test_keyboard_operates_every_piece(browser, server):
    page = open_piece(browser, server, "kernels")
    page.piece.locator("select.dl-image").focus()
    page.keyboard.press("Tab")  # to kernel 1's name
    before = result(page)["f32"]
    page.keyboard.press("ArrowDown")  # the next named kernel
    assert result(page)["f32"] != before
    page.keyboard.press("Tab")  # first weight
    page.keyboard.type("7")
    assert page.piece.locator("select.dl-named").first.input_value() == ""
    assert_clean(page)

    page = open_piece(browser, server, "lr")
    slider = page.piece.locator("input.dl-slider")
    slider.focus()
    lr = result(page)["lr"]
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert result(page)["lr"] > lr
    page.keyboard.press("End")
    assert "Diverges" in page.piece.locator(".dl-verdict").inner_text()
    assert_clean(page)

    page = open_piece(browser, server, "cnn")
    page.piece.locator("button.dl-thumb").nth(0).focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert result(page)["index"] == 1
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert result(page)["index"] == 2
    assert page.piece.locator("button.dl-thumb").nth(2).get_attribute("aria-pressed") == "true"
    assert_clean(page)
