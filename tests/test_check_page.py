"""`make check PAGE=…` (scripts/check_page.py): one page built in full, the others in outline."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
from conftest import DOCS, ROOT, child_env

_spec = importlib.util.spec_from_file_location("check_page", ROOT / "scripts" / "check_page.py")
check_page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_page)


def test_a_page_is_named_by_its_path():
    assert check_page.page_uri(str(DOCS / "theory" / "tensors.md")) == "theory/tensors.md"
    with pytest.raises(SystemExit, match="is not a page"):
        check_page.page_uri("README.md")


def test_the_tests_selected_are_the_page_and_its_snippets():
    selection = check_page.test_selection("theory/tensors.md")
    assert "theory/tensors" in selection
    embedded = re.findall(r'--8<--\s+"([^":]+\.py)', (DOCS / "theory" / "tensors.md").read_text(encoding="utf-8"))
    assert embedded and all(name.split("/")[-1] in selection for name in embedded)


@pytest.mark.slow
def test_one_page_builds_in_full_and_every_other_page_in_outline(tmp_path):
    env = child_env(DLNOTES_CHECK_PAGE="theory/tensors.md", DLNOTES_EXEC_CACHE=str(tmp_path / "cache"))
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    problems = [line for line in log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert proc.returncode == 0 and not problems, log[-3000:]
    checked = (site / "theory" / "tensors" / "index.html").read_text(encoding="utf-8")
    assert 'class="dl-stamp"' in checked and "language-text" in checked, "the checked page's code did not run"
    other = (site / "cnn" / "in-your-browser" / "index.html").read_text(encoding="utf-8")
    assert "Outline only" in other and 'class="dl-stamp"' not in other, "another page ran its code"
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert 'id="dlnotes.schedule.one_cycle_schedule"' in api, "links into the API reference would not resolve"


def test_an_outline_keeps_headings_and_anchors_and_drops_code():
    from dlnotes._site import outline

    page = "\n".join([
        "# Title", "Prose.", "````markdown", "```python", "# not a heading", "```", "````",
        "## Kept", '<div class="x" id="widget" markdown="0">', "Term { #term }", "```python exec=\"on\"", "print(1)", "```",
        "## Also kept", "::: dlnotes.conv",
    ])  # fmt: skip
    text = outline(page)
    assert "# Title" in text and "## Kept" in text and "## Also kept" in text and "::: dlnotes.conv" in text
    assert "not a heading" not in text and "print(1)" not in text and "Prose." not in text
    assert '<div id="widget"></div>' in text and '<div id="term"></div>' in text
