"""How long a contributor waits: site builds, the edit loop of `make serve`, and `make check`.

    python benchmarks/build.py [--page docs/lessons/lesson-1.md] [--skip-check]

Everything runs in a temporary copy of the project (nothing of yours is edited):

1. cold build: `mkdocs build --strict` with an empty executed-block cache (what `make build`
   does on a fresh clone, and what CI's build does without a cache);
2. rebuild with nothing changed (the cache is warm);
3. `make serve`'s edit loop: with `mkdocs serve` running, the seconds from saving a prose edit
   to the page until the server returns the edited page; then the same for a change to a snippet
   that the page embeds (its output must change), with how many blocks ran again;
4. `make check PAGE=…` for one page (its build and its tests).

Targets (issues 14 and 16): cold build <= 60 s, unchanged rebuild <= 10 s, prose edit visible
<= 5 s, one-page check <= 60 s. Printed as a table with the date, the machine and the command.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROSE_PAGE = "docs/theory/tensors.md"
SNIPPET = "snippets/tensors_basics.py"  # embedded by the tensors page


def copy_project(dest: Path) -> None:
    """Every file git tracks (symbolic links stay links), as they are in the working tree."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        src, target = ROOT / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            target.symlink_to(os.readlink(src))
        elif src.is_file():
            shutil.copy2(src, target)


def env_for(project: Path, cache: Path) -> dict:
    # What `make build` and `make serve` set: the executed-block cache, and two processes for a cold build.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(project / "src"), DLNOTES_EXEC_CACHE=str(cache), DLNOTES_BUILD_JOBS="2")
    env.pop("DLNOTES_CHECK_PAGE", None)
    return env


def timed(cmd: list[str], project: Path, env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


def wait_for(url: str, text: str, limit: float) -> float | None:
    """Seconds until the page at `url` contains `text`, or None after `limit` seconds."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if text in fetch(url):
            return time.perf_counter() - start
        time.sleep(0.2)
    return None


def serve_loop(project: Path, env: dict) -> dict:
    port = free_port()
    log = open(project / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/theory/tensors/"
        if wait_for(url, "Tensors", 900) is None:
            sys.exit(f"mkdocs serve did not come up:\n{(project / 'serve.log').read_text()[-3000:]}")
        time.sleep(2)  # let the watcher settle
        page = project / PROSE_PAGE
        marker = f"prose-edit-marker-{int(time.time())}"
        page.write_text(page.read_text(encoding="utf-8") + f"\n\nA sentence added by the benchmark: {marker}.\n", encoding="utf-8")
        prose = wait_for(url, marker, 300)
        time.sleep(2)
        before = (project / "serve.log").read_text()
        snippet = project / SNIPPET
        code_marker = f"code-edit-{int(time.time())}"
        snippet.write_text(snippet.read_text(encoding="utf-8") + f'\nprint("{code_marker}")\n', encoding="utf-8")
        code = wait_for(url, code_marker, 600)
        time.sleep(1)
        after = (project / "serve.log").read_text()[len(before):]
        ran = re.findall(r"executed-block cache: (\d+) blocks reused, (\d+) run", after)
        return {"prose": prose, "code": code, "code_reused_ran": ran[-1] if ran else None}
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="docs/lessons/lesson-1.md", help="the page for the make check timing")
    parser.add_argument("--skip-check", action="store_true", help="leave out the make check timing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlnotes-build-bench-") as tmp:
        project, cache = Path(tmp) / "project", Path(tmp) / "cache"
        copy_project(project)
        env = env_for(project, cache)
        build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(Path(tmp) / "site")]
        cold, _ = timed(build, project, env)
        warm, warm_log = timed(build, project, env)
        reused = re.findall(r"executed-block cache: (\d+) blocks reused, (\d+) run", warm_log)
        loop = serve_loop(project, env)
        check = None
        if not args.skip_check:
            check, _ = timed([sys.executable, "scripts/check_page.py", args.page], project, env)

    def fmt(seconds):
        return "not seen" if seconds is None else f"{seconds:.1f} s"

    print(f"# Site build and edit loop — {datetime.date.today()}, {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"command: python benchmarks/build.py{' --page ' + args.page if args.page else ''}\n")
    print("| what | seconds | target |")
    print("| --- | ---: | ---: |")
    print(f"| cold build (`mkdocs build --strict`, empty cache) | {fmt(cold)} | 60 |")
    reuse = f" ({reused[-1][0]} blocks reused, {reused[-1][1]} run)" if reused else ""
    print(f"| rebuild, nothing changed{reuse} | {fmt(warm)} | 10 |")
    print(f"| `make serve`: prose edit on {PROSE_PAGE} visible | {fmt(loop['prose'])} | 5 |")
    ran = loop["code_reused_ran"]
    detail = f" ({ran[1]} block(s) ran, {ran[0]} reused)" if ran else ""
    print(f"| `make serve`: edit to {SNIPPET} visible{detail} | {fmt(loop['code'])} | – |")
    if check is not None:
        print(f"| `make check PAGE={args.page}` (build + its tests) | {fmt(check)} | 60 |")


if __name__ == "__main__":
    main()
