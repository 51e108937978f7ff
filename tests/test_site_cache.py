"""The executed-block cache of the site build (``make serve`` / ``make build``): what it reuses and what it re-runs."""

from __future__ import annotations

import markdown
import pytest

from dlnotes import _site


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache directory, a fresh build, and a package stand-in whose source we can change."""
    monkeypatch.setenv(_site.CACHE_ENV, str(tmp_path / "cache"))
    package = tmp_path / "package"
    package.mkdir()
    (package / "module.py").write_text("VERSION = 1\n")
    monkeypatch.setattr(_site, "_DEPENDENCIES", (package,))
    _site.on_pre_build()
    yield tmp_path
    _site.on_pre_build()


def run(code, **options):
    md = markdown.Markdown(extensions=["pymdownx.superfences"])
    return _site.formatter(code, "python", "python", {"exec": True, "result": "text", **options}, md)


def counting(tmp_path, text):
    """A block that prints `text` and leaves a mark each time it really runs."""
    marks = tmp_path / "runs.txt"
    return f"open({str(marks)!r}, 'a').write('x')\nprint({text!r})\n", marks


def runs(marks):
    return len(marks.read_text()) if marks.exists() else 0


def new_build():
    _site.on_pre_build()


def test_an_unchanged_block_is_not_run_again(cache):
    code, marks = counting(cache, "hello")
    first = run(code)
    new_build()
    assert run(code) == first and "hello" in first
    assert runs(marks) == 1
    assert _site._cache_state().hits == 1


def test_a_changed_block_runs(cache):
    code, marks = counting(cache, "one")
    run(code)
    new_build()
    assert "two" in run(code.replace("one", "two"))
    assert runs(marks) == 2


def test_a_package_change_reruns_the_blocks_that_use_it_and_only_those(cache):
    plain, plain_marks = counting(cache, "plain")
    uses = "import dlnotes\n" + plain.replace("runs.txt", "pkg.txt").replace("plain", "uses")
    for _ in range(2):
        run(plain), run(uses)
        new_build()
    assert runs(plain_marks) == 1 and runs(cache / "pkg.txt") == 1
    (cache / "package" / "module.py").write_text("VERSION = 2\n")
    new_build()
    run(plain), run(uses)
    assert runs(plain_marks) == 1, "a block that doesn't use dlnotes ran again"
    assert runs(cache / "pkg.txt") == 2, "a block that uses dlnotes was served from a stale cache"


def test_a_session_replays_the_cached_blocks_before_running_a_changed_one(cache):
    first = "value = 20 + 1\nprint('set')\n"
    run(first, session="s-replay")
    run("print(value * 2)\n", session="s-replay")
    new_build()
    _site._mx_python._sessions_globals.pop("s-replay", None)  # a new process: the session is empty
    assert "set" in run(first, session="s-replay")  # from the cache: nothing ran
    assert "value" not in _site._mx_python._sessions_globals.get("s-replay", {})
    assert "63" in run("print(value * 3)\n", session="s-replay")  # changed: the first block is replayed


def test_a_failing_block_is_not_cached(cache):
    code, marks = counting(cache, "boom")
    code += "raise ValueError('boom')\n"
    run(code)
    new_build()
    run(code)
    assert runs(marks) == 2
    assert not list((cache / "cache").rglob("*.json"))


def test_without_the_variable_nothing_is_cached(tmp_path, monkeypatch):
    monkeypatch.delenv(_site.CACHE_ENV, raising=False)
    code, marks = counting(tmp_path, "again")
    run(code), run(code)
    assert runs(marks) == 2


def test_cache_files_get_ordinary_permissions(cache):
    import os

    run("print('mode')\n")
    (path,) = (cache / "cache").rglob("*.json")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_the_files_a_block_wrote_come_back_with_its_cached_output(cache, monkeypatch):
    monkeypatch.chdir(cache)
    code, marks = counting(cache, "exported")
    code = "open('weights.json', 'w').write('{\"w\": [1, 2]}')\n" + code
    first = run(code)
    (cache / "weights.json").unlink()  # a build hook moved it away
    new_build()
    assert run(code) == first
    assert runs(marks) == 1, "the block ran again"
    assert (cache / "weights.json").read_text() == '{"w": [1, 2]}', "the file the build needs was not written again"


def test_a_block_that_makes_a_folder_runs_every_time(cache, monkeypatch):
    monkeypatch.chdir(cache)
    code, marks = counting(cache, "folder")
    code = "import os\nos.makedirs('out', exist_ok=True)\n" + code
    run(code)
    (cache / "out").rmdir()
    new_build()
    run(code)
    assert runs(marks) == 2 and (cache / "out").is_dir()


def test_an_edit_to_another_build_hook_reruns_nothing(cache):
    uses, _ = counting(cache, "uses")
    uses = "import dlnotes\n" + uses
    run(uses)
    (cache / "package" / "_site_downloads.py").write_text("# a hook that only shapes pages\n")
    new_build()
    run(uses)
    assert runs(cache / "runs.txt") == 1, "a change to a hook that never touches outputs re-ran a block"


def test_cached_steps_reuse_their_result_while_their_input_is_unchanged(cache):
    made = []

    def make():
        made.append(1)
        return {"n": len(made)}

    assert _site.cached("search", ["page", "<p>one</p>"], make) == {"n": 1}
    assert _site.cached("search", ["page", "<p>one</p>"], make) == {"n": 1}
    assert _site.cached("search", ["page", "<p>two</p>"], make) == {"n": 2}
    assert len(made) == 2


def test_make_serve_watches_everything_the_pages_embed():
    """`mkdocs serve` watches docs/ and mkdocs.yml by itself; an edit to a snippet, an exercise,
    the hover definitions or the package must rebuild the site too."""
    import yaml
    from conftest import ROOT

    class Loader(yaml.SafeLoader):  # mkdocs.yml names Python objects (the fence): don't build them
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    watch = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["watch"]
    for folder in ("snippets", "exercises", "includes", "src/dlnotes"):
        assert folder in watch, f"mkdocs.yml's watch list lacks {folder}/: make serve would not rebuild on an edit there"
        assert (ROOT / folder).is_dir()


def test_search_entries_of_an_unchanged_page_come_from_the_cache(cache, monkeypatch):
    from material.plugins.search import plugin as search

    page = type("Page", (), {"url": "theory/x/", "title": "X", "meta": {}, "toc": [],
                             "content": '<h1 id="x">X</h1><p>Tensors and gradients.</p>'})()  # fmt: skip

    def index_of_a_build():
        index = search.SearchIndex()
        config = type("Config", (), {"plugins": {"material/search": type("P", (), {"search_index": index})()}})()
        _site._cache_search_entries(config)
        return index

    first = index_of_a_build()
    first.add_entry_from_context(page)
    assert any("Tensors and gradients" in e["text"] for e in first.entries)
    parsed = []
    monkeypatch.setattr(search.Parser, "feed", lambda self, data: parsed.append(data))
    second = index_of_a_build()
    second.add_entry_from_context(page)
    assert second.entries == first.entries and not parsed, "the unchanged page was parsed again"
    page.content = page.content.replace("gradients", "losses")
    third = index_of_a_build()
    third.add_entry_from_context(page)
    assert parsed, "a changed page must be indexed afresh"
