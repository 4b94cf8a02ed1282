"""The conditional GAN of chapter 6: class labels into both networks, and a trained generator.

Introduced in chapter 6 (Conditional GAN), which shows the two builders, the ``ConditionalGAN`` model
and ``train_cgan`` in full; a test (``tests/test_cgan.py``) keeps the notebook's copies and these
identical. It builds on chapter 5 (:mod:`ganbook.gan`) instead of repeating it: the generator's body is
chapter 5's generator, ``ConditionalGAN`` subclasses chapter 5's ``GAN`` (its optimisers, metric
trackers and noise), and the configuration, checkpointing and sample-grid callback are chapter 5's.
Convention, as in chapter 5: real = 1, fake = 0, and the discriminator outputs a logit.

Chapter 9 loads the trained generator with :func:`load_or_train_cgan_generator`: inputs a latent batch
(N, ``LATENT_DIM``) and integer labels (N,) in 0-9; output (N, 28, 28, 1) in [-1, 1].
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganbook.classifier import save_model_atomically
from ganbook.config import artifacts_dir, choose, seed_everything
from ganbook.data import load_images
from ganbook.gan import (
    GAN,
    LATENT_DIM,
    CheckpointAndResume,
    DCGANConfig,
    SampleGrid,
    build_generator,
)

NUM_CLASSES = 10
"""Number of classes (digits) the networks are conditioned on (chapter 6)."""

EMBED_DIM = 16
"""Size of the generator's learned label vector (chapter 6)."""

CGAN_GENERATOR_FILE = "cgan_generator.keras"


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


# --------------------------------------------------------------------------------------------------
# The two networks (shown in full in chapter 6)
# --------------------------------------------------------------------------------------------------


def build_conditional_generator(
    latent_dim: int = LATENT_DIM, num_classes: int = NUM_CLASSES, embed_dim: int = EMBED_DIM, width: int = 32
) -> keras.Model:
    """G(z, y): noise (N, latent_dim) and integer labels (N,) to images (N, 28, 28, 1) in [-1, 1] (chapter 6).

    The label is looked up in a learned table (an ``Embedding``, equivalent to a one-hot vector times a
    matrix), appended to z, and the result goes through chapter 5's generator.
    """
    for name, value in [("latent_dim", latent_dim), ("num_classes", num_classes), ("embed_dim", embed_dim)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    z = keras.Input(shape=(latent_dim,), name="latent")
    y = keras.Input(shape=(), dtype="int32", name="label")
    label_vector = layers.Embedding(num_classes, embed_dim, name="label_embedding")(y)
    body = build_generator(latent_dim + embed_dim, width)  # chapter 5's generator, wider input
    images = body(layers.Concatenate(name="z_and_label")([z, label_vector]))
    return keras.Model([z, y], images, name="conditional_generator")


def build_conditional_discriminator(num_classes: int = NUM_CLASSES, width: int = 32) -> keras.Model:
    """D(x, y): images (N, 28, 28, 1) and labels (N,) to one logit each, (N, 1) (chapter 6).

    A projection discriminator (Miyato and Koyama 2018): chapter 5's two convolutions give features
    phi(x); the logit is psi(phi(x)) + e_y . phi(x), with a learned vector e_y for each class.
    """
    for name, value in [("num_classes", num_classes), ("width", width)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    x = keras.Input(shape=(28, 28, 1), name="image")
    y = keras.Input(shape=(), dtype="int32", name="label")
    h = layers.Conv2D(width, 4, strides=2, padding="same")(x)
    h = layers.LeakyReLU(negative_slope=0.2)(h)
    h = layers.Conv2D(2 * width, 4, strides=2, padding="same")(h)
    h = layers.LeakyReLU(negative_slope=0.2)(h)
    features = layers.Flatten(name="features")(h)
    unconditional = layers.Dense(1, name="psi")(features)
    label_vector = layers.Embedding(num_classes, features.shape[-1], name="label_projection")(y)
    conditional = layers.Dot(axes=-1, name="projection")([label_vector, features])
    logits = layers.Add(name="logit", dtype="float32")([unconditional, conditional])
    return keras.Model([x, y], logits, name="conditional_discriminator")


# --------------------------------------------------------------------------------------------------
# The model: chapter 5's GAN, with labels in every call
# --------------------------------------------------------------------------------------------------


class ConditionalGAN(GAN):
    """Chapter 5's ``GAN`` trained on (image, label) batches: both networks see the label (chapter 6)."""

    def call(self, inputs, training=False):
        z, labels = inputs
        return self.generator([z, labels], training=training)

    def train_step(self, data):
        real_images, labels = data
        batch_size = ops.shape(real_images)[0]

        # 1. Discriminator: real pairs (x, y) are labelled 1, generated pairs (G(z, y), y) are labelled 0.
        fake_images = self.generator([self.sample_noise(batch_size), labels], training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator([real_images, labels], training=True)
            fake_logits = self.discriminator([fake_images, labels], training=True)
            d_loss = self.loss_fn(ops.ones_like(real_logits), real_logits) + self.loss_fn(
                ops.zeros_like(fake_logits), fake_logits
            )
            scaled_loss = self.d_optimizer.scale_loss(d_loss)
        d_weights = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, d_weights), d_weights))

        # 2. Generator: non-saturating loss -log D(G(z, y), y) for fresh noise and the same labels.
        with tf.GradientTape() as tape:
            fake_images = self.generator([self.sample_noise(batch_size), labels], training=True)
            logits = self.discriminator([fake_images, labels], training=True)
            g_loss = self.loss_fn(ops.ones_like(logits), logits)
            scaled_loss = self.g_optimizer.scale_loss(g_loss)
        g_weights = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled_loss, g_weights), g_weights))

        return self.record_step(d_loss, g_loss, real_logits, fake_logits)


