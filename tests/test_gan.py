"""Tests of ganbook.gan (chapter 5): configuration, shapes, the train step and its hooks, resume.

The code that chapter 5 teaches lives in the notebook and is exported into ganbook.gan;
tests/test_export.py checks that the export is current.
"""

from __future__ import annotations

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

TINY = dict(
    width=4,
    latent_dim=8,
    batch_size=32,
    jit_compile=False,
    steps_per_execution=2,
    steps_per_epoch=4,
)


def _images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def _config(**changes) -> DCGANConfig:
    return DCGANConfig(**{**TINY, "epochs": 1, **changes})


# --------------------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------------------


def test_generator_maps_noise_to_images_in_range():
    generator = build_generator(LATENT_DIM, width=8)
    z = np.random.default_rng(0).normal(size=(5, LATENT_DIM))
    images = keras.ops.convert_to_numpy(generator(z))
    assert images.shape == (5, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_discriminator_outputs_one_logit_per_image():
    logits = keras.ops.convert_to_numpy(build_discriminator(width=8)(_images(3)))
    assert logits.shape == (3, 1)
    assert logits.dtype == np.float32


# --------------------------------------------------------------------------------------------------
# Configuration and data
# --------------------------------------------------------------------------------------------------


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
        ({"steps_per_epoch": 0}, "steps_per_epoch"),
        ({"steps_per_epoch": 70, "steps_per_execution": 16}, "steps_per_epoch"),
        ({"colour": True}, "changes"),
    ],
)
def test_chapter5_config_rejects_bad_values(changes, name):
    with pytest.raises(ValueError, match=name):
        chapter5_config(**changes)


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"width": True}, "width"),
        ({"latent_dim": "8"}, "latent_dim"),
        ({"epochs": 2.0}, "epochs"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"beta_1": np.float64("nan")}, "beta_1"),
        ({"jit_compile": "yes"}, "jit_compile"),
        ({"mixed_precision": 1}, "mixed_precision"),
        ({"dataset": ["mnist"]}, "dataset"),
    ],
)
def test_config_checks_every_field(changes, name):
    with pytest.raises(ValueError, match=name):
        DCGANConfig(**changes)


def test_config_accepts_numpy_numbers_and_stores_python_ones():
    config = DCGANConfig(
        epochs=np.int64(3),
        batch_size=np.int32(16),
        learning_rate=np.float32(0.5),
        beta_1=np.float64(0.25),
        latent_dim=np.uint8(8),
        seed=np.uint32(7),
        jit_compile=np.bool_(False),
    )
    assert (config.epochs, config.batch_size, config.latent_dim, config.seed) == (3, 16, 8, 7)
    assert type(config.epochs) is int and type(config.seed) is int
    assert type(config.learning_rate) is float and config.learning_rate == 0.5
    assert config.jit_compile is False
    assert chapter5_config(batch_size=np.int64(32)).batch_size == 32


def test_make_dataset_keeps_the_last_small_batch():
    sizes = [int(batch.shape[0]) for batch in make_dataset(_images(70), batch_size=32)]
    assert sizes == [32, 32, 6]


# --------------------------------------------------------------------------------------------------
# The GAN model and its train step
# --------------------------------------------------------------------------------------------------


def test_train_step_updates_both_networks_and_reports_metrics():
    gan = build_gan(_config())
    d_before = [v.numpy().copy() for v in gan.discriminator.trainable_variables]
    g_before = [v.numpy().copy() for v in gan.generator.trainable_variables]
    history = gan.fit(make_dataset(_images(70), 32), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(values[0]) for values in history.history.values())
    assert 0.0 <= history.history["d_acc_real"][0] <= 1.0
    for before, network in ((d_before, gan.discriminator), (g_before, gan.generator)):
        after = network.trainable_variables
        assert any(np.abs(a - b.numpy()).max() > 0 for a, b in zip(before, after, strict=True))
    assert gan.steps_per_execution == _config().steps_per_execution
    assert int(gan.d_optimizer.iterations.numpy()) == 3  # batches of 32, 32 and 6
    assert int(gan.g_optimizer.iterations.numpy()) == 3


