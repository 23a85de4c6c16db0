"""The real Fashion-MNIST: find, verify, prepare and batch it.

Where the files come from, in order, for each of the four IDX files:
  1. already-prepared (decompressed) files in ``<root>/fashion-mnist/``, where
     root is the ``root`` argument, else ``$D2LMINI_DATA``, else
     ``~/.cache/d2lmini``; a ``.gz`` copy placed there is also accepted;
  2. the Debian package ``dataset-fashion-mnist`` in
     ``/usr/share/datasets/fashion-mnist/``;
  3. torchvision's download (needs the internet).
Every decompressed file is checked against its SHA-256 before use. Preparing
writes to a temporary name and renames it, so an interrupted run leaves no
half-written file behind. Batches are cut from in-memory tensors: no worker
processes, the same behaviour on Linux, macOS and Windows.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

__all__ = ["load_data_fashion_mnist", "train_val_split", "get_fashion_mnist_labels",
           "get_dataloader_workers",
           "prepare_fashion_mnist", "read_fashion_mnist", "TensorBatches", "DataFileError",
           "FASHION_MNIST_FILES", "DEBIAN_FASHION_MNIST_DIR"]

ENV_VAR = "D2LMINI_DATA"
DEFAULT_ROOT = Path.home() / ".cache" / "d2lmini"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

# SHA-256 of the official decompressed IDX files (the gzip wrappers vary by source).
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

TEXT_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')

_CHUNK = 1 << 20


class DataFileError(ValueError):
    """A data file is missing its expected content (wrong hash or format)."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hash(path, name, actual):
    expected = FASHION_MNIST_FILES[name]
    if actual != expected:
        raise DataFileError(
            f"{path}: corrupted Fashion-MNIST file {name!r}: SHA-256 is {actual}, expected "
            f"{expected}. Delete it (or fix its source) and run again.")


def _copy_verified(src, dest, name):
    """Copy src (gzip if it ends in .gz) to dest through a temporary file, checking the hash."""
    tmp = dest.with_name(f"{dest.name}.part-{os.getpid()}")
    digest = hashlib.sha256()
    opener = gzip.open if str(src).endswith('.gz') else open
    try:
        with opener(src, 'rb') as fin, open(tmp, 'wb') as fout:
            for chunk in iter(lambda: fin.read(_CHUNK), b''):
                digest.update(chunk)
                fout.write(chunk)
        _check_hash(src, name, digest.hexdigest())
        os.replace(tmp, dest)  # atomic: dest is either absent or complete
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataFileError(f"{src}: cannot read Fashion-MNIST file {name!r}: {err}") from err
    finally:
        if tmp.exists():
            tmp.unlink()


def _torchvision_download(root):
    """Download with torchvision into root; return the folder holding the raw IDX files."""
    from torchvision.datasets import FashionMNIST
    FashionMNIST(root=str(root), train=True, download=True)
    return Path(root) / "FashionMNIST" / "raw"


def _data_dir(root):
    if root is None:
        root = os.environ.get(ENV_VAR) or DEFAULT_ROOT
    return Path(root).expanduser() / "fashion-mnist"


def prepare_fashion_mnist(root=None, download=True):
    """Make sure the four verified IDX files exist under ``<root>/fashion-mnist``; return that folder.

    Raises FileNotFoundError naming every place looked at (and how to fix it)
    when no source has the files, and DataFileError for a corrupted file.
    """
    folder = _data_dir(root)
    missing = [name for name in FASHION_MNIST_FILES if not (folder / name).exists()]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        download_error = None
        for name in missing:
            sources = [folder / f"{name}.gz", DEBIAN_FASHION_MNIST_DIR / f"{name}.gz"]
            src = next((s for s in sources if s.exists()), None)
            if src is None and download and download_error is None:
                try:
                    raw = _torchvision_download(folder.parent / "torchvision")
                    src = raw / name if (raw / name).exists() else None
                except Exception as err:  # no internet, no torchvision, ...
                    download_error = err
            if src is None:
                raise FileNotFoundError(_not_found_message(folder, name, download, download_error))
            _copy_verified(src, folder / name, name)
    for name in FASHION_MNIST_FILES:
        stat = (folder / name).stat()
        _verify(str(folder / name), name, stat.st_size, stat.st_mtime_ns)
    return folder


@functools.lru_cache(maxsize=16)
def _verify(path, name, size, mtime_ns):
    """Check one file's hash, once per version of the file (size and mtime are the key).

    A failed check raises, and lru_cache does not remember exceptions, so a
    corrupted file is checked (and rejected) again on every call.
    """
    _check_hash(path, name, _sha256(path))


def _not_found_message(folder, name, download, download_error):
    tried = f"failed: {download_error}" if download_error else (
        "skipped (download=False)" if not download else "gave no file")
    return (f"Fashion-MNIST file {name!r} not found. Looked in:\n"
            f"  1. {folder} (the data root: argument root=, else ${ENV_VAR}, else {DEFAULT_ROOT})\n"
            f"  2. {DEBIAN_FASHION_MNIST_DIR} (Debian package dataset-fashion-mnist)\n"
            f"  3. torchvision's download: {tried}\n"
            f"Fix it in one of three ways:\n"
            f"  - put the four files {sorted(FASHION_MNIST_FILES)} (or their .gz) in {folder},\n"
            f"    or pass root=/ set ${ENV_VAR} to a folder whose fashion-mnist/ holds them;\n"
            f"  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist;\n"
            f"  - connect to the internet and run again, so that torchvision downloads it.")


