"""A small MNIST digit classifier, the book's judge of generated digits, and saved-model plumbing.

Introduced in chapter 6 (Conditional GAN), where it checks whether a generated digit is the digit
that was asked for; chapter 9 (Evaluating GANs) uses the activations of its penultimate layer,
named ``"features"``, as the feature space of a Frechet distance and a kernel distance. It is a
small network trained in seconds on a CPU, so its features are *not* Inception features, and
distances computed in them must never be compared with published FID numbers.

The classifier never sees every fifth training digit (:func:`judge_split`): chapter 9 measures
distances against those digits, so that its reference set is one the judge never trained on.
The trained model is saved once as ``artifacts_dir() / classifier_file(seed)`` and loaded from
there by every later chapter, through :func:`load_or_train`, which the trained generators of
chapters 5 and 6 use too. The file name carries a fingerprint of the code that splits the data and
trains the classifier, so a change to either trains a new classifier instead of reusing an old one.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ganbook import checks
from ganbook.config import artifacts_dir, choose, seed_everything
from ganbook.data import load_images

FEATURES_LAYER = "features"
IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


# --------------------------------------------------------------------------------------------------
# Saved models: write atomically; load if usable, else train
# --------------------------------------------------------------------------------------------------


def _keras_path(value: object) -> Path:
    if not isinstance(value, (str, os.PathLike)) or not str(os.fspath(value)).strip():
        raise ValueError(f"path must be a file path ending in .keras; got {value!r}")
    path = Path(value)
    if path.suffix != ".keras":
        raise ValueError(f"path must end in .keras; got {str(path)!r}")
    return path


def save_model_atomically(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save ``model`` as a ``.keras`` file so that ``path`` is never left half-written (chapter 5).

    The model is written to a temporary name in the same folder and then moved into place with
    ``os.replace``, which is atomic: a reader (or a run interrupted mid-save) sees either the old
    file or the new one, never a truncated file.
    """
    checks.instance("model", model, keras.Model, "a keras.Model")
    path = _keras_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp-{os.getpid()}.keras")
    try:
        model.save(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def model_shapes(
    inputs: tuple[int | None, ...] | list[tuple[int | None, ...]], output: tuple[int | None, ...]
) -> Callable[[keras.Model], None]:
    """A ``check`` for :func:`load_or_train`: the model's input and output shapes (chapter 5).

    ``inputs`` is one shape, or a list of shapes for a model of several inputs; ``None`` is any
    size (the batch axis). The check raises ValueError naming the shapes that differ.
    """
    wanted_inputs = [tuple(shape) for shape in (inputs if isinstance(inputs, list) else [inputs])]
    wanted_outputs = [tuple(output)]

    def check(model: keras.Model) -> None:
        checks.instance("model", model, keras.Model, "a keras.Model")
        got_inputs = [tuple(tensor.shape) for tensor in model.inputs]
        got_outputs = [tuple(tensor.shape) for tensor in model.outputs]
        if got_inputs != wanted_inputs or got_outputs != wanted_outputs:
            raise ValueError(
                f"model must map inputs {wanted_inputs} to outputs {wanted_outputs}; "
                f"it maps {got_inputs} to {got_outputs}"
            )

    return check


def load_or_train(
    path: str | os.PathLike,
    train: Callable[[], keras.Model],
    check: Callable[[keras.Model], object] | None = None,
    name: str = "model",
) -> keras.Model:
    """The model saved at ``path``, or a new one from ``train()``, saved there (chapter 5).

    A saved ``.keras`` file is loaded in Keras's safe mode (no arbitrary code) and then checked by
    ``check(model)`` (if given; see :func:`model_shapes`). A file that does not load (truncated,
    not a ``.keras`` archive) or fails the check raises ValueError naming the file: delete it and
    the next call trains a new model. Without a file, ``train()`` makes the model, which is checked
    too and saved with :func:`save_model_atomically`, so that two chapters run in parallel may
    both train but never read a half-written file. Training prints one line naming ``name``, the
    time it took and the path.
    """
    path = _keras_path(path)
    checks.function("train", train)
    if check is not None:
        checks.function("check", check)
    name = checks.text("name", name)
    if path.is_dir():
        raise ValueError(f"path must be a .keras file; {path} is a folder")
    if path.exists():
        try:
            model = keras.models.load_model(path, safe_mode=True)
        except Exception as error:  # Keras reports a damaged archive as "File not found"
            raise ValueError(
                f"path {path} is not a loadable .keras file ({type(error).__name__}: {error}); "
                f"delete it to train a new {name}"
            ) from error
        _check_loaded(path, model, check, name)
        return model
    start = time.perf_counter()
    model = train()
    if check is not None:
        check(model)
    save_model_atomically(model, path)
    print(f"{name} trained in {time.perf_counter() - start:.0f} s and saved as {path.name}")
    return model


def _check_loaded(path: Path, model: keras.Model, check: Callable | None, name: str) -> None:
    if check is None:
        return
    try:
        check(model)
    except ValueError as error:
        raise ValueError(
            f"path {path} does not hold a usable {name}: {error}; delete it to train a new one"
        ) from error


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


def check_images(name: str, value: object, allow_rank_3: bool = False) -> np.ndarray:
    """Images of shape (N, 28, 28, 1), N > 0, finite floats in [-1, 1] (chapters 5, 6).

    ``allow_rank_3`` also takes (N, 28, 28) and adds the channel axis. The range is that of
    ``ganbook.load_images`` and of a tanh generator, within a tolerance of 1e-3; pixels in 0-255
    raise. Returns the images as an array (its own dtype); ValueError naming ``name`` otherwise.
    """
    array = checks.images(name, value, ndim=(3, 4) if allow_rank_3 else 4, dtype=None)
    if array.ndim == 3:
        array = array[..., None]
    if array.shape[1:] != IMAGE_SHAPE:
        also = " or (N, 28, 28)" if allow_rank_3 else ""
        raise ValueError(
            f"{name} must have shape (N, 28, 28, 1){also} with N > 0; got {np.shape(value)}"
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name} must hold floats scaled to [-1, 1]; got dtype {array.dtype}")
    return array


def _check_images(images: object, name: str = "images") -> np.ndarray:
    """Images as float32 (N, 28, 28, 1) in [-1, 1]; ValueError naming ``name`` otherwise."""
    return check_images(name, images, allow_rank_3=True).astype(np.float32, copy=False)


def _check_model(model: object) -> keras.Model:
    checks.instance("model", model, keras.Model, "a keras.Model (see build_digit_classifier)")
    if FEATURES_LAYER not in [layer.name for layer in model.layers]:
        raise ValueError(f"model must have a layer named {FEATURES_LAYER!r} (a digit classifier)")
    return model


def _check_classifier(model: keras.Model) -> None:
    _check_model(model)
    model_shapes((None, *IMAGE_SHAPE), (None, NUM_CLASSES))(model)


def judge_split(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Split ``count`` training digits: those the classifier trains on, and the rest (chapter 9).

    Every fifth digit (index 4, 9, 14, ...) is held out from the classifier's training, so that
    chapter 9 can compare generated digits with real ones that its judge never saw. Returns
    ``(classifier_indices, reference_indices)``, disjoint and together ``range(count)``.
    """
    count = checks.integer("count", count, minimum=5)
    held_out = np.arange(count) % 5 == 4
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def _train_digit_classifier(seed: int) -> keras.Model:
    """Adam with a cosine-decaying learning rate, 20 epochs (5 in quick mode), batch 128."""
    seed_everything(seed)
    data = load_images("mnist", "train", warn_offline=False)  # the chapters print the source
    chosen = judge_split(len(data.labels))[0]
    images, labels = data.images[chosen], data.labels[chosen]
    model = build_digit_classifier()
    epochs, batch_size = choose(full=20, quick=5), 128
    steps = epochs * -(-len(labels) // batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, steps)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(images, labels, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
    return model


def classifier_file(seed: int = 0) -> str:
    """The classifier's file name in the artifacts folder, for ``seed`` (chapter 6).

    ``digit_classifier-<fingerprint>.keras``: the fingerprint hashes the seed and the source code
    of :func:`judge_split` and of the training function, so that a classifier trained on another
    split, or with another recipe, is never loaded in place of this one.
    """
    seed = checks.seed("seed", seed)
    recipe = inspect.getsource(judge_split) + inspect.getsource(_train_digit_classifier)
    fingerprint = hashlib.sha256(f"{recipe}\nseed={seed}".encode()).hexdigest()[:10]
    return f"digit_classifier-{fingerprint}.keras"


CLASSIFIER_FILE = classifier_file(0)
"""The file name of the default (seed 0) classifier."""


def load_or_train_digit_classifier(seed: int = 0) -> keras.Model:
    """Load the digit classifier from the artifacts folder, or train and save it (chapter 6).

    Loads ``artifacts_dir() / classifier_file(seed)`` when present and usable. Otherwise trains
    :func:`build_digit_classifier` on the training digits that :func:`judge_split` gives it (four
    in five of ``load_images("mnist", "train")``; Adam with a cosine-decaying
    learning rate, 20 epochs (5 in quick mode, whose artifacts live apart), batch 128, seeded by
    ``seed``) and saves it atomically. In both cases it prints its accuracy on
    ``load_images("mnist", "test")``: that accuracy is the ceiling for any "is this the requested
    digit?" score computed with it.
    """
    seed = checks.seed("seed", seed)
    path = artifacts_dir() / classifier_file(seed)

    def train() -> keras.Model:
        return _train_digit_classifier(seed)

    model = load_or_train(path, train, check=_check_classifier, name="Digit classifier")
    test = load_images("mnist", "test", warn_offline=False)
    accuracy = float(np.mean(predict_digits(model, test.images) == test.labels))
    # the file's name, not its folder: a reader's page shows no path of the build machine
    count = len(test.labels)
    print(f"Digit classifier ({path.name}): test accuracy {accuracy:.2%} on {count:,} digits")
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
