"""Tests of ganbook.gan (chapter 5): the notebook's copies, shapes, the train step, resume, saving."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganbook import gan as gan_module
from ganbook.gan import (
    GAN,
    LATENT_DIM,
    CheckpointAndResume,
    DCGANConfig,
    SampleGrid,
    build_discriminator,
    build_gan,
    build_generator,
    chapter5_config,
    load_or_train_dcgan_generator,
    make_dataset,
    train_dcgan,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "05_dcgan.ipynb"
TAUGHT_IN_FULL = [
    make_dataset,
    build_generator,
    build_discriminator,
    GAN,
    SampleGrid,
    CheckpointAndResume,
    build_gan,
    train_dcgan,
]
TINY = dict(width=4, latent_dim=8, batch_size=32, jit_compile=False)


def _notebook_definitions() -> dict[str, list[str]]:
    """Source of every top-level def/class in the notebook's code cells, by name."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    found: dict[str, list[str]] = {}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.setdefault(node.name, []).append(ast.get_source_segment(source, node, padded=True))
    return found


@pytest.mark.parametrize("obj", TAUGHT_IN_FULL, ids=lambda obj: obj.__name__)
def test_notebook_teaches_the_same_code_as_ganbook(obj):
    definitions = _notebook_definitions()
    assert obj.__name__ in definitions, f"chapter 5 must define {obj.__name__} in full"
    assert len(definitions[obj.__name__]) == 1, f"chapter 5 defines {obj.__name__} more than once"
    assert definitions[obj.__name__][0].strip() == inspect.getsource(obj).strip(), (
        f"{obj.__name__} in book/05_dcgan.ipynb differs from ganbook/gan.py: copy one into the other"
    )


def _images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def _config(**changes) -> DCGANConfig:
    return DCGANConfig(**{**TINY, "epochs": 1, **changes})


# ---------------------------------------------------------------------------------------------------
# Networks
# ---------------------------------------------------------------------------------------------------


def test_generator_maps_noise_to_images_in_range():
    generator = build_generator(LATENT_DIM, width=8)
    images = keras.ops.convert_to_numpy(generator(np.random.default_rng(0).normal(size=(5, LATENT_DIM))))
    assert images.shape == (5, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_discriminator_outputs_one_logit_per_image():
    logits = keras.ops.convert_to_numpy(build_discriminator(width=8)(_images(3)))
    assert logits.shape == (3, 1)
    assert logits.dtype == np.float32


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "8"])
def test_builders_reject_bad_sizes(bad):
    with pytest.raises(ValueError, match="latent_dim"):
        build_generator(bad)
    with pytest.raises(ValueError, match="width"):
        build_generator(8, width=bad)
    with pytest.raises(ValueError, match="width"):
        build_discriminator(width=bad)


# ---------------------------------------------------------------------------------------------------
# Configuration and data
# ---------------------------------------------------------------------------------------------------


def test_chapter5_config_quick_and_full(monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    assert chapter5_config().epochs == gan_module.QUICK_EPOCHS
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    assert chapter5_config().epochs == gan_module.FULL_EPOCHS
    assert chapter5_config(dataset="fashion_mnist").dataset == "fashion_mnist"
    assert chapter5_config(epochs=3).epochs == 3


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"dataset": "cifar10"}, "dataset"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"beta_1": 1.0}, "beta_1"),
        ({"seed": -1}, "seed"),
        ({"steps_per_execution": 0}, "steps_per_execution"),
        ({"colour": True}, "changes"),
    ],
)
def test_chapter5_config_rejects_bad_values(changes, name):
    with pytest.raises(ValueError, match=name):
        chapter5_config(**changes)


def test_make_dataset_keeps_the_last_small_batch():
    sizes = [int(batch.shape[0]) for batch in make_dataset(_images(70), batch_size=32)]
    assert sizes == [32, 32, 6]


def test_make_dataset_rejects_bad_input():
    with pytest.raises(ValueError, match="images"):
        make_dataset(np.zeros((4, 28, 28)), 2)
    with pytest.raises(ValueError, match="batch_size"):
        make_dataset(_images(4), 0)


def test_build_gan_rejects_a_non_config():
    with pytest.raises(ValueError, match="config"):
        build_gan({"epochs": 1})


# ---------------------------------------------------------------------------------------------------
# The GAN model and its train step
# ---------------------------------------------------------------------------------------------------


def test_train_step_updates_both_networks_and_reports_metrics():
    gan = build_gan(_config())
    d_before = [v.numpy().copy() for v in gan.discriminator.trainable_variables]
    g_before = [v.numpy().copy() for v in gan.generator.trainable_variables]
    history = gan.fit(make_dataset(_images(70), 32), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(values[0]) for values in history.history.values())
    assert 0.0 <= history.history["d_acc_real"][0] <= 1.0
    assert any(np.abs(a - b.numpy()).max() > 0 for a, b in zip(d_before, gan.discriminator.trainable_variables))
    assert any(np.abs(a - b.numpy()).max() > 0 for a, b in zip(g_before, gan.generator.trainable_variables))
    assert gan.steps_per_execution == _config().steps_per_execution
    assert int(gan.d_optimizer.iterations.numpy()) == 3  # batches of 32, 32 and 6
    assert int(gan.g_optimizer.iterations.numpy()) == 3


