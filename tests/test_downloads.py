"""Readers take a page away: the notebook and script downloads, and the verified stamp, all made by the build."""

from __future__ import annotations

import ast
import builtins
import datetime
import platform
import re

import nbformat
import pytest
import torch
from conftest import DOCS, NOTEBOOKS, ROOT, page_html, run_script
from pages import EXERCISE_TEXTS, article, build_runs, normalize, soup

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


# --- each downloaded notebook's code runs once: in the build, or here ------------------------------
#
# A page's notebook is its blocks in order. The build runs every ``exec="on"`` block, alone or in its
# session, and stops on an error; the exercises' starters run in test_exercises.py (or in the build);
# a notebook page's download is the notebook the build executed (test_notebooks.py). Running every
# notebook again would run every snippet a second time, so a notebook runs here when it holds code
# nothing else ran in its order (a shown block, a session split up), or when running its cells one
# after another in a new folder could differ from running each alone in the project, as the build
# does (a cell rebinds a builtin that a later cell may call, or reads the project's folders by a
# relative path), plus a sample that proves the downloads run in Jupyter.

TOP_FOLDERS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
MARKDOWN_CODE_PAGES = [p for p in CODE_PAGES if p.suffix == ".md"]


def notebook_code(notebook) -> list[str]:
    return [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def not_run_in_order(source, cells: list[str]) -> list[str]:
    """The cells of a page's notebook that neither the build nor test_exercises.py ran, in the order the notebook runs them."""
    runs = build_runs(source)
    cells = [normalize(code) for code in cells]
    missing = []
    for code in cells:
        if code in runs.alone or code in EXERCISE_TEXTS:
            continue
        session = next((s for s in runs.sessions if code in s), None)
        if session is None or [c for c in cells if c in session] != session:
            missing.append(code)
    return missing


def test_a_notebook_runs_here_when_it_holds_code_the_build_did_not_run_in_its_order(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        '```python exec="on"\nprint(1)\n```\n\n```python\nprint("shown")\n```\n\n'
        '```python exec="on" session="s"\nx = 2\n```\n\n```python exec="on" session="s"\nprint(x)\n```\n', encoding="utf-8")
    assert not_run_in_order(page, ["print(1)", "x = 2", "print(x)"]) == []
    assert not_run_in_order(page, ["print(1)", 'print("shown")', "x = 2", "print(x)"]) == ['print("shown")']
    assert not_run_in_order(page, ["print(x)", "x = 2"]) == ["print(x)", "x = 2"], "a session out of order"
    assert not_run_in_order(page, ["x = 2"]) == ["x = 2"], "a session cut short"


def traps(cells: list[str]) -> list[str]:
    """What could make cells that each run alone fail when run one after another in a kernel: a
    builtin rebound at the top level, or a relative path into the project's folders (unless the
    cell looks whether the file is there, as the pages that show benchmark results do)."""
    found = []
    for code in cells:
        tree = ast.parse(code)
        bound = set()
        for node in tree.body:
            for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else [node]:
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    bound.add(sub.id)
                elif isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
                    bound.add(sub.name)
                elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                    bound |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        found += [f"rebinds the builtin {name!r}" for name in sorted(bound & set(dir(builtins)))]
        if not re.search(r"\.(is_file|exists|isfile)\(", code):  # a read that first looks whether the file is there is no trap
            found += [f"reads {node.value!r} relative to the project" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and any(node.value.startswith(f"{top}/") for top in TOP_FOLDERS)]
    return found


def test_the_trap_check_finds_what_it_looks_for():
    assert traps(["sum = 3\nprint(sum)", "open('snippets/x.py')", "import list"]) == [
        "rebinds the builtin 'sum'", "reads 'snippets/x.py' relative to the project", "rebinds the builtin 'list'"]
    assert traps(["total = sum([1, 2])\ndef f(len):\n    return len", "path = 'data/x.csv'"]) == []
    assert traps(["p = Path('benchmarks/results/x.json')\nprint(p.read_text() if p.is_file() else 'no results yet')"]) == []


def build_seconds(built_site, source) -> float:
    """How long the page's code ran in the build, from its verified stamp (0: no code ran)."""
    stamp = article(soup(page_html(built_site["dir"], source))).select_one("p.dl-stamp")
    return float(stamp["data-seconds"]) if stamp else 0.0


NOTEBOOK_SAMPLE = 3


@pytestmark_site
@pytest.mark.slow
@pytest.mark.site_first
def test_downloaded_notebooks_run_in_jupyter(built_site, tmp_path):
    """nbclient executes, in a ``python3`` kernel (forked from a warm interpreter: as a new one, less
    the imports; test_warm_kernel.py) and a new folder, every notebook that holds code nothing else
    ran in its order or a trap for running in order, and a sample: the page with a session whose
    code ran fastest in the build, and the two fastest pages without one."""
    from nbclient import NotebookClient
    from warm_kernel import warm_kernel_manager

    pages = []
    for source in MARKDOWN_CODE_PAGES:
        notebook, _ = _page_with_downloads(built_site, source)
        if notebook is not None:
            cells = notebook_code(notebook)
            needed = bool(not_run_in_order(source, cells) or traps(cells))
            pages.append((build_seconds(built_site, source), bool(build_runs(source).sessions), source, notebook, needed))
    pages.sort(key=lambda p: (p[0], pid(p[2])))
    sample = [p for p in pages if p[1]][:1] + [p for p in pages if not p[1]][: NOTEBOOK_SAMPLE - 1]
    chosen = {pid(p[2]) for p in sample} | {pid(p[2]) for p in pages if p[4]}
    assert len(chosen) >= NOTEBOOK_SAMPLE
    for _, _, source, notebook, _ in pages:
        if pid(source) not in chosen:
            continue
        nb = nbformat.read(notebook, as_version=4)
        cwd = tmp_path / pid(source).replace("/", "_")
        cwd.mkdir()
        NotebookClient(nb, timeout=600, km=warm_kernel_manager(), resources={"metadata": {"path": str(cwd)}}).execute()
        assert all(c.execution_count for c in nb.cells if c.cell_type == "code"), f"{pid(source)}: a cell did not run"


def script_code_cells(text: str) -> list[str]:
    """The code cells of a percent-format script (``# %%`` starts one, ``# %% [markdown]`` a prose cell)."""
    parts = re.split(r"^# %%( \[markdown\])?\n", text, flags=re.M)
    return [body.rstrip("\n") for flag, body in zip(parts[1::2], parts[2::2]) if flag is None]


NOTEBOOK_ONLY = {"display", "get_ipython", "In", "Out"}  # names IPython gives a notebook and python does not


@pytestmark_site
@pytest.mark.parametrize("source", CODE_PAGES, ids=pid)
def test_the_downloaded_script_is_the_notebook_as_python(source, built_site):
    """The script holds the notebook's code cells, in order, and nothing a notebook alone can run
    (magics and top-level ``await`` would not compile; IPython's names would not be defined): what
    ran the notebook's code (above) ran the script's, and the test below runs a sample of the
    scripts with ``python`` itself."""
    notebook, script = _page_with_downloads(built_site, source)
    if script is None:
        return
    text = script.read_text(encoding="utf-8")
    tree = ast.parse(text, str(script))
    assert [normalize(c) for c in script_code_cells(text)] == [normalize(c) for c in notebook_code(notebook)]
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
            timed.append((build_seconds(built_site, source), pid(source), script))
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
