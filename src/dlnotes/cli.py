"""``python -m dlnotes``: the command line.

Each subcommand is one ``_add_<name>(subparsers)`` function that registers its parser and
sets ``func``; ``main`` dispatches. With no subcommand, ``train`` runs with its defaults
(the embedded sample): the project's "hello world".
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from dlnotes._io import atomic_write_text

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
    try:
        atomic_write_text(path, text, exclusive=True)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists; not overwriting it (choose another --slug)") from None


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
    atomic_write_text(mkdocs_yml, "".join(lines))


def cmd_new_lesson(args) -> int:
    from dlnotes._site_exercises import exercise_template

    root = Path(args.root)
    if not (root / "mkdocs.yml").is_file():
        raise SystemExit(f"error: --root {root} has no mkdocs.yml; run this from the repository root")
    slug = args.slug or slugify(args.title)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise SystemExit(f"error: --slug must be lowercase words joined by '-', got {slug!r}")
    page = root / "docs" / "lessons" / f"{slug}.md"
    snippet = root / "snippets" / f"{slug}.py"
    exercise = root / "exercises" / "lessons" / slug / "01_count_sneakers.py"  # format: docs/contributing.md#exercises
    for path in (page, snippet, exercise):
        if path.exists():
            raise SystemExit(f"error: {path} already exists; not overwriting it (choose another --slug)")
    write_new(snippet, SNIPPET_TEMPLATE.format(title=args.title))
    write_new(page, LESSON_TEMPLATE.format(title=args.title, slug=slug))
    write_new(exercise, exercise_template())
    for path in (page, snippet, exercise):
        print(f"created {path}")
    if args.nav:
        add_to_nav(root / "mkdocs.yml", args.title, f"lessons/{slug}.md")
        print(f"added '{args.title}' to the Lessons section of {root / 'mkdocs.yml'}")
    print("next: write the page and 3-6 exercises for it, then `make serve` to see it and `make test` to check it")
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


def cmd_lr_find(args) -> int:
    import torch

    from dlnotes.data import FastLoader
    from dlnotes.devices import select_device
    from dlnotes.trainer import Trainer

    _refuse_existing((args.plot, args.json), args.overwrite)
    if args.batch_size < 1:
        raise SystemExit(f"error: --batch-size must be at least 1, got {args.batch_size}")
    try:
        device = select_device(args.device)
        train, _, name = _train_data(args.dataset, args.size)  # the same datasets as `train`
        loader = FastLoader(train, batch_size=args.batch_size, shuffle=True, device=device, seed=args.seed)
        n_classes, in_channels = len(train.classes), loader.images.shape[1]
        torch.manual_seed(args.seed)
        model = _build_model(args.model, n_classes, in_channels)
        trainer = Trainer(model, loader, device=device, precision=args.precision, progress=False, verbose=False)
        result = trainer.lr_find(start_lr=args.start_lr, end_lr=args.end_lr, num_iter=args.num_iter,
                                 mode=args.mode, suggest=args.suggest, precision=args.precision)
    except (FileNotFoundError, ValueError, TypeError, RuntimeError) as e:
        raise SystemExit(f"error: {e}") from None
    print(f"{args.model} on {name} ({device.type}): {len(result.lrs)} steps, learning rate {result.lrs[0]:.3g} "
          f"to {result.lrs[-1]:.3g}, {result.seconds:.1f} s ({result.stop_reason})")
    for key, value in result.suggestions.items():
        print(f"  {key:<8} {value:.3g}{'   <- the suggestion' if key == args.suggest else ''}")
    if args.plot:
        result.plot(path=args.plot)
        print(f"plot written to {args.plot}")
    if args.json:
        record = {
            "suggestion": result.suggestion, "suggestions": result.suggestions, "stop_reason": result.stop_reason,
            "seconds": result.seconds, "device": str(device), "model": args.model, "dataset": name,
            "lrs": result.lrs, "losses": result.losses, "raw_losses": result.raw_losses,
        }
        _write_json(args.json, record)
        print(f"results written to {args.json}")
    return 0


def _data_and_device_args(p) -> None:
    """The options ``train`` and ``lr-find`` share: which data, which model, where, in what precision."""
    p.add_argument("--dataset", nargs="+", default=["sample"], metavar="NAME",
                   help="sample (the embedded Fashion-MNIST subset, default), fashion-mnist, mnist, or folder PATH")
    p.add_argument("--model", default="fast_resnet", choices=TRAIN_MODELS,
                   help="default: fast_resnet (small_resnet's layers, averaging each image with its mirror at test time)")
    p.add_argument("--size", type=int, default=64, help="image size for --dataset folder (default: 64)")
    p.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cuda, cuda:N, mps or cpu")
    p.add_argument("--precision", default="auto", metavar="{auto,fp32,bf16,fp16}",
                   help="auto: bf16/fp16 mixed precision on CUDA, fp32 elsewhere (aliases such as bf16-mixed work too)")


def _add_lr_find(sub) -> None:
    p = sub.add_parser(
        "lr-find", help="run the learning-rate range test and suggest a learning rate",
        description="Train for a few dozen steps while the learning rate grows from --start-lr to --end-lr, "
                    "print the suggested learning rates and optionally save the loss-vs-rate plot. "
                    "The model is fresh (as `train` would build it) and nothing is saved but --plot/--json.",
    )
    _data_and_device_args(p)
    p.add_argument("--batch-size", type=int, default=64, help="default: 64")
    p.add_argument("--start-lr", type=float, default=1e-7, help="default: 1e-7")
    p.add_argument("--end-lr", type=float, default=10.0, help="default: 10")
    p.add_argument("--num-iter", type=int, default=100, help="optimizer steps (default: 100)")
    p.add_argument("--mode", choices=["exp", "linear"], default="exp", help="how the rate grows (default: exp)")
    p.add_argument("--suggest", choices=["valley", "steep", "minimum"], default="valley",
                   help="which suggestion is the suggestion (default: valley)")
    p.add_argument("--seed", type=int, default=0, help="seeds the model's weights and the batches (default: 0)")
    p.add_argument("--plot", metavar="PATH", help="save the loss-vs-learning-rate plot there (.png, .svg or .pdf)")
    p.add_argument("--json", metavar="PATH", help="write the suggestions and the curve there as JSON")
    p.add_argument("--overwrite", action="store_true", help="replace existing --plot/--json files")
    p.set_defaults(func=cmd_lr_find)


TRAIN_MODELS = ("fast_resnet", "small_cnn", "small_resnet", "resnet18", "resnet34")


def _build_model(name: str, n_classes: int, in_channels: int):
    """A fresh model for ``--model NAME`` (a ResNet name is a torchvision ResNet with a new head)."""
    from dlnotes import models

    if name in models.RESNETS:
        return models.pretrained_resnet(name, n_classes=n_classes, in_channels=in_channels)
    return getattr(models, name)(n_classes=n_classes, in_channels=in_channels)


def _refuse_existing(paths, overwrite: bool) -> None:
    for path in (Path(p) for p in paths if p):
        if path.exists() and not overwrite:
            raise SystemExit(f"error: {path} already exists; not overwriting it (pass --overwrite to replace it)")


def _write_json(path: str, record: dict) -> None:
    import json

    atomic_write_text(path, json.dumps(record, indent=1))


def _train_data(dataset: list[str], size: int):
    """``--dataset`` → (train dataset, test dataset, name)."""
    from dlnotes import data

    name, rest = dataset[0], dataset[1:]
    if name == "folder":
        if len(rest) != 1:
            raise ValueError(f"--dataset folder needs exactly one PATH (a folder of class folders), got {rest!r}")
        splits = data.image_folders(rest[0], size=size)
        return splits.train, splits.valid, f"folder {rest[0]}"
    if rest:
        raise ValueError(f"--dataset {name} takes no PATH, got {rest!r} (only 'folder PATH' does)")
    if name == "sample":
        train, test = data.fashion_mnist(sample=True)
    elif name == "fashion-mnist":
        train, test = data.fashion_mnist()
    elif name == "mnist":
        train, test = data.mnist()
    else:
        raise ValueError(f"--dataset must be sample, fashion-mnist, mnist or folder PATH, got {name!r}")
    return train, test, name


def cmd_train(args) -> int:
    import time
    from collections import OrderedDict

    import torch

    from dlnotes.data import fast_loaders
    from dlnotes.devices import select_device
    from dlnotes.models import FlipTTA
    from dlnotes.trainer import Trainer

    _refuse_existing((args.save, args.json), args.overwrite)
    if args.lr != "auto":
        try:
            lr = float(args.lr)
        except ValueError:
            raise SystemExit(f"error: --lr must be 'auto' or a number such as 3e-3, got {args.lr!r}") from None
        if not (lr > 0 and lr < float("inf")):
            raise SystemExit(f"error: --lr must be a positive number, got {args.lr!r}")
    if not 0 <= args.label_smoothing < 1:
        raise SystemExit(f"error: --label-smoothing must be in [0, 1), got {args.label_smoothing}")
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            raise SystemExit(f"error: --{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    start = time.perf_counter()
    try:
        device = select_device(args.device, verbose=args.device == "auto")
        train, test, name = _train_data(args.dataset, args.size)
        aug = _augmentation(args.augment, args.dataset[0])
        train_loader, test_loader = fast_loaders(train, test, batch_size=args.batch_size, device=device,
                                                 augment=aug["augment"], pad=aug["pad"], flip=aug["flip"], seed=args.seed)
        n_classes, in_channels = len(train.classes), train_loader.images.shape[1]
        torch.manual_seed(args.seed)
        model = _build_model(args.model, n_classes, in_channels)
        if isinstance(model, FlipTTA) and not aug["tta"]:  # trained without mirrors: judge without them
            model = torch.nn.Sequential(OrderedDict(model.named_children()))
        trainer = Trainer(model, train_loader, test_loader, device=device, precision=args.precision,
                          compile=args.compile, loss_fn=torch.nn.CrossEntropyLoss(label_smoothing=args.label_smoothing))
        print(f"{args.model} on {name}: {len(train):,} training and {len(test):,} test images, "
              f"{n_classes} classes, batch size {args.batch_size}")
        if args.lr == "auto":
            result = trainer.lr_find()
            lr = float(result.suggestion)
            print(f"lr_find suggests a learning rate of {lr:.2g}")
        trainer.fit_one_cycle(args.epochs, max_lr=lr)
    except (FileNotFoundError, ValueError, TypeError, RuntimeError) as e:
        raise SystemExit(f"error: {e}") from None
    seconds = time.perf_counter() - start
    final = trainer.evaluate()
    print(f"test accuracy {final['accuracy']:.4f} on {len(test):,} images after {len(trainer.history)} epoch(s), "
          f"{seconds:.0f} s in all")
    if args.save:
        trainer.save(args.save)
        print(f"checkpoint written to {args.save}")
    if args.json:
        record = {
            "accuracy": final["accuracy"], "loss": final["loss"], "seconds": seconds, "epochs": len(trainer.history),
            "device": str(trainer.device), "model": args.model, "dataset": name, "lr": lr,
            "batch_size": args.batch_size, "augment": args.augment, "label_smoothing": args.label_smoothing,
            "history": trainer.history,
        }
        _write_json(args.json, record)
        print(f"results written to {args.json}")
    return 0


AUGMENT = ("auto", "none", "flip", "shift")


def _augmentation(augment: str, dataset: str) -> dict:
    """``--augment`` → the ``fast_loaders`` options (``auto``: flips, except for digits)."""
    if augment == "auto":
        augment = "none" if dataset == "mnist" else "flip"
    flip = dataset != "mnist"
    return {"augment": augment != "none", "pad": 0 if augment == "flip" else 2, "flip": flip,
            "tta": flip and augment != "none"}


def _add_train(sub) -> None:
    p = sub.add_parser(
        "train", help="train an image classifier (no arguments: a small ResNet on the embedded sample)",
        description="Train an image classifier with dlnotes.Trainer and print the epoch table. "
                    "Without arguments: a small ResNet on the embedded Fashion-MNIST sample, on the CPU in about a minute; "
                    "with --dataset fashion-mnist the same defaults are the recipe benchmarks/trainer.py times "
                    "(its target: 93% test accuracy within 3 minutes on 2 CPU cores).",
    )
    _data_and_device_args(p)
    # The defaults aim at 93% test accuracy on the full Fashion-MNIST within 3 minutes on a 2-core CPU;
    # they were chosen on a held-out part of the training set (benchmarks/trainer.py, ablation).
    p.add_argument("--epochs", type=int, default=7, help="default: 7")
    p.add_argument("--lr", default="8e-3", help="the peak learning rate of fit_one_cycle, or 'auto' to run lr_find first (default: 8e-3)")
    p.add_argument("--batch-size", type=int, default=256, help="default: 256")
    p.add_argument("--augment", nargs="?", const="shift", default="auto", choices=AUGMENT,
                   help="flip: mirror half the training images; shift: random shifts and flips (what --augment "
                        "alone means); none; auto (default): flip, but none for mnist (digits have no mirror image)")
    p.add_argument("--label-smoothing", type=float, default=0.1,
                   help="the target gives this much probability to the other classes (default: 0.1; 0 for none)")
    p.add_argument("--compile", action="store_true", help="compile the model with torch.compile")
    p.add_argument("--seed", type=int, default=0, help="seeds the weights, the shuffling and the augmentation (default: 0)")
    p.add_argument("--save", metavar="PATH", help="write the final checkpoint (Trainer.save) there")
    p.add_argument("--json", metavar="PATH", help="write accuracy, seconds, epochs, device and the history there as JSON")
    p.add_argument("--overwrite", action="store_true", help="replace existing --save/--json files")
    p.set_defaults(func=cmd_train)


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