def test_gan_rejects_bad_latent_dim():
    with pytest.raises(ValueError, match="latent_dim"):
        GAN(build_generator(8, 4), build_discriminator(4), latent_dim=0)


def test_mixed_precision_wraps_the_optimisers():
    gan = build_gan(_config(mixed_precision=True))
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert gan.generator.layers[0].compute_dtype == "float16"
    assert gan.generator.layers[-1].compute_dtype == "float32"
    assert keras.config.dtype_policy().name == "float32"


# ---------------------------------------------------------------------------------------------------
# Callbacks: interrupt, resume, sample grid
# ---------------------------------------------------------------------------------------------------


class _Disconnect(Exception):
    pass


class _DisconnectAfter(keras.callbacks.Callback):
    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise _Disconnect


class _EpochRecorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs: list[int] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_interrupted_training_resumes_without_losing_or_repeating_epochs(tmp_path):
    config = _config(epochs=4)
    images = _images(128)  # 4 steps per epoch
    recorder = _EpochRecorder()
    with pytest.raises(_Disconnect):
        train_dcgan(config, images, callbacks=[recorder, _DisconnectAfter(1)], checkpoint_dir=tmp_path / "ckpt")
    assert recorder.epochs == [0, 1]

    resumed = _EpochRecorder()
    gan, logs = train_dcgan(config, images, callbacks=[resumed], checkpoint_dir=tmp_path / "ckpt")
    assert resumed.epochs == [2, 3]
    assert sorted(logs) == [0, 1, 2, 3]
    assert int(gan.d_optimizer.iterations.numpy()) == 16
    assert int(gan.g_optimizer.iterations.numpy()) == 16

    again = _EpochRecorder()
    _, logs = train_dcgan(config, images, callbacks=[again], checkpoint_dir=tmp_path / "ckpt")
    assert again.epochs == []
    assert sorted(logs) == [0, 1, 2, 3]


def test_resumed_run_matches_an_uninterrupted_one_exactly(tmp_path):
    """With the data in a fixed order, interrupt + resume gives the very same weights."""
    config = _config(epochs=3)
    data = tf.data.Dataset.from_tensor_slices(_images(96)).batch(32)

    straight = build_gan(config)
    straight.fit(data, epochs=3, verbose=0)

    first = build_gan(config)
    checkpoint = CheckpointAndResume(tmp_path, first)
    with pytest.raises(_Disconnect):
        first.fit(data, epochs=3, callbacks=[checkpoint, _DisconnectAfter(0)], verbose=0)
    second = build_gan(config)
    checkpoint = CheckpointAndResume(tmp_path, second)
    assert checkpoint.initial_epoch == 1
    assert int(second.g_optimizer.iterations.numpy()) == 3
    second.fit(data, epochs=3, initial_epoch=checkpoint.initial_epoch, callbacks=[checkpoint], verbose=0)
    for network in ("generator", "discriminator"):
        for a, b in zip(getattr(straight, network).weights, getattr(second, network).weights):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_checkpoint_requires_a_compiled_gan(tmp_path):
    with pytest.raises(ValueError, match="gan"):
        CheckpointAndResume(tmp_path, build_generator(8, 4))
    with pytest.raises(ValueError, match="gan"):
        CheckpointAndResume(tmp_path, GAN(build_generator(8, 4), build_discriminator(4), latent_dim=8))


def test_sample_grid_keeps_fixed_noise_frames_across_runs(tmp_path):
    config = _config(epochs=2)
    path = tmp_path / "samples.npz"
    grid = SampleGrid(config.latent_dim, count=6, path=path)
    train_dcgan(config, _images(64), callbacks=[grid])
    assert sorted(grid.frames) == [0, 1]
    assert grid.frames[1].shape == (6, 28, 28, 1)
    reloaded = SampleGrid(config.latent_dim, count=6, path=path)
    assert sorted(reloaded.frames) == [0, 1]
    np.testing.assert_array_equal(reloaded.noise, grid.noise)
    assert not list(tmp_path.glob(".*tmp*"))
    with pytest.raises(ValueError, match="count"):
        SampleGrid(8, count=0)


# ---------------------------------------------------------------------------------------------------
# The saved generator
# ---------------------------------------------------------------------------------------------------


def test_load_or_train_dcgan_generator_trains_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    monkeypatch.setattr(gan_module, "chapter5_config", lambda: _config(latent_dim=LATENT_DIM))
    monkeypatch.setattr(gan_module, "load_images", lambda dataset, split: type("D", (), {"images": _images(64)}))
    trained = load_or_train_dcgan_generator()
    path = tmp_path / "quick" / "dcgan_generator.keras"
    assert path.exists()
    assert not list(path.parent.glob(".*tmp*"))
    loaded = load_or_train_dcgan_generator()
    z = np.random.default_rng(0).normal(size=(4, LATENT_DIM)).astype("float32")
    out = keras.ops.convert_to_numpy(loaded(z))
    assert out.shape == (4, 28, 28, 1)
    assert out.min() >= -1.0 and out.max() <= 1.0
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(trained(z)), atol=1e-6)
