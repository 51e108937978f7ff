"""Jupyter kernels forked from a warm interpreter: nbclient runs the downloaded notebooks without
paying the torch import (about 4 s of CPU on a 2-core machine) once per notebook.

A notebook test asks ``warm_kernel_manager()`` for a kernel manager and hands it to nbclient,
which starts, interrupts and stops the kernel as it starts any other. The kernel spec (named
``python3``, like the kernel a reader's Jupyter starts) runs a small launcher instead of
``python -m ipykernel_launcher``. The launcher passes its arguments, environment, working folder
and standard streams over a UNIX socket to this test process's kernel server, which has imported
ipykernel, torch, numpy, matplotlib and dlnotes and done nothing else. The server forks a child
that becomes the kernel exactly as ``python -m ipykernel_launcher -f CONNECTION_FILE`` does
(``runpy`` runs that module as ``__main__``), with:

* the launcher's environment, working folder, ``sys.argv`` and standard streams, in a process
  group of its own (jupyter_client starts a kernel in a new session; a new session would also be a
  new scheduler autogroup on Linux, outside the priority the test workers give the site build);
* seeds drawn from the OS for torch and numpy, as a new interpreter draws them;
* the matplotlib backend a new kernel would choose (ipykernel's inline backend unless
  ``MPLBACKEND`` says otherwise), chosen before matplotlib was imported; the inline backend's
  module itself is not imported by the server, so it hooks into the child's IPython when the
  notebook first draws, as it does in a new kernel;
* a watchdog that ends it when the launcher goes (jupyter_client kills the launcher to stop a
  kernel that does not answer), while the launcher forwards SIGINT (an interrupt), SIGTERM and
  SIGHUP to it and exits with its status.

``test_warm_kernel.py`` checks that a forked kernel behaves as a new one: figures, ``__main__``,
working folder, seeds, interrupts and shutdown.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run with `python -S`: the standard library only, so it starts in milliseconds.
LAUNCHER = r'''
import json, os, signal, socket, sys
server, args = sys.argv[1], sys.argv[2:]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(server)
request = json.dumps({"argv": args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
socket.send_fds(sock, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
answers = sock.makefile("r")
pid = int(answers.readline())

def forward(signum, frame):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass

for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(signum, forward)
status = answers.readline().strip()
sys.exit(int(status) if status else 1)
'''

SERVER = r'''
import os, sys
if not os.environ.get("MPLBACKEND"):  # what ipykernel sets before a new kernel's first import of matplotlib
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
import atexit, json, runpy, select, signal, socket, traceback
import numpy, torch, torch.nn, torch.nn.functional, torchvision, matplotlib, matplotlib.pyplot  # noqa: F401
import ipykernel.kernelapp, ipykernel.ipkernel, ipykernel.zmqshell, IPython, zmq, tornado  # noqa: F401
import dlnotes, dlnotes.data, dlnotes.models, dlnotes.trainer, dlnotes.conv, dlnotes.kernels  # noqa: F401
os.environ.pop("MPLBACKEND")
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or torch.get_num_threads()))

listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen(16)
print("ready", flush=True)

def receive(conn):
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    size = int.from_bytes(data[:8], "big")
    data = data[8:]
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the launcher went away")
        data += chunk
    return json.loads(data), fds

def kernel(conn, fds, request):
    listener.close()
    for other in kernels.values():
        other.close()
    os.setpgid(0, 0)  # a process group of its own, as jupyter_client gives a kernel (same session: see conftest)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    torch.seed()  # a new interpreter draws its seeds from the OS; a forked one would share the parent's
    numpy.random.seed()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)

    def watchdog():  # the launcher closes the socket when it ends, killed or not
        while conn.recv(1):
            pass
        os._exit(1)

    import threading
    threading.Thread(target=watchdog, daemon=True).start()
    sys.argv = ["ipykernel_launcher", *request["argv"]]
    code = 0
    try:
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

kernels = {}
while True:
    ready, _, _ = select.select([listener, sys.stdin], [], [], 0.2)
    if sys.stdin in ready and not sys.stdin.read(1):  # the test process ended
        break
    if listener in ready:
        conn, _ = listener.accept()
        try:
            request, fds = receive(conn)
        except (EOFError, OSError, ValueError):
            conn.close()
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            kernel(conn, fds, request)
        for fd in fds:
            os.close(fd)
        conn.sendall(f"{pid}\n".encode())
        kernels[pid] = conn
    while kernels:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        code = os.waitstatus_to_exitcode(status)
        conn = kernels.pop(pid, None)
        if conn is not None:
            try:
                conn.sendall(f"{code if code >= 0 else 128 - code}\n".encode())
            except OSError:
                pass
            conn.close()
for pid in kernels:  # kernels outliving the test process: stop them as a lost parent would
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
'''


class KernelServer:
    """This test process's warm interpreter for kernels, and the kernel spec that reaches it."""

    def __init__(self, python: str, env: dict[str, str]) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="dlnotes-kernels-"))
        self.socket = self._folder / "server.sock"
        launcher = self._folder / "launcher.py"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        spec = self._folder / "kernels" / "python3"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [python, "-S", str(launcher), str(self.socket), "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel, forked from a warm interpreter)",
            "language": "python",
            "interrupt_mode": "signal",
            "metadata": {"debugger": False},
        }), encoding="utf-8")
        self.kernel_dirs = [str(spec.parent)]
        self._proc = subprocess.Popen([python, "-c", SERVER, str(self.socket)], env=env, cwd=self._folder,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._ready = threading.Event()
        threading.Thread(target=self._wait_ready, daemon=True).start()
        atexit.register(self.close)

    def _wait_ready(self) -> None:
        if self._proc.stdout.readline().strip() == "ready":
            self._ready.set()

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.2):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the kernel server did not start (status {self._proc.poll()}): "
                                   f"run `python -c 'import ipykernel, torch, dlnotes'` to see why")

    def manager(self, asynchronous: bool = True):
        """A kernel manager (asynchronous, as nbclient's) whose ``python3`` kernel is forked from here."""
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager, KernelManager

        self.wait()
        specs = KernelSpecManager(kernel_dirs=self.kernel_dirs, ensure_native_kernel=False)
        return (AsyncKernelManager if asynchronous else KernelManager)(kernel_name="python3", kernel_spec_manager=specs)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        for path in sorted(self._folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        self._folder.rmdir()


_SERVER: KernelServer | None = None


def kernel_server() -> KernelServer:
    """This test process's kernel server, started on first use."""
    global _SERVER
    if _SERVER is None:
        _SERVER = KernelServer(sys.executable, dict(os.environ))
    return _SERVER


def warm_kernel_manager(asynchronous: bool = True):
    """A kernel manager for ``NotebookClient(nb, km=...)``: a new ``python3`` kernel, forked warm."""
    return kernel_server().manager(asynchronous)
