"""Unit tests of ganbook.cgan (chapter 6's conditional GAN).

The code that chapter 6 teaches lives in the notebook and is exported into ganbook.cgan;
tests/test_export.py checks that the export is current.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from ganbook import cgan
from ganbook.gan import GAN, LATENT_DIM


def _inputs(count: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, LATENT_DIM)).astype("float32")
    return z, rng.integers(0, 10, count).astype("int32")


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


def test_conditional_gan_overrides_only_call_and_generate() -> None:
    own = {name for name in vars(cgan.ConditionalGAN) if not name.startswith("__")}
    assert own == {"call", "generate"}  # the step and its losses are chapter 5's
    assert issubclass(cgan.ConditionalGAN, GAN)


def test_generate_pairs_fresh_images_with_the_real_labels() -> None:
    keras.utils.set_random_seed(0)
    model = cgan.ConditionalGAN(
        cgan.build_conditional_generator(width=4),
        cgan.build_conditional_discriminator(width=4),
        latent_dim=LATENT_DIM,
    )
    labels = np.array([1, 2, 3], dtype="int32")
    real = (keras.ops.zeros((3, 28, 28, 1)), keras.ops.convert_to_tensor(labels))  # as in fit
    images, fake_labels = model.generate(real)
    assert tuple(images.shape) == (3, 28, 28, 1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(fake_labels), labels)
    again, _ = model.generate(real)
    assert not np.allclose(keras.ops.convert_to_numpy(images), keras.ops.convert_to_numpy(again))


def test_digit_rows() -> None:
    z, labels = cgan.digit_rows([3, 7], per_row=5, seed=1)
    assert z.shape == (10, LATENT_DIM) and labels.tolist() == [3] * 5 + [7] * 5
    np.testing.assert_array_equal(z[:5], z[5:])  # the same noise in every row
    z, labels = cgan.digit_rows(np.array([0, 9]), per_row=np.int64(2), latent_dim=np.int32(4))
    assert z.shape == (4, 4) and labels.tolist() == [0, 0, 9, 9]


@pytest.mark.parametrize(
    "digits, per_row, name",
    [
        ([], 3, "digits"),
        ([10], 3, "digits"),
        ([-1], 3, "digits"),
        ([1.5], 3, "digits"),
        ([1], 0, "per_row"),
        ([1], True, "per_row"),
    ],
)
def test_digit_rows_bad_input(digits: list, per_row: int, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        cgan.digit_rows(digits, per_row)


def test_make_labelled_dataset() -> None:
    images = np.zeros((10, 28, 28, 1), np.float32)
    labels = np.arange(10)
    batches = list(cgan.make_labelled_dataset(images, labels, batch_size=np.int64(4)))
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
    config = cgan.chapter6_config(epochs=2, batch_size=16, steps_per_epoch=4, steps_per_execution=2)
    model = cgan.train_cgan(config, images, labels, callbacks=[grid])
    assert isinstance(model, GAN)
    assert set(model.history.history) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(model.history.history["d_loss"]))
    assert sorted(grid.frames) == [0, 1] and grid.frames[1].shape == (6, 28, 28, 1)
    z, y = _inputs(3)
    assert tuple(model([z, y]).shape) == (3, 28, 28, 1)


def test_load_or_train_saves_and_reloads(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    rng = np.random.default_rng(0)
    data = type(
        "Data",
        (),
        {
            "images": rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32"),
            "labels": rng.integers(0, 10, 32),
        },
    )
    monkeypatch.setattr(cgan, "load_images", lambda dataset, split, **options: data)
    tiny = cgan.chapter6_config(width=4, batch_size=16, steps_per_epoch=4, steps_per_execution=4)
    monkeypatch.setattr(cgan, "chapter6_config", lambda: tiny)
    trained = cgan.load_or_train_cgan_generator()
    assert "saved as" in capsys.readouterr().out
    path = cgan.run_dir("cgan", tiny) / cgan.CGAN_GENERATOR_FILE
    assert path.parent.name.startswith("cgan-") and path.parent.parent == tmp_path / "quick"
    assert path.exists()
    loaded = cgan.load_or_train_cgan_generator()
    assert capsys.readouterr().out == ""  # loaded, not trained again
    z, labels = _inputs(6)
    first = trained.predict([z, labels], verbose=0)
    np.testing.assert_allclose(loaded.predict([z, labels], verbose=0), first, atol=1e-6)
    assert first.shape == (6, 28, 28, 1) and first.min() >= -1 and first.max() <= 1
