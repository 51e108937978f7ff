"""Build-time hook: a cold build runs the pages' code in two processes (not part of the public API).

Most of a cold build is the pages' code, run one block after another. With
``DLNOTES_BUILD_JOBS=2`` and the executed-block cache on (``make build`` and ``make serve`` set
both), the build starts a *helper*: a second ``mkdocs build`` of the same sources that goes
through the pages from the last to the first, runs the code of each page it takes, and leaves
the outputs in the shared cache. The build itself goes from the first page to the last (in
``work_order``: the lessons that train, the costliest pages, first). Each
page is *claimed* by whichever process reaches it first (a file created with ``O_EXCL`` in a
folder both see), so the two meet in the middle whatever the pages cost. When the build reaches
a page the helper took, it waits until the helper has finished it and then takes every output
from the cache; nothing runs twice and nothing is skipped. If the helper fails, the build simply
runs what is missing itself.

The helper works in a scratch folder that links to the project's top-level entries, so files a
block writes in its current directory never mix with the build's; the build's site and its
hooks' output come only from the build itself. Both processes use one compute thread each while
the helper runs (two busy processes on two cores; more threads would only contend).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from markdown_exec._internal.formatters import python as _mx_python

JOBS_ENV = "DLNOTES_BUILD_JOBS"
log = logging.getLogger("mkdocs.hooks.dlnotes.parallel")
HELPER_ENV = "DLNOTES_BUILD_HELPER"  # set in the helper: the folder of claims shared with the build
CLAIMED_BY_BUILD, CLAIMED_BY_HELPER = "build", "helper"


class _Run:
    """One build's coordination with its helper (on a module MkDocs never re-imports)."""

    def __init__(self, folder: Path, helper: subprocess.Popen | None, scratch: Path | None, threads: int) -> None:
        self.folder, self.helper, self.scratch, self.threads = folder, helper, scratch, threads


def _run() -> _Run | None:
    return getattr(_mx_python, "_dlnotes_parallel_run", None)


def _set_run(run: _Run | None) -> None:
    _mx_python._dlnotes_parallel_run = run


def _key(page) -> str:
    return page.file.src_uri.replace("/", "__")


def claim(folder: Path, page, who: str) -> str:
    """Claim ``page`` for ``who``; return who holds it (``who`` if the claim succeeded)."""
    path = folder / "claims" / _key(page)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        for _ in range(100):  # the other process created it an instant ago and is writing its name
            holder = path.read_text(encoding="utf-8")
            if holder:
                return holder
            time.sleep(0.01)
        return holder
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(who)
    return who


_exercise_pages: set[str] | None = None


def runs_code(markdown: str, page) -> bool:
    """Whether building ``page`` runs code: executed fences, or exercises the build appends."""
    global _exercise_pages
    if _exercise_pages is None:
        from dlnotes import _site_exercises

        try:
            _exercise_pages = set(_site_exercises.by_page())
        except _site_exercises.ExerciseError:
            _exercise_pages = set()  # the exercises hook reports the error
    return 'exec="on"' in markdown or page.file.src_uri in _exercise_pages


def _scratch_folder(root: Path) -> Path:
    """A folder whose entries link to the project's top-level ones: the helper's working directory."""
    scratch = Path(tempfile.mkdtemp(prefix="dlnotes-build-helper-"))
    for entry in root.iterdir():
        if entry.name not in (".git", "site", ".cache"):
            (scratch / entry.name).symlink_to(entry)
    return scratch


def on_config(config, **kwargs):
    if os.environ.get(HELPER_ENV):  # a notebook the helper takes lands in mkdocs-jupyter's cache, shared
        import torch

        torch.set_num_threads(1)
    return config


def _sessions(file) -> int:
    """How many blocks of the page run in a session: the lessons that train a model step by step."""
    if not file.src_uri.endswith(".md") or not file.abs_src_path:
        return 0
    return Path(file.abs_src_path).read_text(encoding="utf-8").count(' session="')


