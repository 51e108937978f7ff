"""Exercises: one file each under ``exercises/``, appended to their page at build time.

Not part of the public API. ``mkdocs.yml`` registers this file as a hook; the tests and
``python -m dlnotes new-lesson`` use the parser and the template.

An exercise for the page ``docs/theory/image-kernels.md`` is the file
``exercises/theory/image-kernels/01_right_edge.py``: a two-digit number (the order on the
page, easy first) and a slug. The file is a Python script::

    \"\"\"Find the right edge

    difficulty: medium
    kind: code

    The prompt, in Markdown.

    Answer:
    Optional Markdown shown with the solution (for ``open``: the discussion and reading).
    \"\"\"

    # --8<-- [start:starter]
    ... a complete script; the lines a reader changes carry a ``# TODO`` comment ...
    # --8<-- [end:starter]

    # --8<-- [start:solution]
    ... the same script, solved ...
    # --8<-- [end:solution]

    # --8<-- [start:check]
    assert ..., "what is still wrong"
    print("check passed: ...")
    # --8<-- [end:check]

Kinds: ``predict`` (a ``starter`` program whose output the reader predicts; the answer shows
the output of this build), ``code`` (``starter``, ``solution`` and ``check``), ``open`` (an
``Answer:`` with further reading; code sections optional). A page's exercises are appended
to it as an ``## Exercises`` section, after everything else on the page (so after its
Summary); ``exercises/<page>/understanding.md``, if present, is a "Check your understanding"
list shown first. ``docs/exercises.md`` gets the list of all exercises in place of the
line ``<!-- dlnotes:exercises -->``.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXERCISES_DIR = "exercises"
KINDS = ("predict", "code", "open")
DIFFICULTIES = ("easy", "medium", "hard")
SECTIONS = ("starter", "solution", "check")
TODO = "# TODO"
INDEX_MARKER = "<!-- dlnotes:exercises -->"
FILE_NAME = re.compile(r"^(?P<number>\d{2})_(?P<slug>[a-z0-9]+(?:_[a-z0-9]+)*)\.py$")
_MARKER = re.compile(r"^[ \t]*#[ \t]*--8<--[ \t]*\[(?P<edge>start|end):(?P<name>[\w-]+)\][ \t]*$")

log = logging.getLogger("mkdocs.plugins.dlnotes.exercises")


class ExerciseError(ValueError):
    """An exercise file that does not follow the format (the message names the file)."""


@dataclass
class Exercise:
    path: Path
    page: str  # the page's source path under docs/, e.g. "theory/image-kernels.md"
    number: int
    slug: str
    title: str
    difficulty: str
    kind: str
    prompt: str
    answer: str = ""
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return f"ex-{self.number:02d}-{self.slug.replace('_', '-')}"

    @property
    def snippet(self) -> str:
        """The file's path as pymdownx.snippets finds it (relative to the repository root)."""
        return f"{EXERCISES_DIR}/{Path(self.page).with_suffix('').as_posix()}/{self.path.name}"

    def program(self, *names: str) -> str:
        """The named sections joined into one script, e.g. ``program("starter", "check")``."""
        return "\n\n".join(self.sections[name] for name in names)


def sections_of(text: str) -> dict[str, str]:
    """The ``# --8<-- [start:name]`` … ``[end:name]`` sections of a file, as snippets sees them."""
    found: dict[str, list[str]] = {}
    open_name = None
    for number, line in enumerate(text.splitlines(), 1):
        m = _MARKER.match(line)
        if not m:
            if open_name:
                found[open_name].append(line)
            continue
        if m["edge"] == "start":
            if open_name:
                raise ExerciseError(f"line {number}: section {m['name']!r} starts inside {open_name!r}")
            if m["name"] in found:
                raise ExerciseError(f"line {number}: section {m['name']!r} appears twice")
            open_name, found[m["name"]] = m["name"], []
        else:
            if m["name"] != open_name:
                raise ExerciseError(f"line {number}: [end:{m['name']}] without a matching start")
            open_name = None
    if open_name:
        raise ExerciseError(f"section {open_name!r} has no [end:{open_name}] line")
    return {name: "\n".join(lines).strip("\n") + "\n" for name, lines in found.items()}


