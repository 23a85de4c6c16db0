"""Fashion-MNIST loading: the real data, batching, verification, safe preparation, errors."""
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest
import torch

import d2lmini as d2l
from d2lmini import data

NAMES = list(d2l.FASHION_MNIST_FILES)


@pytest.fixture(scope="module")
def real():
    return d2l.read_fashion_mnist()


@pytest.fixture
def no_debian(monkeypatch, tmp_path):
    """Hide the Debian copy and the download, so only what a test puts in place counts."""
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")

    def no_download(root):
        raise OSError("no network in this test")

    monkeypatch.setattr(data, "_torchvision_download", no_download)


def gz_source_dir(tmp_path):
    """A copy of the four official files as .gz, as the Debian package ships them."""
    src = tmp_path / "source"
    src.mkdir()
    prepared = d2l.prepare_fashion_mnist()
    for name in NAMES:
        with open(prepared / name, "rb") as fin, gzip.open(src / f"{name}.gz", "wb", compresslevel=1) as fout:
            shutil.copyfileobj(fin, fout)
    return src


def test_real_data_sizes_and_classes(real):
    (train_X, train_y), (test_X, test_y) = real
    assert train_X.shape == (60000, 28, 28) and test_X.shape == (10000, 28, 28)
    assert train_X.dtype == torch.uint8
    assert Counter(train_y.tolist()) == {c: 6000 for c in range(10)}
    assert Counter(test_y.tolist()) == {c: 1000 for c in range(10)}


def test_batches_shape_range_and_length():
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    assert len(train_iter) == 235 and len(test_iter) == 40  # ceil(60000/256), ceil(10000/256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (256,) and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    sizes = [len(y) for _, y in test_iter]
    assert sum(sizes) == 10000 and sizes[-1] == 10000 - 39 * 256


def test_train_reshuffled_every_epoch_test_in_order(real):
    train_iter, test_iter = d2l.load_data_fashion_mnist(1000, seed=3)
    first, second = next(iter(train_iter))[1], next(iter(train_iter))[1]
    assert not torch.equal(first, second)
    labels = torch.cat([y for _, y in test_iter])
    assert torch.equal(labels, real[1][1])
    X, _ = next(iter(test_iter))
    assert torch.equal(X[:, 0], real[1][0][:1000].float() / 255)


def test_seed_and_global_seed_reproduce_order():
    a = next(iter(d2l.load_data_fashion_mnist(64, seed=7)[0]))[1]
    b = next(iter(d2l.load_data_fashion_mnist(64, seed=7)[0]))[1]
    torch.manual_seed(11)
    c = next(iter(d2l.load_data_fashion_mnist(64)[0]))[1]
    torch.manual_seed(11)
    d = next(iter(d2l.load_data_fashion_mnist(64)[0]))[1]
    assert torch.equal(a, b) and torch.equal(c, d)


def test_resize():
    _, test_iter = d2l.load_data_fashion_mnist(32, resize=64)
    X, _ = next(iter(test_iter))
    assert X.shape == (32, 1, 64, 64)
    _, test_iter = d2l.load_data_fashion_mnist(32, resize=(40, 30))
    assert next(iter(test_iter))[0].shape == (32, 1, 40, 30)


@pytest.mark.parametrize("batch_size", [0, -5, 2.5, "256", True, None])
def test_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        d2l.load_data_fashion_mnist(batch_size)


@pytest.mark.parametrize("resize", [0, -1, (28,), "28", (28, 0)])
def test_bad_resize(resize):
    with pytest.raises(ValueError, match="resize must be"):
        d2l.load_data_fashion_mnist(8, resize=resize)


def test_labels():
    assert d2l.get_fashion_mnist_labels([0, 2, 4, 9]) == ["t-shirt", "pullover", "coat", "ankle boot"]
    assert d2l.get_dataloader_workers() == 0


def test_prepares_from_gz_source(tmp_path, monkeypatch, no_debian):
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", gz_source_dir(tmp_path))
    folder = d2l.prepare_fashion_mnist(tmp_path / "root")
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)
    (_, train_y), _ = d2l.read_fashion_mnist(tmp_path / "root")
    assert len(train_y) == 60000


def test_root_from_environment_variable(tmp_path, monkeypatch, no_debian):
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", gz_source_dir(tmp_path))
    monkeypatch.setenv("D2LMINI_DATA", str(tmp_path / "envroot"))
    assert d2l.prepare_fashion_mnist() == tmp_path / "envroot" / "fashion-mnist"


def test_corrupted_prepared_file_is_rejected(tmp_path, monkeypatch, no_debian):
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", gz_source_dir(tmp_path))
    folder = d2l.prepare_fashion_mnist(tmp_path / "root")
    target = folder / "t10k-labels-idx1-ubyte"
    raw = bytearray(target.read_bytes())
    raw[100] ^= 0xFF  # one flipped byte
    target.write_bytes(bytes(raw))
    with pytest.raises(d2l.DataFileError, match="t10k-labels-idx1-ubyte.*corrupted"):
        d2l.load_data_fashion_mnist(8, root=tmp_path / "root")


