"""Every notebook executes from top to bottom in a fresh kernel, without error.

The site build executes each notebook in a fresh kernel (mkdocs-jupyter with ``execute: true``
and ``allow_errors: false``: an error fails the build), so these tests read what that one run
produced instead of running the notebooks again.
"""

from __future__ import annotations

import nbformat
import pytest
from conftest import NOTEBOOKS, ROOT, page_html
from pages import soup

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOK_FILES


def test_the_build_executes_notebooks_and_stops_on_errors():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    jupyter = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert jupyter["execute"] is True and jupyter["allow_errors"] is False


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_executed_in_the_build_draws_its_figures(path, built_site):
    page = soup(page_html(built_site["dir"], path))
    code_cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert code_cells, f"{path.name} has no code"
    assert page.select("img[src^='data:image/png;base64,']"), f"{path.name} draws no figure on its page"
