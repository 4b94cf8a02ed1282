"""The Keras 3 DCGAN of chapter 5: networks, the ``GAN`` model, its callbacks and a trained generator.

Introduced in chapter 5 (DCGAN in Keras 3), which shows the networks, the ``GAN`` model, its callbacks,
the input pipeline, ``build_gan`` and ``train_dcgan`` in full; a test (``tests/test_gan.py``) keeps the
notebook's copies and these identical. Later chapters import them from
here instead of copying them. Convention throughout: real = 1, fake = 0, and the discriminator outputs
a logit (its probability is the sigmoid of it), so every loss uses ``from_logits=True``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganbook.config import artifacts_dir, choose, seed_everything
from ganbook.data import load_images

LATENT_DIM = 64
"""Size of the generator's input noise vector z (chapter 5)."""

GENERATOR_FILE = "dcgan_generator.keras"
FULL_EPOCHS = 50
QUICK_EPOCHS = 2


# --------------------------------------------------------------------------------------------------
# The two networks
# --------------------------------------------------------------------------------------------------


def build_generator(latent_dim: int = LATENT_DIM, width: int = 32) -> keras.Model:
    """The DCGAN generator of chapter 5: noise (N, latent_dim) to images (N, 28, 28, 1) in [-1, 1].

    A dense layer makes a 7x7 feature map; two stride-2 transposed convolutions double it to 14x14
    and 28x28. Batch normalisation and LeakyReLU in between, tanh at the end (Radford et al. 2016).
    ``width`` is the number of channels at 14x14 (twice that at 7x7).
    """
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive integer; got {latent_dim!r}")
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer; got {width!r}")
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 2 * width, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, 2 * width)),
            layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", dtype="float32"),
        ],
        name="generator",
    )


def build_discriminator(width: int = 32) -> keras.Model:
    """The DCGAN discriminator of chapter 5: images (N, 28, 28, 1) to one logit each, shape (N, 1).

    Two stride-2 convolutions (28 -> 14 -> 7) with LeakyReLU, no batch normalisation (so real and
    fake batches can go through it separately), then one dense unit. Its output is a logit.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a positive integer; got {width!r}")
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(2 * width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dense(1, dtype="float32"),
        ],
        name="discriminator",
    )


# --------------------------------------------------------------------------------------------------
# The model: one adversarial training step per batch
# --------------------------------------------------------------------------------------------------


class GAN(keras.Model):
    """A generator and a discriminator trained against each other by ``fit`` (chapter 5).

    ``compile(d_optimizer, g_optimizer, loss_fn)`` takes one optimiser per network; ``train_step``
    makes one discriminator step and one generator step (non-saturating loss) per batch of real images.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive integer; got {latent_dim!r}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy = keras.metrics.BinaryAccuracy(name="d_acc_real", threshold=0.0)
        self.fake_accuracy = keras.metrics.BinaryAccuracy(name="d_acc_fake", threshold=0.0)

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs):
        super().compile(**kwargs)
        if self.dtype_policy.name == "mixed_float16":
            d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer)
            g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.real_accuracy, self.fake_accuracy]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def sample_noise(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed)

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]

        # 1. Discriminator: push D(x) up on real images (label 1) and down on generated ones (label 0).
        fake_images = self.generator(self.sample_noise(batch_size), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            d_loss = self.loss_fn(ops.ones_like(real_logits), real_logits) + self.loss_fn(
                ops.zeros_like(fake_logits), fake_logits
            )
            scaled_loss = self.d_optimizer.scale_loss(d_loss)
        d_weights = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, d_weights), d_weights))

        # 2. Generator: fresh noise, non-saturating loss -log D(G(z)), i.e. label the fakes 1.
        with tf.GradientTape() as tape:
            logits = self.discriminator(self.generator(self.sample_noise(batch_size), training=True), training=True)
            g_loss = self.loss_fn(ops.ones_like(logits), logits)
            scaled_loss = self.g_optimizer.scale_loss(g_loss)
        g_weights = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, g_weights), g_weights))

        return self.record_step(d_loss, g_loss, real_logits, fake_logits)

    def record_step(self, d_loss, g_loss, real_logits, fake_logits):
        # Update the trackers (D's accuracy with real = 1, fake = 0) and return what fit displays.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_accuracy.update_state(ops.ones_like(real_logits), real_logits)
        self.fake_accuracy.update_state(ops.zeros_like(fake_logits), fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}