def test_corrupted_source_is_rejected_and_leaves_nothing(tmp_path, monkeypatch, no_debian):
    src = gz_source_dir(tmp_path)
    with gzip.open(src / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(b"\x00\x00\x08\x01" + bytes(60004))  # right size, wrong content
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", src)
    with pytest.raises(d2l.DataFileError, match="train-labels-idx1-ubyte.gz.*corrupted"):
        d2l.prepare_fashion_mnist(tmp_path / "root")
    assert not (tmp_path / "root" / "fashion-mnist" / "train-labels-idx1-ubyte").exists()
    assert not list((tmp_path / "root" / "fashion-mnist").glob("*.part-*"))


def test_truncated_gzip_is_a_clear_error(tmp_path, monkeypatch, no_debian):
    src = gz_source_dir(tmp_path)
    path = src / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:5000])
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", src)
    with pytest.raises(d2l.DataFileError, match="t10k-images-idx3-ubyte.gz: cannot read"):
        d2l.prepare_fashion_mnist(tmp_path / "root")
    assert not list((tmp_path / "root" / "fashion-mnist").glob("t10k-images*"))


def test_interrupted_preparation_leaves_no_half_written_file(tmp_path, monkeypatch, no_debian):
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", gz_source_dir(tmp_path))
    real_open = gzip.open

    class Interrupting:
        """Yields a few chunks, then acts like Ctrl-C in the middle of the copy."""

        def __init__(self, *args, **kwargs):
            self.f, self.reads = real_open(*args, **kwargs), 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def read(self, n):
            self.reads += 1
            if self.reads > 3:
                raise KeyboardInterrupt
            return self.f.read(n)

    monkeypatch.setattr(data.gzip, "open", Interrupting)
    with pytest.raises(KeyboardInterrupt):
        d2l.prepare_fashion_mnist(tmp_path / "root")
    folder = tmp_path / "root" / "fashion-mnist"
    assert list(folder.iterdir()) == []
    # A later run (no interruption) completes and verifies.
    monkeypatch.setattr(data.gzip, "open", real_open)
    assert len(list(d2l.prepare_fashion_mnist(tmp_path / "root").iterdir())) == 4


def test_nothing_found_explains_where_and_how(tmp_path, no_debian):
    with pytest.raises(FileNotFoundError) as info:
        d2l.load_data_fashion_mnist(8, root=tmp_path / "empty")
    message = str(info.value)
    assert str(tmp_path / "empty" / "fashion-mnist") in message
    assert "/no-debian" in message and "dataset-fashion-mnist" in message
    assert "no network in this test" in message
    assert message.count("\n  - ") == 3  # the three ways to fix it


def test_not_an_idx_file(tmp_path):
    bad = tmp_path / "x"
    bad.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(d2l.DataFileError, match="not an unsigned-byte IDX file"):
        data._read_idx(bad, "train-images-idx3-ubyte")


def test_train_val_split_is_disjoint_complete_and_fixed():
    train_idx, val_idx = d2l.train_val_split(60000, 10000)
    assert len(train_idx) == 50000 and len(val_idx) == 10000
    assert set(train_idx.tolist()).isdisjoint(val_idx.tolist())
    assert torch.equal(torch.cat([train_idx, val_idx]).sort().values, torch.arange(60000))
    torch.manual_seed(123)  # the global seed plays no part
    again = d2l.train_val_split(60000, 10000)
    assert torch.equal(again[1], val_idx) and torch.equal(again[0], train_idx)
    other = d2l.train_val_split(60000, 10000, split_seed=1)[1]
    assert not torch.equal(other, val_idx)


@pytest.mark.parametrize("kwargs, name", [
    (dict(val_size=0), "val_size"), (dict(val_size=60000), "val_size"),
    (dict(val_size=-5), "val_size"), (dict(val_size=2.5), "val_size"),
    (dict(val_size=True), "val_size"), (dict(val_size=100, split_seed=-1), "split_seed"),
    (dict(val_size=100, split_seed="0"), "split_seed")])
def test_bad_split_arguments_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        d2l.load_data_fashion_mnist(8, **kwargs)
    with pytest.raises(ValueError, match=name):
        d2l.train_val_split(60000, **{"val_size": 100, **kwargs})


def test_load_with_validation_split_holds_out_the_same_images(real):
    (train_X, train_y), _ = real
    a_train, a_val, a_test = d2l.load_data_fashion_mnist(1000, seed=0, val_size=10000)
    b_train, b_val, _ = d2l.load_data_fashion_mnist(1000, seed=5, val_size=10000)
    assert len(a_train.labels) == 50000 and len(a_val.labels) == 10000
    assert len(a_test.labels) == 10000
    assert torch.equal(a_val.images, b_val.images)        # the run's seed does not move it
    assert torch.equal(a_train.images, b_train.images)
    _, val_idx = d2l.train_val_split(60000, 10000)
    assert torch.equal(a_val.images, train_X[val_idx]) and torch.equal(a_val.labels, train_y[val_idx])
    val_rows = {bytes(x.numpy()) for x in a_val.images}
    assert not any(bytes(x.numpy()) in val_rows for x in a_train.images[:2000])
    first = [y for _, y in a_val]
    assert torch.equal(torch.cat(first), torch.cat([y for _, y in a_val]))  # no shuffling
    assert not torch.equal(next(iter(a_train))[1], next(iter(b_train))[1])  # seed shuffles
