"""The site: a strict build, build-time outputs and figures, and Python blocks a reader can paste and run."""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, NOTEBOOKS, ROOT, SNIPPETS, page_html, run_script
from pages import (
    EXERCISE_TEXTS,
    BuildRuns,
    article,
    build_runs,
    normalize,
    notebook_page,
    python_blocks,
    soup,
    text_outputs,
)

PAGES = sorted(DOCS.rglob("*.md")) + sorted(NOTEBOOKS.glob("*.ipynb"))
SNIPPET_TEXTS = {normalize(p.read_text(encoding="utf-8")): p.name for p in SNIPPETS.glob("*.py")}

pytestmark = pytest.mark.site


def test_strict_build_passes_without_warnings(built_site):
    warnings = [line for line in built_site["log"].splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)


@pytest.mark.parametrize("source", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_is_built(source, built_site):
    html = page_html(built_site["dir"], source)
    assert html.exists(), f"{source} was not built to {html}"
    assert article(soup(html)).get_text(strip=True)


def test_tensors_page_holds_build_time_outputs_and_a_figure(built_site):
    page = soup(built_site["dir"] / "theory" / "tensors" / "index.html")
    outputs = text_outputs(page)
    assert len(outputs) >= 3
    assert any("dy/dx  = 14.0" in o for o in outputs)  # computed by autograd during the build
    images = article(page).select("figure.dl-figure img[src^='data:image/png;base64,']")
    assert images and len(images[0]["src"]) > 5000
    assert article(page).select("math"), "math is not rendered to MathML"


def test_gradient_descent_notebook_page_holds_its_plots(built_site):
    page = soup(built_site["dir"] / "notebooks" / "gradient-descent" / "index.html")
    assert notebook_page(page)
    images = page.select("img[src^='data:image/png;base64,']")
    assert len(images) >= 3
    assert "least-squares optimum" in page.get_text()


def runnable_programs(page, ran: BuildRuns | None = None) -> tuple[list[str], list[str]]:
    """(programs to run, snippet names that stand for a block) for one built page.

    A notebook page has none: the build executed it in a fresh kernel already. On other pages each block is a
    program, except that a block titled "Continued…" is appended to the blocks it continues,
    and a block titled "Excerpt…" is not run. A block identical to a file in snippets/ is
    test_snippets.py's to run; here we only check that it is that file. A program the build ran
    on its own (``ran``: a block with ``exec="on"``, or a session whose blocks are exactly this
    block and those continuing it) ran once already, and the strict build stops on its errors.
    """
    blocks = python_blocks(page)
    if notebook_page(page):  # the build ran it in a fresh kernel: see test_notebooks.py
        return [], []
    programs, covered, chain = [], [], []

    def close(chain):
        if len(chain) > 1 and not (ran and ran.ran(chain)):
            programs.append("\n\n".join(chain))

    for block in blocks:
        if block.excerpt or normalize(block.code) in EXERCISE_TEXTS:
            continue
        if block.continued:
            assert chain, f"a 'Continued' block has nothing before it to continue:\n{block.code[:300]}"
            chain.append(block.code)
            continue
        close(chain)
        chain = [block.code]
        name = SNIPPET_TEXTS.get(normalize(block.code))
        if name:
            covered.append(name)
        elif not (ran and ran.ran(chain)):
            programs.append(block.code)
    close(chain)
    return programs, covered


@pytest.mark.parametrize("source", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run_as_shown(source, built_site, tmp_path):
    ran = build_runs(source) if source.suffix == ".md" else None
    programs, _ = runnable_programs(soup(page_html(built_site["dir"], source)), ran)
    for i, program in enumerate(programs):
        script = tmp_path / f"block_{i}.py"
        script.write_text(program, encoding="utf-8")
        proc = run_script(script, cwd=tmp_path, timeout=300)
        assert proc["returncode"] == 0, f"block {i} of {source.name} fails when pasted into python:\n{program[:1500]}\n---\n{proc['stderr'][-3000:]}"


def test_blocks_are_recognised(built_site):
    """The block extraction itself finds what is on the pages (so the test above can't pass by finding nothing)."""
    page = soup(built_site["dir"] / "theory" / "tensors" / "index.html")
    programs, covered = runnable_programs(page)
    assert {"tensors_basics.py", "tensors_autograd.py", "tensors_plot.py"} <= set(covered)
    notebook = soup(built_site["dir"] / "notebooks" / "gradient-descent" / "index.html")
    assert runnable_programs(notebook) == ([], []) and any("def sgd(" in b.code for b in python_blocks(notebook))
    setup_programs, _ = runnable_programs(soup(built_site["dir"] / "setup" / "index.html"))
    assert any("torch.backends.mps.is_available()" in p for p in setup_programs)
