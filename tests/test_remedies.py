"""Unit tests of ganbook.remedies: chapter 8's R1 and R3GAN variants of chapter 5's GAN."""

from __future__ import annotations

import json
from dataclasses import asdict

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, ops

from ganbook import remedies
from ganbook.remedies import R1GAN, RelativisticGAN, RemedyConfig

IMAGES = np.random.default_rng(0).uniform(-1, 1, size=(40, 28, 28, 1)).astype(np.float32)


def linear_discriminator(weights: np.ndarray) -> keras.Model:
    """D(x) = <w, x>: its input gradient is w for every image, so ||grad||^2 = ||w||^2."""
    model = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(1, use_bias=False)]
    )
    model.layers[-1].set_weights([weights.reshape(-1, 1)])
    return model


def test_zero_centred_penalty_of_a_linear_discriminator() -> None:
    weights = np.random.default_rng(1).normal(size=784).astype(np.float32)
    penalty = remedies.zero_centred_penalty(linear_discriminator(weights), IMAGES[:5])
    assert float(penalty) == pytest.approx(float(weights @ weights), rel=1e-5)


def small(kind, **options):
    generator = keras.Sequential(
        [keras.Input(shape=(4,)), layers.Dense(784, activation="tanh"), layers.Reshape((28, 28, 1))]
    )
    weights = np.full(784, 0.1, np.float32)
    model = kind(generator, linear_discriminator(weights), latent_dim=4, **options)
    model.compile(
        d_optimizer=keras.optimizers.SGD(0.0),
        g_optimizer=keras.optimizers.SGD(0.0),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return model, weights


def test_r1_penalty_is_half_gamma_times_the_squared_gradient() -> None:
    model, weights = small(R1GAN, gamma=3.0)
    penalty = model.discriminator_penalty(tf.constant(IMAGES[:4]), tf.constant(IMAGES[4:8]))
    assert float(penalty) == pytest.approx(1.5 * float(weights @ weights), rel=1e-5)


def test_relativistic_losses_pair_each_fake_with_a_real_image() -> None:
    model, weights = small(RelativisticGAN, gamma=2.0)
    real, fake = tf.constant(IMAGES[:4]), tf.constant(IMAGES[4:8])
    real_logits, fake_logits = model.discriminator(real), model.discriminator(fake)
    softplus = np.log1p(np.exp(np.asarray(fake_logits - real_logits)))
    assert float(model.discriminator_loss(real_logits, fake_logits)) == pytest.approx(
        softplus.mean(), rel=1e-5
    )
    # R1 on real images plus R2 on generated ones, gamma / 2 each.
    penalty = model.discriminator_penalty(real, fake)
    assert float(penalty) == pytest.approx(2.0 * float(weights @ weights), rel=1e-5)
    model.generate(real)  # the step calls it right before the generator's loss
    expected = np.log1p(np.exp(np.asarray(real_logits - fake_logits))).mean()
    assert float(model.generator_loss(fake_logits)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("arm", remedies.ARMS)
def test_each_arm_trains_and_a_seed_does_not_depend_on_its_neighbours(arm) -> None:
    config = RemedyConfig(arm, 1e-3, 0.5, 0.9, gamma=0.0 if arm == "dcgan" else 1.0)
    options = {"steps": 3, "batch_size": 8, "width": 4, "samples": 6, "jit_compile": False}
    together = list(remedies.train_seeds(config, IMAGES, [3, 5], **options))
    alone = list(remedies.train_seeds(config, IMAGES, [5], **options))
    assert [run["seed"] for run in together] == [3, 5]
    assert together[1]["samples"].shape == (6, 28, 28, 1)
    assert np.all(np.isfinite(together[0]["samples"]))
    np.testing.assert_allclose(together[1]["samples"], alone[0]["samples"], atol=1e-6)
    assert not np.allclose(together[0]["samples"], together[1]["samples"])


def test_training_changes_the_networks() -> None:
    config = RemedyConfig("r3gan", 1e-2, 0.0, 0.9, gamma=0.1)
    model = remedies.build_arm(config, width=4, seed=0, jit_compile=False)
    before = [w.copy() for w in model.generator.get_weights()]
    data = tf.data.Dataset.from_tensor_slices(IMAGES).batch(8).repeat()
    model.fit(data, steps_per_epoch=2, epochs=1, shuffle=False, verbose=0)
    after = model.generator.get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(before, after))
    assert np.isfinite(float(ops.convert_to_numpy(model.d_loss_tracker.result())))


def test_load_search_reads_the_chosen_configurations(tmp_path) -> None:
    chosen = {"r1": asdict(RemedyConfig("r1", 1e-3, 0.0, 0.9, 2.0))}
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"steps": 5, "runs": [], "chosen": chosen}))
    search = remedies.load_search(path)
    assert search["chosen"]["r1"] == RemedyConfig("r1", 1e-3, 0.0, 0.9, 2.0)
    assert search["steps"] == 5
    with pytest.raises(ValueError, match="^path"):
        remedies.load_search(tmp_path / "missing.json")


BAD_CONFIGS = {
    "arm": {"arm": "wgan"},
    "learning_rate": {"learning_rate": 0.0},
    "beta_1": {"beta_1": 1.0},
    "beta_2": {"beta_2": -0.1},
    "gamma": {"gamma": float("nan")},
}


@pytest.mark.parametrize("field", BAD_CONFIGS)
def test_remedy_config_checks_its_fields(field) -> None:
    with pytest.raises(ValueError, match=f"^{field}"):
        RemedyConfig(**{"arm": "r1", **BAD_CONFIGS[field]})


BAD_TRAINING = {
    "config": {"config": {"arm": "r1"}},
    "images": {"images": IMAGES[:, :14]},
    "seeds": {"seeds": []},
    "steps": {"steps": 0},
    "batch_size": {"batch_size": -1},
    "width": {"width": 1.5},
    "samples": {"samples": None},
    "jit_compile": {"jit_compile": 1},
}


@pytest.mark.parametrize("name", BAD_TRAINING)
def test_train_seeds_checks_its_arguments_before_training(name) -> None:
    arguments = {"config": RemedyConfig("dcgan"), "images": IMAGES, "seeds": [0], "steps": 1}
    with pytest.raises(ValueError, match=f"^{name}"):
        next(remedies.train_seeds(**{**arguments, **BAD_TRAINING[name]}))


BAD_BUILD = [("config", "r1"), ("width", 0), ("seed", -1), ("jit_compile", "no")]


@pytest.mark.parametrize("name, value", BAD_BUILD)
def test_build_arm_checks_its_arguments(name, value) -> None:
    arguments = {"config": RemedyConfig("dcgan"), "width": 4, "seed": 0, "jit_compile": False}
    with pytest.raises(ValueError, match=f"^{name}"):
        remedies.build_arm(**{**arguments, name: value})


@pytest.mark.parametrize("kind", [R1GAN, RelativisticGAN])
def test_gamma_must_be_a_non_negative_number(kind) -> None:
    with pytest.raises(ValueError, match="^gamma"):
        small(kind, gamma=-1.0)
