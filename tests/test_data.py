"""Tests for dlnotes.data: offline datasets, folder datasets, verify/download, FastLoader.

Nothing here touches the network: downloads are monkeypatched to fail, and download_images
talks to an HTTP server on 127.0.0.1 that the test starts.
"""

from __future__ import annotations

import gzip
import http.server
import io
import shutil
import stat
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets
from conftest import new_file_mode
from PIL import Image

from dlnotes import data as D
from dlnotes._io import move_no_clobber
from dlnotes.data import offline as M

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
needs_debian = pytest.mark.skipif(not DEBIAN.is_dir(), reason="needs Debian's dataset-fashion-mnist package")


@pytest.fixture
def offline(monkeypatch):
    """torchvision's download fails the way it does without a network; counts the attempts."""
    calls = []

    def no_network(self, *args, **kwargs):
        calls.append(type(self).__name__)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", no_network)
    return calls


@pytest.fixture(scope="module")
def sample():
    return D.fashion_mnist(sample=True)


# ------------------------------------------------------------------ Fashion-MNIST and MNIST


def test_sample_is_balanced_real_images(sample):
    train, test = sample
    assert (len(train), len(test)) == (10_000, 2_000)
    assert train.data.dtype == torch.uint8 and train.data.shape == (10_000, 28, 28)
    assert torch.bincount(train.targets, minlength=10).tolist() == [1_000] * 10
    assert torch.bincount(test.targets, minlength=10).tolist() == [200] * 10
    assert train.classes == D.FASHION_CLASSES
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and 0 <= image.min() <= image.max() <= 1
    assert label == int(train.targets[0])
    assert torch.equal((image[0] * 255).round().to(torch.uint8), train.data[0])


@needs_debian
def test_sample_matches_debian_files_by_content(sample):
    D.check_fashion_mnist_files(DEBIAN)  # raises if any sampled image or label differs
    arrays = M._load_sample_arrays()
    full = M._read_idx(DEBIAN / "train-images-idx3-ubyte.gz")
    labels = M._read_idx(DEBIAN / "train-labels-idx1-ubyte.gz")
    index = arrays["train_index"]
    assert len(set(index.tolist())) == 10_000
    assert np.array_equal(full[index], sample[0].data.numpy())
    assert np.array_equal(labels[index], sample[0].targets.numpy())