def _read_idx(path, name):
    """Parse one IDX file into a uint8 tensor (images: N x 28 x 28, labels: N)."""
    data = Path(path).read_bytes()
    ndim = data[3] if len(data) >= 4 else 0
    if data[:3] != b'\x00\x00\x08' or ndim not in (1, 3):
        raise DataFileError(f"{path}: not an unsigned-byte IDX file ({name})")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != math.prod(shape):
        raise DataFileError(f"{path}: IDX header says {shape} but holds {body.size} bytes ({name})")
    return torch.from_numpy(body.copy()).reshape(shape)


@functools.lru_cache(maxsize=2)
def _load_tensors(folder):
    parts = {name: _read_idx(Path(folder) / name, name) for name in FASHION_MNIST_FILES}
    return ((parts["train-images-idx3-ubyte"], parts["train-labels-idx1-ubyte"].long()),
            (parts["t10k-images-idx3-ubyte"], parts["t10k-labels-idx1-ubyte"].long()))


def read_fashion_mnist(root=None, download=True):
    """Return ((train_images, train_labels), (test_images, test_labels)) as tensors.

    Images are uint8 of shape (N, 28, 28); labels are int64 class indices.
    """
    return _load_tensors(str(prepare_fashion_mnist(root, download)))


class TensorBatches:
    """Iterate (X, y) minibatches over in-memory uint8 images, scaled to float32 in [0, 1]."""

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None, generator=None):
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.resize = batch_size, shuffle, resize
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.labels) / self.batch_size)

    def __iter__(self):
        n = len(self.labels)
        # A new permutation every epoch (every call to iter) when shuffling.
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        for start in range(0, n, self.batch_size):
            if order is None:
                idx = slice(start, start + self.batch_size)
            else:
                idx = order[start:start + self.batch_size]
            X = self.images[idx].unsqueeze(1).to(torch.float32).div_(255)
            if self.resize is not None:
                X = F.interpolate(X, size=self.resize, mode='bilinear', antialias=True,
                                  align_corners=False)
            yield X, self.labels[idx]


def _as_size(resize):
    if resize is None:
        return None
    if isinstance(resize, int) and not isinstance(resize, bool) and resize > 0:
        return (resize, resize)
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(isinstance(r, int) and r > 0 for r in resize)):
        return tuple(resize)
    raise ValueError(f"resize must be None, a positive int or (height, width), got {resize!r}")


def _check_count(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")


def train_val_split(n, val_size, *, split_seed=0):
    """Split the indices 0..n-1 into (train_idx, val_idx), both sorted int64 tensors.

    The validation indices are the first ``val_size`` of a random permutation
    drawn from its own generator seeded with ``split_seed``: the same split on
    every call, whatever torch's global seed or a run's shuffling seed. The
    split is not stratified (class counts in it vary a little around n/10).
    """
    _check_count("n", n, 2, 2**40)
    _check_count("val_size", val_size, 1, n - 1)
    _check_count("split_seed", split_seed, 0, 2**62)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(split_seed))
    return order[val_size:].sort().values, order[:val_size].sort().values


def load_data_fashion_mnist(batch_size, resize=None, *, root=None, seed=None, download=True,
                            val_size=None, split_seed=0):
    """Return (train_iter, test_iter) over the real Fashion-MNIST.

    Each yields (X, y) with X float32 of shape (B, 1, 28, 28) in [0, 1] (or the
    ``resize`` size) and y int64 labels. The training batches are reshuffled
    every epoch; the test batches come in file order. ``seed`` fixes the
    shuffling; without it the order is drawn from torch's global generator, so
    ``torch.manual_seed`` makes it reproducible.

    With ``val_size`` (an int), ``val_size`` of the 60,000 training images are
    held out (``train_val_split(60000, val_size, split_seed=split_seed)``, the
    same images whatever ``seed`` is) and it returns (train_iter, val_iter,
    test_iter): training batches from the other images, validation batches in
    index order.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    size = _as_size(resize)
    (train_X, train_y), (test_X, test_y) = read_fashion_mnist(root, download)
    if seed is None:
        seed = int(torch.randint(0, 2**62, ()).item())
    generator = torch.Generator().manual_seed(seed)
    test_iter = TensorBatches(test_X, test_y, batch_size, False, size)
    if val_size is None:
        return TensorBatches(train_X, train_y, batch_size, True, size, generator), test_iter
    train_idx, val_idx = train_val_split(len(train_y), val_size, split_seed=split_seed)
    return (TensorBatches(train_X[train_idx], train_y[train_idx], batch_size, True, size,
                          generator),
            TensorBatches(train_X[val_idx], train_y[val_idx], batch_size, False, size),
            test_iter)


def get_fashion_mnist_labels(labels):
    """Map numeric Fashion-MNIST labels to their text names."""
    return [TEXT_LABELS[int(i)] for i in labels]


def get_dataloader_workers():
    """Return 0: d2lmini batches from memory, so extra worker processes only cost time."""
    return 0
