"""Shared fixtures: the repository paths, one strict site build per run, one run per script.

The suite is shaped around two costs: the site build (minutes) and fresh ``python`` processes
(each pays the torch import). So:

* the build starts in the background when the session starts (in the xdist controller, or
  in the only process), while the package tests run; ``built_site`` waits for it;
* every snippet, exercise or other script runs at most once per session in a fresh
  process: ``run_once(path)`` records the result under the session's shared temporary folder,
  and every test (on any xdist worker) that needs it reads that record;
* tests that use ``built_site`` are marked ``site`` and run last; tests that run scripts or
  the site are marked ``slow``: ``make test-fast`` leaves both out.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import subprocess
import sys
import threading
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


def fake_hardware(monkeypatch, cuda=False, mps=False, bf16=True, cuda_build="12.6", mps_built=True):
    """Make torch report the given hardware, so device tests mean the same on every machine."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1 if cuda else 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "Fake GPU")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    monkeypatch.setattr(torch.backends.mps, "is_built", lambda: mps_built)
    monkeypatch.setattr(torch.version, "cuda", cuda_build)


@pytest.fixture
def umask():
    """A umask other than the usual 022 (and other than what mkstemp's 0600 implies): 027 → files 0640."""
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


def new_file_mode(umask: int) -> int:
    """The permission bits an ordinary new file gets under ``umask``."""
    return 0o666 & ~umask


SITE_BUILD_TIMEOUT = 1500  # seconds: only catches a hang


def _shared_dir(tmp_path_factory, worker_id: str = "master") -> Path:
    """The temporary folder all processes of this session share (the xdist controller's)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def _write_json(path: Path, record: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def _build_command(site: Path) -> list[str]:
    return [PYTHON, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]


def _wants_site(config) -> bool:
    """Whether this session will need the site: a selected test module uses ``built_site``."""
    if "not site" in (config.getoption("markexpr", "") or ""):
        return False
    paths = [Path(str(a).split("::")[0]) for a in (config.args or [])] or [ROOT / "tests"]
    for path in paths:
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        files = sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
        if any(f.is_file() and "built_site" in f.read_text(encoding="utf-8") for f in files):
            return True
    return False


_background_build: subprocess.Popen | None = None


def pytest_sessionstart(session):
    """Start the site build at once, in the background (controller or single process only)."""
    global _background_build
    config = session.config
    if hasattr(config, "workerinput") or not _wants_site(config):
        return
    shared = config._tmp_path_factory.getbasetemp()
    record, log = shared / "site-build.json", shared / "site-build.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(_build_command(shared / "site"), cwd=ROOT, env=child_env(), stdout=out, stderr=subprocess.STDOUT)
    _background_build = proc
    (shared / "site-build.started").write_text(str(proc.pid))

    def finish():
        try:
            returncode = proc.wait(timeout=SITE_BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            returncode = proc.wait()
        _write_json(record, {"dir": str(shared / "site"), "log": log.read_text(errors="replace"),
                             "returncode": returncode, "seconds": time.perf_counter() - start, "background": True})

    threading.Thread(target=finish, daemon=True).start()


def pytest_sessionfinish(session):
    if _background_build is not None and _background_build.poll() is None:
        _background_build.kill()  # the session ended first (-x, Ctrl-C): don't leave it running


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "built_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.site)
            item.add_marker(pytest.mark.slow)
        elif "run_once" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("site") is not None)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> dict:
    """The site built with ``mkdocs build --strict`` once per run: {"dir", "log", "returncode", "seconds"}.

    Normally the build was started when the session started (``pytest_sessionstart``) and this
    waits for it; otherwise the first worker that needs it builds it under a file lock.
    """
    shared = _shared_dir(tmp_path_factory, worker_id)
    record = shared / "site-build.json"
    with open(shared / "site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists() and not (shared / "site-build.started").exists():
            start = time.perf_counter()
            proc = subprocess.run(_build_command(shared / "site"), cwd=ROOT, env=child_env(),
                                  capture_output=True, text=True, timeout=SITE_BUILD_TIMEOUT)
            _write_json(record, {"dir": str(shared / "site"), "log": proc.stdout + proc.stderr,
                                 "returncode": proc.returncode, "seconds": time.perf_counter() - start})
    deadline = time.monotonic() + SITE_BUILD_TIMEOUT
    while not record.exists():  # the background build is still running
        if time.monotonic() > deadline:
            pytest.fail("the background site build did not finish", pytrace=False)
        time.sleep(0.5)
    result = json.loads(record.read_text())
    result["dir"] = Path(result["dir"])
    if result["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result['log'][-6000:]}", pytrace=False)
    return result


def run_script(path: Path, args: tuple[str, ...] = (), cwd: Path | None = None, timeout: float = 600) -> dict:
    """Run ``python path args`` as a reader would, in a fresh process: {"returncode", "stdout", "stderr", "seconds", "cpu_seconds"}."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PYTHON, str(path), *args], cwd=cwd or path.parent, env=child_env(),
                          capture_output=True, text=True, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
            "seconds": time.perf_counter() - start,
            "cpu_seconds": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


@pytest.fixture(scope="session")
def run_once(tmp_path_factory, worker_id):
    """``run_once(path, *args)``: the result of ``run_script`` for this script, run once per session.

    Whichever test asks first (on any xdist worker) runs it; the others read the record. New
    snippets, exercises or notebooks exported as scripts are picked up by whoever calls this.
    """
    runs = _shared_dir(tmp_path_factory, worker_id) / "runs"
    runs.mkdir(exist_ok=True)

    def run(path: Path, *args: str, cwd: Path | None = None) -> dict:
        path = Path(path).resolve()
        key = hashlib.sha1(json.dumps([str(path), list(args), str(cwd)]).encode()).hexdigest()[:16]
        record = runs / f"{path.stem}-{key}.json"
        with open(runs / f"{path.stem}-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not record.exists():
                _write_json(record, run_script(path, args, cwd))
        return json.loads(record.read_text(encoding="utf-8"))

    return run


def page_html(site: Path, source: Path) -> Path:
    """The built HTML file for a page source under docs/ (markdown) or notebooks/ (notebook)."""
    if source.suffix == ".ipynb":
        return site / "notebooks" / source.stem / "index.html"
    rel = source.relative_to(DOCS).with_suffix("")
    return site / (rel.parent if rel.name == "index" else rel) / "index.html"
