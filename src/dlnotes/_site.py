"""Build-time helpers for the site (used by ``mkdocs.yml``; not part of the public API).

* ``formatter``/``validator``: the ``python`` fence. It runs the block with markdown-exec
  and appends every matplotlib figure the block left open as a PNG ``<img>``: a snippet
  ends with ``plt.show()`` like any script a reader runs, and the page shows the figure
  that this very build produced.
* ``on_page_content``: an MkDocs hook that turns the TeX that ``pymdownx.arithmatex``
  marks into MathML at build time, so math renders with no script and no CDN.
"""

from __future__ import annotations

import base64
import html
import io
import re

import matplotlib

matplotlib.use("Agg")

import markdown_exec  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

validator = markdown_exec.validator


def figures_html() -> str:
    """Every open matplotlib figure as an ``<img>`` (PNG, inline), then closed."""
    parts = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        title = fig.get_suptitle() or next((ax.get_title() for ax in fig.axes if ax.get_title()), "")
        alt = html.escape(title or "figure produced by the code above", quote=True)
        data = base64.b64encode(buf.getvalue()).decode()
        parts.append(f'<figure class="dl-figure"><img alt="{alt}" src="data:image/png;base64,{data}"></figure>')
        plt.close(fig)
    return "\n".join(parts)


def formatter(source, language, css_class, options, md, **kwargs) -> str:
    plt.close("all")
    out = markdown_exec.formatter(source, language, css_class, options, md, **kwargs)
    return str(out) + figures_html()  # str(): out is a Markup, which would escape what we add


_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)


def _to_mathml(match: re.Match) -> str:
    from latex2mathml.converter import convert

    tex = html.unescape(match.group("body")).strip()
    display = "block" if match.group("tag") == "div" else "inline"
    for left, right in ((r"\(", r"\)"), (r"\[", r"\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(left) and tex.endswith(right):
            tex = tex[len(left) : len(tex) - len(right)]
            break
    mathml = convert(tex.strip(), display=display)
    return f'<{match.group("tag")} class="arithmatex">{mathml}</{match.group("tag")}>'


def on_page_content(html_text: str, **kwargs) -> str:
    return _MATH.sub(_to_mathml, html_text)
