"""Readers take a page away: the notebook and script downloads, and the verified stamp, all made by the build."""

from __future__ import annotations

import ast
import datetime
import platform
import re

import nbformat
import pytest
import torch
from conftest import DOCS, NOTEBOOKS, ROOT, page_html, run_script
from pages import article, normalize, soup

from dlnotes._site_downloads import Cell, page_cells, script_text

PAGES = sorted(DOCS.rglob("*.md")) + sorted(NOTEBOOKS.glob("*.ipynb"))
CODE_PAGES = [p for p in PAGES if p.suffix == ".ipynb" or "```python" in p.read_text(encoding="utf-8")]
EXEC_FENCE = re.compile(r'^`{3,}python[^\n]*exec="on"', re.M)  # not indented: a fence the page runs, not one it shows
EXECUTED = [p for p in PAGES if p.suffix == ".ipynb" or EXEC_FENCE.search(p.read_text(encoding="utf-8"))]


def pid(path):
    return str(path.relative_to(ROOT))


def downloads(built_site, source):
    """(page soup, notebook path, script path) of a built page, or Nones when it offers none."""
    html = page_html(built_site["dir"], source)
    page = soup(html)
    links = page.select("div.dl-downloads a[download]")
    if not links:
        return page, None, None
    notebook, script = (html.parent / a["href"] for a in links)
    return page, notebook, script


# --- how a page becomes cells (no build needed) -----------------------------------------------

BLOCK = '<div class="language-python highlight">{title}<pre><span></span><code>{code}</code></pre></div>'


def test_prose_becomes_markdown_and_blocks_become_code_in_order():
    html = (
        '<h1 id="t">Title<a class="headerlink" href="#t">¶</a></h1><p>Intro.</p>'
        + BLOCK.format(title="", code="x = 1\nprint(x)")
        + '<div class="language-text highlight"><pre><code>1</code></pre></div>'  # an output: left out
        + '<figure class="dl-figure"><img src="data:image/png;base64,AAAA"></figure>'
        + "<p>Then.</p>"
        + BLOCK.format(title='<span class="filename">Continued: more</span>', code="print(x + 1)")
        + BLOCK.format(title='<span class="filename">Excerpt from src/dlnotes/conv.py</span>', code="def conv2d(...):")
        + '<div class="admonition tip"><p class="admonition-title">Try this</p>' + BLOCK.format(title="", code="print('tip')") + "</div>"
        + '<details class="success"><summary>Solution</summary>' + BLOCK.format(title="", code="print('solved')") + "</details>"
        + BLOCK.format(title='<span class="filename">Check: paste it under your code</span>', code="assert solved")
    )
    cells = page_cells(html)
    assert [c.kind for c in cells] == ["markdown", "code", "markdown", "code", "markdown", "code"]
    assert cells[1].text == "x = 1\nprint(x)" and cells[3].text == "print(x + 1)" and cells[5].text == "print('tip')"
    assert "solved" not in "".join(c.text for c in cells), "an exercise's solution or check went into the download"
    assert "¶" not in cells[0].text and "Intro." in cells[0].text
    assert "base64" not in "".join(c.text for c in cells) and ">1<" not in cells[2].text
    assert "```python\ndef conv2d(...):\n```" in cells[4].text and "Try this" in cells[4].text


def test_the_script_keeps_code_and_comments_out_prose():
    text = script_text([Cell("markdown", "<p>Some <em>prose</em>.</p>"), Cell("code", "print(1)")], "T")
    compile(text, "t.py", "exec")
    assert "# %% [markdown]\n# Some prose ." in text or "# %% [markdown]\n# Some prose." in text
    assert "# %%\nprint(1)" in text


# --- the built site -----------------------------------------------------------------------------

pytestmark_site = pytest.mark.site


@pytestmark_site
@pytest.mark.parametrize("source", CODE_PAGES, ids=pid)
def test_a_page_with_code_offers_its_notebook_and_script(source, built_site):
    page, notebook, script = downloads(built_site, source)
    runnable = downloadable_blocks(page)
    if not runnable:
        assert notebook is None, f"{source.name} has no code to run but offers downloads"
        return
    assert notebook and notebook.exists() and script.exists(), f"{source.name}: downloads missing"
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    code_cells = [normalize(c.source) for c in nb.cells if c.cell_type == "code"]
    if source.suffix == ".ipynb":  # a notebook page offers its own source notebook
        runnable = [c.source for c in nbformat.read(source, as_version=4).cells if c.cell_type == "code"]
    assert code_cells == [normalize(code) for code in runnable]
    compile(script.read_text(encoding="utf-8"), str(script), "exec")


def downloadable_blocks(page) -> list[str]:
    """The page's copyable blocks a download holds: not excerpts, not the exercises' checks and answers."""
    blocks = []
    for div in article(page).select("div.language-python.highlight, div.highlight-ipynb.hl-python"):
        title = div.select_one("span.filename")
        title = title.get_text().strip().lower() if title else ""
        details = div.find_parent("details")
        if title.startswith(("excerpt", "check")) or (details and {"success", "note"} & set(details.get("class", []))):
            continue
        if details and (details.find("summary") or details).get_text().strip().startswith("Source code in"):
            continue  # mkdocstrings' source panels
        blocks.append((div.find("code") or div.find("pre")).get_text())
    return blocks


