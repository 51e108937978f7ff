"""Checking image files, moving bad ones aside, and downloading images from a list of URLs."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from dlnotes._io import atomic_write_bytes, move_no_clobber
from dlnotes.data.folders import IMAGE_EXTENSIONS

__all__ = ["check_image", "verify_images", "download_images", "DownloadReport"]

_TRUNCATION_LOCK = threading.Lock()


def check_image(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a readable image, or None when it is one.

    The file is opened, verified and fully decoded, so truncated and corrupt files are caught
    as well as files that are not images at all (an HTML error page saved as ``.jpg``).

    Args:
        path: the file to check.

    Returns:
        None for a good image, else a short reason.
    """
    with _TRUNCATION_LOCK:  # decode strictly even if other code told PIL to accept truncated files
        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            if os.path.getsize(path) == 0:
                return "empty file"
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                im.load()
                if im.width == 0 or im.height == 0:
                    return "the image has no pixels"
        except UnidentifiedImageError:
            return "not an image (no image format recognised)"
        except Exception as e:  # noqa: BLE001 - PIL raises many kinds; all mean "not a readable image"
            return f"{type(e).__name__}: {str(e).replace(str(path), Path(path).name)}"
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return None


def verify_images(
    path: str | os.PathLike,
    delete: bool = False,
    move_to: str | os.PathLike | None = None,
    extensions: Sequence[str] | None = IMAGE_EXTENSIONS,
    progress: bool = True,
) -> list[Path]:
    """Find the files under ``path`` that can't be opened as images; by default, only report them.

    Every file is opened and fully decoded (see ``check_image``), with a progress bar.

    Args:
        path: a folder (searched recursively; hidden files skipped) or a single file.
        delete: remove the bad files. Off by default: nothing is deleted unless you ask.
        move_to: move the bad files into this folder instead, keeping their paths relative to
            ``path`` (``move_to/<class>/<file>``); an existing file there is never overwritten
            (the moved file gets ``-1``, ``-2``… added to its name).
        extensions: check only files with these endings (default: the usual image formats);
            None checks every file.
        progress: show a progress bar (tqdm).

    Returns:
        The bad files, as they were named under ``path`` before any move or deletion.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: both ``delete`` and ``move_to`` were given.
    """
    from tqdm.auto import tqdm

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"path {str(path)!r} does not exist")
    if delete and move_to is not None:
        raise ValueError(f"delete=True and move_to={str(move_to)!r} both given; choose one")
    if not isinstance(delete, bool):
        raise TypeError(f"delete must be True or False, got {delete!r}")
    wanted = None if extensions is None else tuple(e.lower() for e in extensions)
    aside = Path(move_to).resolve() if move_to is not None else None
    if path.is_file():
        files, base = [path], path.parent
    else:
        files, base = [], path
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (aside is None or Path(dirpath, d).resolve() != aside))
            files += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
        files = sorted(f for f in files if wanted is None or f.suffix.lower() in wanted)
    bad = []
    for file in tqdm(files, desc="verify_images", unit="file", disable=not progress):
        if check_image(file) is None:
            continue
        bad.append(file)
        if delete:
            file.unlink()
        elif aside is not None:
            move_no_clobber(file, aside / file.relative_to(base))
    return bad


_FORMAT_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp", "TIFF": ".tif"}


def _http_urls(cells) -> list[str]:
    """The cells that are http(s) URLs (quotes and spaces stripped), duplicates dropped."""
    urls = []
    for cell in (c.strip().strip("'\"") for c in cells):
        if cell.lower().startswith(("http://", "https://")) and cell not in urls:
            urls.append(cell)
    return urls


def _read_urls(urls_file: Path) -> list[str]:
    """The http(s) URLs of a text or CSV file: the first such cell of each row, duplicates dropped."""
    with open(urls_file, newline="", encoding="utf-8-sig") as f:
        return _http_urls(next(iter(_http_urls(row)), "") for row in csv.reader(f))


class _Permanent(Exception):
    """A failure that another attempt won't fix (404, not an image, too big)."""


