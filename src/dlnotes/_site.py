"""Build-time helpers for the site (used by ``mkdocs.yml``; not part of the public API).

* ``formatter``/``validator``: the ``python`` fence. It runs the block with markdown-exec
  and appends every matplotlib figure the block left open as a PNG ``<img>``: a snippet
  ends with ``plt.show()`` like any script a reader runs, and the page shows the figure
  that this very build produced. Everything the block writes to standard output is shown,
  also what the package prints (the trainer's epoch table), in the order it was written,
  exactly as a reader's terminal would show it. A block that calls ``sys.exit`` ends the
  block, never the build; a non-zero status is an error.
* ``on_page_content``: an MkDocs hook that turns the TeX that ``pymdownx.arithmatex``
  marks into MathML at build time, so math renders with no script and no CDN.
* The executed-block cache (``make serve`` turns it on with ``DLNOTES_EXEC_CACHE=DIR``): a
  block's rendered output is stored under a key made of its code (snippet files already
  included), its options, the code run before it in its session, and, when the block uses
  ``dlnotes``, the package's source and the benchmark results the pages read. A prose edit runs
  nothing; a change to a block, a snippet or the package re-runs exactly the blocks whose key
  changed. ``make build`` and the tests never use it: what is published ran in that build.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import datetime
import hashlib
import html
import io
import json
import os
import re
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import markdown_exec  # noqa: E402
from markdown_exec._internal.formatters import python as _mx_python  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

validator = markdown_exec.validator

# markdown-exec gives each block a ``print`` that writes to a private buffer, so output printed
# by imported code (the package's own tables) would go to the build log instead of the page.
# We let ``print`` be the real one and capture the whole of ``sys.stdout`` around the block.
_mx_original_run = _mx_python._run_python
_mx_original_exec = _mx_python.exec_python


def _print(buffer, *texts, **kwargs):
    builtins.print(*texts, **kwargs)


def _run_python(code: str, *args, **kwargs) -> str:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            _mx_original_run(code, *args, **kwargs)
    except Exception:
        _cache_state().failures += 1  # markdown-exec renders the error; the cache must not keep it
        raise
    return out.getvalue()


def _exec_python(code: str, filename: str, exec_globals: dict) -> None:
    try:
        _mx_original_exec(code, filename, exec_globals)
    except SystemExit as stop:  # not an Exception: it would end mkdocs itself, with status 0
        if stop.code not in (0, None):
            raise RuntimeError(f"the code called sys.exit({stop.code!r})") from None


# MkDocs imports this file twice (as a hook, and as dlnotes._site for the fence): patch once.
if not getattr(_mx_python, "_dlnotes_patched", False):
    _mx_python._buffer_print = _print
    _mx_python._run_python = _run_python
    _mx_python.exec_python = _exec_python
    _mx_python._dlnotes_patched = True


def figures_html() -> str:
    """Every open matplotlib figure as an ``<img>`` (PNG, inline), then closed."""
    parts = []
    for num in plt.get_fignums():
        fig = plt.figure(num)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        title = fig.get_suptitle() or next((ax.get_title() for ax in fig.axes if ax.get_title()), "")
        alt = html.escape(title or "figure produced by the code above", quote=True)
        data = base64.b64encode(buf.getvalue()).decode()
        parts.append(f'<figure class="dl-figure"><img alt="{alt}" src="data:image/png;base64,{data}"></figure>')
        plt.close(fig)
    return "\n".join(parts)


def _run_block(source, language, css_class, options, md, **kwargs) -> str:
    plt.close("all")
    out = markdown_exec.formatter(source, language, css_class, options, md, **kwargs)
    return str(out) + figures_html()  # str(): out is a Markup, which would escape what we add


# --- the executed-block cache ------------------------------------------------------------------

CACHE_ENV = "DLNOTES_EXEC_CACHE"
_CACHE_FORMAT = b"dlnotes-exec-cache/1"
_ROOT = Path(__file__).resolve().parents[2]
# What a block that uses dlnotes depends on besides its own code: the package and the results
# files that snippets read (benchmarks/results/*.json).
_DEPENDENCIES = (_ROOT / "src" / "dlnotes", _ROOT / "benchmarks" / "results")
# The other build hooks shape the page around the blocks, never what a block prints.
_NOT_DEPENDENCIES = {"_site_downloads.py", "_site_exercises.py", "_site_interactive.py", "_site_kb.py", "_site_parallel.py"}
_OPTIONS_IN_KEY = ("html", "source", "result", "returncode", "session", "id", "id_prefix", "tabs", "workdir", "width", "extra")


class _BuildState:
    """What the cache tracks during one build (reset by ``on_pre_build``)."""

    def __init__(self) -> None:
        self.dependencies: str | None = None
        self.chains: dict[str, hashlib._Hash] = {}  # session -> digest of the code run in it so far
        self.pending: dict[str, list[str]] = {}  # session -> code served from the cache, not yet run
        self.hits = self.misses = self.failures = 0
        self.page = ""  # the page being built (its src_uri)
        self.page_runs: list[dict] = []  # what the blocks of the page being built ran with
        self.page_started = time.perf_counter()


def _cache_state() -> _BuildState:
    # MkDocs imports this file twice (as a hook and as dlnotes._site): keep one state for both,
    # on the markdown-exec module that both instances patch.
    if not hasattr(_mx_python, "_dlnotes_cache_state"):
        _mx_python._dlnotes_cache_state = _BuildState()
    return _mx_python._dlnotes_cache_state


def _dependencies_digest() -> str:
    if _cache_state().dependencies is None:
        digest = hashlib.sha256()
        for folder in _DEPENDENCIES:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.name not in _NOT_DEPENDENCIES:
                    digest.update(str(path.relative_to(folder.parent)).encode() + b"\0" + path.read_bytes())
        _cache_state().dependencies = digest.hexdigest()
    return _cache_state().dependencies


def cache_key(source: str, options: dict) -> str:
    """The key of one executed block (see the module docstring for what it covers)."""
    digest = hashlib.sha256(_CACHE_FORMAT)
    digest.update(source.encode())
    digest.update(json.dumps({k: options.get(k) for k in _OPTIONS_IN_KEY}, sort_keys=True, default=str).encode())
    session = options.get("session")
    uses_package = "dlnotes" in source
    if session:
        chain = _cache_state().chains.setdefault(session, hashlib.sha256())
        digest.update(chain.hexdigest().encode())
        chain.update(source.encode())
        uses_package = True  # earlier blocks of the session may have imported it
    if uses_package:
        digest.update(_dependencies_digest().encode())
    return digest.hexdigest()


def _replay(session: str) -> None:
    """Run, silently, the session's earlier blocks whose output came from the cache."""
    code = "\n\n".join(_cache_state().pending.pop(session, []))
    if code:
        scope = _mx_python._sessions_globals[session]
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, f"<cached blocks of session {session}>", "exec"), scope)  # noqa: S102
        plt.close("all")


