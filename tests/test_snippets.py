"""Every file in snippets/ runs on its own, is shown by a page, and the page shows what it prints.

Each snippet runs once per ``make test``. Most run in the site build: a page runs the whole file in
an ``exec="on"`` block of its own, and the strict build stops on any error in it
(``test_site_hooks``), so a passing build is their run and the page shows its output. The others
(shown, or run in a page's session with other code) run here as ``python snippet.py`` runs them
(``run_once``, forked from a warm interpreter: ``programs.py``). Three snippets whose output a page
shows run again in a new ``python``, to check that a reader gets what the page shows and that the
forked run is faithful. How long they take is measured by ``benchmarks/snippets.py``, not asserted
here: a timed test fails at random on a busy machine.
"""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, SNIPPETS, page_html, run_fresh
from pages import FENCE, normalize, python_blocks, soup, text_outputs

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))


def pages_embedding(name: str) -> list[tuple]:
    """(page, fence options) for each exec fence or plain fence that embeds ``name`` (whole file or a section)."""
    found = []
    for md in DOCS.rglob("*.md"):
        for m in FENCE.finditer(md.read_text(encoding="utf-8")):
            if re.search(rf'^\s*--8<--\s+"{re.escape(name)}(:[\w-]+)?"\s*$', m.group("body"), re.M):
                found.append((md, m.group("opts")))
    return found


def run_alone_by_the_build(path) -> list:
    """The pages whose build runs the whole of this snippet in a block of its own."""
    return [md for md, opts in pages_embedding(path.name) if 'exec="on"' in opts and "session=" not in opts]


BUILT = [p for p in SNIPPET_FILES if run_alone_by_the_build(p)]
NOT_BUILT = [p for p in SNIPPET_FILES if p not in BUILT]


def test_there_are_snippets():
    assert len(SNIPPET_FILES) >= 5 and BUILT


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_snippet_is_embedded(path):
    assert pages_embedding(path.name), f"{path.name} is not embedded by any page under docs/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOT_BUILT, ids=lambda p: p.name)
def test_a_snippet_the_build_does_not_run_runs(path, run_once):
    result = run_once(path)
    assert result["returncode"] == 0, f"{path.name} failed:\n{result['stderr'][-3000:]}"


@pytest.mark.site
@pytest.mark.parametrize("path", BUILT, ids=lambda p: p.name)
def test_the_build_ran_the_snippet_on_its_page(path, built_site):
    """The strict build passed (``built_site``), so the block that runs this file ran without error."""
    code = normalize(path.read_text(encoding="utf-8"))
    for md in run_alone_by_the_build(path):
        html = page_html(built_site["dir"], md)
        if "Outline only" in html.read_text(encoding="utf-8"):
            continue  # make check built this other page in outline: its code did not run
        blocks = [normalize(b.code) for b in python_blocks(soup(html))]
        assert code in blocks, f"{md.relative_to(DOCS)} does not show {path.name} as it is on disk"


def shown_outputs():
    """(snippet, page) pairs where a page runs the whole snippet and shows its printed output."""
    pairs = []
    for path in BUILT:
        if re.search(r"^# output: varies$", path.read_text(encoding="utf-8"), re.M):
            continue
        for md, opts in pages_embedding(path.name):
            if 'exec="on"' in opts and "result=" in opts and "session=" not in opts:
                pairs.append(pytest.param(path, md, id=f"{path.name}-{md.relative_to(DOCS)}"))
    return pairs


def test_the_output_check_has_work_to_do():
    assert len(shown_outputs()) >= 3


@pytest.mark.site
@pytest.mark.slow
@pytest.mark.site_first
def test_a_reader_gets_what_the_page_shows(built_site, run_once):
    """Three snippets whose output a page shows (so it must not vary), first, middle and last by
    name, run in a new ``python`` as a reader runs them: each prints exactly what its page shows,
    and the forked run (``programs.py``, used for the other programs) prints the same."""
    pairs = [param.values for param in shown_outputs()]
    names = sorted({path.name for path, _ in pairs})
    for name in (names[0], names[len(names) // 2], names[-1]):
        fresh, forked = run_fresh(SNIPPETS / name), run_once(SNIPPETS / name)
        assert fresh["returncode"] == forked["returncode"] == 0, fresh["stderr"][-2000:]
        assert forked["stdout"] == fresh["stdout"], f"{name} prints differently when forked"
        for path, md in pairs:
            if path.name == name:
                shown = [normalize(t) for t in text_outputs(soup(page_html(built_site["dir"], md)))]
                assert normalize(fresh["stdout"]) in shown, (
                    f"{md.relative_to(DOCS)} does not show what {name} prints.\nfresh run:\n{fresh['stdout']}\n"
                    f"outputs on the page:\n" + "\n---\n".join(shown))
