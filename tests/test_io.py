"""dlnotes._io: atomic writes and never-overwrite moves, and the mode of every file the package writes."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
import torch
from conftest import new_file_mode

from dlnotes._io import atomic_write, load_torch_file, move_no_clobber


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_gives_the_umask_mode_and_leaves_no_temp_file(tmp_path, umask):
    for options in ({}, {"fsync": True}, {"exclusive": True}):
        path = tmp_path / f"out-{len(options)}-{''.join(options)}.txt"
        atomic_write(path, lambda tmp: Path(tmp).write_text("hello"), **options)
        assert path.read_text() == "hello" and mode(path) == new_file_mode(umask)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-0-.txt", "out-1-exclusive.txt", "out-1-fsync.txt"]


def test_atomic_write_failure_keeps_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old")

    def fail(tmp):
        Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]
    with pytest.raises(FileExistsError, match="not overwriting"):
        atomic_write(path, lambda tmp: Path(tmp).write_text("new"), exclusive=True)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_move_no_clobber_renames_or_refuses(tmp_path):
    (tmp_path / "a.txt").write_text("taken")
    src = tmp_path / "src.txt"
    src.write_text("mine")
    assert move_no_clobber(src, tmp_path / "a.txt", rename=False) is None and src.exists()
    moved = move_no_clobber(src, tmp_path / "a.txt")
    assert moved == tmp_path / "a-1.txt" and moved.read_text() == "mine" and not src.exists()
    assert (tmp_path / "a.txt").read_text() == "taken"


def test_move_across_file_systems_keeps_the_files_mode(tmp_path, monkeypatch):
    real_link = os.link

    def cross_device(src, dst, *a, **k):
        if Path(src).name == "src.bin":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_link(src, dst, *a, **k)

    monkeypatch.setattr(os, "link", cross_device)
    src = tmp_path / "src.bin"
    src.write_bytes(b"data")
    src.chmod(0o640)
    moved = move_no_clobber(src, tmp_path / "sub" / "dst.bin")
    assert moved.read_bytes() == b"data" and mode(moved) == 0o640 and not src.exists()
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["dst.bin"]


def test_load_torch_file_says_what_the_file_is(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Trainer checkpoint at"):
        load_torch_file(tmp_path / "none.pt", "Trainer checkpoint", {"model"}, "trainer.save(path)")
    (tmp_path / "junk.pt").write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="not a readable Trainer checkpoint: it is damaged or not a PyTorch file"):
        load_torch_file(tmp_path / "junk.pt", "Trainer checkpoint", {"model"}, "trainer.save(path)")
    torch.save({"weight": torch.zeros(2)}, tmp_path / "sd.pt")
    with pytest.raises(ValueError, match="not a Trainer checkpoint but a bare state_dict of 1 tensors"):
        load_torch_file(tmp_path / "sd.pt", "Trainer checkpoint", {"model"}, "trainer.save(path)")


# ---------------------------------------------------------------- every writer of the package

def _trainer_save(tmp_path):
    from test_trainer import make_trainer

    return make_trainer().save(tmp_path / "ck.pt")


def _export(tmp_path):
    from test_export import make_trainer

    from dlnotes.export import export

    return export(make_trainer()[0], tmp_path / "model.pt")


def _suspects_csv(tmp_path):
    from test_clean import dataset_of, fake_trainer, make_folder

    from dlnotes.clean import suspects

    make_folder(tmp_path)
    suspects(fake_trainer(tmp_path), dataset_of(tmp_path), k=2, csv_path=tmp_path / "s.csv")
    return tmp_path / "s.csv"


def _new_lesson(tmp_path):
    from dlnotes.cli import main

    (tmp_path / "mkdocs.yml").write_text("nav:\n  - Lessons:\n      - lessons/index.md\n")
    (tmp_path / "mkdocs.yml").chmod(0o600)  # rewritten by add_to_nav: it gets the umask's mode
    assert main(["new-lesson", "Modes", "--root", str(tmp_path)]) == 0
    return [tmp_path / "docs" / "lessons" / "modes.md", tmp_path / "snippets" / "modes.py", tmp_path / "mkdocs.yml"]


def _lr_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from dlnotes.lr_finder import LRFinderResult

    lrs = [10 ** (i / 10 - 4) for i in range(30)]
    losses = [2.0 - i / 30 for i in range(30)]
    result = LRFinderResult(lrs=lrs, losses=losses, raw_losses=losses, suggestions={"valley": 1e-3}, suggestion=1e-3)
    result.plot(path=tmp_path / "lr.png")
    return tmp_path / "lr.png"


@pytest.mark.parametrize("writer", [_trainer_save, _export, _suspects_csv, _new_lesson, _lr_plot])
def test_every_file_the_package_writes_has_the_umask_mode(tmp_path, umask, writer):
    written = writer(tmp_path)
    for path in written if isinstance(written, list) else [written]:
        assert path.is_file() and mode(path) == new_file_mode(umask), f"{path}: {oct(mode(path))}"
    assert not list(tmp_path.rglob(".*.tmp")), "no temporary file left"
