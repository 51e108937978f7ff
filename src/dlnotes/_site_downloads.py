"""Build-time hook: every page with code can be downloaded as a notebook and as a Python script.

Both are assembled from the page as it was built: the prose becomes Markdown cells (Jupyter
renders the page's HTML, math included), every Python block a reader can copy becomes a code
cell, in page order ("Continued…" blocks simply follow the blocks they continue). Blocks titled
"Excerpt…" are partial, so they stay prose (a fenced block in a Markdown cell, comments in the
script). Outputs and figures are left out: running the notebook makes them again.

The files sit next to the page (``theory/tensors/tensors.ipynb`` and ``tensors.py``) and two
buttons at the top of the page link to them. A notebook page (mkdocs-jupyter) offers its own
source notebook and a script of its code cells.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from dlnotes import _site
from dlnotes._io import atomic_write_text

CODE = "div.language-python.highlight, div.highlight-ipynb.hl-python"
# Outputs, figures and build furniture are left out, and so are the exercises' answers: the
# solution and answer boxes (collapsed `details`), and the checks, which fail on purpose until
# the reader has solved the exercise. The prompts and starters stay, ready to work on.
DROP = "div.language-text.highlight, figure.dl-figure, p.dl-stamp, div.dl-downloads, a.headerlink, details.success, details.note"
DROP_TITLES = ("check",)


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    text: str


def _is_code(node) -> bool:
    return isinstance(node, Tag) and node.name == "div" and (
        {"language-python", "highlight"} <= set(node.get("class", [])) or {"highlight-ipynb", "hl-python"} <= set(node.get("class", []))
    )


def _code_of(block: Tag) -> tuple[str, str]:
    if "data-code" in block.attrs:  # a placeholder (see _placeholders)
        return block["data-code"], block["data-title"]
    title = block.select_one("span.filename")
    code = block.find("code") or block.find("pre")
    return code.get_text().rstrip("\n"), (title.get_text().strip() if title else "")


def _walk(node):
    """Yield ("markdown", html) and ("code", code, title) parts of `node` in document order."""
    if _is_code(node):
        yield ("code", *_code_of(node))
    elif isinstance(node, Tag) and node.select_one(CODE) is not None:
        # A container (admonition, details, tabs) with code inside: its own heading, then its children.
        heading = next(
            (c for c in node.children if isinstance(c, Tag) and (c.name == "summary" or "admonition-title" in c.get("class", []))),
            None,
        )
        if heading is not None:
            yield ("markdown", f"<p><strong>{heading.get_text().strip()}</strong></p>")
        for child in node.children:
            if child is not heading:
                yield from _walk(child)
    elif isinstance(node, NavigableString):
        if node.strip():
            yield ("markdown", str(node))
    elif isinstance(node, Tag):
        yield ("markdown", str(node))


# A highlighted block is a few hundred tags (one per token). Parsing them all is most of the cost
# of a page, so each Python block is read with a regular expression first and stands in the tree
# as one empty placeholder; outputs (text blocks) are left out at once. Blocks with line numbers
# (a table, the API page's source panels) don't match and are parsed as they are.
_BLOCK = re.compile(
    r'<div class="language-(?P<lang>python|text) highlight">'
    r'(?:<span class="filename">(?P<title>[^<]*)</span>)?<pre><span></span><code>(?P<code>.*?)</code></pre></div>',
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")


def _placeholders(content_html: str) -> tuple[str, list[tuple[str, str]]]:
    blocks: list[tuple[str, str]] = []

    def replace(match: re.Match) -> str:
        if match["lang"] == "text":
            return ""
        blocks.append((html.unescape(_TAG.sub("", match["code"])).rstrip("\n"), html.unescape(match["title"] or "").strip()))
        return f'<div class="language-python highlight dl-block" data-block="{len(blocks) - 1}"></div>'

    return _BLOCK.sub(replace, content_html), blocks


def page_cells(content_html: str) -> list[Cell]:
    """The cells of a built page: prose as Markdown (HTML), copyable Python blocks as code."""
    content_html, blocks = _placeholders(content_html)
    soup = BeautifulSoup(content_html, "html.parser")
    for node in soup.select("div.dl-block"):
        node.attrs["data-code"], node.attrs["data-title"] = blocks[int(node["data-block"])]
    for node in soup.select(DROP):
        node.decompose()
    for node in soup.select(CODE):
        if _code_of(node)[1].lower().startswith(DROP_TITLES):
            node.decompose()
    cells: list[Cell] = []
    for part in (p for child in list(soup.children) for p in _walk(child)):
        if part[0] == "code":
            code, title = part[1], part[2]
            if title.lower().startswith("excerpt"):
                part = ("markdown", f"<p><em>{title}</em> (partial: not run)</p>\n\n```python\n{code}\n```")
            else:
                cells.append(Cell("code", code))
                continue
        if cells and cells[-1].kind == "markdown":
            cells[-1].text += "\n" + part[1]
        else:
            cells.append(Cell("markdown", part[1]))
    for cell in cells:
        cell.text = cell.text.strip("\n")
    return [c for c in cells if c.text.strip()]


def notebook_json(cells: list[Cell], title: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}\n\nFrom *Deep Learning Notes*: run the cells in order."))
    for cell in cells:
        make = nbformat.v4.new_code_cell if cell.kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(cell.text))
    nbformat.validate(nb)
    return nbformat.writes(nb)


def _as_comment(html_text: str) -> str:
    text = BeautifulSoup(html_text, "html.parser").get_text(" ")
    lines = []
    for paragraph in (p.strip() for p in text.split("\n") if p.strip()):
        lines += textwrap.wrap(" ".join(paragraph.split()), 96) or [""]
    return "\n".join(f"# {line}" for line in lines)


def script_text(cells: list[Cell], title: str) -> str:
    """The page as a script in the percent format that Jupyter, VS Code and jupytext read."""
    parts = [f'"""{title}: from Deep Learning Notes. Run it with `python`, or open it as a notebook."""']
    for cell in cells:
        if cell.kind == "code":
            parts.append(f"# %%\n{cell.text}")
        else:
            parts.append(f"# %% [markdown]\n{_as_comment(cell.text)}")
    return "\n\n".join(parts) + "\n"


def download_names(page) -> tuple[str, str]:
    """File names of the page's notebook and script (``tensors.ipynb``, ``tensors.py``)."""
    stem = Path(page.file.src_uri).stem
    if stem == "index":
        stem = Path(page.file.src_uri).parent.name or "home"
    return f"{stem}.ipynb", f"{stem}.py"


