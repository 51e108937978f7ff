"""Shared fixtures: the repository paths, one strict site build per run, one run per script.

The suite is shaped around two costs: the site build (minutes) and fresh ``python`` processes
(each pays the torch import). So:

* the build starts in the background as soon as collection shows that a selected test needs
  it, while the package tests run, and runs the pages' code in two processes; ``built_site``
  waits for it; the tests read what it ran (outputs, answers) instead of running it again;
* every snippet, exercise or other script runs at most once per session, as ``python script``
  runs it but forked from a warm interpreter that paid the imports once (``programs.py``):
  ``run_once(path)`` records the result under the session's shared temporary folder,
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
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

# One compute thread in every test process and what it starts (Jupyter kernels included): two
# workers, the site build and the programs they run share two cores, and PyTorch's thread pools,
# each sized for the whole machine, spin against each other when they overlap (a notebook that
# runs in 14 s alone took 161 s in the suite). The results do not depend on it.
os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
torch.set_num_threads(1)

pytest_plugins = ["browser"]  # Chromium, the site server and the page sweep (tests/browser.py)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SNIPPETS = ROOT / "snippets"
NOTEBOOKS = ROOT / "notebooks"
PYTHON = sys.executable


def child_env(**extra: str) -> dict[str, str]:
    """The environment for code run the way a reader runs it: a fresh, non-interactive python.

    No MPLBACKEND: a script on a machine with no display falls back to Agg by itself, and a
    notebook kernel must keep its inline backend to show figures.

    One compute thread each: the site build and the two test workers' programs share two
    cores, and PyTorch's thread pools, each sized for the whole machine, spin against each other
    when they overlap (several times slower in all). A reader's single program keeps its default.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_")) and k != "MPLBACKEND"}
    env.update(NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", **extra)
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


def _build_env(shared: Path) -> dict[str, str]:
    """The build runs the pages' code in two processes (``src/dlnotes/_site_parallel.py``) through an
    executed-block cache that is empty when the session starts: every block runs in this session,
    once, in one of the two; nothing comes from the ``.cache/`` of ``make serve``."""
    cache = shared / "exec-cache"
    cache.mkdir()
    return child_env(DLNOTES_BUILD_JOBS="2", DLNOTES_EXEC_CACHE=str(cache))


PREBUILT_SITE = "DLNOTES_SITE_DIR"  # a site built already (make check): the tests read it, nothing is built

# Runs the build in its own process group and records the result itself, so that the record is
# written even when the pytest process that started it has already finished its share of tests.
_BUILD_RUNNER = """
import json, os, subprocess, sys, time
record, log, site, timeout, *cmd = sys.argv[1:]
start = time.perf_counter()
with open(log, "w") as out:
    try:
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=float(timeout)).returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
with open(log, errors="replace") as f:
    result = {"dir": site, "log": f.read(), "returncode": code, "seconds": time.perf_counter() - start, "background": True}
with open(record + ".tmp", "w") as f:
    json.dump(result, f)
os.replace(record + ".tmp", record)
"""


def _config_shared_dir(config) -> Path:
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


WORKER_NICENESS = 10  # the build outranks the tests (CPU weight 1024 against 110 for each worker)


def pytest_collection_finish(session):
    """Start the site build (if a selected test needs it), then, in an xdist worker, yield the CPU to it.

    The build is the longest chain of work in a run: the site tests wait for it. At equal priority
    it shares two cores with two test workers and finishes late, while the workers run out of
    tests that need no site and wait. Lowered after the build started (which keeps its priority),
    the workers and what they start take the cores the build leaves free. The build runs in a
    process group of its own but in the same session: Linux gives each session (autogroup) an
    equal share of the CPU whatever its processes' niceness, so a build in a new session would
    get one core of two however the workers are niced.
    """
    if any("built_site" in getattr(item, "fixturenames", ()) for item in session.items):
        _start_site_build(session.config)
    if hasattr(session.config, "workerinput"):
        os.nice(WORKER_NICENESS)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """A run of the whole suite (``make test``: no paths, ``-m`` or ``-k``) needs the site: the
    controller starts the build at once, before the workers have started and collected the tests."""
    if hasattr(config, "workerinput") or config.option.collectonly:
        return
    whole = config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.getoption("lf", False)
    if whole and not config.option.markexpr and not config.option.keyword:
        _start_site_build(config)


def _start_site_build(config) -> None:
    if os.environ.get(PREBUILT_SITE):
        return
    shared = _config_shared_dir(config)
    started = shared / "site-build.started"
    with open(shared / "site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if started.exists() or (shared / "site-build.json").exists():
            return  # another xdist worker started it
        proc = subprocess.Popen(
            [PYTHON, "-c", _BUILD_RUNNER, str(shared / "site-build.json"), str(shared / "site-build.log"),
             str(shared / "site"), str(SITE_BUILD_TIMEOUT), *_build_command(shared / "site")],
            cwd=ROOT, env=_build_env(shared), process_group=0, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started.write_text(str(proc.pid))


def pytest_sessionfinish(session):
    """The session is over (also after -x or Ctrl-C): stop a build that is still running."""
    if hasattr(session.config, "workerinput"):
        return  # the controller decides: another worker may still be waiting for the site
    shared = session.config._tmp_path_factory.getbasetemp()
    started = shared / "site-build.started"
    if started.exists() and not (shared / "site-build.json").exists():
        try:
            os.killpg(int(started.read_text()), signal.SIGKILL)  # the build and its runner, started above
        except (ProcessLookupError, ValueError):
            pass


# fixtures that run programs in fresh processes: a test using one is not a unit test (make test-fast)
PROGRAM_FIXTURES = {"run_once", "runs"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "built_site" in fixtures:
            item.add_marker(pytest.mark.site)
            item.add_marker(pytest.mark.slow)
        elif fixtures & PROGRAM_FIXTURES:
            item.add_marker(pytest.mark.slow)
    items.sort(key=_run_order)


def _run_order(item) -> tuple[int, int, int]:
    """Tests that need no site first (they run while the build does); then the site tests, the long
    ones first (``site_first``) so that the run does not end with one worker busy and the other
    idle, and among those first the ones that read the browser sweep, so that both workers arrive
    at it together and share it (``browser.py``)."""
    if item.get_closest_marker("site") is None:
        return (0, 0, 0)
    if item.get_closest_marker("site_first") is None:
        return (1, 1, 0)
    return (1, 0, 0 if "sweep" in getattr(item, "fixturenames", ()) else 1)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, worker_id) -> dict:
    """The site built with ``mkdocs build --strict`` once per run: {"dir", "log", "returncode", "seconds"}.

    ``DLNOTES_SITE_DIR`` names a site built already (``make check`` builds one page, then runs
    that page's tests against it). Normally the build was started right after collection (``pytest_collection_finish``) and
    this waits for it; otherwise the first worker that needs it builds it under a file lock.
    """
    if os.environ.get(PREBUILT_SITE):
        return {"dir": Path(os.environ[PREBUILT_SITE]), "log": "", "returncode": 0, "seconds": 0.0, "fresh": False}
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
    result["fresh"] = True
    if result["returncode"] != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result['log'][-6000:]}", pytrace=False)
    return result


def run_script(path: Path, args: tuple[str, ...] = (), cwd: Path | None = None, timeout: float = 600) -> dict:
    """Run ``python path args`` as a reader would: {"returncode", "stdout", "stderr", "seconds", "cpu_seconds"}.

    Forked from this test process's warm interpreter (``programs.py``): a fresh ``__main__``
    without the 4 s torch import a new interpreter pays.
    """
    from programs import run_program

    return run_program(path, cwd=cwd, args=args, timeout=timeout)


def run_fresh(path: Path, args: tuple[str, ...] = (), cwd: Path | None = None, timeout: float = 600) -> dict:
    """The same in a new ``python`` process: what the forked runs are compared with."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PYTHON, str(path), *args], cwd=cwd or Path(path).parent, env=child_env(),
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


def once_per_session(tmp_path_factory, worker_id: str, name: str, compute) -> object:
    """``compute()`` once per test session, whichever xdist worker asks first; the others get its result.

    For session fixtures that run many programs (the exercises, say): without this, each
    worker would run them all again. The result must be JSON data (tuples come back as lists).
    """
    shared = _shared_dir(tmp_path_factory, worker_id)
    record = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            _write_json(record, compute())
    return json.loads(record.read_text(encoding="utf-8"))


def shared_parts(tmp_path_factory, worker_id: str, name: str, parts: list[str], compute) -> dict:
    """``{part: compute(part)}``, each part computed once per test session, the work shared.

    A worker first computes every part that no other worker is computing, then waits for the
    rest: two workers that need the result at once each compute about half of it, and one alone
    computes all of it. Results must be JSON data, as for ``once_per_session``.
    """
    shared = _shared_dir(tmp_path_factory, worker_id)
    for part in parts:
        with open(shared / f"{name}-{part}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another worker is computing it
            if not (shared / f"{name}-{part}.json").exists():
                _write_json(shared / f"{name}-{part}.json", compute(part))
    return {part: once_per_session(tmp_path_factory, worker_id, f"{name}-{part}", lambda part=part: compute(part)) for part in parts}


def page_html(site: Path, source: Path) -> Path:
    """The built HTML file for a page source under docs/ (markdown) or notebooks/ (notebook)."""
    if source.suffix == ".ipynb":
        return site / "notebooks" / source.stem / "index.html"
    rel = source.relative_to(DOCS).with_suffix("")
    return site / (rel.parent if rel.name == "index" else rel) / "index.html"
