"""Unit tests of ganbook.config: quick mode, choose, seeding, the artifacts folder."""

import random

import numpy as np
import pytest

from ganbook import artifacts_dir, choose, is_quick, seed_everything


@pytest.mark.parametrize(
    "value, expected",
    [("1", True), ("true", True), ("ON", True), ("0", False), ("", False), ("no", False)],
)
def test_is_quick_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("GANBOOK_QUICK", value)
    assert is_quick() is expected


def test_is_quick_off_when_unset(monkeypatch):
    monkeypatch.delenv("GANBOOK_QUICK", raising=False)
    assert is_quick() is False


def test_is_quick_rejects_unknown_values(monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "maybe")
    with pytest.raises(ValueError, match="GANBOOK_QUICK"):
        is_quick()


def test_choose_follows_quick_mode(monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    assert choose(full=30, quick=1) == 1
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    assert choose(full=30, quick=1) == 30
    assert choose(full=0.5, quick=2) == 0.5


@pytest.mark.parametrize("full, quick", [(30, "1"), (True, 1), (1, False), ([1], (1,))])
def test_choose_rejects_mismatched_kinds(full, quick):
    with pytest.raises(ValueError, match="full and quick"):
        choose(full=full, quick=quick)


def test_choose_mixes_python_and_numpy_numbers(monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    assert choose(full=np.int64(30), quick=1) == 1
    assert choose(full=30, quick=np.float32(0.5)) == np.float32(0.5)


def test_seed_everything_repeats_numbers():
    import keras

    draws = []
    for _ in range(2):
        seed_everything(7)
        draws.append((random.random(), np.random.rand(), float(keras.random.uniform(()))))
    assert draws[0] == draws[1]
    seed_everything(8)
    assert np.random.rand() != draws[0][1]


def test_seed_everything_accepts_numpy_integers():
    assert seed_everything(np.int64(7)) == 7 and type(seed_everything(np.uint32(7))) is int


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True, np.bool_(True), None])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        seed_everything(seed)


def test_artifacts_dir_uses_environment_and_quick_subfolder(monkeypatch, tmp_path):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    assert artifacts_dir() == tmp_path
    assert artifacts_dir("samples") == tmp_path / "samples" and (tmp_path / "samples").is_dir()
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    assert artifacts_dir() == tmp_path / "quick"


def test_artifacts_dir_defaults_beside_the_notebook(monkeypatch, tmp_path):
    monkeypatch.delenv("GANBOOK_ARTIFACTS", raising=False)
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    monkeypatch.chdir(tmp_path)
    assert artifacts_dir().resolve() == (tmp_path / "_artifacts").resolve()


@pytest.mark.parametrize("subdir", ["", "   ", "../escape", "/abs", 3])
def test_artifacts_dir_rejects_bad_subdirs(monkeypatch, tmp_path, subdir):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    with pytest.raises(ValueError, match="subdir"):
        artifacts_dir(subdir)


def test_machine_names_cores_and_gpus(monkeypatch):
    import os

    import tensorflow as tf

    from ganbook import machine

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert machine() == f"{cores} CPU cores, no GPU"
    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [gpu, gpu])
    details = {"device_name": "NVIDIA H200"}
    monkeypatch.setattr(tf.config.experimental, "get_device_details", lambda device: details)
    assert machine() == f"{cores} CPU cores, 2 GPUs (NVIDIA H200)"
    assert machine().translations == {"zh_CN": f"{cores} 个 CPU 核心，2 个 GPU（NVIDIA H200）"}


def test_the_gpu_timing_note_says_whether_a_gpu_timed_the_run(monkeypatch):
    import tensorflow as tf

    from ganbook import gpu_timing_note

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [])
    note = gpu_timing_note()
    assert "not measured" in note and "没有 GPU" in note.translations["zh_CN"]
    gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: [gpu])
    note = gpu_timing_note()
    assert "is a GPU time" in note and "GPU 上的时间" in note.translations["zh_CN"]


def test_google_drive_does_nothing_outside_colab(monkeypatch, tmp_path):
    import sys

    from ganbook.config import use_google_drive

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    assert use_google_drive(True) is None
    assert use_google_drive(False) is None
    assert artifacts_dir() == tmp_path / "quick"  # conftest's quick mode; the root unchanged


def test_google_drive_in_colab_mounts_and_moves_the_artifacts(monkeypatch, tmp_path):
    """In Colab (a stand-in module here) it mounts Drive and points GANBOOK_ARTIFACTS there."""
    import sys
    import types

    from ganbook import config as config_module

    mounted = []
    drive = types.SimpleNamespace(mount=mounted.append)
    colab = types.ModuleType("google.colab")
    colab.drive = drive
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(config_module, "DRIVE_MOUNT", str(tmp_path / "drive"))
    monkeypatch.setenv("GANBOOK_ARTIFACTS", "_artifacts")
    assert config_module.use_google_drive(False) is None  # off unless the reader asks
    assert mounted == []
    root = config_module.use_google_drive(True, folder="book")
    assert mounted == [str(tmp_path / "drive")]
    assert root == tmp_path / "drive" / "MyDrive" / "book" and root.is_dir()
    assert artifacts_dir() == root / "quick"
