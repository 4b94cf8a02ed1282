"""A small MNIST digit classifier, the book's judge of generated digits, and saved-model plumbing.

Introduced in chapter 6 (Conditional GAN), where it checks whether a generated digit is the digit
that was asked for; chapter 9 (Evaluating GANs) uses the activations of its penultimate layer,
named ``"features"``, as the feature space of a Frechet distance and a kernel distance. It is a
small network trained in seconds on a CPU, so its features are *not* Inception features, and
distances computed in them must never be compared with published FID numbers.

The trained model is saved once as ``artifacts_dir() / "digit_classifier.keras"`` and loaded from
there by every later chapter, through :func:`load_or_train`, which the trained generators of
chapters 5 and 6 use too.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ganbook import checks
from ganbook.config import artifacts_dir, choose, seed_everything
from ganbook.data import load_images

CLASSIFIER_FILE = "digit_classifier.keras"
FEATURES_LAYER = "features"
IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
_RANGE_TOLERANCE = 1e-3


# --------------------------------------------------------------------------------------------------
# Saved models: write atomically; load if usable, else train
# --------------------------------------------------------------------------------------------------


def save_model_atomically(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save ``model`` as a ``.keras`` file so that ``path`` is never left half-written (chapter 5).

    The model is written to a temporary name in the same folder and then moved into place with
    ``os.replace``, which is atomic: a reader (or a run interrupted mid-save) sees either the old
    file or the new one, never a truncated file.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"path must end in .keras; got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp-{os.getpid()}.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def load_or_train(
    path: str | os.PathLike,
    train: Callable[[], keras.Model],
    check: Callable[[keras.Model], object] | None = None,
    name: str = "model",
) -> keras.Model:
    """The model saved at ``path``, or a new one from ``train()``, saved there (chapter 5).

    A saved ``.keras`` file is used when it loads and ``check(model)`` (if given) raises nothing.
    Otherwise (no file, a truncated or foreign one: a warning says which) ``train()`` makes the
    model, which is saved with :func:`save_model_atomically`, so that two chapters run in parallel
    may both train but never read a half-written file. Training prints one line naming ``name``,
    the time it took and the path.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"path must end in .keras; got {str(path)!r}")
    checks.function("train", train)
    if path.exists():
        try:
            model = keras.models.load_model(path)
            if check is not None:
                check(model)
            return model
        except Exception as error:  # a truncated, foreign or outdated file: train a new one
            message = f"{path} is not a usable {name} ({error}); training a new one"
            warnings.warn(message, stacklevel=2)
    start = time.perf_counter()
    model = train()
    save_model_atomically(model, path)
    print(f"{name} trained in {time.perf_counter() - start:.0f} s and saved to {path}")
    return model


# --------------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------------


def build_digit_classifier() -> keras.Model:
    """Build (untrained) the book's digit classifier (chapter 6).

    Input: images of shape (28, 28, 1) in [-1, 1]. Output: 10 logits, one per digit. A random shift
    of up to 10 % (training only: an identity at prediction time), two strided convolutions, then a
    128-unit ReLU layer named ``"features"`` (the feature space of chapter 9), then the logits.
    About 420,000 weights; it trains to about 97 % test accuracy in seconds on two CPU cores.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    shift = layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=-1.0, name="shift")
    x = shift(inputs)
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, logits, name="digit_classifier")


def _check_images(images: object, name: str = "images") -> np.ndarray:
    """Images as float32 (N, 28, 28, 1) in [-1, 1]; ValueError naming ``name`` otherwise."""
    array = np.asarray(images, dtype=np.float32)
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[1:] != IMAGE_SHAPE or len(array) == 0:
        raise ValueError(
            f"{name} must have shape (N, 28, 28, 1) or (N, 28, 28) with N > 0; "
            f"got {np.shape(images)}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    low, high = float(array.min()), float(array.max())
    if low < -1 - _RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
        raise ValueError(
            f"{name} must be scaled to [-1, 1] (like ganbook.load_images and a tanh generator); "
            f"got values in [{low:.3g}, {high:.3g}]"
        )
    return array


def _check_model(model: object) -> keras.Model:
    checks.instance("model", model, keras.Model, "a keras.Model (see build_digit_classifier)")
    if FEATURES_LAYER not in [layer.name for layer in model.layers]:
        raise ValueError(f"model must have a layer named {FEATURES_LAYER!r} (a digit classifier)")
    return model


def _train_digit_classifier(seed: int) -> keras.Model:
    """Adam with a cosine-decaying learning rate, 20 epochs (5 in quick mode), batch 128."""
    seed_everything(seed)
    train = load_images("mnist", "train")
    model = build_digit_classifier()
    epochs, batch_size = choose(full=20, quick=5), 128
    steps = epochs * -(-len(train.labels) // batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(
        train.images, train.labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0
    )
    return model


def load_or_train_digit_classifier(seed: int = 0) -> keras.Model:
    """Load the digit classifier from the artifacts folder, or train and save it (chapter 6).

    Loads ``artifacts_dir() / "digit_classifier.keras"`` when present and usable. Otherwise trains
    :func:`build_digit_classifier` on ``load_images("mnist", "train")`` (Adam with a cosine-decaying
    learning rate, 20 epochs (5 in quick mode, whose artifacts live apart), batch 128, seeded by
    ``seed``) and saves it atomically. In both cases it prints its accuracy on
    ``load_images("mnist", "test")``: that accuracy is the ceiling for any "is this the requested
    digit?" score computed with it.
    """
    seed = checks.seed("seed", seed)
    path = artifacts_dir() / CLASSIFIER_FILE
    model = load_or_train(
        path, lambda: _train_digit_classifier(seed), check=_check_model, name="Digit classifier"
    )
    test = load_images("mnist", "test")
    accuracy = float(np.mean(predict_digits(model, test.images) == test.labels))
    print(f"Digit classifier ({path}): test accuracy {accuracy:.2%} on {len(test.labels):,} digits")
    return model


def classifier_features(
    model: keras.Model, images: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Activations of the classifier's ``"features"`` layer for ``images`` in [-1, 1] (chapter 6).

    Returns a float64 array of shape (N, d) (d = 128 for :func:`build_digit_classifier`); chapter 9
    computes its distances between distributions of these vectors.
    """
    _check_model(model)
    images = _check_images(images)
    batch_size = checks.positive_int("batch_size", batch_size)
    extractor = keras.Model(model.inputs, model.get_layer(FEATURES_LAYER).output)
    features = extractor.predict(images, batch_size=batch_size, verbose=0)
    return np.asarray(features, dtype=np.float64)


def predict_digits(model: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The digit (0-9) the classifier sees in each image in [-1, 1]: shape (N,), int (chapter 6)."""
    _check_model(model)
    images = _check_images(images)
    batch_size = checks.positive_int("batch_size", batch_size)
    logits = model.predict(images, batch_size=batch_size, verbose=0)
    return np.argmax(logits, axis=-1).astype(int)