def parse(path: Path, root: Path = ROOT) -> Exercise:
    """Read one exercise file; raises ExerciseError saying what to fix."""
    path = Path(path)
    try:
        rel = path.resolve().relative_to((root / EXERCISES_DIR).resolve())
    except ValueError:
        raise ExerciseError(f"{path}: exercise files live under {root / EXERCISES_DIR}") from None
    where = f"{EXERCISES_DIR}/{rel.as_posix()}"
    name = FILE_NAME.match(path.name)
    if not name or len(rel.parts) < 2:
        raise ExerciseError(
            f"{where}: expected exercises/<page path without .md>/<nn>_<slug>.py, "
            "e.g. exercises/theory/image-kernels/01_right_edge.py"
        )
    text = path.read_text(encoding="utf-8")
    try:
        doc = ast.get_docstring(ast.parse(text), clean=True)
    except SyntaxError as e:
        raise ExerciseError(f"{where}: not valid Python ({e.msg}, line {e.lineno})") from None
    if not doc:
        raise ExerciseError(f"{where}: must start with a docstring: title, difficulty:, kind:, then the prompt")
    lines = doc.splitlines()
    title, meta, i = lines[0].strip().rstrip("."), {}, 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and re.match(r"^[a-z_]+:\s*\S", lines[i]):
        key, value = lines[i].split(":", 1)
        meta[key.strip()] = value.strip()
        i += 1
    body = "\n".join(lines[i:])
    prompt, answer = (re.split(r"^Answer:[ \t]*$", body, maxsplit=1, flags=re.M) + [""])[:2]
    kind, difficulty = meta.get("kind"), meta.get("difficulty")
    if kind not in KINDS:
        raise ExerciseError(f"{where}: 'kind:' must be one of {', '.join(KINDS)}, got {kind!r}")
    if difficulty not in DIFFICULTIES:
        raise ExerciseError(f"{where}: 'difficulty:' must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}")
    unknown = set(meta) - {"kind", "difficulty"}
    if unknown:
        raise ExerciseError(f"{where}: unknown header line(s) {sorted(unknown)}; expected only difficulty: and kind:")
    if not title or not prompt.strip():
        raise ExerciseError(f"{where}: the docstring needs a title line and a prompt after the header")
    try:
        sections = sections_of(text)
    except ExerciseError as e:
        raise ExerciseError(f"{where}: {e}") from None
    needed = {"predict": ("starter",), "code": SECTIONS, "open": ()}[kind]
    missing = [s for s in needed if s not in sections]
    if missing:
        raise ExerciseError(f"{where}: a {kind} exercise needs the section(s) {', '.join(missing)}")
    extra = set(sections) - set(SECTIONS)
    if extra:
        raise ExerciseError(f"{where}: unknown section(s) {sorted(extra)}; use {', '.join(SECTIONS)}")
    if kind == "code" and TODO not in sections["starter"]:
        raise ExerciseError(f"{where}: mark the line(s) the reader changes in the starter with a '{TODO}' comment")
    if kind == "open" and not answer.strip():
        raise ExerciseError(f"{where}: an open exercise needs an 'Answer:' part (discussion, further reading)")
    page = Path(*rel.parts[:-1]).as_posix() + ".md"
    return Exercise(
        path=path, page=page, number=int(name["number"]), slug=name["slug"], title=title,
        difficulty=difficulty, kind=kind, prompt=prompt.strip("\n"), answer=answer.strip("\n"), sections=sections,
    )


def exercise_files(root: Path = ROOT) -> list[Path]:
    base = root / EXERCISES_DIR
    return sorted(p for p in base.rglob("*.py") if not any(part.startswith((".", "_")) for part in p.relative_to(base).parts))


def by_page(root: Path = ROOT) -> dict[str, list[Exercise]]:
    """Every exercise, grouped by page (``"theory/image-kernels.md"``), in page order."""
    pages: dict[str, list[Exercise]] = {}
    for path in exercise_files(root):
        ex = parse(path, root)
        pages.setdefault(ex.page, []).append(ex)
    for page, items in pages.items():
        items.sort(key=lambda e: e.number)
        numbers = [e.number for e in items]
        if len(set(numbers)) != len(numbers):
            raise ExerciseError(f"exercises/{page[:-3]}/: two files share a number: {numbers}")
    return pages


# ---------------------------------------------------------------- rendering


def _indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line.strip() else "" for line in text.splitlines())


def _fence(ex: Exercise, section: str, options: str) -> str:
    return f'```python {options}\n--8<-- "{ex.snippet}:{section}"\n```'


def _session(ex: Exercise) -> str:
    return "ex-" + re.sub(r"[^a-z0-9]+", "-", f"{ex.page[:-3]}-{ex.number:02d}")


def render_exercise(ex: Exercise, index: int) -> str:
    """The Markdown for one exercise (numbered ``index`` on its page)."""
    parts = [f"### {index}. {ex.title} {{#{ex.anchor}}}", f"*{ex.kind} · {ex.difficulty}*", ex.prompt]
    session = _session(ex)
    if ex.kind == "predict":
        parts.append(_fence(ex, "starter", 'title="Predict what it prints, then run it"'))
        box = [f'```python exec="on" result="text" session="{session}"\n--8<-- "{ex.snippet}:starter"\n```']
        if "check" in ex.sections:
            box.append(_fence(ex, "check", f'exec="on" source="above" result="text" session="{session}" title="Continued: the check"'))
        if ex.answer:
            box.append(ex.answer)
        parts.append('??? success "Answer: what this build printed"\n\n' + _indent("\n\n".join(box)))
    elif ex.kind == "code":
        todo = [str(n) for n, line in enumerate(ex.sections["starter"].splitlines(), 1) if TODO in line]
        parts.append(_fence(ex, "starter", f'title="Starter: change the lines marked # TODO" hl_lines="{" ".join(todo)}"'))
        parts.append(_fence(ex, "check", 'title="Check: paste it under your code; it fails until you have it"'))
        box = [
            _fence(ex, "solution", f'exec="on" source="above" result="text" session="{session}" title="Solution"'),
            _fence(ex, "check", f'exec="on" source="above" result="text" session="{session}" title="Continued: the check, on the solution"'),
        ]
        if ex.answer:
            box.append(ex.answer)
        parts.append('??? success "Solution"\n\n' + _indent("\n\n".join(box)))
    else:
        if "starter" in ex.sections:
            parts.append(_fence(ex, "starter", 'title="To start from"'))
        parts.append('??? note "Discussion and further reading"\n\n' + _indent(ex.answer))
    return "\n\n".join(parts)


