"""Reading the built pages: which Python blocks a reader can copy, and what the build printed."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

SECTION_MARKER = re.compile(r"^\s*#\s*--8<--\s*\[(start|end):[\w-]+\]\s*$")


@dataclass
class Block:
    code: str
    title: str

    @property
    def excerpt(self) -> bool:
        return self.title.lower().startswith("excerpt")

    @property
    def continued(self) -> bool:
        return self.title.lower().startswith("continued")


def soup(path: Path) -> BeautifulSoup:
    """The parsed page, read once per test process: many tests read the same built page.

    Kept by the file's identity (path, size, modification time), so a page written again is read
    again. Callers must not change the tree (none does: they select and read). Parsed with lxml,
    several times faster than Python's html.parser on the 17 MB site.
    """
    path = Path(path).resolve()
    stat = path.stat()
    return _parse(path, stat.st_size, stat.st_mtime_ns)


@functools.cache
def _parse(path: Path, size: int, mtime_ns: int) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


def article(page: BeautifulSoup):
    return page.select_one("article.md-content__inner")


def _is_api_source(div) -> bool:
    """mkdocstrings' "Source code in …" panels show package source: visibly an excerpt."""
    details = div.find_parent("details")
    summary = details.find("summary") if details else None
    return bool(summary and summary.get_text().strip().startswith("Source code in"))


def python_blocks(page: BeautifulSoup) -> list[Block]:
    """The copyable Python blocks of a built page, in order (notebook cells included)."""
    blocks = []
    for div in article(page).select("div.language-python.highlight, div.highlight-ipynb.hl-python"):
        if _is_api_source(div):
            continue
        title = div.select_one("span.filename")
        code = div.find("code") or div.find("pre")
        blocks.append(Block(code.get_text(), title.get_text().strip() if title else ""))
    return blocks


def notebook_page(page: BeautifulSoup) -> bool:
    return page.select_one(".jupyter-wrapper, .jp-Notebook") is not None


def text_outputs(page: BeautifulSoup) -> list[str]:
    """Every output block that markdown-exec rendered as text (``result="text"``)."""
    return [div.get_text() for div in article(page).select("div.language-text.highlight")]


def normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines() if not SECTION_MARKER.match(line)).strip("\n")
