"""The forked runner (``programs.py``) gives a program what ``python script.py`` gives it."""

from __future__ import annotations

import signal

import pytest
from conftest import run_fresh
from programs import zygote

pytestmark = pytest.mark.slow  # starts a warm interpreter


def program(tmp_path, name: str, code: str):
    path = tmp_path / name
    path.write_text(code, encoding="utf-8")
    return path


def test_status_output_argv_cwd_and_path(tmp_path):
    (tmp_path / "work").mkdir()
    script = program(tmp_path, "a.py", (
        "import os, sys\n"
        "print('argv', sys.argv[1:], 'cwd', os.path.basename(os.getcwd()), 'path0', sys.path[0] == os.path.dirname(__file__))\n"
        "print('name', __name__, 'stdin', repr(sys.stdin.read()))\n"
        "print('to stderr', file=sys.stderr)\n"
        "sys.exit(3)\n"))
    forked = zygote().run(script, cwd=tmp_path / "work", args=("x", "y"), timeout=60)
    fresh = run_fresh(script, ("x", "y"), cwd=tmp_path / "work", timeout=60)
    assert forked["returncode"] == fresh["returncode"] == 3
    assert forked["stdout"] == fresh["stdout"] == "argv ['x', 'y'] cwd work path0 True\nname __main__ stdin ''\n"
    assert forked["stderr"] == fresh["stderr"] == "to stderr\n"


def test_each_program_gets_a_new_namespace_and_an_error_is_a_traceback(tmp_path):
    first = program(tmp_path, "first.py", "import torch\nleft_behind = torch.ones(2)\n")
    second = program(tmp_path, "second.py", "print(left_behind)\n")
    forgot_import = program(tmp_path, "third.py", "print(torch.zeros(1))\n")
    results = zygote().run_many([{"name": p.stem, "script": p, "cwd": tmp_path, "timeout": 60} for p in (first, second, forgot_import)])
    assert results["first"]["returncode"] == 0
    assert results["second"]["returncode"] == 1 and "NameError: name 'left_behind'" in results["second"]["stderr"]
    assert results["third"]["returncode"] == 1 and "NameError: name 'torch'" in results["third"]["stderr"]
    assert "Traceback (most recent call last)" in results["third"]["stderr"]


def test_random_seeds_differ_between_runs_as_in_fresh_interpreters(tmp_path):
    """A new interpreter seeds torch, numpy and random from the OS: two runs draw different numbers,
    and the same numbers once seeded."""
    script = program(tmp_path, "r.py", (
        "import random, sys, numpy, torch\n"
        "if sys.argv[1:] == ['seeded']:\n"
        "    torch.manual_seed(0); numpy.random.seed(0); random.seed(0)\n"
        "print(torch.rand(2).tolist(), numpy.random.rand(2).tolist(), random.random())\n"))
    runs = zygote().run_many([{"name": str(i), "script": script, "cwd": tmp_path, "timeout": 60} for i in range(2)])
    fresh = [run_fresh(script, cwd=tmp_path)["stdout"] for _ in range(2)]
    draws = [line.split("] ") for line in [runs["0"]["stdout"], runs["1"]["stdout"], *fresh]]
    for i in range(3):  # torch, numpy, random: each differs between any two runs
        assert len({d[i] for d in draws}) == 4, draws
    seeded = [zygote().run(script, cwd=tmp_path, args=("seeded",))["stdout"], run_fresh(script, ("seeded",), cwd=tmp_path)["stdout"]]
    assert seeded[0] == seeded[1]


def test_a_program_that_hangs_is_stopped(tmp_path):
    script = program(tmp_path, "hang.py", "import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    result = zygote().run(script, cwd=tmp_path, timeout=1)
    assert result["returncode"] == -signal.SIGALRM and result["stdout"] == "started\n"  # stopped by the alarm


def test_two_at_a_time(tmp_path):
    jobs = [{"name": str(i), "script": program(tmp_path, f"p{i}.py", f"print({i} * 2)\n"), "cwd": tmp_path, "timeout": 60} for i in range(5)]
    results = zygote().run_many(jobs, width=2)
    assert {name: (r["returncode"], r["stdout"]) for name, r in results.items()} == {str(i): (0, f"{i * 2}\n") for i in range(5)}


def test_shared_parts_computes_each_part_once_and_waits_for_a_part_another_worker_holds(tmp_path_factory, worker_id):
    """conftest.shared_parts: the parts nobody holds are computed here; a part another worker is
    computing is waited for and read, not computed again."""
    import fcntl
    import json
    import threading
    import time
    import uuid

    from conftest import _shared_dir, shared_parts

    name = f"parts-{uuid.uuid4().hex[:8]}"
    shared = _shared_dir(tmp_path_factory, worker_id)
    held = open(shared / f"{name}-1.lock", "w")
    fcntl.flock(held, fcntl.LOCK_EX)  # "another worker" is computing part 1

    def other_worker():
        time.sleep(0.5)
        (shared / f"{name}-1.json").write_text(json.dumps({"by": "other"}))
        fcntl.flock(held, fcntl.LOCK_UN)
        held.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    computed = []
    result = shared_parts(tmp_path_factory, worker_id, name, ["0", "1", "2"], lambda p: computed.append(p) or {"by": "me", "part": p})
    thread.join()
    assert computed == ["0", "2"]
    assert result == {"0": {"by": "me", "part": "0"}, "1": {"by": "other"}, "2": {"by": "me", "part": "2"}}
    again = shared_parts(tmp_path_factory, worker_id, name, ["0", "1", "2"], lambda p: computed.append(p))
    assert again == result and computed == ["0", "2"], "computed once per session"