def render_page(page: str, exercises: list[Exercise], root: Path = ROOT) -> str:
    """The ``## Exercises`` section for one page."""
    up = "../" * page.count("/")
    parts = [
        "## Exercises {#exercises}",
        "Easy first. *Predict* questions: decide what the code prints, then open the answer. "
        "*Code* tasks: each starter runs as it is; change the lines marked `# TODO`, then paste the "
        "check under your code: it raises `AssertionError` until your change does what was asked. "
        "Every solution on this page ran, with its check, when the site was built. "
        f"[All exercises]({up}exercises.md).",
    ]
    understanding = root / EXERCISES_DIR / page[:-3] / "understanding.md"
    if understanding.is_file():
        parts += ["### Check your understanding {#check-your-understanding}", understanding.read_text(encoding="utf-8").strip()]
    parts += [render_exercise(ex, i) for i, ex in enumerate(exercises, 1)]
    return "\n\n".join(parts) + "\n"


def page_title(page: str, root: Path = ROOT) -> str:
    source = root / "docs" / page
    for line in source.read_text(encoding="utf-8").splitlines() if source.is_file() else []:
        if line.startswith("# "):
            return line[2:].strip()
    return page


def render_index(pages: dict[str, list[Exercise]], order: list[str], root: Path = ROOT) -> str:
    """The list of every exercise on the site, by page (in ``order``) and difficulty."""
    ordered = [p for p in order if p in pages] + sorted(p for p in pages if p not in order)
    every = [ex for p in ordered for ex in pages[p]]
    counts = ", ".join(f"{sum(ex.kind == k for ex in every)} {k}" for k in KINDS)
    out = [f"{len(every)} exercises on {len(ordered)} pages ({counts})."]
    for page in ordered:
        out += [f"### [{page_title(page, root)}]({page}#exercises)", "| # | exercise | kind | difficulty |", "| --- | --- | --- | --- |"]
        out += [f"| {i} | [{ex.title}]({page}#{ex.anchor}) | {ex.kind} | {ex.difficulty} |" for i, ex in enumerate(pages[page], 1)]
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- MkDocs hooks

_state: dict = {"pages": {}, "order": []}


def on_config(config, **kwargs):
    _state["root"] = Path(config.config_file_path).resolve().parent if config.config_file_path else ROOT
    try:
        _state["pages"] = by_page(_state["root"])
    except ExerciseError as e:
        log.error(str(e))
        _state["pages"] = {}
    return config


def on_files(files, config, **kwargs):
    known = {f.src_uri for f in files}
    for page in _state["pages"]:
        if page not in known:
            log.warning(f"exercises/{page[:-3]}/ holds exercises, but there is no page docs/{page}")
    return files


def on_nav(nav, config, files, **kwargs):
    _state["order"] = [p.file.src_uri for p in nav.pages]
    return nav


def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    if INDEX_MARKER in markdown:
        markdown = markdown.replace(INDEX_MARKER, render_index(_state["pages"], _state["order"], _state["root"]))
    exercises = _state["pages"].get(src)
    if exercises:
        markdown = markdown.rstrip("\n") + "\n\n" + render_page(src, exercises, _state["root"])
    return markdown


# ---------------------------------------------------------------- scaffolding

TEMPLATE = '''"""Count the {label}s

difficulty: easy
kind: code

(Replace this exercise with one about your page.) How many images in the embedded
Fashion-MNIST sample's training set are labelled "{label}"? Change the line marked `# TODO`.
"""

# --8<-- [start:starter]
from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
label = train.classes.index("{label}")
count = 0  # TODO: count the training images whose target is `label`
print("{label}s:", count)
# --8<-- [end:starter]

# --8<-- [start:solution]
from dlnotes import fashion_mnist

train, test = fashion_mnist(sample=True)
label = train.classes.index("{label}")
count = int((train.targets == label).sum())
print("{label}s:", count)
# --8<-- [end:solution]

# --8<-- [start:check]
assert count == sum(1 for t in train.targets.tolist() if t == label), "count the images of that one class"
print("check passed: every {label} counted")
# --8<-- [end:check]
'''


def exercise_template(label: str = "Sneaker") -> str:
    """A valid starting exercise file (a ``code`` exercise on the embedded sample)."""
    return TEMPLATE.format(label=label)