def _store(path: Path, text: str) -> None:
    from dlnotes._io import atomic_write_text

    atomic_write_text(path, text)


def _environment() -> dict:
    """What the code ran with, for the page's stamp."""
    import platform

    import torch

    if torch.cuda.is_available():
        device = torch.cuda.get_device_name(0)
    elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        device = "Apple MPS"
    else:
        device = f"CPU ({os.cpu_count()} cores)"
    return {"python": platform.python_version(), "torch": torch.__version__.split("+")[0], "device": device}


def _run_recorded(source, language, css_class, options, md, **kwargs) -> dict:
    """Run one block; its HTML and the facts the page's stamp shows."""
    start = time.perf_counter()
    out = _run_block(source, language, css_class, options, md, **kwargs)
    seconds = time.perf_counter() - start
    ran_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return {"html": out, "seconds": seconds, "ran_at": ran_at, **_environment()}


def formatter(source, language, css_class, options, md, **kwargs) -> str:
    state = _cache_state()
    only = os.environ.get(CHECK_ENV)
    if only and state.page != only:  # make check: only the page being checked runs its code
        return f"<pre><code>{html.escape(source)}</code></pre>"
    cache = os.environ.get(CACHE_ENV)
    path = None
    if cache:
        key = cache_key(source, options)
        path = Path(cache) / key[:2] / f"{key}.json"
    session = options.get("session")
    if path is not None and path.is_file():
        state.hits += 1
        if session:
            state.pending.setdefault(session, []).append(source)
        record = json.loads(path.read_text(encoding="utf-8"))
        _restore_files(record.pop("files", {}))
    else:
        if path is not None:
            state.misses += 1
            if session:
                _replay(session)
        failures = state.failures
        before = set(os.listdir())
        record = _run_recorded(source, language, css_class, options, md, **kwargs)
        # Never cache a failure (the next build shows it again). Files the block wrote where it
        # ran are kept with its output and written again when the output is reused: what reads
        # them (a later block, a build hook) finds them as if the block had run.
        files = _written_files(before)
        if path is not None and state.failures == failures and files is not None:
            _store(path, json.dumps({**record, "files": files}))
    state.page_runs.append({k: v for k, v in record.items() if k != "html"})
    return record["html"]


