"""Training plumbing of chapters 5 and 6: a NaN stops training and never reaches a checkpoint,
a checkpoint belongs to its configuration, and both chapters compile from one configuration.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganbook import cgan
from ganbook import gan as gan_module
from ganbook.gan import (
    CheckpointAndResume,
    DCGANConfig,
    StopOnNaN,
    build_gan,
    config_fingerprint,
    fit_gan,
    make_dataset,
    run_dir,
    train_dcgan,
)

TINY = dict(
    width=4,
    latent_dim=8,
    batch_size=16,
    jit_compile=False,
    steps_per_execution=2,
    steps_per_epoch=4,
)


def _config(**changes) -> DCGANConfig:
    return DCGANConfig(**{**TINY, "epochs": 1, **changes})


def _images(count: int = 64) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


class _PoisonAtEpoch(keras.callbacks.Callback):
    """Sets one weight of D to NaN when ``epoch`` begins: every loss after it is NaN."""

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            kernel = self.model.discriminator.trainable_variables[0]
            kernel.assign(tf.fill(kernel.shape, math.nan))


# --------------------------------------------------------------------------------------------------
# A NaN stops training; the last good checkpoint survives
# --------------------------------------------------------------------------------------------------


def test_keras_terminate_on_nan_does_not_see_a_gan_nan():
    """Why the book has its own callback: Keras's reads logs["loss"], which a GAN never logs."""
    gan = build_gan(_config(epochs=2))
    dataset = make_dataset(_images(), 16).repeat()
    terminate = keras.callbacks.TerminateOnNaN()
    gan.fit(
        dataset,
        epochs=2,
        steps_per_epoch=4,
        callbacks=[_PoisonAtEpoch(0), terminate],
        verbose=0,
        shuffle=False,
    )
    assert int(gan.d_optimizer.iterations.numpy()) == 8  # ran to the end on NaN losses


def test_a_nan_stops_fit_and_the_last_finite_checkpoint_stays(tmp_path):
    config = _config(epochs=4)
    folder = tmp_path / "run"
    stop = StopOnNaN()
    gan = build_gan(config)
    logs = fit_gan(
        gan,
        config,
        make_dataset(_images(), 16),
        callbacks=[_PoisonAtEpoch(2), stop],
        checkpoint_dir=folder,
    )
    # fit_gan adds its own StopOnNaN; ours sees the same batches and records where it stopped:
    # after the first execution of 2 steps in epoch 2 (Keras 3.8 numbers it by its first batch)
    assert stop.stopped_at in ((2, 0), (2, 1))
    assert int(gan.d_optimizer.iterations.numpy()) == 2 * 4 + 2  # stopped, not run to the end
    assert sorted(logs) == [0, 1]
    state = tf.train.get_checkpoint_state(str(folder))
    assert state.model_checkpoint_path.endswith("ckpt-2")  # the NaN epoch was not saved

    resumed = build_gan(config)
    checkpoint = CheckpointAndResume(folder, resumed)
    assert checkpoint.initial_epoch == 2  # the epoch counter did not advance past the NaN
    assert sorted(checkpoint.history) == [0, 1]
    for weight in resumed.generator.weights + resumed.discriminator.weights:
        assert np.all(np.isfinite(weight.numpy())), weight.path
    assert int(resumed.d_optimizer.iterations.numpy()) == 2 * 4


def test_stop_on_nan_ignores_finite_losses():
    _, logs = train_dcgan(_config(epochs=2), _images())
    assert sorted(logs) == [0, 1]
    assert all(math.isfinite(value) for epoch in logs.values() for value in epoch.values())


# --------------------------------------------------------------------------------------------------
# A checkpoint belongs to its configuration
# --------------------------------------------------------------------------------------------------


def test_fingerprint_separates_configurations_but_not_epochs():
    base = _config()
    assert config_fingerprint(base) == config_fingerprint(_config())
    assert config_fingerprint(base) == config_fingerprint(_config(epochs=9))  # more epochs resume
    for changes in (
        {"dataset": "fashion_mnist"},
        {"width": 6},
        {"seed": 1},
        {"learning_rate": 2e-4},
        {"mixed_precision": True},
    ):
        assert config_fingerprint(_config(**changes)) != config_fingerprint(base), changes


