"""Build-time helpers for the site (used by ``mkdocs.yml``; not part of the public API).

* ``formatter``/``validator``: the ``python`` fence. It runs the block with markdown-exec
  and appends every matplotlib figure the block left open as a PNG ``<img>``: a snippet
  ends with ``plt.show()`` like any script a reader runs, and the page shows the figure
  that this very build produced. Everything the block writes to standard output is shown,
  also what the package prints (the trainer's epoch table), in the order it was written,
  exactly as a reader's terminal would show it. A block that calls ``sys.exit`` ends the
  block, never the build; a non-zero status is an error.
* ``on_page_content``: an MkDocs hook that turns the TeX that ``pymdownx.arithmatex``
  marks into MathML at build time, so math renders with no script and no CDN.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import html
import io
import re

import matplotlib

matplotlib.use("Agg")

import markdown_exec  # noqa: E402
from markdown_exec._internal.formatters import python as _mx_python  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

validator = markdown_exec.validator

# markdown-exec gives each block a ``print`` that writes to a private buffer, so output printed
# by imported code (the package's own tables) would go to the build log instead of the page.
# We let ``print`` be the real one and capture the whole of ``sys.stdout`` around the block.
_mx_original_run = _mx_python._run_python
_mx_original_exec = _mx_python.exec_python


def _print(buffer, *texts, **kwargs):
    builtins.print(*texts, **kwargs)


def _run_python(code: str, *args, **kwargs) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _mx_original_run(code, *args, **kwargs)
    return out.getvalue()


def _exec_python(code: str, filename: str, exec_globals: dict) -> None:
    try:
        _mx_original_exec(code, filename, exec_globals)
    except SystemExit as stop:  # not an Exception: it would end mkdocs itself, with status 0
        if stop.code not in (0, None):
            raise RuntimeError(f"the code called sys.exit({stop.code!r})") from None


# MkDocs imports this file twice (as a hook, and as dlnotes._site for the fence): patch once.
if not getattr(_mx_python, "_dlnotes_patched", False):
    _mx_python._buffer_print = _print
    _mx_python._run_python = _run_python
    _mx_python.exec_python = _exec_python
    _mx_python._dlnotes_patched = True


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
