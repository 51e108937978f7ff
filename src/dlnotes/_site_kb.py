"""Build-time helper for the knowledge-base pages (an MkDocs hook; not part of the public API).

Every correction box on a page, written ``!!! warning "Correction: <short title>"``, gets a
stable anchor ``correction-<slug of the short title>`` (a second box with the same title on
the same page gets ``-2``, and so on), so that the errata page and other pages can link to it.

The anchor is set on the box itself while Markdown is converted (a tree processor that runs
before MkDocs collects a page's anchors), so ``mkdocs build --strict`` checks links to it like
links to any heading.

Every Markdown page gets the hover definitions of ``includes/abbreviations.md`` appended (the
``abbr`` extension turns them into ``<abbr title=…>``). Appending them here, to pages only, and not
through ``pymdownx.snippets``' ``auto_append`` keeps them out of the many small conversions that
are not pages (every docstring of the API page, every block's output), which cost seconds a build.

A notebook page has no front matter, so its meta description comes from the notebook's own
metadata (``"description"`` in the notebook's top-level ``metadata``).
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as etree
from pathlib import Path

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

CORRECTION = re.compile(r"^\s*Correction\s*:\s*(?P<title>.+?)\s*$", re.IGNORECASE)


def slugify(text: str) -> str:
    """``"The ÷10 rule isn't Smith's"`` -> ``"the-10-rule-isnt-smiths"``: lowercase ASCII words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['’`]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def correction_anchor(title: str) -> str | None:
    """The anchor of a box titled ``title``: ``correction-<slug>``, or None if it is not a titled correction."""
    match = CORRECTION.match(title)
    if not match or not slugify(match["title"]):
        return None
    return f"correction-{slugify(match['title'])}"


_STASHED = re.compile(f"{STX}wzxhzdk:(\\d+){ETX}")
_TAGS = re.compile(r"<[^>]+>")


def _text(element: etree.Element, md: Markdown) -> str:
    """The text of ``element`` as a reader sees it: inline code that an extension stashed away
    (``pymdownx.inlinehilite`` does) is put back, without its markup."""
    raw = "".join(element.itertext())
    blocks = md.htmlStash.rawHtmlBlocks
    return _STASHED.sub(lambda m: _TAGS.sub("", str(blocks[int(m[1])])) if int(m[1]) < len(blocks) else "", raw)


class _CorrectionAnchors(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        seen: dict[str, int] = {}
        for div in root.iter("div"):
            if "admonition" not in div.get("class", "").split() or div.get("id"):
                continue
            title = next((p for p in div if p.tag == "p" and "admonition-title" in p.get("class", "")), None)
            anchor = correction_anchor(_text(title, self.md)) if title is not None else None
            if anchor is None:
                continue
            seen[anchor] = seen.get(anchor, 0) + 1
            div.set("id", anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")


class CorrectionAnchors(Extension):
    """Markdown extension: ``id="correction-<slug>"`` on every "Correction: <title>" admonition."""

    def extendMarkdown(self, md: Markdown) -> None:
        # MkDocs collects anchors at priority 5 ("mkdocs_extract_anchors"); run before it.
        md.treeprocessors.register(_CorrectionAnchors(md), "dlnotes_correction_anchors", 6)


def on_config(config, **kwargs):
    if not any(isinstance(ext, CorrectionAnchors) for ext in config.markdown_extensions):
        config.markdown_extensions.append(CorrectionAnchors())
    return config


ABBREVIATIONS = Path(__file__).resolve().parents[2] / "includes" / "abbreviations.md"


_abbreviations = ""


def on_pre_build(**kwargs) -> None:
    global _abbreviations
    _abbreviations = ABBREVIATIONS.read_text(encoding="utf-8")  # once a build, not once a page


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    return markdown + "\n\n" + _abbreviations


def on_page_context(context, page, config, nav):
    if page.file.src_uri.endswith(".ipynb") and not (page.meta or {}).get("description"):
        with open(page.file.abs_src_path, encoding="utf-8") as f:
            description = json.load(f).get("metadata", {}).get("description")
        if description:
            page.meta = {**(page.meta or {}), "description": description}
    return context
