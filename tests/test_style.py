"""The code follows the house style that pyproject.toml sets (ruff): the lint a contributor runs."""

from __future__ import annotations

import subprocess

from conftest import PYTHON, ROOT


def test_ruff_is_clean():
    proc = subprocess.run(
        [PYTHON, "-m", "ruff", "check", "--no-cache", "src", "tests", "snippets", "benchmarks", "scripts"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