@pytest.mark.parametrize("changes", [{"dataset": "fashion_mnist"}, {"width": 6}])
def test_another_configuration_starts_fresh(tmp_path, monkeypatch, changes):
    """Today's bug: a new data set restored the finished MNIST run; a new width crashed."""
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    finished = _config(epochs=2)
    train_dcgan(finished, _images(), checkpoint_dir=run_dir("dcgan", finished))
    other = _config(epochs=2, **changes)
    assert run_dir("dcgan", other) != run_dir("dcgan", finished)
    gan, logs = train_dcgan(other, _images(), checkpoint_dir=run_dir("dcgan", other))
    assert sorted(logs) == [0, 1]  # trained both epochs itself
    assert int(gan.d_optimizer.iterations.numpy()) == 2 * 4
    again, logs = train_dcgan(finished, _images(), checkpoint_dir=run_dir("dcgan", finished))
    assert int(again.d_optimizer.iterations.numpy()) == 2 * 4  # restored, nothing retrained


def test_run_dir_names_the_kind_and_the_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    folder = run_dir("cgan", _config())
    assert folder == tmp_path / f"cgan-{config_fingerprint(_config())}"
    assert folder.is_dir()


# --------------------------------------------------------------------------------------------------
# One compile-from-configuration path for chapters 5 and 6; a budget in steps, not data
# --------------------------------------------------------------------------------------------------


def _steps_taken_or_skipped(optimizer) -> int:
    """Steps applied, plus those a loss-scale optimiser skipped (each halves its scale).

    Keras 3.8 counts the applied steps only in the wrapped optimiser's ``iterations``.
    """
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return int(optimizer.iterations.numpy())
    halvings = math.log2(LOSS_SCALE_START / float(optimizer.scale_loss(1.0)))
    return int(optimizer.inner_optimizer.iterations.numpy()) + round(halvings)


LOSS_SCALE_START = 2.0**15  # LossScaleOptimizer's initial_scale


@pytest.mark.parametrize("mixed_precision", [False, True])
def test_both_chapters_compile_alike_from_one_configuration(mixed_precision):
    config = _config(steps_per_execution=4, steps_per_epoch=4, mixed_precision=mixed_precision)
    labels = np.random.default_rng(1).integers(0, 10, 64)
    models = {
        "dcgan": train_dcgan(config, _images())[0],
        "cgan": cgan.train_cgan(config, _images(), labels),
    }
    for name, model in models.items():
        assert model.steps_per_execution == 4, name
        assert model.jit_compile is False, name
        wrapped = isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
        assert wrapped == mixed_precision, name
        assert _steps_taken_or_skipped(model.d_optimizer) == 4, name
        assert float(model.d_optimizer.learning_rate.numpy()) == pytest.approx(1e-3), name
        dtype = model.discriminator.layers[1].compute_dtype
        assert dtype == ("float16" if mixed_precision else "float32"), (name, dtype)
        assert model.discriminator.layers[-1].compute_dtype == "float32", name  # the logit
    assert keras.config.dtype_policy().name == "float32"


@pytest.mark.parametrize("count", [40, 400])
def test_the_budget_is_the_same_whatever_the_size_of_the_data(count):
    gan, logs = train_dcgan(_config(epochs=2), _images(count))
    assert int(gan.d_optimizer.iterations.numpy()) == 2 * TINY["steps_per_epoch"]
    assert sorted(logs) == [0, 1]


def test_generator_file_lives_in_the_run_folder_of_its_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    config = _config(latent_dim=gan_module.LATENT_DIM)
    monkeypatch.setattr(gan_module, "chapter5_config", lambda: config)
    fake = type("Data", (), {"images": _images()})
    monkeypatch.setattr(gan_module, "load_images", lambda dataset, split, **options: fake)
    gan_module.load_or_train_dcgan_generator()
    expected = tmp_path / "quick" / f"dcgan-{config_fingerprint(config)}" / "dcgan_generator.keras"
    assert expected.exists()
