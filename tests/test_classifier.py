"""Unit tests of ganbook.classifier: chapter 6's digit classifier and the saved-model plumbing."""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

from ganbook import classifier as clf
from ganbook.data import load_images


@pytest.fixture(scope="module")
def untrained() -> keras.Model:
    keras.utils.set_random_seed(0)
    return clf.build_digit_classifier()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """Train once (quick mode) into a private artifacts folder; return (model, folder)."""
    folder = tmp_path_factory.mktemp("classifier-artifacts")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANBOOK_ARTIFACTS", str(folder))
        patch.setenv("GANBOOK_QUICK", "1")
        model = clf.load_or_train_digit_classifier(seed=0)
    return model, folder


def _images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, size=(count, 28, 28, 1)).astype(np.float32)


def test_build_shapes(untrained: keras.Model) -> None:
    assert untrained.input_shape == (None, 28, 28, 1)
    assert untrained.output_shape == (None, 10)
    assert untrained.get_layer("features").output.shape[-1] == 128


def test_features_and_predictions_shapes(untrained: keras.Model) -> None:
    images = _images(5)
    features = clf.classifier_features(untrained, images, batch_size=2)
    assert features.shape == (5, 128) and features.dtype == np.float64
    assert np.all(features >= 0)  # ReLU
    digits = clf.predict_digits(untrained, images[..., 0], batch_size=3)  # (N, 28, 28) is fine
    assert digits.shape == (5,) and np.issubdtype(digits.dtype, np.integer)
    assert digits.min() >= 0 and digits.max() <= 9


@pytest.mark.parametrize(
    "images, match",
    [
        (np.zeros((0, 28, 28, 1), np.float32), "at least 1"),
        (np.zeros((2, 32, 32, 1), np.float32), "shape"),
        (np.zeros((2, 28, 28, 3), np.float32), "shape"),
        (np.zeros((28, 28), np.float32), "shape"),
        (np.full((2, 28, 28, 1), 255.0, np.float32), r"\[-1, 1\]"),
        (np.full((2, 28, 28, 1), np.nan, np.float32), "finite"),
    ],
)
def test_bad_images(untrained: keras.Model, images: np.ndarray, match: str) -> None:
    for function in (clf.predict_digits, clf.classifier_features):
        with pytest.raises(ValueError, match="images"):
            function(untrained, images)
        with pytest.raises(ValueError, match=match):
            function(untrained, images)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "64"])
def test_bad_batch_size(untrained: keras.Model, batch_size: object) -> None:
    for function in (clf.predict_digits, clf.classifier_features):
        with pytest.raises(ValueError, match="batch_size"):
            function(untrained, _images(2), batch_size=batch_size)


def test_numpy_batch_size(untrained: keras.Model) -> None:
    assert clf.predict_digits(untrained, _images(3), batch_size=np.int64(2)).shape == (3,)


def test_bad_model() -> None:
    with pytest.raises(ValueError, match="model"):
        clf.predict_digits("not a model", _images(2))
    layers = [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    no_features = keras.Sequential(layers)
    with pytest.raises(ValueError, match="features"):
        clf.classifier_features(no_features, _images(2))


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True, "0"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        clf.load_or_train_digit_classifier(seed=seed)


def test_save_model_atomically(untrained: keras.Model, tmp_path) -> None:
    with pytest.raises(ValueError, match="path"):
        clf.save_model_atomically(untrained, tmp_path / "model.h5")
    target = clf.save_model_atomically(untrained, tmp_path / "sub" / "model.keras")
    assert target.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.keras"]  # no temporary left


def test_trained_accuracy_and_artifact(trained, capsys) -> None:
    model, folder = trained
    path = folder / "quick" / clf.CLASSIFIER_FILE
    assert path.exists()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
    test = load_images("mnist", "test")
    accuracy = np.mean(clf.predict_digits(model, test.images) == test.labels)
    assert accuracy > 0.85  # quick mode trains 5 epochs; the full 20 reach about 97 %


def test_reload_gives_same_predictions(trained, monkeypatch, capsys) -> None:
    model, folder = trained
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(folder))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    reloaded = clf.load_or_train_digit_classifier(seed=0)
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "trained" not in printed
    images = load_images("mnist", "test").images[:64]
    digits = [clf.predict_digits(m, images) for m in (reloaded, model)]
    np.testing.assert_array_equal(*digits)
    np.testing.assert_allclose(
        clf.classifier_features(reloaded, images),
        clf.classifier_features(model, images),
        rtol=1e-5,
        atol=1e-6,
    )


# --------------------------------------------------------------------------------------------------
# load_or_train: the one load-or-train function behind chapters 5, 6 and the classifier
# --------------------------------------------------------------------------------------------------


def _tiny_model() -> keras.Model:
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="features")])


