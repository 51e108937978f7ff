"""Every file in snippets/ runs on its own, is shown by a page, and the page shows what it prints.

Each snippet runs once per session, as ``python snippet.py`` runs it (``run_once``, forked from a
warm interpreter: ``programs.py``): the run checked here and the run compared with the page are the
same one. ``test_forked_runs_print_what_fresh_interpreters_print`` checks the shortcut. How long they take is measured by
``benchmarks/snippets.py``, not asserted here: a timed test fails at random on a busy machine.
"""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, SNIPPETS, page_html, run_fresh
from pages import normalize, soup, text_outputs

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def pages_embedding(name: str) -> list[tuple]:
    """(page, fence options) for each exec fence or plain fence that embeds ``name`` (whole file or a section)."""
    found = []
    fence = re.compile(r'^(?P<indent>[ \t]*)```python(?P<opts>[^\n]*)\n(?P<body>.*?)^(?P=indent)```', re.S | re.M)
    for md in DOCS.rglob("*.md"):
        for m in fence.finditer(md.read_text(encoding="utf-8")):
            if re.search(rf'^\s*--8<--\s+"{re.escape(name)}(:[\w-]+)?"\s*$', m.group("body"), re.M):
                found.append((md, m.group("opts")))
    return found


def test_there_are_snippets():
    assert len(SNIPPET_FILES) >= 5


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_snippet_runs_and_is_embedded(path, run_once):
    result = run_once(path)
    assert result["returncode"] == 0, f"{path.name} failed:\n{result['stderr'][-3000:]}"
    assert pages_embedding(path.name), f"{path.name} is not embedded by any page under docs/"


def shown_outputs():
    """(snippet, page) pairs where a page runs the whole snippet and shows its printed output."""
    pairs = []
    for path in SNIPPET_FILES:
        if re.search(r"^# output: varies$", path.read_text(encoding="utf-8"), re.M):
            continue
        for md, opts in pages_embedding(path.name):
            if 'exec="on"' in opts and "result=" in opts and "session=" not in opts:
                pairs.append(pytest.param(path, md, id=f"{path.name}-{md.relative_to(DOCS)}"))
    return pairs


@pytest.mark.site
@pytest.mark.parametrize(("path", "md"), shown_outputs())
def test_page_shows_what_the_snippet_prints(path, md, built_site, run_once):
    result = run_once(path)  # the same run as test_snippet_runs_and_is_embedded's
    assert result["returncode"] == 0, result["stderr"][-3000:]
    shown = [normalize(t) for t in text_outputs(soup(page_html(built_site["dir"], md)))]
    assert normalize(result["stdout"]) in shown, (
        f"{md.relative_to(DOCS)} does not show what {path.name} prints.\nfresh run:\n{result['stdout']}\n"
        f"outputs on the page:\n" + "\n---\n".join(shown)
    )


def test_the_output_check_has_work_to_do():
    assert len(shown_outputs()) >= 3


def test_forked_runs_print_what_fresh_interpreters_print(run_once):
    """Three snippets whose output a page shows (so it must not vary), first, middle and last by
    name: the forked run prints exactly what a new ``python`` prints."""
    names = sorted({param.values[0].name for param in shown_outputs()})
    for name in (names[0], names[len(names) // 2], names[-1]):
        forked, fresh = run_once(SNIPPETS / name), run_fresh(SNIPPETS / name)
        assert forked["returncode"] == fresh["returncode"] == 0, fresh["stderr"][-2000:]
        assert forked["stdout"] == fresh["stdout"], f"{name} prints differently when forked"
