"""Check one page quickly: build it in full (every other page in outline) and run its tests.

    make check PAGE=docs/lessons/lesson-1.md

The page's code runs (through the executed-block cache, as `make serve` does), the build must
give no warning about it, and then the tests that concern it run against that build: the page
is built, its blocks run as pasted, its snippets and exercises run, its downloads work. Links
from the page to other pages and their anchors are checked too: the other pages keep their
headings and anchors. `make test` remains the full check before a pull request.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def page_uri(page: str) -> str:
    """The page's path inside docs/ (what MkDocs calls its src_uri), or exit with a clear message."""
    path = (Path.cwd() / page).resolve() if not Path(page).is_absolute() else Path(page)
    if path.parent.resolve() == (ROOT / "notebooks").resolve():
        path = DOCS / "notebooks" / path.name
    try:
        uri = path.relative_to(DOCS.resolve()).as_posix()
    except ValueError:
        uri = None
    if uri is None or not path.is_file() or path.suffix not in (".md", ".ipynb"):
        sys.exit(f"make check: PAGE={page!r} is not a page; expected a .md file under docs/ "
                 "or a notebook under notebooks/, e.g. PAGE=docs/lessons/lesson-1.md")
    return uri


def test_selection(uri: str) -> str:
    """A pytest -k expression for the tests that concern the page: its own, its snippets', its exercises'."""
    source = (DOCS / uri).read_text(encoding="utf-8")
    stem = uri.rsplit(".", 1)[0]
    names = {stem}
    names |= {Path(s).name for s in re.findall(r'--8<--\s+"([^":]+\.py)', source) if (ROOT / "snippets" / Path(s).name).exists()}
    return " or ".join(sorted(names))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit("usage: make check PAGE=docs/lessons/lesson-1.md")
    uri = page_uri(argv[0])
    python = sys.executable
    env = dict(os.environ, DLNOTES_CHECK_PAGE=uri, NO_MKDOCS_2_WARNING="1")
    env.setdefault("DLNOTES_EXEC_CACHE", str(ROOT / ".cache" / "exec"))
    with tempfile.TemporaryDirectory(prefix="dlnotes-check-") as tmp:
        site = Path(tmp) / "site"
        start = time.perf_counter()
        build = subprocess.run([python, "-m", "mkdocs", "build", "--site-dir", str(site)], cwd=ROOT, env=env,
                               capture_output=True, text=True)
        built = time.perf_counter() - start
        log = build.stdout + build.stderr
        warnings = [line for line in log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
        if build.returncode != 0 or warnings:
            print(log[-4000:] if build.returncode else "\n".join(warnings))
            print(f"make check: the build of {uri} failed ({len(warnings)} warnings)")
            return 1
        print(f"built {uri} in {built:.1f} s")
        env.pop("DLNOTES_CHECK_PAGE")
        env["DLNOTES_SITE_DIR"] = str(site)
        selection = test_selection(uri)
        tests = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "-k", selection, "tests"],
                               cwd=ROOT, env=env)
        print(f"make check {uri}: {'passed' if tests.returncode == 0 else 'FAILED'} in {time.perf_counter() - start:.1f} s "
              f"(tests selected with -k {selection!r})")
        return tests.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