_MAX_CACHED_FILES = 16 * 2**20  # bytes: a block that writes more than this always runs


def _written_files(before: set[str]) -> dict[str, str] | None:
    """The files a block created in the current directory, as base64; None if they can't be cached."""
    files, total = {}, 0
    for name in sorted(set(os.listdir()) - before):
        path = Path(name)
        if not path.is_file() or path.is_symlink():
            return None  # a folder, a link: not something the cache restores
        total += path.stat().st_size
        if total > _MAX_CACHED_FILES:
            return None
        files[name] = base64.b64encode(path.read_bytes()).decode()
    return files


def _restore_files(files: dict[str, str]) -> None:
    from dlnotes._io import atomic_write_bytes

    for name, data in files.items():
        atomic_write_bytes(Path(name), base64.b64decode(data))


# --- the verified stamp: when and with what the page's code ran ---------------------------------

def on_page_markdown(markdown: str, page, **kwargs) -> str:
    state = _cache_state()
    state.page_runs = []
    state.page_started = time.perf_counter()
    state.page = page.file.src_uri
    only = os.environ.get(CHECK_ENV)
    if only and page.file.src_uri != only:
        return outline(markdown)
    return markdown


# --- one-page check (make check PAGE=…): the other pages keep only what links can point at -------

CHECK_ENV = "DLNOTES_CHECK_PAGE"
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")
_ID = re.compile(r'\bid="([^"]+)"')
_ATTR_ID = re.compile(r"\{[:\s]*#([\w-]+)[^}]*\}")


def outline(markdown: str) -> str:
    """A page reduced to its headings and explicit anchors: nothing runs, links into it still resolve."""
    kept, fence = [], None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is not None:  # inside a fence: only its own closing line (same character, as long or longer) ends it
            if match and match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence) and not match["rest"].strip():
                fence = None
            continue
        if match:
            fence = match["fence"]
        elif line.startswith(("#", "!!!", "???", ":::")):  # ::: the API page's entries: links into them resolve
            kept.append(line)
        else:  # an anchor set by attr_list (a glossary term) or in raw HTML: kept as an empty element
            kept += [f'<div id="{anchor}"></div>' for anchor in _ATTR_ID.findall(line) + _ID.findall(line)]
    return "\n\n".join(kept + ["*(Outline only: `make check` builds one page in full.)*"]) + "\n"


def _notebook_record(page, config) -> dict | None:
    """A notebook page ran as a whole (mkdocs-jupyter); with the cache on, remember when."""
    source = Path(page.file.abs_src_path)
    if "code" not in source.read_text(encoding="utf-8"):
        return None
    seconds = time.perf_counter() - _cache_state().page_started
    cache = os.environ.get(CACHE_ENV)
    path = None
    if cache:
        key = hashlib.sha256(source.read_bytes() + _dependencies_digest().encode()).hexdigest()
        path = Path(cache) / "notebooks" / "stamps" / f"{key}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    record = {"seconds": seconds, "ran_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), **_environment()}
    if path is not None:
        _store(path, json.dumps(record))
    return record


def _duration(seconds: float) -> str:
    return "under 0.1 s" if seconds < 0.1 else f"{seconds:.1f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def stamp_html(runs: list[dict]) -> str:
    """One line saying when the page's code last ran, with what, and how long it took."""
    last = max(runs, key=lambda r: r["ran_at"])
    seconds = sum(r["seconds"] for r in runs)
    facts = {"ran-at": last["ran_at"], "python": last["python"], "torch": last["torch"], "device": last["device"], "seconds": repr(seconds)}
    data = " ".join(f'data-{k}="{html.escape(v, quote=True)}"' for k, v in facts.items())
    return (
        f'<p class="dl-stamp" {data}><strong>Verified.</strong> The code on this page ran when the site '
        f"was built, on {last['ran_at'][:10]}, with Python {last['python']} and PyTorch {last['torch']} "
        f"on {html.escape(last['device'])}; it took {_duration(seconds)} in all.</p>"
    )


