"""A kernel forked from the warm interpreter (warm_kernel.py) behaves as a new ``python3`` kernel."""

from __future__ import annotations

import os
import time

import nbformat
import pytest
from nbclient import NotebookClient
from warm_kernel import warm_kernel_manager

pytestmark = pytest.mark.slow

# What a reader's notebook can observe about the interpreter it runs in.
PROBE = [
    "import os, sys\nprint(__name__, 'x' in globals(), os.path.basename(sys.argv[0]), sys.argv[1])",
    "x = 1\nprint(os.getcwd() == CWD, '' in sys.path or os.getcwd() in sys.path)",
    "import matplotlib\nimport matplotlib.pyplot as plt\nprint(matplotlib.get_backend())\nplt.plot([1, 2, 3])",
    "fig, ax = plt.subplots()\nax.imshow([[0, 1], [1, 0]])\nplt.show()",
    "import torch\nprint(torch.get_num_threads(), torch.tensor([1.0, 2.0]).sum().item())",
    "get_ipython().__class__.__name__",
    "print(os.environ.get('MPLBACKEND'), os.environ.get('OMP_NUM_THREADS'))",
    "raise ValueError('shown as an error')",
]


def probe_notebook(cwd) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(f"CWD = {str(cwd)!r}")] + [nbformat.v4.new_code_cell(c) for c in PROBE]
    return nbformat.v4.new_notebook(cells=cells)


def observed(nb) -> list:
    """Per cell: the output kinds, their text and the mime types of what they display."""
    seen = []
    for cell in nb.cells:
        outputs = []
        for out in cell.outputs:
            if out.output_type == "stream":
                outputs.append((out.name, out.text))
            elif out.output_type == "error":
                outputs.append(("error", out.ename, out.evalue))
            else:
                outputs.append((out.output_type, sorted(out.data), out.data.get("text/plain", "")[:20]))
        seen.append(outputs)
    return seen


def execute(nb, cwd, km=None):
    client = NotebookClient(nb, timeout=120, kernel_name="python3", km=km, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def test_a_forked_kernel_shows_what_a_new_kernel_shows(tmp_path):
    fresh = observed(execute(probe_notebook(tmp_path), tmp_path))
    forked = observed(execute(probe_notebook(tmp_path), tmp_path, km=warm_kernel_manager()))
    assert forked == fresh
    # and what both show is what a notebook reader expects
    assert fresh[1] == [("stdout", "__main__ False ipykernel_launcher.py -f\n")]
    assert fresh[2] == [("stdout", "True True\n")]
    assert [kind for kind, *_ in fresh[3]] == ["stdout", "execute_result", "display_data"]
    assert "image/png" in fresh[3][2][1] and "image/png" in fresh[4][0][1], "figures are drawn inline"
    assert fresh[-1] == [("error", "ValueError", "shown as an error")]


def test_each_forked_kernel_draws_its_own_seeds(tmp_path):
    seeds = []
    for _ in range(2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import random, numpy, torch\nprint(torch.initial_seed(), numpy.random.rand(), random.random())")])
        execute(nb, tmp_path, km=warm_kernel_manager())
        seeds.append(nb.cells[0].outputs[0].text.split())
    first, second = seeds
    assert all(a != b for a, b in zip(first, second)), seeds


def _kernel_pid(client) -> int:
    printed = []
    reply = client.execute_interactive("import os; print(os.getpid())", timeout=30, output_hook=printed.append)
    assert reply["content"]["status"] == "ok"
    return int(next(m["content"]["text"] for m in printed if m["msg_type"] == "stream"))


def _gone(pid: int, within: float = 15) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("how", ["shutdown", "kill"])
def test_a_forked_kernel_can_be_interrupted_and_stopped(how):
    km = warm_kernel_manager(asynchronous=False)
    km.start_kernel()
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        pid = _kernel_pid(client)
        msg_id = client.execute("import time; time.sleep(60)", stop_on_error=False)  # a new request is not aborted
        time.sleep(1)
        km.interrupt_kernel()
        reply = client.get_shell_msg(timeout=20)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        assert _kernel_pid(client) == pid, "the interrupted kernel goes on"
    finally:
        client.stop_channels()
    km.shutdown_kernel(now=how == "kill")
    assert _gone(pid), f"the kernel (pid {pid}) outlived its {how}"