def _notebook_cells(source: Path) -> list[Cell]:
    nb = json.loads(source.read_text(encoding="utf-8"))
    return [Cell("code" if c["cell_type"] == "code" else "markdown", "".join(c["source"])) for c in nb["cells"]]


def _assemble(html_text: str, title: str) -> list[str]:
    """The page's notebook and script; empty strings when it has no code to run."""
    cells = page_cells(html_text)
    if not any(c.kind == "code" for c in cells):
        return ["", ""]
    return [notebook_json(cells, title), script_text(cells, title)]


def on_page_content(html_text: str, page, config, **kwargs) -> str:
    notebook_name, script_name = download_names(page)
    title = page.title or Path(page.file.src_uri).stem
    if page.file.src_uri.endswith(".ipynb"):
        source = Path(page.file.abs_src_path)
        cells = _notebook_cells(source)
        notebook = source.read_text(encoding="utf-8")
        script = script_text(cells, title) if any(c.kind == "code" for c in cells) else ""
    elif "```python" not in (page.markdown or ""):
        return html_text  # nothing to run (the API page's source panels are reading, not a notebook)
    else:
        notebook, script = _site.cached("downloads", [title, html_text], lambda: _assemble(html_text, title))
    if not script:
        return html_text
    folder = Path(config.site_dir) / Path(page.file.dest_uri).parent
    atomic_write_text(folder / notebook_name, notebook)
    atomic_write_text(folder / script_name, script)
    buttons = (
        '<div class="dl-downloads">'
        f'<a class="md-button" href="{notebook_name}" download title="Download this page as a Jupyter notebook">Download notebook</a> '
        f'<a class="md-button" href="{script_name}" download title="Download this page\'s code as a Python script">Download script</a>'
        "</div>"
    )
    head, h1, rest = html_text.partition("</h1>")
    return head + h1 + buttons + rest if h1 else buttons + html_text
