"""Shared fixtures: the repository paths and one strict site build per test run.

The site is built once per ``pytest`` run, also under pytest-xdist: the first worker that
needs it builds it under a file lock, the others reuse the result. Tests that need the
built site carry the ``site`` marker and are moved to the end of the run, so that one
worker builds while the others run the package tests.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
NOTEBOOKS = ROOT / "notebooks"
PYTHON = sys.executable


def child_env(**extra: str) -> dict[str, str]:
    """The environment for code run the way a reader runs it: a fresh, non-interactive python.

    No MPLBACKEND: a script on a machine with no display falls back to Agg by itself, and a
    notebook kernel must keep its inline backend to show figures.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_")) and k != "MPLBACKEND"}
    env.update(NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", **extra)
    return env


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker("site") is not None)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> dict:
    """Build the site with ``mkdocs build --strict`` once per run; returns {"dir", "log", "returncode", "seconds"}.

    ``DLNOTES_SITE_DIR`` names a site built already (``make check`` builds one page, then runs
    that page's tests against it).
    """
    if os.environ.get("DLNOTES_SITE_DIR"):
        return {"dir": Path(os.environ["DLNOTES_SITE_DIR"]), "log": "", "returncode": 0, "seconds": 0.0, "fresh": False}
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    site = shared / "site"
    record = shared / "site-build.json"
    with open(shared / "site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            start = time.perf_counter()
            proc = subprocess.run(
                [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=1200,
            )
            record.write_text(json.dumps({
                "dir": str(site), "log": proc.stdout + proc.stderr, "returncode": proc.returncode,
                "seconds": time.perf_counter() - start,
            }))
        result = json.loads(record.read_text())
    result["dir"] = Path(result["dir"])
    result["fresh"] = True
    if result["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result['log'][-6000:]}", pytrace=False)
    return result


def page_html(site: Path, source: Path) -> Path:
    """The built HTML file for a page source under docs/ (markdown) or notebooks/ (notebook)."""
    if source.suffix == ".ipynb":
        return site / "notebooks" / source.stem / "index.html"
    rel = source.relative_to(DOCS).with_suffix("")
    return site / (rel.parent if rel.name == "index" else rel) / "index.html"
