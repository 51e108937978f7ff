"""The build-time helpers in ``dlnotes._site``: figures captured from code, TeX turned into MathML."""

from __future__ import annotations

import base64

import markdown
import matplotlib.pyplot as plt

from dlnotes import _site


def test_open_figures_become_inline_pngs_and_are_closed():
    plt.close("all")  # figures other tests in this process left open
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set_title("a <line> & more")
    html = _site.figures_html()
    assert html.count("<img") == 1
    assert 'alt="a &lt;line&gt; &amp; more"' in html
    data = html.split("base64,")[1].split('"')[0]
    assert base64.b64decode(data).startswith(b"\x89PNG")
    assert plt.get_fignums() == []
    assert _site.figures_html() == ""


def test_math_is_rendered_to_mathml_with_escapes():
    md = markdown.Markdown(extensions=["pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {"generic": True}})
    html = _site.on_page_content(md.convert("Inline $a < b$ and\n\n$$\n\\frac{1}{n}\\sum_i x_i\n$$\n"))
    assert html.count("<math") == 2
    assert 'display="block"' in html and 'display="inline"' in html
    assert "<mo>&lt;</mo>" in html or "<mo>&#x0003C;</mo>" in html
    assert "<mfrac>" in html and "\\frac" not in html


def test_fence_output_keeps_the_figure_html_unescaped():
    md = markdown.Markdown(extensions=["pymdownx.superfences"])
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.title('t')\nplt.show()\nprint('done')\n"
    html = _site.formatter(code, "python", "python", {"exec": True, "source": "above", "result": "text"}, md)
    assert '<figure class="dl-figure"><img alt="t"' in html
    assert "done" in html


def _run(code):
    """The block's output alone (no source shown)."""
    md = markdown.Markdown(extensions=["pymdownx.superfences"])
    return _site.formatter(code, "python", "python", {"exec": True, "result": "text"}, md)


def test_output_printed_by_imported_code_reaches_the_page_in_order(tmp_path, monkeypatch):
    (tmp_path / "talker.py").write_text("def talk():\n    print('from the package')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    html = _run("import talker\nprint('before')\ntalker.talk()\nprint('after', 2, sep='-')\n")
    assert html.index("before") < html.index("from the package") < html.index("after-2")


def test_patching_twice_keeps_output(tmp_path):
    """MkDocs loads _site.py as a hook and as dlnotes._site: a second import must not nest the capture."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_site_as_hook", _site.__file__)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert "twice" in _run("print('twice')\n")


def test_sys_exit_ends_the_block_not_the_build():
    html = _run("print('done')\nraise SystemExit(0)\nprint('never')\n")
    assert "done" in html and "never" not in html
    failed = _run("raise SystemExit(3)\n")
    assert "sys.exit(3)" in failed  # rendered as an error, which fails a strict build


def test_an_error_in_a_block_is_a_warning_that_fails_the_strict_build(caplog):
    """The tests take a passing strict build as proof that every block it ran worked (test_snippets,
    test_site): so an error must reach MkDocs' own log, where ``--strict`` counts warnings."""
    with caplog.at_level("WARNING"):
        html = _run("raise ValueError('boom in a block')\n")
    assert "boom in a block" in html
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "boom in a block" in r.getMessage()]
    assert warnings and all(r.name.startswith("mkdocs.") for r in warnings), [(r.name, r.levelname) for r in caplog.records]