def _stamp(html_text: str, page, config) -> str:
    runs = list(_cache_state().page_runs)
    if page.file.src_uri.endswith(".ipynb"):
        record = _notebook_record(page, config)
        runs = [record] if record else []
    return html_text + stamp_html(runs) if runs else html_text


def on_config(config, **kwargs):
    """With the cache on, notebooks are cached too (mkdocs-jupyter's own cache, keyed by the
    notebook and its options; by the package's source as well when a notebook uses dlnotes)."""
    cache = os.environ.get(CACHE_ENV)
    jupyter = config.plugins.get("mkdocs-jupyter")
    only = os.environ.get(CHECK_ENV)
    if only and jupyter is not None and not only.endswith(".ipynb"):
        jupyter.config["execute"] = False  # make check of a Markdown page: notebooks don't run
    if cache and jupyter is not None:
        notebooks = Path(config.docs_dir).rglob("*.ipynb")
        uses_package = any("dlnotes" in nb.read_text(encoding="utf-8") for nb in notebooks)
        jupyter.config["cache"] = True
        jupyter.config["cache_dir"] = str(Path(cache) / "notebooks" / (_dependencies_digest()[:16] if uses_package else "any"))
    return config


def cached(kind: str, parts: list[str], make):
    """With the cache on, ``make()``'s JSON-able result stored under a key made of ``parts``
    (what it depends on); otherwise just ``make()``. For the build steps that cost seconds on
    every rebuild although their input did not change: search entries, downloads, the
    interactive pieces' data."""
    cache = os.environ.get(CACHE_ENV)
    if not cache:
        return make()
    digest = hashlib.sha256(_CACHE_FORMAT + kind.encode())
    for part in parts:
        digest.update(hashlib.sha256(part.encode()).digest())
    key = digest.hexdigest()
    path = Path(cache) / kind / key[:2] / f"{key}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    value = make()
    _store(path, json.dumps(value))
    return value


def _cache_search_entries(config) -> None:
    """Material's search plugin parses every page's HTML on every build; reuse a page's entries
    while its HTML, address, title and metadata are unchanged."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(plugin, "search_index", None)
    if not type(index).__module__.startswith("material.") or not isinstance(getattr(index, "entries", None), list):
        return  # another search plugin (MkDocs' own): its index is not ours to reuse
    if getattr(index, "_dlnotes_cached", False):
        return
    original = index.add_entry_from_context

    def add_entry_from_context(page):
        indexed = False

        def index_page():
            nonlocal indexed
            indexed, before = True, len(index.entries)
            original(page)
            return index.entries[before:]

        parts = [page.url, str(page.title), json.dumps(page.meta, sort_keys=True, default=str), page.content or ""]
        entries = cached("search", parts, index_page)
        if not indexed:  # from the cache: add them as the plugin would have
            index.entries.extend(entries)

    index.add_entry_from_context = add_entry_from_context
    index._dlnotes_cached = True


def on_pre_build(config=None, **kwargs) -> None:
    _mx_python._dlnotes_cache_state = _BuildState()
    if config is not None and os.environ.get(CACHE_ENV):
        _cache_search_entries(config)


def on_post_build(**kwargs) -> None:
    if os.environ.get(CACHE_ENV):
        print(f"executed-block cache: {_cache_state().hits} blocks reused, {_cache_state().misses} run")


_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.DOTALL
)


def _to_mathml(match: re.Match) -> str:
    from latex2mathml.converter import convert

    tex = html.unescape(match.group("body")).strip()
    display = "block" if match.group("tag") == "div" else "inline"
    for left, right in ((r"\(", r"\)"), (r"\[", r"\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(left) and tex.endswith(right):
            tex = tex[len(left) : len(tex) - len(right)]
            break
    mathml = convert(tex.strip(), display=display)
    return f'<{match.group("tag")} class="arithmatex">{mathml}</{match.group("tag")}>'


def on_page_content(html_text: str, page=None, config=None, **kwargs) -> str:
    html_text = _MATH.sub(_to_mathml, html_text)
    return _stamp(html_text, page, config) if page is not None else html_text