# --------------------------------------------------------------------------------------------------
# Callbacks: a sample grid from a fixed latent batch; checkpoint and resume
# --------------------------------------------------------------------------------------------------


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, generate images from one fixed latent batch and keep them (chapter 5).

    The same noise every epoch makes the frames comparable: played in order, they show the generator
    learning. With a ``path`` (an ``.npz`` file) the frames are saved after each epoch and loaded on
    creation, so a resumed run keeps the frames of the epochs before the interruption.
    """

    def __init__(self, latent_dim: int, count: int = 64, seed: int = 1234, path: str | os.PathLike | None = None):
        super().__init__()
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be a positive integer; got {count!r}")
        self.noise = np.random.default_rng(seed).standard_normal((count, latent_dim)).astype("float32")
        self.path = None if path is None else Path(path)
        self.frames = {}
        if self.path is not None and self.path.exists():
            with np.load(self.path) as saved:
                self.frames = {int(key.removeprefix("epoch_")): saved[key] for key in saved.files}

    def on_epoch_end(self, epoch, logs=None):
        images = self.model.generator(self.noise, training=False)
        self.frames[epoch] = ops.convert_to_numpy(images)
        if self.path is not None:
            temporary = self.path.with_name(f".{self.path.stem}.tmp-{os.getpid()}.npz")
            np.savez_compressed(temporary, **{f"epoch_{e}": frame for e, frame in self.frames.items()})
            os.replace(temporary, self.path)


class CheckpointAndResume(keras.callbacks.Callback):
    """Checkpoint G, D, both optimisers, the noise state and the epoch counter after each epoch (chapter 5).

    Create it after ``compile``: it restores the latest checkpoint in ``directory`` if there is one.
    Pass ``initial_epoch=callback.initial_epoch`` to ``fit`` and training continues from the last
    completed epoch, optimiser moments and step counters intact. ``history`` maps every completed
    epoch, including those before an interruption, to its logs.
    """

    def __init__(self, directory: str | os.PathLike, gan: GAN, max_to_keep: int = 2):
        super().__init__()
        if not isinstance(gan, GAN) or not hasattr(gan, "d_optimizer"):
            raise ValueError(f"gan must be a compiled GAN; got {gan!r}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epochs_completed")
        gan.d_optimizer.build(gan.discriminator.trainable_variables)
        gan.g_optimizer.build(gan.generator.trainable_variables)
        self.checkpoint = tf.train.Checkpoint(
            generator=gan.generator,
            discriminator=gan.discriminator,
            d_optimizer=gan.d_optimizer,
            g_optimizer=gan.g_optimizer,
            noise_state=gan.noise_seed.state,
            epoch=self.epoch,
        )
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory), max_to_keep=max_to_keep)
        if self.manager.latest_checkpoint:
            self.checkpoint.restore(self.manager.latest_checkpoint).assert_existing_objects_matched()
        self.initial_epoch = int(self.epoch.numpy())
        self.history_path = self.directory / "history.json"
        self.history = {}
        if self.history_path.exists():
            saved = json.loads(self.history_path.read_text())
            self.history = {int(e): logs for e, logs in saved.items() if int(e) < self.initial_epoch}

    def on_epoch_end(self, epoch, logs=None):
        self.history[epoch] = {name: float(value) for name, value in (logs or {}).items()}
        temporary = self.history_path.with_name(f".history.tmp-{os.getpid()}.json")
        temporary.write_text(json.dumps(self.history, indent=1))
        os.replace(temporary, self.history_path)
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)


# --------------------------------------------------------------------------------------------------
# Chapter 5's configuration, input pipeline and training run
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DCGANConfig:
    """Everything that defines chapter 5's training run (chapter 5).

    ``dataset`` is "mnist" or "fashion_mnist" (offline, both fall back to the bundled digits);
    ``jit_compile`` switches XLA compilation of the train step; ``steps_per_execution`` is the number
    of batches ``fit`` runs per call of the compiled function; ``mixed_precision`` computes in float16
    where that is safe (worth it on a recent GPU, slower on a CPU).
    """

    dataset: str = "mnist"
    epochs: int = FULL_EPOCHS
    batch_size: int = 64
    learning_rate: float = 1e-3
    beta_1: float = 0.5
    width: int = 32
    latent_dim: int = LATENT_DIM
    seed: int = 0
    jit_compile: bool = True
    steps_per_execution: int = 16
    mixed_precision: bool = False

    def __post_init__(self) -> None:
        if self.dataset not in ("mnist", "fashion_mnist"):
            raise ValueError(f"dataset must be 'mnist' or 'fashion_mnist'; got {self.dataset!r}")
        for name in ("epochs", "batch_size", "width", "latent_dim", "steps_per_execution"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if isinstance(self.learning_rate, bool) or not isinstance(self.learning_rate, (int, float)) or self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be a positive number; got {self.learning_rate!r}")
        if isinstance(self.beta_1, bool) or not isinstance(self.beta_1, (int, float)) or not 0 <= self.beta_1 < 1:
            raise ValueError(f"beta_1 must be a number in [0, 1); got {self.beta_1!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an integer in [0, 2**32); got {self.seed!r}")


def chapter5_config(**changes: object) -> DCGANConfig:
    """Chapter 5's configuration with quick mode applied (chapter 5); ``changes`` override fields.

    ``chapter5_config(dataset="fashion_mnist")`` is the one setting that switches to Fashion-MNIST.
    """
    fields = set(DCGANConfig.__dataclass_fields__)
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ValueError(f"changes must name fields of DCGANConfig {sorted(fields)}; got {unknown}")
    settings = {"epochs": choose(full=FULL_EPOCHS, quick=QUICK_EPOCHS)}
    settings.update(changes)
    return DCGANConfig(**settings)


def make_dataset(images: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data`` pipeline over images in memory: shuffled every epoch, batched, prefetched (chapter 5).

    The last, smaller batch is kept: the ``GAN`` reads the batch size from the data.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(images) == 0:
        raise ValueError(f"images must have shape (N, 28, 28, 1) with N > 0; got {images.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    return (
        tf.data.Dataset.from_tensor_slices(images.astype("float32"))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def build_gan(config: DCGANConfig) -> GAN:
    """A compiled ``GAN`` with fresh networks, seeded by ``config.seed`` (chapter 5)."""
    if not isinstance(config, DCGANConfig):
        raise ValueError(f"config must be a DCGANConfig; got {type(config).__name__}")
    seed_everything(config.seed)
    keras.config.set_dtype_policy("mixed_float16" if config.mixed_precision else "float32")
    try:
        gan = GAN(
            build_generator(config.latent_dim, config.width),
            build_discriminator(config.width),
            latent_dim=config.latent_dim,
            seed=config.seed,
        )
    finally:
        keras.config.set_dtype_policy("float32")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    return gan


def train_dcgan(
    config: DCGANConfig,
    images: np.ndarray,
    callbacks: list | tuple = (),
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> tuple[GAN, dict]:
    """Train a fresh ``GAN`` with ``fit``; return it and the logs of every epoch (chapter 5).

    With ``checkpoint_dir`` the run first restores the last completed epoch saved there, and saves
    each epoch it completes; the logs then include the epochs before an interruption. A NaN loss
    stops training.
    """
    gan = build_gan(config)
    history = keras.callbacks.History()
    callbacks = [*callbacks, history, keras.callbacks.TerminateOnNaN()]
    initial_epoch = 0
    if checkpoint_dir is not None:
        checkpoint = CheckpointAndResume(checkpoint_dir, gan)
        callbacks.insert(0, checkpoint)
        initial_epoch = checkpoint.initial_epoch
        if initial_epoch > 0:
            steps = int(gan.d_optimizer.iterations.numpy())
            print(f"Resuming after epoch {initial_epoch} of {config.epochs} (optimiser step {steps}).")
    gan.fit(
        make_dataset(images, config.batch_size, seed=config.seed),
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        callbacks=callbacks,
        verbose=verbose,
    )
    if checkpoint_dir is not None:
        return gan, checkpoint.history
    logs = {name: [float(v) for v in values] for name, values in history.history.items()}
    return gan, {epoch: {name: logs[name][i] for name in logs} for i, epoch in enumerate(history.epoch)}


def load_or_train_dcgan_generator() -> keras.Model:
    """Chapter 5's trained generator: loaded from the artifacts folder, or trained and saved (chapter 5).

    Loads ``artifacts_dir() / "dcgan_generator.keras"`` when present; otherwise trains with
    :func:`chapter5_config` and saves the generator atomically (no checkpoints: two chapters run in
    parallel may both train, and the atomic save keeps the file whole). Input: a latent batch
    (N, ``LATENT_DIM``); output (N, 28, 28, 1) in [-1, 1].
    """
    from ganbook.classifier import save_model_atomically

    path = artifacts_dir() / GENERATOR_FILE
    if path.exists():
        return keras.models.load_model(path)
    config = chapter5_config()
    start = time.perf_counter()
    gan, _ = train_dcgan(config, load_images(config.dataset, "train").images)
    save_model_atomically(gan.generator, path)
    print(f"DCGAN generator trained in {time.perf_counter() - start:.0f} s and saved to {path}")
    return gan.generator
