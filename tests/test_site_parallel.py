"""A cold build with DLNOTES_BUILD_JOBS=2 runs the pages' code in two processes, each page once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, child_env

from dlnotes import _site_parallel

PAGES = 6


class _Page:
    def __init__(self, src_uri: str) -> None:
        self.file = type("F", (), {"src_uri": src_uri})()


def test_a_page_belongs_to_whoever_claims_it_first(tmp_path):
    (tmp_path / "claims").mkdir()
    page = _Page("lessons/lesson-1.md")
    assert _site_parallel.claim(tmp_path, page, "build") == "build"
    assert _site_parallel.claim(tmp_path, page, "helper") == "build"
    assert _site_parallel.claim(tmp_path, _Page("lessons/lesson-2.md"), "helper") == "helper"


def _project(folder: Path, marks: Path) -> None:
    docs = folder / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nNo code here.\n")
    for i in range(1, PAGES + 1):
        lines = ["import os, time", "from pathlib import Path", f"marks = Path({str(marks)!r})", "marks.touch()"]
        if i == 1:  # the first page waits until the helper has run a page: both processes surely work
            lines += [
                "deadline = time.time() + 120",
                "while time.time() < deadline and not any(str(os.getpid()) != l.split()[2] for l in marks.read_text().splitlines()):",
                "    time.sleep(0.1)",
            ]
        lines += [
            "with open(marks, 'a') as f:",
            f"    f.write(f'page {i} {{os.getpid()}}\\n')",
            f"print(f'page {i} ran in process {{os.getpid()}}')",
        ]
        code = "\n".join(lines)
        (docs / f"page-{i}.md").write_text(f"# Page {i}\n\n```python exec=\"on\" result=\"text\"\n{code}\n```\n")
    hooks = "\n".join(f"  - {ROOT / 'src' / 'dlnotes' / name}" for name in ("_site.py", "_site_parallel.py"))
    (folder / "mkdocs.yml").write_text(
        "site_name: parallel\n"
        f"hooks:\n{hooks}\n"
        "markdown_extensions:\n"
        "  - pymdownx.superfences:\n"
        "      custom_fences:\n"
        "        - name: python\n"
        "          class: python\n"
        "          validator: !!python/name:dlnotes._site.validator\n"
        "          format: !!python/name:dlnotes._site.formatter\n"
        f"nav:\n  - index.md\n" + "".join(f"  - page-{i}.md\n" for i in range(1, PAGES + 1))
    )


@pytest.mark.slow
def test_two_processes_share_the_pages_and_run_each_once(tmp_path):
    project, marks = tmp_path / "project", tmp_path / "marks.txt"
    project.mkdir()
    _project(project, marks)
    env = child_env(DLNOTES_EXEC_CACHE=str(tmp_path / "cache"), DLNOTES_BUILD_JOBS="2")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = [line.split() for line in marks.read_text().splitlines()]
    pages = sorted(int(r[1]) for r in runs)
    assert pages == list(range(1, PAGES + 1)), f"each page's code must run exactly once: {runs}"
    assert len({r[2] for r in runs}) == 2, f"the code ran in one process only: {runs}"
    for i in range(1, PAGES + 1):
        html = (tmp_path / "site" / f"page-{i}" / "index.html").read_text()
        assert f"page {i} ran in process" in html, f"page-{i} lacks its output"
    assert not list((tmp_path / "cache" / "parallel").iterdir()), "the build left its claims behind"


def test_the_pages_that_train_step_by_step_go_first(tmp_path):
    """The build starts with the pages with most session blocks (the costliest); the helper takes
    the same list backwards, so 'the build took it, so it took every page before it' still holds."""
    from types import SimpleNamespace

    def page(name, sessions):
        path = tmp_path / name
        path.write_text("# T\n" + "".join(f'```python exec="on" session="s"\nx = {i}\n```\n' for i in range(sessions)))
        return SimpleNamespace(src_uri=name, abs_src_path=str(path))

    files = [page("a.md", 0), page("b.md", 2), page("c.md", 0), page("d.md", 5),
             SimpleNamespace(src_uri="pic.png", abs_src_path=str(tmp_path / "pic.png"))]
    assert [f.src_uri for f in _site_parallel.work_order(files)] == ["d.md", "b.md", "a.md", "c.md", "pic.png"]
