"""The conditional GAN of chapter 6: class labels into both networks, and a trained generator.

Introduced in chapter 6 (Conditional GAN). The section between the ``BEGIN generated`` and ``END
generated`` lines is chapter 6's own code: ``scripts/export_taught.py`` copies there every cell of
``book/06_conditional_gan.ipynb`` that starts with ``# ganbook: cgan`` (edit the notebook, then run
the script; ``tests/test_export.py`` fails while they differ). It builds on chapter 5
(:mod:`ganbook.gan`) instead of repeating it: the generator's body is chapter 5's generator,
``ConditionalGAN`` subclasses chapter 5's ``GAN`` and overrides only ``call`` and ``generate``, and
the configuration, checkpointing and sample-grid callback are chapter 5's. The rest of this module
is plumbing the chapter imports: its configuration, the labelled input pipeline, the inputs of a
grid with one row per digit, the checks of the taught code's arguments (chapter 5's
:func:`ganbook.gan.with_checks`: images in [-1, 1], one integer label in 0-9 per image), and the
trained generator.
Convention, as in chapter 5: real = 1, fake = 0, and the discriminator outputs a logit.

Chapter 9 loads the trained generator with :func:`load_or_train_cgan_generator`: inputs a latent
batch (N, ``LATENT_DIM``) and integer labels (N,) in 0-9; output (N, 28, 28, 1) in [-1, 1].
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganbook import checks
from ganbook.classifier import check_images, load_or_train, model_shapes
from ganbook.config import choose, seed_everything
from ganbook.data import load_images
from ganbook.gan import (
    GAN,
    LATENT_DIM,
    DCGANConfig,
    SampleGrid,
    build_generator,
    check_fit_options,
    check_sizes,
    compile_from_config,
    config_with,
    dtype_policy,
    fit_gan,
    run_dir,
    with_checks,
)

NUM_CLASSES = 10
"""Number of classes (digits) the networks are conditioned on (chapter 6)."""

EMBED_DIM = 16
"""Size of the generator's learned label vector (chapter 6)."""

CGAN_GENERATOR_FILE = "cgan_generator.keras"


# --------------------------------------------------------------------------------------------------
# Configuration, input pipeline and sample grid (plumbing: each checks its arguments)
# --------------------------------------------------------------------------------------------------


def chapter6_config(**changes: object) -> DCGANConfig:
    """Chapter 6's training configuration, in chapter 5's ``DCGANConfig`` (chapter 6).

    Chapter 5's settings (batch size, Adam beta_1, network width, latent size, batches per epoch:
    whatever chapter 5 uses) with a learning rate pinned at 1e-3, whatever chapter 5's default;
    20 epochs (1 in quick mode); and XLA compilation off (``jit_compile=True`` turns it on).
    ``changes`` override fields.
    """
    defaults = {"epochs": choose(full=20, quick=1), "learning_rate": 1e-3, "jit_compile": False}
    return config_with(defaults, changes)


def _digits(name: str, value: object) -> np.ndarray:
    """Integer class labels in 0-9 as an array; ValueError naming ``name`` otherwise."""
    digits = np.asarray(value)
    if digits.size and not np.issubdtype(digits.dtype, np.integer):
        raise ValueError(f"{name} must hold integers (class labels); got {digits.dtype}")
    if digits.size and (digits.min() < 0 or digits.max() >= NUM_CLASSES):
        got = f"{digits.min()}-{digits.max()}"
        raise ValueError(f"{name} must lie in 0-{NUM_CLASSES - 1}; got {got}")
    return digits