# --------------------------------------------------------------------------------------------------
# Configuration, input pipeline, sample grid and the training run
# --------------------------------------------------------------------------------------------------


def chapter6_config(**changes: object) -> DCGANConfig:
    """Chapter 6's training configuration, in chapter 5's ``DCGANConfig`` (chapter 6).

    Chapter 5's settings (batch size, Adam beta_1, network width, latent size: whatever chapter 5
    uses) with a learning rate pinned at 1e-3, with which the conditional networks reach a high
    conditional accuracy in few epochs whatever chapter 5's default; 20 epochs (1 in quick mode); and no
    XLA compilation, whose one-off cost on a CPU is larger than what it saves in a run this short.
    ``changes`` override fields.
    """
    fields = set(DCGANConfig.__dataclass_fields__)
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ValueError(f"changes must name fields of DCGANConfig {sorted(fields)}; got {unknown}")
    settings = {"epochs": choose(full=20, quick=1), "learning_rate": 1e-3, "jit_compile": False}
    settings.update(changes)
    return DCGANConfig(**settings)


def make_labelled_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (image, label) batches: shuffled each epoch, batched, prefetched (chapter 6)."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(images) == 0:
        raise ValueError(f"images must have shape (N, 28, 28, 1) with N > 0; got {images.shape}")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers of shape ({len(images)},); got {labels.dtype} {labels.shape}")
    if labels.min() < 0 or labels.max() >= NUM_CLASSES:
        raise ValueError(f"labels must lie in 0-{NUM_CLASSES - 1}; got {labels.min()}-{labels.max()}")
    batch_size = _positive_int("batch_size", batch_size)
    return (
        tf.data.Dataset.from_tensor_slices((images.astype("float32"), labels.astype("int32")))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def digit_rows(digits: Sequence[int] | np.ndarray, per_row: int, latent_dim: int = LATENT_DIM, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generator inputs for a grid with one row per requested digit (chapter 6).

    Returns ``(z, labels)``: ``per_row`` latent vectors, the same in every row, so each column keeps
    one "style" while the rows change the digit; ``labels`` repeats each digit ``per_row`` times.
    """
    digits = np.asarray(digits)
    if digits.ndim != 1 or len(digits) == 0 or not np.issubdtype(digits.dtype, np.integer):
        raise ValueError(f"digits must be a non-empty 1-D sequence of integers; got {digits!r}")
    if digits.min() < 0 or digits.max() >= NUM_CLASSES:
        raise ValueError(f"digits must lie in 0-{NUM_CLASSES - 1}; got {digits.tolist()}")
    per_row = _positive_int("per_row", per_row)
    latent_dim = _positive_int("latent_dim", latent_dim)
    noise = np.random.default_rng(seed).standard_normal((per_row, latent_dim)).astype("float32")
    return np.tile(noise, (len(digits), 1)), np.repeat(digits, per_row).astype("int32")


class ConditionalSampleGrid(SampleGrid):
    """Chapter 5's ``SampleGrid`` for a conditional generator: fixed noise and fixed labels (chapter 6).

    Each epoch's frame has one row per digit in ``digits`` and ``per_row`` columns (see :func:`digit_rows`).
    """

    def __init__(
        self,
        digits=tuple(range(NUM_CLASSES)),
        per_row: int = 8,
        latent_dim: int = LATENT_DIM,
        seed: int = 1234,
        path: str | os.PathLike | None = None,
    ):
        z, labels = digit_rows(digits, per_row, latent_dim, seed)
        super().__init__(latent_dim, count=len(z), seed=seed, path=path)
        self.noise = [z, labels]


def train_cgan(
    config: DCGANConfig,
    images: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    callbacks: list | tuple = (),
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> ConditionalGAN:
    """Train chapter 6's conditional GAN with ``fit`` and return it (chapter 6).

    ``images`` and ``labels`` default to ``load_images(config.dataset, "train")``. With
    ``checkpoint_dir`` the run resumes from the last completed epoch found there. Stops on a NaN loss.
    """
    if not isinstance(config, DCGANConfig):
        raise ValueError(f"config must be a DCGANConfig (see chapter6_config); got {type(config).__name__}")
    if images is None or labels is None:
        data = load_images(config.dataset, "train")
        images, labels = data.images, data.labels
    seed_everything(config.seed)
    cgan = ConditionalGAN(
        build_conditional_generator(config.latent_dim, width=config.width),
        build_conditional_discriminator(width=config.width),
        latent_dim=config.latent_dim,
        seed=config.seed,
    )
    cgan.compile(
        d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=config.jit_compile,
    )
    callbacks = list(callbacks) + [keras.callbacks.TerminateOnNaN()]
    initial_epoch = 0
    if checkpoint_dir is not None:
        checkpoint = CheckpointAndResume(checkpoint_dir, cgan)
        callbacks.insert(0, checkpoint)
        initial_epoch = checkpoint.initial_epoch
    cgan.fit(
        make_labelled_dataset(images, labels, config.batch_size, seed=config.seed),
        epochs=config.epochs,
        initial_epoch=initial_epoch,
        callbacks=callbacks,
        verbose=verbose,
    )
    return cgan


def load_or_train_cgan_generator() -> keras.Model:
    """Chapter 6's trained conditional generator: loaded from the artifacts folder, or trained and saved (chapter 6).

    Loads ``artifacts_dir() / "cgan_generator.keras"`` when present; otherwise trains with
    :func:`chapter6_config` (resuming from chapter 6's checkpoints if a run was interrupted) and saves
    the generator atomically. Inputs: a latent batch (N, ``LATENT_DIM``) and integer labels (N,) in
    0-9; output (N, 28, 28, 1) in [-1, 1].
    """
    path = artifacts_dir() / CGAN_GENERATOR_FILE
    if path.exists():
        return keras.models.load_model(path)
    start = time.perf_counter()
    cgan = train_cgan(chapter6_config(), checkpoint_dir=artifacts_dir("cgan_checkpoints"))
    save_model_atomically(cgan.generator, path)
    print(f"Conditional generator trained in {time.perf_counter() - start:.0f} s and saved to {path}")
    return cgan.generator