def _page_with_downloads(built_site, source):
    page, notebook, script = downloads(built_site, source)
    assert article(page) is not None
    return notebook, script


# A notebook page offers its own notebook (the same code cells: tested above), which the build
# executed in a new kernel and stops on its errors (test_notebooks.py): it ran once already.
MARKDOWN_CODE_PAGES = [p for p in CODE_PAGES if p.suffix == ".md"]


@pytestmark_site
@pytest.mark.slow
@pytest.mark.parametrize("source", MARKDOWN_CODE_PAGES, ids=pid)
def test_the_downloaded_notebook_runs(source, built_site, tmp_path):
    from nbclient import NotebookClient
    from warm_kernel import warm_kernel_manager

    notebook, _ = _page_with_downloads(built_site, source)
    if notebook is None:
        return  # the test above asserts that such a page has no runnable code
    nb = nbformat.read(notebook, as_version=4)
    # a python3 kernel forked from a warm interpreter: as a new one, less the imports (test_warm_kernel.py)
    NotebookClient(nb, timeout=600, km=warm_kernel_manager(), resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert any(c.cell_type == "code" and c.execution_count for c in nb.cells)


def script_code_cells(text: str) -> list[str]:
    """The code cells of a percent-format script (``# %%`` starts one, ``# %% [markdown]`` a prose cell)."""
    parts = re.split(r"^# %%( \[markdown\])?\n", text, flags=re.M)
    return [body.rstrip("\n") for flag, body in zip(parts[1::2], parts[2::2]) if flag is None]


NOTEBOOK_ONLY = {"display", "get_ipython", "In", "Out"}  # names IPython gives a notebook and python does not


@pytestmark_site
@pytest.mark.parametrize("source", CODE_PAGES, ids=pid)
def test_the_downloaded_script_is_the_notebook_as_python(source, built_site):
    """The script holds the notebook's code cells, in order, and nothing a notebook alone can run
    (magics and top-level ``await`` would not compile; IPython's names would not be defined): the
    notebook's run (``test_the_downloaded_notebook_runs``) is the script's run, and the test below
    runs a sample of the scripts with ``python`` itself."""
    notebook, script = _page_with_downloads(built_site, source)
    if script is None:
        return
    text = script.read_text(encoding="utf-8")
    tree = ast.parse(text, str(script))
    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    assert [normalize(c) for c in script_code_cells(text)] == [normalize(c) for c in cells]
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assert not (used & NOTEBOOK_ONLY) - bound, f"{script.name} uses {sorted((used & NOTEBOOK_ONLY) - bound)}, which only a notebook has"


def test_the_script_cells_are_read_back():
    text = script_text([Cell("markdown", "<p>Intro.</p>"), Cell("code", "x = 1\n\nprint(x)"), Cell("code", "print(2)")], "T")
    assert script_code_cells(text) == ["x = 1\n\nprint(x)", "print(2)"]


SCRIPT_SAMPLE = 3


@pytestmark_site
@pytest.mark.slow
def test_downloaded_scripts_run_with_python(built_site, tmp_path):
    """The scripts of the pages whose code ran fastest in the build (no stamp: nothing ran) run as
    ``python page.py``: the format itself works. Every script's code runs as its notebook."""
    timed = []
    for source in CODE_PAGES:
        _, script = _page_with_downloads(built_site, source)
        if script is not None:
            stamp = article(soup(page_html(built_site["dir"], source))).select_one("p.dl-stamp")
            timed.append((float(stamp["data-seconds"]) if stamp else 0.0, pid(source), script))
    assert len(timed) > SCRIPT_SAMPLE
    for _, name, script in sorted(timed)[:SCRIPT_SAMPLE]:
        cwd = tmp_path / script.stem
        cwd.mkdir()
        proc = run_script(script, cwd=cwd, timeout=900)
        assert proc["returncode"] == 0, f"{name}: {script.name} fails:\n{proc['stderr'][-3000:]}"


@pytestmark_site
@pytest.mark.parametrize("source", EXECUTED, ids=pid)
def test_a_page_whose_code_ran_says_when_and_with_what(source, built_site):
    stamps = article(soup(page_html(built_site["dir"], source))).select("p.dl-stamp")
    assert len(stamps) == 1, f"{source.name}: {len(stamps)} verified stamps"
    stamp = stamps[0]
    assert stamp["data-python"] == platform.python_version()
    assert stamp["data-torch"] == torch.__version__.split("+")[0]
    expected_device = "CPU" if not torch.cuda.is_available() else torch.cuda.get_device_name(0)
    assert stamp["data-device"].startswith(expected_device)
    ran = datetime.datetime.fromisoformat(stamp["data-ran-at"])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert ran <= now
    if built_site["fresh"]:  # built by this test run (not a site reused from the cache by make check)
        assert now - datetime.timedelta(seconds=built_site["seconds"] + 3600) < ran
    assert float(stamp["data-seconds"]) > 0
    assert f"on {ran.date().isoformat()}" in stamp.get_text()


@pytestmark_site
def test_pages_without_executed_code_carry_no_stamp(built_site):
    quiet = [p for p in PAGES if p not in EXECUTED and not (ROOT / "exercises" / p.relative_to(DOCS).with_suffix("")).exists()]
    assert quiet, "expected some pages without build-time code (indexes, reference)"
    for source in quiet:
        assert not article(soup(page_html(built_site["dir"], source))).select("p.dl-stamp"), source.name