def _images_and_labels(images: object, labels: object) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 28, 28, 1) in [-1, 1] and their N integer labels in 0-9; ValueError otherwise."""
    images = check_images("images", images)
    if labels is None:
        raise ValueError("labels must be an array of integer class labels, one per image; got None")
    labels = _digits("labels", checks.array("labels", labels, shape=(len(images),)))
    return images, labels


def make_labelled_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of (image, label) pairs: shuffled, batched, prefetched (chapter 6)."""
    images, labels = _images_and_labels(images, labels)
    batch_size = checks.positive_int("batch_size", batch_size)
    seed = checks.seed("seed", seed)
    return (
        tf.data.Dataset.from_tensor_slices((images.astype("float32"), labels.astype("int32")))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def digit_rows(
    digits: Sequence[int] | np.ndarray, per_row: int, latent_dim: int = LATENT_DIM, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Generator inputs for a grid with one row per requested digit (chapter 6).

    Returns ``(z, labels)``: ``per_row`` latent vectors, the same in every row, so each column keeps
    one "style" while the rows change the digit; ``labels`` repeats each digit ``per_row`` times.
    """
    digits = _digits("digits", checks.array("digits", digits, ndim=1, min_length=1))
    per_row = checks.positive_int("per_row", per_row)
    latent_dim = checks.positive_int("latent_dim", latent_dim)
    noise = np.random.default_rng(seed).standard_normal((per_row, latent_dim)).astype("float32")
    return np.tile(noise, (len(digits), 1)), np.repeat(digits, per_row).astype("int32")


class ConditionalSampleGrid(SampleGrid):
    """Chapter 5's ``SampleGrid`` for a conditional generator: fixed noise and labels (chapter 6).

    Each epoch's frame has one row per digit in ``digits`` and ``per_row`` columns (see
    :func:`digit_rows`).
    """

    def __init__(
        self,
        digits: Sequence[int] = tuple(range(NUM_CLASSES)),
        per_row: int = 8,
        latent_dim: int = LATENT_DIM,
        seed: int = 1234,
        path: str | os.PathLike | None = None,
    ):
        z, labels = digit_rows(digits, per_row, latent_dim, seed)
        super().__init__(latent_dim, count=len(z), seed=seed, path=path)
        self.noise = [z, labels]


# BEGIN generated from book/06_conditional_gan.ipynb by scripts/export_taught.py; edit the notebook


def build_conditional_generator(
    latent_dim: int = LATENT_DIM,
    num_classes: int = NUM_CLASSES,
    embed_dim: int = EMBED_DIM,
    width: int = 32,
) -> keras.Model:
    """G(z, y), chapter 6: noise (N, latent_dim), labels (N,) to images (N, 28, 28, 1).

    The label is looked up in a learned table (an ``Embedding``, equivalent to a one-hot
    vector times a matrix) and appended to z; chapter 5's generator turns the result
    into images in [-1, 1].
    """
    z = keras.Input(shape=(latent_dim,), name="latent")
    y = keras.Input(shape=(), dtype="int32", name="label")
    label_vector = layers.Embedding(num_classes, embed_dim, name="label_embedding")(y)
    body = build_generator(latent_dim + embed_dim, width)  # chapter 5's, wider input
    images = body(layers.Concatenate(name="z_and_label")([z, label_vector]))
    return keras.Model([z, y], images, name="conditional_generator")


def build_conditional_discriminator(
    num_classes: int = NUM_CLASSES, width: int = 32
) -> keras.Model:
    """D(x, y): images (N, 28, 28, 1) and labels (N,) to logits (N, 1) (chapter 6).

    A projection discriminator (Miyato and Koyama 2018): chapter 5's two convolutions
    give features phi(x); the logit is psi(phi(x)) + e_y . phi(x), with a learned vector
    e_y for each class.
    """
    x = keras.Input(shape=(28, 28, 1), name="image")
    y = keras.Input(shape=(), dtype="int32", name="label")
    h = layers.Conv2D(width, 4, strides=2, padding="same")(x)
    h = layers.LeakyReLU(negative_slope=0.2)(h)
    h = layers.Conv2D(2 * width, 4, strides=2, padding="same")(h)
    h = layers.LeakyReLU(negative_slope=0.2)(h)
    features = layers.Flatten(name="features")(h)
    unconditional = layers.Dense(1, name="psi")(features)
    e_y = layers.Embedding(num_classes, features.shape[-1], name="label_projection")(y)
    conditional = layers.Dot(axes=-1, name="projection")([e_y, features])
    logits = layers.Add(name="logit", dtype="float32")([unconditional, conditional])
    return keras.Model([x, y], logits, name="conditional_discriminator")


class ConditionalGAN(GAN):
    """Chapter 5's GAN on (image, label) pairs: both networks see the label (chapter 6).

    A real batch is a pair (images, labels), and so is a generated one, (G(z, y), y):
    that is all ``generate`` changes. Chapter 5's ``train_step`` hands both pairs to the
    discriminator as they are, and its losses stay as they were.
    """

    def call(self, inputs, training=False):
        z, labels = inputs
        return self.generator([z, labels], training=training)

    def generate(self, real):
        # A generated pair (G(z, y), y) for each real pair (x, y): fresh z, the same y.
        images, labels = real
        z = self.sample_noise(ops.shape(images)[0])
        return self.generator([z, labels], training=True), labels


def train_cgan(
    config: DCGANConfig,
    images: np.ndarray,
    labels: np.ndarray,
    callbacks: list | tuple = (),
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> ConditionalGAN:
    """Train chapter 6's conditional GAN with ``fit`` and return it (chapter 6).

    Chapter 5's path from the configuration to a trained model, with labels: the same
    dtype policy, compile settings, budget, checkpoints and stop on a NaN loss.
    """
    seed_everything(config.seed)
    with dtype_policy(config):
        cgan = ConditionalGAN(
            build_conditional_generator(config.latent_dim, width=config.width),
            build_conditional_discriminator(width=config.width),
            latent_dim=config.latent_dim,
            seed=config.seed,
        )
    compile_from_config(cgan, config)
    dataset = make_labelled_dataset(images, labels, config.batch_size, seed=config.seed)
    fit_gan(cgan, config, dataset, callbacks, checkpoint_dir, verbose)
    return cgan


# END generated from book/06_conditional_gan.ipynb


# --------------------------------------------------------------------------------------------------
# Boundary checks of the taught code (plumbing, as in ganbook.gan): each public name above is
# wrapped to check its arguments first; ConditionalGAN inherits the checks of chapter 5's GAN.
# --------------------------------------------------------------------------------------------------


def _check_train_cgan(arguments: dict) -> None:
    check_fit_options(arguments)
    _images_and_labels(arguments["images"], arguments["labels"])


build_conditional_generator = with_checks(build_conditional_generator, check_sizes)
build_conditional_discriminator = with_checks(build_conditional_discriminator, check_sizes)
train_cgan = with_checks(train_cgan, _check_train_cgan)


# --------------------------------------------------------------------------------------------------
# The trained generator that chapter 9 loads
# --------------------------------------------------------------------------------------------------


def _train_chapter6_generator() -> keras.Model:
    config = chapter6_config()
    data = load_images(config.dataset, "train", warn_offline=False)
    checkpoints = run_dir("cgan", config) / "checkpoints"
    return train_cgan(config, data.images, data.labels, checkpoint_dir=checkpoints).generator


def load_or_train_cgan_generator() -> keras.Model:
    """Chapter 6's trained conditional generator: loaded from the artifacts folder, or trained.

    Introduced in chapter 6. Loads ``cgan_generator.keras`` from the run folder of
    :func:`chapter6_config` (:func:`ganbook.gan.run_dir`), where chapter 6 saves it, when
    present and loadable; otherwise trains with :func:`chapter6_config` (resuming from the run's
    checkpoints if it was interrupted) and saves the generator atomically. Inputs: a latent batch
    (N, ``LATENT_DIM``) and integer labels (N,) in 0-9; output (N, 28, 28, 1) in [-1, 1].
    """
    path = run_dir("cgan", chapter6_config()) / CGAN_GENERATOR_FILE
    latent_dim = chapter6_config().latent_dim
    shapes = model_shapes([(None, latent_dim), (None,)], (None, 28, 28, 1))
    name = "Conditional generator"
    return load_or_train(path, _train_chapter6_generator, check=shapes, name=name)
