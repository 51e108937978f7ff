"""Writing files safely: the one atomic write and the one never-overwrite move.

Every file the package writes goes through ``atomic_write``: the content goes to a
temporary file beside the target, which is then renamed onto it in one step, so a reader
never sees half a file and a failure leaves no temporary file behind. The temporary file is
created with ``os.open(..., 0o666)``, so the result has the mode any new file gets from the
user's umask (``tempfile.mkstemp`` would make it private, mode 0600, and a rename keeps that).
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text", "move_no_clobber"]

# file systems without hard links (FAT, some network drives) answer os.link with one of these
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _new_temp(folder: Path, name: str) -> Path:
    """Create an empty, uniquely named temporary file in ``folder`` with the umask's mode."""
    while True:
        tmp = folder / f".{name}-{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY if directory else os.O_RDWR)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a directory; the file itself is on disk
        if not directory:
            raise
    finally:
        os.close(fd)


def atomic_write(
    path: str | os.PathLike, write: Callable[[str], Any], *, fsync: bool = False, exclusive: bool = False
) -> Path:
    """Call ``write(temp_path)``, then give the temporary file the name ``path`` in one step.

    Args:
        path: the file to create (parent folders are created).
        write: writes the content to the path (a string) it is given.
        fsync: flush the content to the disk before the rename (for checkpoints: a crash
            right after cannot leave an empty file under the name).
        exclusive: never replace an existing ``path``: raise ``FileExistsError`` instead
            (checked at the rename itself, so a file that appears meanwhile is safe too).

    Returns:
        ``path`` as a ``Path``.

    Raises:
        FileExistsError: ``exclusive`` and ``path`` exists.
    """
    path = Path(path)
    if exclusive and path.exists():
        raise FileExistsError(f"{path} already exists; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp(path.parent, path.name)
    try:
        write(str(tmp))
        if fsync:
            _fsync(tmp)
        if exclusive:
            if move_no_clobber(tmp, path, rename=False) is None:
                raise FileExistsError(f"{path} already exists; not overwriting it")
        else:
            os.replace(tmp, path)
        if fsync:
            _fsync(path.parent, directory=True)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, **options: Any) -> Path:
    """``atomic_write`` of a UTF-8 text (``options``: those of ``atomic_write``)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), **options)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, **options: Any) -> Path:
    """``atomic_write`` of bytes (``options``: those of ``atomic_write``)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), **options)


def move_no_clobber(src: str | os.PathLike, dst: str | os.PathLike, rename: bool = True) -> Path | None:
    """Move the file ``src`` to ``dst`` without ever replacing an existing file.

    With ``rename``, a taken name becomes ``name-1.ext``, ``name-2.ext``…; without it, a taken
    name returns None and ``src`` stays where it is. A hard link makes the new name appear
    atomically and complete; across file systems the content is first copied (with its mode)
    to a temporary file beside ``dst``; where the file system has no hard links, the name is
    reserved with an exclusive create and the content renamed onto it.

    Args:
        src: the file to move.
        dst: where it should go (parent folders are created).
        rename: pick a free name when ``dst`` is taken.

    Returns:
        Where the file went, or None (only without ``rename``).
    """
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    staged, candidate, k = src, dst, 0
    try:
        while True:
            try:
                os.link(staged, candidate)
                break
            except FileExistsError:
                pass
            except OSError as e:
                if e.errno == errno.EXDEV and staged is src:  # another file system: copy beside dst first
                    staged = _new_temp(dst.parent, dst.name)
                    shutil.copyfile(src, staged)
                    shutil.copymode(src, staged)
                    continue
                if e.errno not in _NO_HARD_LINKS:
                    raise
                try:  # no hard links here: reserve the name (fails if taken), then rename onto it
                    os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                except FileExistsError:
                    pass
                else:
                    os.replace(staged, candidate)
                    staged = src  # consumed by the rename
                    break
            if not rename:
                return None
            k += 1
            candidate = dst.with_name(f"{dst.stem}-{k}{dst.suffix}")
    finally:
        if staged is not src:
            staged.unlink(missing_ok=True)
    src.unlink(missing_ok=True)
    return candidate


def _describe(record: Any) -> str:
    """What a loaded PyTorch file looks like, for error messages."""
    if not isinstance(record, dict):
        return f"a {type(record).__name__}"
    if record.get("format") == "dlnotes-export":
        return "a dlnotes export (written by trainer.export; read it with dlnotes.export.load_predictor)"
    if {"model", "optimizer", "rng"} <= set(record):
        return "a Trainer checkpoint (written by trainer.save; read it with Trainer.load)"
    if record and all(hasattr(v, "shape") for v in record.values()):
        return f"a bare state_dict of {len(record)} tensors (load it with model.load_state_dict(torch.load(path)))"
    return f"a dict with keys {sorted(map(str, record))[:8]}"


def load_torch_file(path: str | os.PathLike, what: str, required: set[str], how: str,
                    map_location: Any = "cpu", weights_only: bool = True) -> dict:
    """``torch.load`` a file the package wrote, with errors that say what the file really is.

    Args:
        path: the file.
        what: what it should be, e.g. ``"Trainer checkpoint"``.
        required: keys the loaded dict must have.
        how: how such a file is written, for the message (``"trainer.save(path)"``).
        map_location: passed to ``torch.load``.
        weights_only: passed to ``torch.load``; True refuses to run code from the file.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is damaged, not a PyTorch file, or another kind of PyTorch file.
    """
    import torch

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no {what} at {path}")
    try:
        record = torch.load(path, map_location=map_location, weights_only=weights_only)
    except Exception as e:  # noqa: BLE001 - truncated zip, pickle error, refused global...: all "not readable"
        raise ValueError(
            f"path: {path} is not a readable {what}: it is damaged or not a PyTorch file "
            f"(torch.load failed: {type(e).__name__}: {e})"
        ) from e
    if not isinstance(record, dict) or not required <= set(record):
        raise ValueError(f"path: {path} is not a {what} but {_describe(record)}; write one with {how}")
    return record
