"""Running programs as a reader runs them, without paying the torch import for each one.

A reader runs a snippet, a page's blocks or a downloaded script with ``python file.py``: a fresh
interpreter that imports torch, matplotlib and dlnotes (about 4 s of CPU on a 2-core machine)
before it does anything. The suite runs a few hundred such programs, so it runs them in children
forked from one warm interpreter (``Zygote``) that has imported those libraries and done nothing
else. A child gets what ``python file.py`` gets:

* a new ``__main__`` namespace (a program that forgets ``import torch`` still fails);
* its own working folder, ``sys.argv`` and ``sys.path[0]`` (the script's folder), stdin from
  ``/dev/null``;
* seeds drawn from the OS for torch and numpy, as a new interpreter draws them (Python's
  ``random`` reseeds itself after a fork), and matplotlib's default, non-interactive backend (no
  display here);
* its exit status: 0 when the program ends, the ``sys.exit`` code, 1 with the traceback on stderr
  for an uncaught exception, and killed by ``SIGALRM`` after the timeout.

Every process runs with one compute thread (see ``conftest.child_env``). The tests that compare
forked runs with fresh interpreters (``test_snippets.py``, ``test_exercises.py``) check that the
shortcut is faithful.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

# The warm interpreter: imports, then reads one job list per line on stdin and answers one line
# {name: {"returncode", "seconds", "cpu_seconds"}} once all of them ended (``width`` at a time).
SERVER = r'''
import json, os, runpy, signal, sys, time, traceback
import numpy, torch, torch.nn, torch.nn.functional, torchvision, matplotlib, matplotlib.pyplot  # noqa: F401
import dlnotes, dlnotes.data, dlnotes.models, dlnotes.trainer, dlnotes.conv, dlnotes.kernels  # noqa: F401
torch.set_num_threads(1)
requests, answers = os.fdopen(int(sys.argv[1]), "r"), os.fdopen(int(sys.argv[2]), "w")

def child(job):
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.chdir(job["cwd"])
    sys.argv = [job["script"], *job.get("args", [])]
    sys.path[0] = os.path.dirname(os.path.abspath(job["script"]))
    torch.seed()  # a new interpreter draws its seeds from the OS; a forked one would share the parent's
    numpy.random.seed()
    signal.alarm(int(job["timeout"]))
    code = 0
    try:
        runpy.run_path(job["script"], run_name="__main__")
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

for line in requests:
    request = json.loads(line)
    queue, running, results = list(request["jobs"]), {}, {}
    while queue or running:
        while queue and len(running) < request["width"]:
            job = queue.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                child(job)
            running[pid] = (job["name"], time.perf_counter())
        pid, status, usage = os.wait4(-1, 0)
        name, start = running.pop(pid)
        results[name] = {"returncode": os.waitstatus_to_exitcode(status), "seconds": time.perf_counter() - start,
                         "cpu_seconds": usage.ru_utime + usage.ru_stime}
    answers.write(json.dumps(results) + "\n")
    answers.flush()
'''


class Zygote:
    """One warm interpreter per test process, started on first use; ``run`` forks a child per program."""

    def __init__(self, python: str, env: dict[str, str], cwd: Path) -> None:
        self._python, self._env, self._cwd = python, env, cwd
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _start(self) -> None:
        req_r, self._req_w = os.pipe()
        self._ans_r, ans_w = os.pipe()
        self._proc = subprocess.Popen(
            [self._python, "-c", SERVER, str(req_r), str(ans_w)], cwd=self._cwd, env=self._env,
            pass_fds=(req_r, ans_w), stdin=subprocess.DEVNULL,
        )
        os.close(req_r)
        os.close(ans_w)
        self._requests = os.fdopen(self._req_w, "w")
        self._answers = os.fdopen(self._ans_r, "r")
        atexit.register(self.close)

    def close(self) -> None:
        if self._proc is not None:
            self._requests.close()
            self._proc.wait(timeout=60)
            self._answers.close()
            self._proc = None

    def run_many(self, jobs: list[dict], width: int = 1) -> dict[str, dict]:
        """Run the jobs, ``width`` at a time: {name: {"returncode", "stdout", "stderr", "seconds", "cpu_seconds"}}.

        A job: {"name", "script", "cwd", "timeout"} and optionally "args". Its stdout and stderr
        go to files in a private temporary folder, read back and removed.
        """
        with tempfile.TemporaryDirectory(prefix="dlnotes-programs-") as streams:
            prepared = [{**job, "script": str(job["script"]), "cwd": str(job["cwd"]),
                         "stdout": f"{streams}/{i}.stdout", "stderr": f"{streams}/{i}.stderr"} for i, job in enumerate(jobs)]
            with self._lock:
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                self._requests.write(json.dumps({"jobs": prepared, "width": width}) + "\n")
                self._requests.flush()
                line = self._answers.readline()
            if not line:
                raise RuntimeError(f"the warm interpreter ended (status {self._proc.poll()}); run a program with python to see why")
            codes = json.loads(line)
            for job in prepared:
                for stream in ("stdout", "stderr"):
                    codes[job["name"]][stream] = Path(job[stream]).read_text(encoding="utf-8", errors="replace")
            return codes

    def run(self, script: Path, cwd: Path, args: tuple[str, ...] = (), timeout: float = 600) -> dict:
        """Run one program like ``python script args`` in ``cwd``: {"returncode", "stdout", "stderr", "seconds", "cpu_seconds"}."""
        return self.run_many([{"name": "job", "script": script, "cwd": cwd, "args": list(args), "timeout": timeout}])["job"]


_ZYGOTE: Zygote | None = None


def zygote() -> Zygote:
    """This test process's warm interpreter."""
    global _ZYGOTE
    if _ZYGOTE is None:
        from conftest import PYTHON, ROOT, child_env

        _ZYGOTE = Zygote(PYTHON, child_env(), ROOT)
    return _ZYGOTE


def run_program(script: Path, cwd: Path | None = None, args: tuple[str, ...] = (), timeout: float = 600) -> dict:
    """``python script args`` as a reader runs it, forked from this process's warm interpreter."""
    script = Path(script).resolve()
    return zygote().run(script, cwd or script.parent, args, timeout)