def test_load_or_train_trains_once_then_loads(tmp_path, capsys) -> None:
    calls = []

    def train() -> keras.Model:
        calls.append(1)
        return _tiny_model()

    path = tmp_path / "sub" / "tiny.keras"
    first = clf.load_or_train(path, train, name="Tiny model")
    assert "Tiny model trained in" in capsys.readouterr().out and path.exists()
    second = clf.load_or_train(path, train, name="Tiny model")
    assert calls == [1] and capsys.readouterr().out == ""
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(second.predict(x, verbose=0), first.predict(x, verbose=0))
    assert [p.name for p in path.parent.iterdir()] == ["tiny.keras"]


def test_load_or_train_refuses_an_unusable_file_naming_it(tmp_path) -> None:
    path = tmp_path / "tiny.keras"
    path.write_bytes(b"not a zip file")  # as a run killed mid-write by hand would leave it
    with pytest.raises(ValueError, match="not a loadable .keras file") as error:
        clf.load_or_train(path, _tiny_model)
    assert str(path) in str(error.value) and "delete it" in str(error.value)
    assert path.read_bytes() == b"not a zip file"  # never silently replaced
    path.unlink()
    clf.load_or_train(path, _tiny_model)  # deleted: a new one is trained and saved
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.load_or_train(path, _tiny_model)  # now valid: loaded, no warning


def test_load_or_train_refuses_a_model_that_fails_the_check(tmp_path) -> None:
    path = clf.save_model_atomically(_tiny_model(), tmp_path / "tiny.keras")

    def wrong_model(model: keras.Model) -> None:
        raise ValueError("model must have a layer named 'logits'")

    with pytest.raises(ValueError, match="does not hold a usable model.*logits") as error:
        clf.load_or_train(path, _tiny_model, check=wrong_model)
    assert str(path) in str(error.value)


def test_model_shapes_check(tmp_path) -> None:
    model = _tiny_model()
    shape_in, shape_out = tuple(model.inputs[0].shape), tuple(model.outputs[0].shape)
    clf.model_shapes(shape_in, shape_out)(model)  # the right shapes: nothing raised
    with pytest.raises(ValueError, match="must map inputs"):
        clf.model_shapes((None, 28, 28, 1), shape_out)(model)
    with pytest.raises(ValueError, match="must map inputs"):
        clf.model_shapes([shape_in, (None,)], shape_out)(model)


def test_load_or_train_bad_arguments(tmp_path) -> None:
    with pytest.raises(ValueError, match="path"):
        clf.load_or_train(tmp_path / "model.h5", _tiny_model)
    with pytest.raises(ValueError, match="train"):
        clf.load_or_train(tmp_path / "model.keras", "not callable")


# ---------------------------------------------------------------- the judge's split (chapter 9)


def test_judge_split_holds_out_every_fifth_digit() -> None:
    trained_on, held_out = clf.judge_split(23)
    np.testing.assert_array_equal(held_out, [4, 9, 14, 19])
    assert np.intersect1d(trained_on, held_out).size == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([trained_on, held_out])), np.arange(23))


@pytest.mark.parametrize("count", [None, "10", 4, 2.5, True])
def test_judge_split_bad_count(count: object) -> None:
    with pytest.raises(ValueError, match="^count"):
        clf.judge_split(count)


def test_classifier_file_names_the_recipe_and_seed(monkeypatch) -> None:
    name = clf.classifier_file(0)
    assert name == clf.CLASSIFIER_FILE and name.startswith("digit_classifier-")
    assert name.endswith(".keras") and clf.classifier_file(1) != name
    # Another split (say, every fourth digit held out) must not reuse the saved classifier.
    source = clf.inspect.getsource(clf.judge_split)
    monkeypatch.setattr(
        clf.inspect,
        "getsource",
        lambda obj: source.replace("% 5 == 4", "% 4 == 3") if obj is clf.judge_split else "",
    )
    assert clf.classifier_file(0) != name
    with pytest.raises(ValueError, match="^seed"):
        clf.classifier_file(-1)


def test_the_classifier_never_trains_on_the_reference(monkeypatch) -> None:
    seen = {}

    def record_fit(self, images, labels, **kwargs):
        seen["images"] = images

    monkeypatch.setenv("GANBOOK_QUICK", "1")
    monkeypatch.setattr(keras.Model, "fit", record_fit)
    clf._train_digit_classifier(0)
    train = load_images("mnist", "train")
    reference = train.images[clf.judge_split(len(train.labels))[1]]
    assert len(seen["images"]) == len(train.labels) - len(reference)
    flat = seen["images"].reshape(len(seen["images"]), -1)
    for image in reference[:20].reshape(20, -1):
        assert not np.any(np.all(flat == image, axis=1))
