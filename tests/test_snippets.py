"""Every file in snippets/ runs on its own, is shown by a page, and the page shows what it prints."""

from __future__ import annotations

import re
import subprocess
import time

import pytest
from conftest import DOCS, PYTHON, SNIPPETS, child_env, page_html
from pages import normalize, soup, text_outputs

SNIPPET_FILES = sorted(SNIPPETS.glob("*.py"))
TIME_LIMIT = 30.0


def pages_embedding(name: str) -> list[tuple]:
    """(page, fence options) for each exec fence or plain fence that embeds ``name`` (whole file or a section)."""
    found = []
    fence = re.compile(r'^(?P<indent>[ \t]*)```python(?P<opts>[^\n]*)\n(?P<body>.*?)^(?P=indent)```', re.S | re.M)
    for md in DOCS.rglob("*.md"):
        for m in fence.finditer(md.read_text(encoding="utf-8")):
            if re.search(rf'^\s*--8<--\s+"{re.escape(name)}(:[\w-]+)?"\s*$', m.group("body"), re.M):
                found.append((md, m.group("opts")))
    return found


def run_snippet(path):
    start = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, str(path)], cwd=path.parent, env=child_env(), capture_output=True, text=True, timeout=TIME_LIMIT + 30,
    )
    return proc, time.perf_counter() - start


def test_there_are_snippets():
    assert len(SNIPPET_FILES) >= 5


@pytest.mark.parametrize("path", SNIPPET_FILES, ids=lambda p: p.name)
def test_snippet_runs_and_is_embedded(path):
    proc, seconds = run_snippet(path)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stderr[-3000:]}"
    assert seconds < TIME_LIMIT, f"{path.name} took {seconds:.1f} s; snippets must run in under {TIME_LIMIT:.0f} s"
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
def test_page_shows_what_the_snippet_prints(path, md, built_site):
    proc, _ = run_snippet(path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shown = [normalize(t) for t in text_outputs(soup(page_html(built_site["dir"], md)))]
    assert normalize(proc.stdout) in shown, (
        f"{md.relative_to(DOCS)} does not show what {path.name} prints.\nfresh run:\n{proc.stdout}\n"
        f"outputs on the page:\n" + "\n---\n".join(shown)
    )


def test_the_output_check_has_work_to_do():
    assert len(shown_outputs()) >= 3