def _fetch(url: str, timeout: float, max_bytes: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "dlnotes-download-images/0.1"})
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            chunks, total = [], 0
            while chunk := response.read(1 << 16):
                total += len(chunk)
                if total > max_bytes:
                    raise _Permanent(f"larger than max_bytes={max_bytes}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"not complete after {timeout} s")
                chunks.append(chunk)
    except urllib.error.HTTPError as e:
        if e.code in (408, 429) or e.code >= 500:
            raise
        raise _Permanent(f"HTTP {e.code} {e.reason}") from e
    return b"".join(chunks)


def _image_extension(data: bytes) -> str:
    """The file extension for these bytes if they are a complete image, else ``_Permanent``."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
            fmt = im.format
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Exception as e:  # noqa: BLE001
        head = data[:40].decode("latin-1").strip().replace("\n", " ")
        raise _Permanent(f"not an image ({type(e).__name__}; starts with {head!r})") from e
    if fmt not in _FORMAT_EXTENSIONS:
        raise _Permanent(f"unsupported image format {fmt}")
    return _FORMAT_EXTENSIONS[fmt]


@dataclass
class DownloadReport:
    """What ``download_images`` did: files ``saved``, files ``existing`` from an earlier run, and
    ``failed`` as ``(url, reason)`` pairs."""

    saved: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.saved) + len(self.existing) + len(self.failed)
        lines = [f"{len(self.saved)} downloaded, {len(self.existing)} already there, {len(self.failed)} failed (of {n} URLs tried)"]
        lines += [f"  failed: {url}: {reason}" for url, reason in self.failed]
        return "\n".join(lines)


def download_images(
    dest: str | os.PathLike,
    urls_file: str | os.PathLike | None = None,
    urls: Sequence[str] | None = None,
    max_images: int | None = None,
    timeout: float = 10.0,
    retries: int = 2,
    n_workers: int = 8,
    max_bytes: int = 20_000_000,
    progress: bool = True,
) -> DownloadReport:
    """Download the images listed in a text or CSV file of URLs into one class folder.

    Each download is checked by content (it must decode as a complete JPEG, PNG, GIF, WebP,
    BMP or TIFF image, whatever the server says), written atomically, named after a hash of its
    URL with the extension of its real format, and never replaces an existing file: run it
    again after a failure and only what is missing is fetched.

    The arguments are in the order of fastai's ``download_images(dest, url_file, urls)``.

    Args:
        dest: the class folder to fill (created if needed).
        urls_file: a text file with one URL per line, or a CSV (the first http(s) cell of each
            row is used; header rows and other columns are ignored).
        urls: the URLs as a list, instead of ``urls_file``.
        max_images: stop once this many images from the list are in ``dest``; None for all.
        timeout: seconds allowed for each attempt (connecting, and the whole transfer).
        retries: further attempts after a timeout, a dropped connection or an HTTP 5xx/408/429
            (not after a 404 or a file that is not an image).
        n_workers: downloads running at the same time.
        max_bytes: refuse files larger than this.
        progress: show a progress bar (tqdm) and print the summary at the end.

    Returns:
        A ``DownloadReport`` (saved, existing, failed); printing it gives the summary.

    Raises:
        ValueError: no http(s) URL to fetch, ``dest`` is a file, or a bad argument.
    """
    from tqdm.auto import tqdm

    dest = Path(dest)
    if dest.is_file():
        raise ValueError(f"dest {str(dest)!r} is a file, not a folder; the order is download_images(dest, urls_file)")
    if (urls_file is None) == (urls is None):
        raise ValueError("give exactly one of urls_file (a file of URLs) and urls (a list of URLs)")
    if urls is not None and (isinstance(urls, (str, os.PathLike)) or not all(isinstance(u, str) for u in urls)):
        raise TypeError(f"urls must be a list of URL strings, got {urls!r}; a file of URLs goes in urls_file")
    if max_images is not None and (not isinstance(max_images, int) or max_images < 1):
        raise ValueError(f"max_images must be a positive int or None, got {max_images!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not (isinstance(retries, int) and retries >= 0):
        raise ValueError(f"retries must be an int >= 0, got {retries!r}")
    source = f"urls_file {str(urls_file)!r}" if urls_file is not None else "urls"
    urls = _read_urls(Path(urls_file)) if urls_file is not None else _http_urls(urls)
    if not urls:
        raise ValueError(f"{source} contains no http:// or https:// URLs")
    dest.mkdir(parents=True, exist_ok=True)

    def one(url: str) -> tuple[str, Path | str]:
        stem = hashlib.sha1(url.encode()).hexdigest()[:16]
        for ext in set(_FORMAT_EXTENSIONS.values()):
            if (dest / f"{stem}{ext}").exists():
                return "existing", dest / f"{stem}{ext}"
        reason = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            try:
                data = _fetch(url, timeout, max_bytes)
                ext = _image_extension(data)
            except _Permanent as e:
                return "failed", str(e)
            except Exception as e:  # noqa: BLE001 - timeouts, refused connections, 5xx: try again
                reason = f"{type(e).__name__}: {e}"
                continue
            try:
                saved = atomic_write_bytes(dest / f"{stem}{ext}", data, exclusive=True)
            except FileExistsError:
                return "existing", dest / f"{stem}{ext}"
            return "saved", saved
        return "failed", f"{reason} (after {retries + 1} attempts)"

    report, results = DownloadReport(), {}
    pending, queue = {}, iter(urls)
    with ThreadPoolExecutor(max_workers=max(1, n_workers)) as pool, tqdm(
        total=len(urls) if max_images is None else min(len(urls), max_images), desc="download_images", unit="img", disable=not progress
    ) as bar:
        while True:
            have = len(report.saved) + len(report.existing)
            while len(pending) < n_workers and (max_images is None or have + len(pending) < max_images):
                url = next(queue, None)
                if url is None:
                    break
                pending[pool.submit(one, url)] = url
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                url = pending.pop(future)
                results[url] = status, value = future.result()
                if status == "failed":
                    report.failed.append((url, value))
                else:
                    getattr(report, status).append(value)
                    bar.update(1)
    order = {url: i for i, url in enumerate(urls)}  # report in the file's order, whatever finished first
    report.failed.sort(key=lambda item: order[item[0]])
    for name in ("saved", "existing"):
        getattr(report, name).sort(key=lambda path: min(order[u] for u, r in results.items() if r[1] == path))
    if progress:
        print(report)
    return report
