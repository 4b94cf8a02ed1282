"""Unit tests of ganbook.cgan (chapter 6's conditional GAN) and its sync with the chapter's notebook."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from ganbook import cgan
from ganbook.gan import GAN, LATENT_DIM

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "06_conditional_gan.ipynb"
TAUGHT = ("build_conditional_generator", "build_conditional_discriminator", "ConditionalGAN", "train_cgan")


def _notebook_definitions() -> dict[str, str]:
    """Top-level functions and classes defined in the notebook's code cells, by name, as source text."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    found = {}
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found[node.name] = ast.get_source_segment(text, node, padded=False)
    return found


@pytest.mark.parametrize("name", TAUGHT)
def test_notebook_teaches_the_module_code(name: str) -> None:
    """The chapter shows these in full; ganbook's copies must be identical (chapter 9 imports ganbook's)."""
    definitions = _notebook_definitions()
    assert name in definitions, f"{NOTEBOOK.name} no longer defines {name}"
    module_source = inspect.getsource(getattr(cgan, name)).rstrip("\n")
    assert definitions[name] == module_source, f"{name} differs between {NOTEBOOK.name} and ganbook/cgan.py"


def _inputs(count: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, LATENT_DIM)).astype("float32"), rng.integers(0, 10, count).astype("int32")


def test_generator_shapes_and_range() -> None:
    generator = cgan.build_conditional_generator()
    z, labels = _inputs()
    images = keras.ops.convert_to_numpy(generator([z, labels]))
    assert images.shape == (4, 28, 28, 1)
    assert images.min() >= -1 and images.max() <= 1
    assert [tuple(t.shape) for t in generator.inputs] == [(None, LATENT_DIM), (None,)]


def test_discriminator_shapes_and_uses_the_label() -> None:
    keras.utils.set_random_seed(0)
    discriminator = cgan.build_conditional_discriminator()
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    labels = np.array([0, 1, 2, 3], dtype="int32")
    logits = keras.ops.convert_to_numpy(discriminator([images, labels]))
    assert logits.shape == (4, 1)
    other = keras.ops.convert_to_numpy(discriminator([images, (labels + 5) % 10]))
    assert not np.allclose(logits, other)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"num_classes": 1.5}, "num_classes"),
        ({"embed_dim": -1}, "embed_dim"),
        ({"width": 0}, "width"),
        ({"latent_dim": True}, "latent_dim"),
    ],
)
def test_generator_bad_arguments(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        cgan.build_conditional_generator(**kwargs)


@pytest.mark.parametrize("kwargs, name", [({"num_classes": 0}, "num_classes"), ({"width": "32"}, "width")])
def test_discriminator_bad_arguments(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        cgan.build_conditional_discriminator(**kwargs)


def test_digit_rows() -> None:
    z, labels = cgan.digit_rows([3, 7], per_row=5, seed=1)
    assert z.shape == (10, LATENT_DIM) and labels.tolist() == [3] * 5 + [7] * 5
    np.testing.assert_array_equal(z[:5], z[5:])  # the same noise in every row


@pytest.mark.parametrize(
    "digits, per_row, name",
    [([], 3, "digits"), ([10], 3, "digits"), ([-1], 3, "digits"), ([1.5], 3, "digits"), ([1], 0, "per_row")],
)
def test_digit_rows_bad_input(digits: list, per_row: int, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        cgan.digit_rows(digits, per_row)


def test_make_labelled_dataset() -> None:
    images = np.zeros((10, 28, 28, 1), np.float32)
    labels = np.arange(10)
    batches = list(cgan.make_labelled_dataset(images, labels, batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1].numpy() for b in batches]).tolist()) == list(range(10))


@pytest.mark.parametrize(
    "images, labels, batch_size, name",
    [
        (np.zeros((3, 28, 28)), np.zeros(3, int), 2, "images"),
        (np.zeros((3, 28, 28, 1)), np.zeros(2, int), 2, "labels"),
        (np.zeros((3, 28, 28, 1)), np.zeros(3), 2, "labels"),
        (np.zeros((3, 28, 28, 1)), np.array([0, 1, 10]), 2, "labels"),
        (np.zeros((3, 28, 28, 1)), np.zeros(3, int), 0, "batch_size"),
    ],
)
def test_make_labelled_dataset_bad_input(images, labels, batch_size, name) -> None:
    with pytest.raises(ValueError, match=name):
        cgan.make_labelled_dataset(images, labels, batch_size)


def test_chapter6_config(monkeypatch) -> None:
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    assert cgan.chapter6_config().epochs == 1
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    config = cgan.chapter6_config(batch_size=32)
    assert config.epochs == 20 and config.batch_size == 32 and config.learning_rate == 1e-3
    with pytest.raises(ValueError, match="changes"):
        cgan.chapter6_config(epoch=3)


def test_fit_runs_and_grid_records_frames() -> None:
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (48, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, 48)
    grid = cgan.ConditionalSampleGrid(digits=[1, 2], per_row=3)
    config = cgan.chapter6_config(epochs=2, batch_size=16)
    model = cgan.train_cgan(config, images, labels, callbacks=[grid])
    assert isinstance(model, GAN)
    assert set(model.history.history) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(model.history.history["d_loss"]))
    assert sorted(grid.frames) == [0, 1] and grid.frames[1].shape == (6, 28, 28, 1)
    z, y = _inputs(3)
    assert tuple(model([z, y]).shape) == (3, 28, 28, 1)


def test_train_cgan_bad_config() -> None:
    with pytest.raises(ValueError, match="config"):
        cgan.train_cgan({"epochs": 1})


def test_load_or_train_saves_and_reloads(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    trained = cgan.load_or_train_cgan_generator()
    assert "saved to" in capsys.readouterr().out
    path = tmp_path / "quick" / cgan.CGAN_GENERATOR_FILE
    assert path.exists()
    loaded = cgan.load_or_train_cgan_generator()
    assert capsys.readouterr().out == ""  # loaded, not trained again
    z, labels = _inputs(6)
    first = trained.predict([z, labels], verbose=0)
    np.testing.assert_allclose(loaded.predict([z, labels], verbose=0), first, atol=1e-6)
    assert first.shape == (6, 28, 28, 1) and first.min() >= -1 and first.max() <= 1