def work_order(files: list) -> list:
    """The order in which the build goes through the pages: those with the most session blocks
    first (the costliest pages, so that neither process is left with one at the end while the
    other waits), then the others as MkDocs lists them. The helper goes through it backwards."""
    return sorted(files, key=lambda f: -_sessions(f))


def on_files(files, config, **kwargs):
    from mkdocs.structure.files import Files

    if os.environ.get(HELPER_ENV):  # the helper goes from the last page to the first
        return Files(list(reversed(work_order(list(files)))))
    if _run() is not None:  # the build of a two-process build
        return Files(work_order(list(files)))
    return files


def on_pre_build(config, **kwargs) -> None:
    from dlnotes import _site

    if os.environ.get(HELPER_ENV) or _run() is not None:
        return
    jobs = os.environ.get(JOBS_ENV, "1")
    if not jobs.isdigit() or int(jobs) < 1:
        raise ValueError(f"{JOBS_ENV}={jobs!r}: expected a whole number of processes, 1 or 2")
    cache = os.environ.get(_site.CACHE_ENV)
    if int(jobs) < 2 or not cache or os.environ.get(_site.CHECK_ENV) or not config.config_file_path:
        return
    if getattr(_mx_python, "_dlnotes_helper_started", False):
        return  # mkdocs serve: the first build is the cold one; later ones reuse the cache
    _mx_python._dlnotes_helper_started = True
    import torch

    root = Path(config.config_file_path).resolve().parent
    folder = Path(cache) / "parallel" / secrets.token_hex(6)
    (folder / "claims").mkdir(parents=True)
    (folder / "done").mkdir()
    scratch = _scratch_folder(root)
    env = dict(os.environ, **{HELPER_ENV: str(folder), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(Path(config.config_file_path).resolve()), "--site-dir", str(scratch / ".helper-site")]
    with open(folder / "helper.log", "wb") as log:
        helper = subprocess.Popen(command, cwd=scratch, env=env, stdout=log, stderr=subprocess.STDOUT)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _set_run(_Run(folder, helper, scratch, threads))


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    from dlnotes import _site

    helper_folder = os.environ.get(HELPER_ENV)
    if helper_folder:
        if not runs_code(markdown, page):
            return _site.outline(markdown)
        if claim(Path(helper_folder), page, CLAIMED_BY_HELPER) != CLAIMED_BY_HELPER:
            # The build took this page, so it took every page before it too: the helper's work is done.
            os._exit(0)
        return markdown
    run = _run()
    if run is None or not runs_code(markdown, page):
        return markdown
    if claim(run.folder, page, CLAIMED_BY_BUILD) == CLAIMED_BY_HELPER:
        done = run.folder / "done" / _key(page)
        started = time.perf_counter()
        while not done.exists() and run.helper.poll() is None:
            time.sleep(0.05)
        log.info(f"two-process build: {page.file.src_uri} ran in the helper (waited {time.perf_counter() - started:.1f} s for it)")
        # Every block the helper ran is now in the cache; if it failed, what is missing runs here.
    return markdown


def on_page_content(html_text: str, page, **kwargs) -> str:
    helper_folder = os.environ.get(HELPER_ENV)
    if helper_folder:
        (Path(helper_folder) / "done" / _key(page)).touch()
    return html_text


def on_post_build(config, **kwargs) -> None:
    run = _run()
    if run is None:
        return
    _set_run(None)
    try:
        run.helper.wait(timeout=60)
    except subprocess.TimeoutExpired:
        run.helper.kill()
        run.helper.wait()
    import torch

    torch.set_num_threads(run.threads)
    shutil.rmtree(run.folder, ignore_errors=True)
    if run.scratch is not None:
        shutil.rmtree(run.scratch, ignore_errors=True)


def on_build_error(**kwargs) -> None:
    run = _run()
    if run is not None and run.helper.poll() is None:
        run.helper.kill()
    on_post_build(config=None)
