"""``python -m dlnotes new-lesson``: what a contributor runs to start a page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from conftest import PYTHON, ROOT, child_env, run_script

from dlnotes.cli import add_to_nav, main, slugify


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "docs" / "lessons").mkdir(parents=True)
    (tmp_path / "snippets").mkdir()
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def nav_of(path):
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    return yaml.load(path.read_text(), Loader=Loader)["nav"]


def lessons(nav):
    return next(item["Lessons"] for item in nav if isinstance(item, dict) and "Lessons" in item)


def test_new_lesson_creates_page_snippet_and_nav_entry(repo, capsys):
    before = lessons(nav_of(repo / "mkdocs.yml"))
    assert main(["new-lesson", "Lesson 3: Data augmentation", "--root", str(repo)]) == 0
    page = repo / "docs" / "lessons" / "lesson-3-data-augmentation.md"
    snippet = repo / "snippets" / "lesson-3-data-augmentation.py"
    assert page.read_text().startswith("# Lesson 3: Data augmentation\n")
    assert '--8<-- "lesson-3-data-augmentation.py"' in page.read_text()
    after = lessons(nav_of(repo / "mkdocs.yml"))
    assert after == before + [{"Lesson 3: Data augmentation": "lessons/lesson-3-data-augmentation.md"}]
    assert "created" in capsys.readouterr().out
    # the template snippet is a complete script that runs offline
    proc = run_script(snippet, timeout=120)
    assert proc["returncode"] == 0, proc["stderr"]
    assert "classes: 10" in proc["stdout"]


def test_new_lesson_never_overwrites(repo):
    page = repo / "docs" / "lessons" / "mine.md"
    page.write_text("my work\n")
    yml = (repo / "mkdocs.yml").read_text()
    with pytest.raises(SystemExit, match="already exists"):
        main(["new-lesson", "Mine", "--root", str(repo)])
    assert page.read_text() == "my work\n"
    assert not (repo / "snippets" / "mine.py").exists()
    assert (repo / "mkdocs.yml").read_text() == yml


def test_new_lesson_outside_a_repository(tmp_path):
    with pytest.raises(SystemExit, match="no mkdocs.yml"):
        main(["new-lesson", "X", "--root", str(tmp_path)])


@pytest.mark.parametrize("bad", ["", "   ", "!!!"])
def test_slugify_rejects_titles_without_words(bad):
    with pytest.raises(ValueError, match="title"):
        slugify(bad)


def test_bad_slug_is_refused(repo):
    with pytest.raises(SystemExit, match="--slug"):
        main(["new-lesson", "X", "--slug", "Bad Slug", "--root", str(repo)])


def test_add_to_nav_needs_a_lessons_section(tmp_path):
    yml = tmp_path / "mkdocs.yml"
    yml.write_text("nav:\n  - Home: index.md\n")
    with pytest.raises(ValueError, match="Lessons"):
        add_to_nav(yml, "T", "lessons/t.md")
    assert yml.read_text() == "nav:\n  - Home: index.md\n"


def test_help_lists_new_lesson():
    proc = subprocess.run([PYTHON, "-m", "dlnotes", "--help"], capture_output=True, text=True, env=child_env(), timeout=120)
    assert proc.returncode == 0 and "new-lesson" in proc.stdout
