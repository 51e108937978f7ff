"""The practice pages (Jupyter, getting a GPU, data ethics, data as pictures, fastai then and now):
the claims their prose makes about what the code shows, checked against what that code printed in
the site build (the page runs each snippet once, in a block of its own, and shows its output)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import DOCS, ROOT, SNIPPETS, page_html, run_script
from pages import article, build_output, soup

PAGES = {
    "setup/jupyter.md": ["jupyter_help.py", "jupyter_ipython.py", "jupyter_timeit.py"],
    "setup/getting-a-gpu.md": ["trainer_check_install.py", "gpu_speed.py"],
    "lessons/data-ethics.md": ["ethics_imbalance.py"],
    "lessons/data-as-pictures.md": ["pictures_spectrogram.py", "pictures_train.py"],
    "lessons/fastai-then-and-now.md": ["fastai_dlnotes_lesson1.py"],
}


@pytest.fixture
def run(built_site):
    """``run(name)``: what snippets/<name> printed in the build, on the page of PAGES that runs it."""

    def stdout(name: str) -> str:
        page = next(page for page, names in PAGES.items() if name in names)
        printed = build_output(soup(page_html(built_site["dir"], DOCS / page)), (SNIPPETS / name).read_text(encoding="utf-8"))
        assert printed is not None, f"docs/{page} does not show {name} with the output the build printed"
        return printed

    return stdout


# ------------------------------------------------------------------ the pages' shape


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_has_description_opening_summary_and_is_in_the_nav(page):
    text = (DOCS / page).read_text(encoding="utf-8")
    front = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert front and re.search(r"^description: \S.{40,}$", front.group(1), re.M), f"{page}: no description in the front matter"
    assert "**What you will learn:**" in text and "**Prerequisites:**" in text
    assert re.search(r"^## Summary$", text, re.M), f"{page}: no '## Summary' section"
    assert f" {page}" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), f"{page} is not in the nav"
    for snippet in PAGES[page]:
        assert f'--8<-- "{snippet}"' in text


@pytest.mark.parametrize("page", sorted(PAGES))
def test_correction_boxes_have_the_shared_form(page):
    """The knowledge-base engineer lists boxes written exactly as !!! warning "Correction: <title>"."""
    text = (DOCS / page).read_text(encoding="utf-8")
    boxes = re.findall(r'^!!! warning "Correction(.*)"$', text, re.M)
    assert all(re.fullmatch(r": \S.*", title) for title in boxes), boxes
    expected = {"setup/jupyter.md": 1, "setup/getting-a-gpu.md": 1, "lessons/data-ethics.md": 2,
                "lessons/data-as-pictures.md": 0, "lessons/fastai-then-and-now.md": 2}
    assert len(boxes) == expected[page]


# ------------------------------------------------------------------ Jupyter


def test_ipython_cells_are_the_ones_the_page_refers_to(run):
    out = run("jupyter_ipython.py")
    cells = {int(n): body for n, body in re.findall(r"^In \[(\d+)\]: (.*?)(?=^In \[|\Z)", out, re.S | re.M)}
    # the prose: "cell 3 above" is the notes' ??learn.lr_find(), which IPython cannot look up
    assert cells[3].startswith("??learn.lr_find()") and "Object `learn.lr_find()` not found." in cells[3]
    # "cell 4": a shell command with {name} expanded, captured as a list of lines
    assert "out = !echo {name}.zip" in cells[4] and "['dogscats.zip']" in cells[4]
    # "cells 5 and 6": autoreload picks up the edit between the two
    assert "%autoreload 2" in cells[5] and "'version 1'" in cells[5]
    assert "'version 2, edited on disk'" in cells[6]
    # cell 2: `?` shows the docstring of the trainer's lr_find
    assert "Run the learning-rate range test" in cells[2] and "Signature:" in cells[2]


def test_double_question_mark_without_the_call_shows_the_source(tmp_path):
    """The correction's fix, `??learn.lr_find`, really shows the source in IPython."""
    script = tmp_path / "pinfo2.py"
    script.write_text(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from traitlets.config import Config\n"
        "c = Config(); c.HistoryManager.hist_file = ':memory:'; c.InteractiveShell.colors = 'nocolor'\n"
        "shell = InteractiveShell.instance(config=c)\n"
        "shell.run_cell('from dlnotes import Trainer, fashion_mnist')\n"
        "shell.run_cell('from dlnotes.data import FastLoader; from dlnotes.models import small_cnn')\n"
        "shell.run_cell(\"learn = Trainer(small_cnn(), FastLoader(fashion_mnist(sample=True)[0], device='cpu'), verbose=False)\")\n"
        "shell.run_cell('??learn.lr_find')\n"
        "shell.run_cell('learn.lr_find??')\n",
        encoding="utf-8",
    )
    proc = run_script(script, cwd=tmp_path, timeout=120)
    assert proc["returncode"] == 0, proc["stderr"][-2000:]
    assert proc["stdout"].count("def lr_find(self") == 2
    assert "not found" not in proc["stdout"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_reads_the_call_as_a_function_definition_without_a_body():
    """The correction explains the notes' output: bash's complaint about `learn.lr_find()`."""
    proc = subprocess.run(["bash", "-c", "learn.lr_find()"], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "syntax error: unexpected end of file" in proc.stderr


# ------------------------------------------------------------------ data ethics


def test_imbalance_claims_hold(run):
    out = run("ethics_imbalance.py")
    rows = {m[0]: tuple(map(float, m[1:])) for m in re.findall(r"^(balanced|rare|weighted|resampled)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)}
    assert set(rows) == {"balanced", "rare", "weighted", "resampled"}, out
    (b_rec, b_acc, _), (r_rec, r_acc, r_mix) = rows["balanced"], rows["rare"]
    assert "[1000, 1000, 50, 1000" in out  # pullovers made rare: 50 of 1,000
    assert b_rec > 0.5                      # "recognises most pullovers"
    assert r_rec < 0.2 and r_rec < b_rec / 3  # "almost never answers pullover"
    assert 0 < b_acc - r_acc < 0.06          # overall accuracy "drops only a little"
    assert r_mix > b_acc                     # with the training mix it "looks better than the balanced model"
    for fix in ("weighted", "resampled"):
        f_rec, f_acc, _ = rows[fix]
        assert f_rec > r_rec + 0.5 * (b_rec - r_rec), f"{fix} does not bring most of the recall back"
        assert f_acc < b_acc                 # "the model trained on balanced data stays ahead overall"
    # the rare run's answers for pullovers are other classes, and each fix costs some other class recall
    calls = re.search(r"calls the 200 test pullovers: (\w[\w/-]*) (\d+)", out)
    assert calls and calls.group(1) != "Pullover"
    paid = re.findall(r"paid for by ([\w/-]+) ([\d.]+) -> ([\d.]+)", out)
    assert len(paid) == 2 and all(name != "Pullover" and float(after) < float(before) for name, before, after in paid)


# ------------------------------------------------------------------ data as pictures


def test_spectrogram_finds_the_beep(run):
    out = run("pictures_spectrogram.py")
    peak = float(re.search(r"loudest frequency at 0.75 s: (\d+) Hz", out).group(1))
    bin_width = float(re.search(r"each bin is ([\d.]+) Hz wide", out).group(1))
    assert abs(peak - 3000) <= bin_width  # the 3 kHz beep, to within one frequency bin
    assert "(129, 251)" in out  # n_fft 256 -> 129 bins; 2 s at a hop of 64 samples -> 251 frames


def test_cnn_separates_the_sounds(run):
    out = run("pictures_train.py")
    accuracy = float(re.search(r"validation accuracy after 3 epochs: ([\d.]+)", out).group(1))
    assert accuracy > 0.9  # "a CNN separates them easily"


# ------------------------------------------------------------------ fastai then and now


def test_fastai_table_names_exist_in_dlnotes():
    """Every `trainer.x` and dlnotes function the table's last column names is real."""
    import dlnotes.clean
    import dlnotes.data
    import dlnotes.export
    import dlnotes.interpret
    import dlnotes.lr_finder
    import dlnotes.models
    import dlnotes.trainer

    text = (DOCS / "lessons/fastai-then-and-now.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) >= 20
    modules = [dlnotes.clean, dlnotes.data, dlnotes.export, dlnotes.interpret, dlnotes.lr_finder, dlnotes.models, dlnotes.trainer]
    plain = {"help", "slice", "requires_grad_"}  # Python and PyTorch, not dlnotes
    checked = 0
    for row in rows:
        last = row.rstrip(" |").rsplit(" | ", 1)[1]
        for code in re.findall(r"`([^`]+)`", last):
            for method in re.findall(r"\btrainer\.(\w+)", code):
                assert hasattr(dlnotes.trainer.Trainer, method), f"Trainer has no {method!r} ({row[:60]})"
                checked += 1
            for func in re.findall(r"(?<![.\w])([a-z_]\w*)\(", code):
                if func in plain:
                    continue
                owners = [*modules, dlnotes.interpret.ClassificationInterpretation]  # "the same names" as fastai's interp
                assert any(hasattr(m, func) for m in owners), f"dlnotes has no {func!r} ({row[:60]})"
                checked += 1
    assert checked >= 15  # the parser finds the names (19 when written)


def test_lr_plot_and_workflow_outputs(run):
    out = run("fastai_dlnotes_lesson1.py")
    assert "range test: 50 steps, learning rate from 1e-07" in out
    error = float(re.search(r"error rate after 1 epoch: ([\d.]+)", out).group(1))
    assert error < 0.3
    assert re.search(r"most confused \(actual, predicted, count\): \[\('[\w/-]+', '[\w/-]+', \d+\)", out)


# ------------------------------------------------------------------ built pages


@pytest.mark.site
def test_built_pages_show_their_outputs_and_figures(built_site):
    figures = {"lessons/data-ethics.md": 1, "lessons/data-as-pictures.md": 2, "lessons/fastai-then-and-now.md": 1}
    for page in PAGES:
        html = soup(page_html(built_site["dir"], DOCS / page))
        body = article(html)
        assert html.select_one('meta[name="description"]')["content"].startswith(
            re.search(r"^description: (.{20})", (DOCS / page).read_text(encoding="utf-8"), re.M).group(1)
        )
        assert body.select("div.language-text.highlight"), f"{page} shows no build-time output"
        images = body.select("figure.dl-figure img[src^='data:image/png;base64,']")
        assert len(images) >= figures.get(page, 0), f"{page}: {len(images)} figures"
        for box in body.select("div.admonition.warning p.admonition-title"):
            assert box.get_text().startswith("Correction: ")