def test_check_fashion_mnist_files_rejects_other_content(tmp_path):
    for stem, n, shape in (
        ("train-images-idx3-ubyte", 60_000, (28, 28)),
        ("train-labels-idx1-ubyte", 60_000, ()),
        ("t10k-images-idx3-ubyte", 10_000, (28, 28)),
        ("t10k-labels-idx1-ubyte", 10_000, ()),
    ):
        array = np.zeros((n, *shape), np.uint8) if shape else np.repeat(np.arange(10, dtype=np.uint8), n // 10)
        _write_idx(tmp_path / stem, array)
    with pytest.raises(ValueError, match="differ from Fashion-MNIST"):
        D.check_fashion_mnist_files(tmp_path)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.mark.slow
@needs_debian
def test_full_fashion_mnist_offline_from_debian(tmp_path, offline, monkeypatch):
    train, test = D.fashion_mnist(root=tmp_path)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.classes == D.FASHION_CLASSES and offline == []
    assert torch.bincount(test.targets).tolist() == [1_000] * 10
    image, label = test[0]
    assert image.shape == (1, 28, 28) and isinstance(label, int)
    assert (tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").stat().st_size == 16 + 60_000 * 784
    # the second call is served by the cache alone
    monkeypatch.setattr(M, "DEBIAN_FASHION_DIR", tmp_path / "nowhere")  # patched where it is used
    again, _ = D.fashion_mnist(root=tmp_path, download=False)
    assert torch.equal(again.data[:100], train.data[:100])


def test_fashion_mnist_error_lists_the_ways(tmp_path, monkeypatch, offline):
    monkeypatch.setattr(M, "DEBIAN_FASHION_DIR", tmp_path / "no-debian-here")
    with pytest.raises(RuntimeError) as info:
        D.fashion_mnist(root=tmp_path)
    message = str(info.value)
    assert offline, "the download was attempted (and failed)"
    assert "network disabled by the test" in message
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "DLNOTES_DATA" in message and "fashion_mnist(sample=True)" in message
    with pytest.raises(RuntimeError, match=r"download=False"):
        D.fashion_mnist(root=tmp_path, download=False)
    with pytest.raises(TypeError, match="sample must be True or False"):
        D.fashion_mnist(sample="yes")


def test_mnist_error_lists_the_ways_without_debian(tmp_path, offline):
    with pytest.raises(RuntimeError) as info:
        D.mnist(root=tmp_path)
    message = str(info.value)
    assert offline == ["MNIST"]
    assert str(tmp_path / "MNIST" / "raw") in message and "download=True" in message
    assert "apt-get" not in message  # there is no Debian package for MNIST


@pytest.mark.slow
@needs_debian
def test_mnist_reads_gzipped_files_put_in_the_cache(tmp_path, offline, umask):
    # MNIST's files have Fashion-MNIST's format; Debian's Fashion-MNIST files stand in for them.
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in DEBIAN.glob("*.gz"):
        shutil.copy(f, raw / f.name)
    train, test = D.mnist(root=tmp_path)
    assert (len(train), len(test)) == (60_000, 10_000) and offline == []
    assert train.classes[0] == "0 - zero" and len(train.classes) == 10
    assert len(list(raw.glob("*.gz"))) == 4, "the user's files are kept"
    assert all(stat.S_IMODE(f.stat().st_mode) == new_file_mode(umask) for f in raw.glob("*-ubyte"))
    expected = M._read_idx(DEBIAN / "t10k-images-idx3-ubyte.gz")[:5]
    assert np.array_equal(test.data[:5].numpy(), expected)


def test_mnist_rejects_wrong_files_in_the_cache(tmp_path, offline):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for stem, n in (("train-images-idx3-ubyte", 5), ("t10k-images-idx3-ubyte", 5)):
        with gzip.open(raw / f"{stem}.gz", "wb") as f:
            f.write(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (n, 28, 28)) + bytes(n * 784))
    for stem in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(raw / f"{stem}.gz", "wb") as f:
            f.write(bytes([0, 0, 8, 1]) + (5).to_bytes(4, "big") + bytes(5))
    with pytest.raises(ValueError, match=r"expected \(60000, 28, 28\)"):
        D.mnist(root=tmp_path)


# ------------------------------------------------------------------ folders of images


def _save(image: np.ndarray, path: Path, size: tuple[int, int] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.fromarray(image, mode="L").convert("RGB")
    if size:
        im = im.resize(size)
    im.save(path)


def _make_folder(root: Path, sample, per_class: int, classes=(0, 1, 7), start: int = 0) -> dict[str, list[Path]]:
    """Real Fashion-MNIST images as PNG and JPEG files of several sizes, one folder per class."""
    train = sample[0]
    made = {}
    for c in classes:
        name = D.FASHION_CLASSES[c].replace("/", "-")
        idx = (train.targets == c).nonzero().flatten()[start : start + per_class]
        files = []
        for k, i in enumerate(idx.tolist()):
            ext = ".png" if k % 2 else ".jpg"
            path = root / name / f"img{k:03d}{ext}"
            _save(train.data[i].numpy(), path, size=(28 + 4 * k, 28 + 2 * k))
            files.append(path)
        made[name] = files
    return made


def _add_bad_files(folder: Path) -> list[Path]:
    good = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(good, "JPEG")
    png = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(png, "PNG")
    bad = {
        "truncated.jpg": good.getvalue()[: len(good.getvalue()) // 2],
        "truncated.png": png.getvalue()[: len(png.getvalue()) // 2],
        "page.jpg": b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
        "empty.png": b"",
    }
    paths = []
    for name, content in bad.items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_image_folders_train_valid_layout(tmp_path, sample):
    made_train = _make_folder(tmp_path / "train", sample, 6)
    made_valid = _make_folder(tmp_path / "valid", sample, 3, start=50)
    (tmp_path / "train" / "T-shirt-top" / "notes.txt").write_text("not an image, ignored")
    train, valid, test = D.image_folders(tmp_path, size=32)
    assert train.classes == valid.classes == sorted(made_train) == ["Sneaker", "T-shirt-top", "Trouser"]
    assert train.root == tmp_path / "train" and valid.root == tmp_path / "valid" and test is None
    assert len(train) == 18 and len(valid) == 9
    assert sorted(Path(p) for p, _ in train.samples) == sorted(f for fs in made_train.values() for f in fs)
    for path, label in train.samples + valid.samples:
        assert Path(path).parent.name == train.classes[label]
    image, label = valid[4]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and label == valid.samples[4][1]
    assert sorted(Path(p) for p, _ in valid.samples) == sorted(f for fs in made_valid.values() for f in fs)
    assert train.targets == [label for _, label in train.samples]


def test_transform_none_means_pil_images_everywhere(tmp_path, sample):
    """As in torchvision: the default transform gives tensors, transform=None the PIL images."""
    _make_folder(tmp_path / "train", sample, 2, classes=(0, 1))
    splits = D.image_folders(tmp_path, size=16, valid_pct=0.5, transform=None)
    assert isinstance(splits.train[0][0], Image.Image) and splits.train[0][0].size == (16, 16)
    assert isinstance(D.fashion_mnist(sample=True, transform=None)[0][0][0], Image.Image)
    tensor = D.image_folders(tmp_path, size=16, valid_pct=0.5).train[0][0]
    assert torch.equal(tensor, D.to_tensor(splits.train[0][0]))


def test_image_folders_resize_modes_and_grayscale(tmp_path, sample):
    _make_folder(tmp_path / "train", sample, 2, classes=(0, 1))
    _make_folder(tmp_path / "valid", sample, 2, classes=(0, 1))
    for resize in ("crop", "squish", "pad"):
        train, _, _ = D.image_folders(tmp_path, size=(20, 30), resize=resize, mode="L")
        image, _ = train[1]
        assert image.shape == (1, 20, 30)
    wide = Image.new("L", (60, 20), 255)
    padded = D.resize_image(wide, (30, 30), "pad")
    assert np.array(padded)[0, 15] == 0 and np.array(padded)[15, 15] == 255  # black bands above and below
    assert np.array(D.resize_image(wide, (30, 30), "crop")).min() == 255  # cropped: no bands
    with pytest.raises(ValueError, match="resize must be"):
        D.image_folders(tmp_path, resize="stretch")
    with pytest.raises(ValueError, match="mode must be"):
        D.image_folders(tmp_path, mode="CMYK")
    with pytest.raises(ValueError, match="size must be"):
        D.image_folders(tmp_path, size=-3)


def test_image_folders_seeded_percentage_split(tmp_path, sample):
    made = _make_folder(tmp_path, sample, 10)
    _save(sample[1].data[0].numpy(), tmp_path / "test" / "unknown1.png")
    _save(sample[1].data[1].numpy(), tmp_path / "test" / "sub" / "unknown2.jpg")
    train, valid, test = D.image_folders(tmp_path, size=28, valid_pct=0.3, seed=1)
    assert train.classes == sorted(made) and "test" not in train.classes
    assert len(valid) == 9 and len(train) == 21
    for c in range(3):  # stratified: 3 of every 10
        assert valid.targets.count(c) == 3
    files = {p for p, _ in train.samples} | {p for p, _ in valid.samples}
    assert len(files) == 30 and not {p for p, _ in train.samples} & {p for p, _ in valid.samples}
    again = D.image_folders(tmp_path, size=28, valid_pct=0.3, seed=1)
    other = D.image_folders(tmp_path, size=28, valid_pct=0.3, seed=2)
    assert again.valid.samples == valid.samples and other.valid.samples != valid.samples
    assert len(test) == 2 and {label for _, label in test.samples} == {-1} and test.classes == train.classes
    assert test[0][0].shape == (3, 28, 28)
    # train/ without valid/: the same kind of split of train/
    _make_folder(tmp_path / "second" / "train", sample, 5)
    tr, va, _ = D.image_folders(tmp_path / "second", valid_pct=0.2)
    assert (len(tr), len(va)) == (12, 3) and tr.root == va.root == tmp_path / "second" / "train"


def test_image_folders_clear_errors(tmp_path, sample):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        D.image_folders(tmp_path / "missing")
    loose = tmp_path / "loose"
    _save(sample[0].data[0].numpy(), loose / "a.png")
    with pytest.raises(ValueError, match=r"no class folders.*1 image files directly"):
        D.image_folders(loose)
    (tmp_path / "nothing").mkdir()
    with pytest.raises(ValueError, match="no class folders"):
        D.image_folders(tmp_path / "nothing")
    differ = tmp_path / "differ"
    _make_folder(differ / "train", sample, 2, classes=(0, 1))
    _make_folder(differ / "valid", sample, 2, classes=(0, 7))
    with pytest.raises(ValueError, match=r"classes differ.*only in train/: \['Trouser'\].*only in valid/: \['Sneaker'\]"):
        D.image_folders(differ)
    empty = tmp_path / "empty"
    _make_folder(empty, sample, 2, classes=(0,))
    (empty / "Dress").mkdir()
    (empty / "Dress" / "readme.txt").write_text("no images in here")
    with pytest.raises(ValueError, match=r"no images in .*\['Dress'\]"):
        D.image_folders(empty)
    only_valid = tmp_path / "only_valid"
    _make_folder(only_valid / "valid", sample, 2, classes=(0,))
    with pytest.raises(ValueError, match="valid/ but no train/"):
        D.image_folders(only_valid)
    with pytest.raises(ValueError, match="valid_pct"):
        D.image_folders(differ, valid_pct=0.2)
    with pytest.raises(ValueError, match=r"valid_pct must be a fraction.*1.5"):
        D.image_folders(empty, valid_pct=1.5)
    (differ / "test").mkdir()
    shutil.rmtree(differ / "valid")
    with pytest.raises(ValueError, match="test has no images"):
        D.image_folders(differ)


def test_verify_images_finds_bad_files_and_deletes_nothing(tmp_path, sample):
    made = _make_folder(tmp_path / "train", sample, 4)
    folder = tmp_path / "train" / "Sneaker"
    bad = _add_bad_files(folder)
    upper = folder / "UPPER.JPG"
    _save(sample[0].data[3].numpy(), upper)
    before = _tree(tmp_path)
    found = D.verify_images(tmp_path, progress=False)
    assert sorted(found) == sorted(bad)
    assert _tree(tmp_path) == before, "nothing was deleted or changed"
    for path in bad:
        assert D.check_image(path) is not None
    for files in made.values():
        assert all(D.check_image(f) is None for f in files)
    # the folder dataset lists the bad files too, and says what to do when it meets one
    train, valid, _ = D.image_folders(tmp_path, size=28)
    split = next(s for s in (train, valid) if any(p.endswith("page.jpg") for p, _ in s.samples))
    index = next(i for i, (p, _) in enumerate(split.samples) if p.endswith("page.jpg"))
    with pytest.raises(OSError, match="verify_images"):
        split[index]


def test_verify_images_move_to_never_overwrites(tmp_path, sample):
    _make_folder(tmp_path / "data", sample, 3)
    bad = _add_bad_files(tmp_path / "data" / "Sneaker")
    aside = tmp_path / "aside"
    (aside / "Sneaker").mkdir(parents=True)
    (aside / "Sneaker" / "page.jpg").write_bytes(b"already here")
    good_before = {k: v for k, v in _tree(tmp_path / "data").items() if not any(k.endswith(b.name) for b in bad)}
    moved = D.verify_images(tmp_path / "data", move_to=aside, progress=False)
    assert sorted(moved) == sorted(bad)
    assert not any(p.exists() for p in bad)
    assert _tree(tmp_path / "data") == good_before
    assert (aside / "Sneaker" / "page.jpg").read_bytes() == b"already here"
    assert (aside / "Sneaker" / "page-1.jpg").read_bytes().startswith(b"<!DOCTYPE html>")
    assert sorted(p.name for p in (aside / "Sneaker").iterdir()) == [
        "empty.png", "page-1.jpg", "page.jpg", "truncated.jpg", "truncated.png",
    ]  # fmt: skip
    # move_to inside the folder being checked is not checked again
    again = D.verify_images(tmp_path, move_to=aside, progress=False)
    assert again == []


def test_moving_and_saving_without_hard_links(tmp_path, sample, monkeypatch):
    """On file systems without hard links (FAT, some network drives) nothing is overwritten either."""
    import errno
    import os

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    _make_folder(tmp_path / "data", sample, 2, classes=(0,))
    bad = _add_bad_files(tmp_path / "data" / "T-shirt-top")
    aside = tmp_path / "aside" / "T-shirt-top"
    aside.mkdir(parents=True)
    (aside / "page.jpg").write_bytes(b"already here")
    assert sorted(D.verify_images(tmp_path / "data", move_to=tmp_path / "aside", progress=False)) == sorted(bad)
    assert (aside / "page.jpg").read_bytes() == b"already here"
    assert (aside / "page-1.jpg").read_bytes().startswith(b"<!DOCTYPE html>")
    assert not any(p.exists() for p in bad) and len(list(aside.iterdir())) == 5
    target = tmp_path / "new.bin"
    staged = tmp_path / "staged.bin"
    staged.write_bytes(b"new content")
    target.write_bytes(b"old content")
    assert move_no_clobber(staged, target, rename=False) is None
    assert target.read_bytes() == b"old content" and staged.read_bytes() == b"new content"


def test_verify_images_delete_when_asked(tmp_path, sample):
    made = _make_folder(tmp_path, sample, 3)
    bad = _add_bad_files(tmp_path / "Trouser")
    assert sorted(D.verify_images(tmp_path, delete=True, progress=False)) == sorted(bad)
    assert not any(p.exists() for p in bad)
    assert all(f.exists() for fs in made.values() for f in fs)
    with pytest.raises(ValueError, match="choose one"):
        D.verify_images(tmp_path, delete=True, move_to=tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        D.verify_images(tmp_path / "missing")
    assert D.verify_images(made["Trouser"][0], progress=False) == []


# ------------------------------------------------------------------ download_images


def _image_bytes(fmt: str, colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def server():
    """An HTTP server on 127.0.0.1: good images, a web page, a 404, a slow answer, a flaky one."""
    hits: dict[str, int] = {}
    release = threading.Event()  # the slow answer waits for the end of the test, not for a clock
    routes = {
        "/cat.jpg": _image_bytes("JPEG", (250, 0, 0)),
        "/dog.png": _image_bytes("PNG", (0, 250, 0)),
        "/photo?id=7": _image_bytes("PNG", (0, 0, 250)),  # no extension in the URL: the content decides
        "/page.jpg": b"<html><body>Sorry, this image is gone</body></html>",
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits[self.path] = hits.get(self.path, 0) + 1
            try:
                if self.path == "/slow.jpg":
                    release.wait(60)  # past any client timeout: answered only when the test is over
                if self.path == "/flaky.jpg" and hits[self.path] == 1:
                    self.send_error(503)
                    return
                body = routes.get(self.path, routes["/cat.jpg"] if self.path in ("/flaky.jpg", "/slow.jpg") else None)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")  # servers lie; the content is checked
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    release.set()
    httpd.shutdown()
    httpd.server_close()


def test_download_images_checks_retries_and_summarises(tmp_path, server, capsys, umask):
    base, hits = server
    urls = tmp_path / "urls.csv"
    urls.write_text(
        "url,comment\n"
        f"{base}/cat.jpg,a cat\n"
        f"{base}/dog.png,a dog\n"
        f"{base}/cat.jpg,the same cat again\n\n"
        f"{base}/photo?id=7,\n"
        f"{base}/page.jpg,an html page\n"
        f"{base}/missing.jpg,404\n"
        f"{base}/slow.jpg,too slow\n"
        f"{base}/flaky.jpg,fails once\n"
    )
    dest = tmp_path / "images" / "cats"
    dest.mkdir(parents=True)
    (dest / "mine.jpg").write_bytes(b"the user's own file")
    report = D.download_images(dest, urls, timeout=3.0, retries=1, progress=False)  # generous: a loaded CI machine answers late
    assert len(report.saved) == 4 and report.existing == []
    failed = dict(report.failed)
    assert set(failed) == {f"{base}/page.jpg", f"{base}/missing.jpg", f"{base}/slow.jpg"}
    assert "not an image" in failed[f"{base}/page.jpg"]
    assert "404" in failed[f"{base}/missing.jpg"]
    assert "2 attempts" in failed[f"{base}/slow.jpg"]
    assert hits["/flaky.jpg"] == 2 and hits["/slow.jpg"] == 2 and hits["/missing.jpg"] == 1 and hits["/cat.jpg"] == 1
    assert sorted(p.suffix for p in report.saved) == [".jpg", ".jpg", ".png", ".png"]
    for path in report.saved:
        assert path.parent == dest and D.check_image(path) is None
        assert stat.S_IMODE(path.stat().st_mode) == new_file_mode(umask), "an ordinary file, not a private one"
    assert (dest / "mine.jpg").read_bytes() == b"the user's own file"
    assert not list(dest.glob(".*")), "no temporary files left behind"
    assert str(report).startswith("4 downloaded, 0 already there, 3 failed (of 7 URLs tried)")
    assert capsys.readouterr().out == ""
    # a second run fetches nothing it already has and replaces nothing
    before = _tree(dest)
    again = D.download_images(dest, urls, timeout=3.0, retries=0)
    assert "0 downloaded, 4 already there, 3 failed" in capsys.readouterr().out
    assert sorted(again.existing) == sorted(report.saved) and again.saved == []
    assert _tree(dest) == before
    # the folder is ready for image_folders and verify_images
    assert D.verify_images(dest, progress=False) == [dest / "mine.jpg"]


def test_download_images_max_images_and_errors(tmp_path, server):
    base, hits = server
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(f"{base}/{name}" for name in ("page.jpg", "cat.jpg", "dog.png", "photo?id=7")))
    report = D.download_images(tmp_path / "out", urls, max_images=2, n_workers=1, progress=False)
    assert len(report.saved) == 2 and len(report.failed) == 1
    assert "/photo?id=7" not in hits
    assert len(list((tmp_path / "out").iterdir())) == 2
    (tmp_path / "none.txt").write_text("no urls here\nftp://example.invalid/a.jpg\n")
    with pytest.raises(ValueError, match="no http"):
        D.download_images(tmp_path / "out", tmp_path / "none.txt")
    with pytest.raises(ValueError, match="max_images"):
        D.download_images(tmp_path / "out", urls, max_images=0)
    with pytest.raises(ValueError, match="dest .* is a file"):  # the old argument order, caught
        D.download_images(urls, tmp_path / "out")
    with pytest.raises(ValueError, match="exactly one of urls_file"):
        D.download_images(tmp_path / "out")
    report = D.download_images(tmp_path / "out2", urls=[f"{base}/cat.jpg", f"{base}/cat.jpg"], progress=False)
    assert len(report.saved) == 1  # a list of URLs works too, duplicates dropped


# ------------------------------------------------------------------ FastLoader


def test_fast_loader_epochs_cover_every_image_once(sample):
    images = sample[0].data[:1000]
    ids = torch.arange(1000)
    loader = D.FastLoader(images, ids, batch_size=64, shuffle=True, device="cpu", seed=0)
    assert len(loader) == 16
    epoch1 = [y for _, y in loader]
    epoch2 = [y for _, y in loader]
    assert [len(y) for y in epoch1] == [64] * 15 + [40]
    for epoch in (epoch1, epoch2):
        assert torch.equal(torch.cat(epoch).sort().values, ids)
    assert not torch.equal(torch.cat(epoch1), torch.cat(epoch2)), "a new order every epoch"
    assert not torch.equal(torch.cat(epoch1), ids), "shuffled"
    x, y = next(iter(loader))
    assert x.dtype == torch.float32 and x.shape == (64, 1, 28, 28) and y.dtype == torch.int64
    assert x.device.type == "cpu"
    dropped = D.FastLoader(images, ids, batch_size=64, drop_last=True, device="cpu")
    assert len(dropped) == 15 and sum(len(y) for _, y in dropped) == 960
    in_order = D.FastLoader(images, ids, batch_size=300, device="cpu")
    assert torch.equal(torch.cat([y for _, y in in_order]), ids)


def test_fast_loader_is_seedable_and_resumable(sample):
    train = sample[0]
    a = D.FastLoader(train, batch_size=500, shuffle=True, augment=True, device="cpu", seed=7)
    b = D.FastLoader(train, batch_size=500, shuffle=True, augment=True, device="cpu", seed=7)
    c = D.FastLoader(train, batch_size=500, shuffle=True, augment=True, device="cpu", seed=8)
    first = [(x, y) for x, y in a]
    assert all(torch.equal(x1, x2) and torch.equal(y1, y2) for (x1, y1), (x2, y2) in zip(first, b, strict=True))
    assert not torch.equal(first[0][1], next(iter(c))[1])
    state = a.state_dict()
    second = [y for _, y in a]
    a.load_state_dict(state)
    assert all(torch.equal(y1, y2) for y1, y2 in zip(second, (y for _, y in a), strict=True))


def test_fast_loader_set_epoch_and_shards(sample):
    images, ids = sample[0].data[:1001], torch.arange(1001)
    a = D.FastLoader(images, ids, batch_size=100, shuffle=True, augment=True, device="cpu", seed=5)
    b = D.FastLoader(images, ids, batch_size=100, shuffle=True, augment=True, device="cpu", seed=5)
    for _ in a:  # a has been through an epoch already, b has not
        pass
    a.set_epoch(3)
    b.set_epoch(3)
    assert all(torch.equal(xa, xb) and torch.equal(ya, yb) for (xa, ya), (xb, yb) in zip(a, b, strict=True))
    b.set_epoch(4)
    assert not torch.equal(next(iter(a))[1], next(iter(b))[1])
    # two processes: the same number of batches, together every image (training pads by wrapping)
    shards = []
    for rank in range(2):
        loader = D.FastLoader(images, ids, batch_size=100, shuffle=True, device="cpu", seed=5)
        loader.set_distributed(rank, 2)
        loader.set_epoch(0)
        shards.append(torch.cat([y for _, y in loader]))
        assert len(loader) == 6
    assert len(shards[0]) == len(shards[1]) == 501
    assert set(torch.cat(shards).tolist()) == set(range(1001))
    evals = []
    for rank in range(2):
        loader = D.FastLoader(images, ids, batch_size=100, device="cpu")
        loader.set_distributed(rank, 2)
        evals.append(torch.cat([y for _, y in loader]))
    assert sorted(torch.cat(evals).tolist()) == list(range(1001)), "evaluation: no image twice"
    with pytest.raises(ValueError, match="rank"):
        loader.set_distributed(2, 2)


def test_fast_loader_normalises_with_training_statistics(sample):
    train, test = sample
    pixels = train.data.double() / 255
    loader, valid = D.fast_loaders(train, test, batch_size=1000, device="cpu")
    assert loader.stats[0][0] == pytest.approx(pixels.mean().item(), abs=1e-6)
    assert loader.stats[1][0] == pytest.approx(pixels.std(unbiased=False).item(), abs=1e-6)
    x = torch.cat([x for x, _ in D.FastLoader(train, batch_size=1000, device="cpu")])
    assert x.mean().item() == pytest.approx(0, abs=1e-4) and x.std().item() == pytest.approx(1, abs=1e-3)
    assert valid.stats == loader.stats and not valid.shuffle and not valid.augment
    xv, yv = next(iter(valid))
    mean, std = loader.stats[0][0], loader.stats[1][0]
    assert torch.allclose(xv, (test.data[:2000].float().unsqueeze(1) / 255 - mean) / std, atol=1e-5)
    assert torch.equal(yv, test.targets[:2000])
    raw = D.FastLoader(train, normalize=False, batch_size=10, device="cpu")
    assert torch.allclose(next(iter(raw))[0][:, 0], train.data[:10].float() / 255)
    given = D.FastLoader(train, normalize=((0.5,), (0.25,)), batch_size=10, device="cpu")
    assert torch.allclose(next(iter(given))[0][:, 0], (train.data[:10].float() / 255 - 0.5) / 0.25, atol=1e-5)


def _windows(original: torch.Tensor, pad: int, flips: bool):
    padded = torch.nn.functional.pad(original, (pad,) * 4)
    h, w = original.shape[-2:]
    for dy in range(2 * pad + 1):
        for dx in range(2 * pad + 1):
            window = padded[..., dy : dy + h, dx : dx + w]
            yield (dy, dx, False), window
            if flips:
                yield (dy, dx, True), window.flip(-1)


@pytest.mark.parametrize("flip", [True, False])
def test_fast_loader_augmentation_is_a_shift_and_flip(sample, flip):
    images = sample[0].data[:200]
    loader = D.FastLoader(images, torch.arange(200), batch_size=200, augment=True, pad=3, flip=flip, normalize=False, device="cpu", seed=0)
    x, y = next(iter(loader))
    seen = set()
    for out, i in zip(x, y.tolist(), strict=True):
        original = images[i].float().div(255).unsqueeze(0)
        match = next((how for how, window in _windows(original, 3, True) if torch.allclose(window, out)), None)
        assert match is not None, f"image {i} is not a shifted/flipped copy of its original"
        seen.add(match)
    flipped = {m for m in seen if m[2]}
    assert bool(flipped) == flip
    assert len({(dy, dx) for dy, dx, _ in seen}) > 20, "shifts vary from image to image"
    plain = D.FastLoader(images, torch.arange(200), batch_size=200, normalize=False, device="cpu")
    assert torch.allclose(next(iter(plain))[0][:, 0], images.float() / 255)


def test_fast_loader_takes_folder_datasets_and_numpy(tmp_path, sample):
    _make_folder(tmp_path / "train", sample, 4, classes=(0, 1))
    _make_folder(tmp_path / "valid", sample, 2, classes=(0, 1))
    train, valid, _ = D.image_folders(tmp_path, size=24)
    loader, vloader = D.fast_loaders(train, valid, batch_size=3, device="cpu", augment=True)
    assert len(loader.stats[0]) == 3 and loader.classes == train.classes
    x, y = next(iter(vloader))
    assert x.shape == (4, 3, 24, 24)
    expected = torch.stack([valid[i][0] for i in range(4)])
    mean = torch.tensor(loader.stats[0]).view(1, 3, 1, 1)
    std = torch.tensor(loader.stats[1]).view(1, 3, 1, 1)
    assert torch.allclose(x, (expected - mean) / std, atol=1e-4)
    assert y.tolist() == valid.targets
    nhwc = np.random.default_rng(0).integers(0, 256, (10, 8, 8, 3), dtype=np.uint8)
    loader = D.FastLoader(nhwc, np.arange(10), batch_size=10, normalize=False, device="cpu")
    assert torch.allclose(next(iter(loader))[0], torch.from_numpy(nhwc).permute(0, 3, 1, 2).float() / 255)


def test_fast_loader_trains_a_model(sample):
    """The loop every trainer runs: ``for x, y in loader`` with a model, a loss and an optimiser."""
    torch.manual_seed(0)
    train, test = sample
    loader, valid = D.fast_loaders(train, test, batch_size=128, device="cpu", seed=0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for x, y in loader:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        correct = sum((model(x).argmax(1) == y).sum().item() for x, y in valid)
    assert correct / len(test) > 0.7


def test_fast_loader_works_with_the_trainer(sample):
    from dlnotes.trainer import Trainer

    torch.manual_seed(0)
    train, test = sample
    loader = D.FastLoader(train.data[:3000], train.targets[:3000], batch_size=100, shuffle=True, augment=True, device="cpu")
    valid = D.FastLoader(test.data[:500], test.targets[:500], batch_size=250, normalize=loader.stats, device="cpu")
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    trainer = Trainer(model, loader, valid, device="cpu", progress=False)
    history = trainer.fit(2, 0.05)
    assert len(history) == 2 and history[-1]["accuracy"] > 0.6


def test_fast_loader_errors(sample):
    images = sample[0].data[:10]
    with pytest.raises(ValueError, match="targets is required"):
        D.FastLoader(images)
    with pytest.raises(ValueError, match="one label per image"):
        D.FastLoader(images, torch.arange(9))
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        D.FastLoader(images, torch.arange(10), batch_size=0)
    with pytest.raises(ValueError, match=r"float images must be in \[0, 1\]"):
        D.FastLoader(images.float(), torch.arange(10))
    with pytest.raises(TypeError, match="uint8"):
        D.FastLoader(images.int(), torch.arange(10))
    with pytest.raises(ValueError, match="targets must be None"):
        D.FastLoader(sample[0], torch.arange(10))
    with pytest.raises(ValueError, match="std must be > 0"):
        D.FastLoader(images, torch.arange(10), normalize=((0.5,), (0.0,)))
    uneven = [(torch.zeros(1, 8, 8), 0), (torch.zeros(1, 9, 9), 1)]
    with pytest.raises(ValueError, match="same size"):
        D.FastLoader(uneven)
