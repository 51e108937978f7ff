"""``python -m dlnotes``: the command line.

Each subcommand is one ``_add_<name>(subparsers)`` function that registers its parser and
sets ``func``; ``main`` dispatches. With no subcommand, ``train`` runs with its defaults
(the embedded sample): the project's "hello world".
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

LESSON_TEMPLATE = '''# {title}

One or two sentences: what the reader will be able to do after this page.

## The idea

Explain it in your own words. Where the original notes are wrong, say so in a box:

!!! warning "Correction"
    What the notes say, what is right, and the code below that shows it.

## The code

Every block that a reader can copy is a complete script in `snippets/`; the build runs it and
shows its output under it.

```python exec="on" source="above" result="text"
--8<-- "{slug}.py"
```
'''

SNIPPET_TEMPLATE = '''"""{title}: the code the page of the same name runs (replace this with yours)."""

import torch

from dlnotes.data import fashion_mnist

train, test = fashion_mnist(sample=True)  # the embedded subset: no network, a few seconds
image, label = train[0]
print("classes:", len(train.classes))
print("first image:", tuple(image.shape), "label:", train.classes[label])
print("pixel range:", round(image.min().item(), 3), round(image.max().item(), 3))
'''


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ValueError(f"title must contain letters or digits, got {title!r}")
    return slug


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; refuse to overwrite an existing file."""
    if path.exists():
        raise FileExistsError(f"{path} already exists; not overwriting it (choose another --slug)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.link(tmp, path)  # fails if path appeared meanwhile: never clobbers
    finally:
        os.unlink(tmp)


def add_to_nav(mkdocs_yml: Path, title: str, page: str) -> None:
    """Insert ``- title: page`` at the end of the Lessons section of the nav, atomically."""
    lines = mkdocs_yml.read_text(encoding="utf-8").splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "- Lessons:")
    except StopIteration:
        raise ValueError(f"{mkdocs_yml} has no '- Lessons:' section in its nav") from None
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip()) > indent or not lines[end].strip()):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    item_indent = " " * (indent + 4)
    lines.insert(end, f"{item_indent}- {title!r}: {page}\n".replace("'", '"'))
    fd, tmp = tempfile.mkstemp(dir=mkdocs_yml.parent, prefix=".mkdocs-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.replace(tmp, mkdocs_yml)


def cmd_new_lesson(args) -> int:
    root = Path(args.root)
    if not (root / "mkdocs.yml").is_file():
        raise SystemExit(f"error: --root {root} has no mkdocs.yml; run this from the repository root")
    slug = args.slug or slugify(args.title)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise SystemExit(f"error: --slug must be lowercase words joined by '-', got {slug!r}")
    page = root / "docs" / "lessons" / f"{slug}.md"
    snippet = root / "snippets" / f"{slug}.py"
    for path in (page, snippet):
        if path.exists():
            raise SystemExit(f"error: {path} already exists; not overwriting it (choose another --slug)")
    write_new(snippet, SNIPPET_TEMPLATE.format(title=args.title))
    write_new(page, LESSON_TEMPLATE.format(title=args.title, slug=slug))
    print(f"created {page}")
    print(f"created {snippet}")
    if args.nav:
        add_to_nav(root / "mkdocs.yml", args.title, f"lessons/{slug}.md")
        print(f"added '{args.title}' to the Lessons section of {root / 'mkdocs.yml'}")
    print("next: write the page, then `make serve` to see it and `make test` to check it")
    return 0


def _add_new_lesson(sub) -> None:
    p = sub.add_parser("new-lesson", help="start a lesson page and its snippet from the template")
    p.add_argument("title", help='the page title, e.g. "Lesson 3: data augmentation"')
    p.add_argument("--slug", help="file name without extension (default: from the title)")
    p.add_argument("--root", default=".", help="repository root (default: the current folder)")
    p.add_argument("--no-nav", dest="nav", action="store_false", help="do not add the page to mkdocs.yml's nav")
    p.set_defaults(func=cmd_new_lesson)


def cmd_clean_suggest(args) -> int:
    from dlnotes.clean import folder_files, suspects
    from dlnotes.export import load_predictor

    try:
        dataset = folder_files(args.data)
        rows = suspects(load_predictor(args.model), dataset, k=args.k, csv_path=args.csv, overwrite=args.overwrite)
    except (FileNotFoundError, FileExistsError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    print(f"scored {len(dataset.samples)} files in {args.data}; the {len(rows)} most suspicious are in {args.csv}")
    for row in rows[: min(5, len(rows))]:
        print(f"  loss {row['loss']:6.2f}  labelled {row['label']!r}, looks like {row['predicted']!r} ({row['probability']:.0%})  {row['path']}")
    print("next: edit the action column (keep, relabel:<class> or remove), then: python -m dlnotes clean apply " + str(args.csv))
    return 0


def cmd_clean_apply(args) -> int:
    from dlnotes.clean import apply_cleaning

    try:
        report = apply_cleaning(args.csv, removed_dir=args.removed_dir, dry_run=args.dry_run)
    except (FileNotFoundError, FileExistsError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    print(report)
    return 0


def _add_clean(sub) -> None:
    p = sub.add_parser("clean", help="find suspicious labels in a folder dataset, then move files as you decide")
    steps = p.add_subparsers(dest="step", metavar="STEP", required=True)
    s = steps.add_parser("suggest", help="write a CSV of the files the model finds most at odds with their labels")
    s.add_argument("data", help="a folder of class folders, or a dataset folder with train/ and valid/")
    s.add_argument("--model", required=True, help="a model file written by trainer.export(path)")
    s.add_argument("--csv", default="suspects.csv", help="where to write the CSV (default: suspects.csv)")
    s.add_argument("-k", type=int, default=20, help="how many files to list (default: 20)")
    s.add_argument("--overwrite", action="store_true", help="replace an existing CSV (it may hold your edits)")
    s.set_defaults(func=cmd_clean_suggest)
    a = steps.add_parser("apply", help="carry out an edited CSV by moving files (never deletes or overwrites)")
    a.add_argument("csv", help="the CSV written by 'clean suggest', with its action column edited")
    a.add_argument("--removed-dir", help="where removed files go (default: removed/ beside the dataset folder)")
    a.add_argument("--dry-run", action="store_true", help="only print what would be moved")
    a.set_defaults(func=cmd_clean_apply)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dlnotes", description="Deep Learning Notes from the command line.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in sorted(globals().items()):
        if name.startswith("_add_") and callable(add):
            add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv and "train" in parser._subparsers._group_actions[0].choices:  # noqa: SLF001
        argv = ["train"]
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args) or 0