def _compiled(model_class: type[GAN], config: DCGANConfig) -> GAN:
    """A ``model_class`` with the networks and optimisers that build_gan makes for ``config``."""
    gan = build_gan(config)
    model = model_class(gan.generator, gan.discriminator, config.latent_dim, seed=config.seed)
    model.compile(gan.d_optimizer, gan.g_optimizer, gan.loss_fn, jit_compile=config.jit_compile)
    return model


class _ConstantPenalty(GAN):
    def discriminator_penalty(self, real, fake):
        return 5.0  # shifts D's loss, changes no gradient


class _SaturatingGenerator(GAN):
    def generator_loss(self, fake_logits):
        return -self.loss_fn(keras.ops.zeros_like(fake_logits), fake_logits)  # log(1 - D(G(z)))


def test_the_losses_are_hooks_of_one_train_step():
    config = _config()
    data = tf.data.Dataset.from_tensor_slices(_images(64)).batch(32)
    logs = {}
    for model_class in (GAN, _ConstantPenalty, _SaturatingGenerator):
        model = _compiled(model_class, config)
        history = model.fit(data, epochs=1, verbose=0).history
        logs[model_class] = {name: values[0] for name, values in history.items()}
    plain, penalised, saturating = logs[GAN], logs[_ConstantPenalty], logs[_SaturatingGenerator]
    assert penalised["d_loss"] == pytest.approx(plain["d_loss"] + 5.0, abs=1e-5)
    assert penalised["g_loss"] == pytest.approx(plain["g_loss"], abs=1e-6)  # same gradients
    assert saturating["g_loss"] < 0 < plain["g_loss"]


def test_mixed_precision_wraps_the_optimisers():
    gan = build_gan(_config(mixed_precision=True))
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert gan.generator.layers[0].compute_dtype == "float16"
    assert gan.generator.layers[-1].compute_dtype == "float32"
    assert keras.config.dtype_policy().name == "float32"


def test_mixed_precision_step_scales_the_losses_and_trains():
    gan = build_gan(_config(mixed_precision=True))
    scale = float(gan.d_optimizer.scale_loss(1.0))
    assert scale > 1  # the loss is scaled up before the gradient, and the gradient back down
    history = gan.fit(make_dataset(_images(64), 32), epochs=1, verbose=0).history
    assert all(np.isfinite(values[0]) for values in history.values())
    # Each of the 2 steps is applied or, when float16 gradients overflow, skipped with the loss
    # scale halved; Keras 3.8 counts applied steps only in the wrapped optimiser.
    halvings = np.log2(scale / float(gan.g_optimizer.scale_loss(1.0)))
    applied = int(gan.g_optimizer.inner_optimizer.iterations.numpy())
    assert applied + round(halvings) == 2


# --------------------------------------------------------------------------------------------------
# Callbacks: interrupt, resume, sample grid
# --------------------------------------------------------------------------------------------------


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
        callbacks = [recorder, _DisconnectAfter(1)]
        train_dcgan(config, images, callbacks=callbacks, checkpoint_dir=tmp_path / "ckpt")
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
    second.fit(
        data, epochs=3, initial_epoch=checkpoint.initial_epoch, callbacks=[checkpoint], verbose=0
    )
    for network in ("generator", "discriminator"):
        weights = getattr(straight, network).weights, getattr(second, network).weights
        for a, b in zip(*weights, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


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


# --------------------------------------------------------------------------------------------------
# The saved generator
# --------------------------------------------------------------------------------------------------


def test_load_or_train_dcgan_generator_trains_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    monkeypatch.setattr(gan_module, "chapter5_config", lambda: _config(latent_dim=LATENT_DIM))
    fake_data = type("Data", (), {"images": _images(64)})
    monkeypatch.setattr(gan_module, "load_images", lambda dataset, split, **options: fake_data)
    trained = load_or_train_dcgan_generator()
    run = f"dcgan-{gan_module.config_fingerprint(_config(latent_dim=LATENT_DIM))}"
    path = tmp_path / "quick" / run / "dcgan_generator.keras"
    assert path.exists()
    assert not list(path.parent.glob(".*tmp*"))
    loaded = load_or_train_dcgan_generator()
    z = np.random.default_rng(0).normal(size=(4, LATENT_DIM)).astype("float32")
    out = keras.ops.convert_to_numpy(loaded(z))
    assert out.shape == (4, 28, 28, 1)
    assert out.min() >= -1.0 and out.max() <= 1.0
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(trained(z)), atol=1e-6)
