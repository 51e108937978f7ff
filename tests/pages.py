"""Reading the built pages: which Python blocks a reader can copy, and what the build printed."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from dlnotes._site_exercises import by_page, sections_of

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


# --- what the build ran, read from a page's Markdown source ----------------------------------

FENCE = re.compile(r'^(?P<indent>[ \t]*)(?P<ticks>`{3,})python(?P<opts>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$', re.S | re.M)
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
SESSION = re.compile(r'\bsession="(?P<name>[^"]+)"')


ROOT = Path(__file__).resolve().parents[1]
SNIPPET_BASE_PATHS = [ROOT / "snippets", ROOT / "src", ROOT]  # pymdownx.snippets' base_path in mkdocs.yml
# The starters, solutions and checks of exercises/: test_exercises.py runs (or reads the build's run of) each.
EXERCISE_TEXTS = {normalize(text) for items in by_page(ROOT).values() for ex in items for text in ex.sections.values()}


def _included(path: str, section: str | None, base_paths: list[Path]) -> str:
    """What pymdownx.snippets puts in place of ``--8<-- "path[:section]"``."""
    found = next((base / path for base in base_paths if (base / path).is_file()), None)
    if found is None:
        raise FileNotFoundError(f"--8<-- {path!r}: not under {[str(b) for b in base_paths]}")
    text = found.read_text(encoding="utf-8")
    return text if section is None else sections_of(text)[section]


@dataclass
class BuildRuns:
    """The code a page's build ran: each ``exec="on"`` block alone, and each session's blocks in order."""

    alone: set[str]
    sessions: list[list[str]]

    def ran(self, chain: list[str]) -> bool:
        """Did the build run this program (a block, or a block and the blocks continuing it) on its own?

        A session starts from an empty namespace and runs its blocks in order: it ran each of
        its beginnings on its own.
        """
        chain = [normalize(code) for code in chain]
        return (len(chain) == 1 and chain[0] in self.alone) or any(session[: len(chain)] == chain for session in self.sessions)


def build_runs(md: Path, base_paths: list[Path] = SNIPPET_BASE_PATHS) -> BuildRuns:
    """What the build ran for the Markdown page ``md`` (snippet includes resolved as pymdownx.snippets does)."""
    alone: set[str] = set()
    sessions: dict[str, list[str]] = {}
    for m in FENCE.finditer(md.read_text(encoding="utf-8")):
        if 'exec="on"' not in m.group("opts"):
            continue
        indent = m.group("indent")
        lines = [line[len(indent):] if line.startswith(indent) else line for line in m.group("body").splitlines()]
        code = "\n".join(
            _included(inc["path"], inc["section"], base_paths) if (inc := INCLUDE.match(line)) else line for line in lines
        )
        session = SESSION.search(m.group("opts"))
        if session:
            sessions.setdefault(session["name"], []).append(normalize(code))
        else:
            alone.add(normalize(code))
    return BuildRuns(alone, list(sessions.values()))


def build_output(page: BeautifulSoup, code: str) -> str | None:
    """What the build printed under the block showing ``code`` on ``page`` (None: no such block, or no output)."""
    code = normalize(code)
    for div in article(page).select("div.language-python.highlight"):
        if normalize((div.find("code") or div).get_text()) == code:
            after = div.find_next_sibling()
            if after is not None and "language-text" in after.get("class", []):
                return after.get_text()
            return None
    return None
