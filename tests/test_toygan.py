"""Unit tests of ganbook.toygan: configuration checks, shapes, seeding, and every option running."""

import numpy as np
import pytest
import tensorflow as tf

from ganbook.diagnostics import TrainingMonitor
from ganbook.toygan import (
    SeedAdam,
    SeedDiscriminator,
    SeedGenerator,
    SeedRandom,
    ToyGAN,
    ToyGANConfig,
    ToyLosses,
    train_toy_gan,
)

TINY = ToyGANConfig(g_hidden=(8, 8), d_hidden=(8, 8), batch_size=16, steps=6)


def test_defaults_describe_and_with():
    assert ToyGANConfig().describe() == "defaults"
    cfg = TINY.with_(pack=2, loss="wgan-gp")
    assert "pack=2" in cfg.describe() and "loss=wgan-gp" in cfg.describe()


@pytest.mark.parametrize(
    "option, jit",
    [
        ({}, True),
        (
            {
                "loss": "saturating",
                "label_smoothing": 0.1,
                "instance_noise": 0.1,
                "minibatch_std": True,
            },
            False,
        ),
        ({"loss": "wgan-gp", "d_steps": 2, "pack": 2, "spectral_norm": True}, False),
        ({"r1_gamma": 1.0, "g_lr": 1e-4, "d_lr": 4e-4, "pack": 4, "lr_decay": "none"}, False),
        ({"loss": "rpgan", "r1_gamma": 0.1, "r2_gamma": 0.1, "instance_noise": 0.1}, False),
    ],
)
def test_every_option_trains_and_returns_finite_history(option, jit):
    cfg = TINY.with_(**option)
    gan = ToyGAN(cfg, "ring", seeds=(0, 1), jit_compile=jit)
    result = gan.train(check_every=3)
    assert result.history["d_loss"].shape == (2, 2)
    assert np.all(np.isfinite(result.history["g_grad_norm"])) and result.cpu_seconds > 0
    samples = gan.sample(40)
    assert samples.shape == (2, 40, 2) and samples.dtype == np.float32
    assert np.all(np.isfinite(samples))
    assert gan.discriminator_logits(samples[0]).shape == (2, 40 // cfg.pack)


@pytest.mark.parametrize("option", [{}, {"spectral_norm": True}])
def test_a_seed_with_spectral_norm_does_not_depend_on_companions(option):
    alone = ToyGAN(TINY.with_(**option), "ring", seeds=(3,), jit_compile=False)
    alone.train()
    together = ToyGAN(TINY.with_(**option), "ring", seeds=(5, 3), jit_compile=False)
    together.train()
    np.testing.assert_allclose(alone.sample(50)[0], together.sample(50)[1], rtol=1e-4, atol=1e-5)


def test_configurations_side_by_side_train_as_they_would_alone():
    fast = TINY.with_(g_lr=3e-3, d_lr=1e-2, beta1=0.0, r1_gamma=0.5, instance_noise=0.2)
    slow = TINY.with_(g_lr=1e-4, d_lr=1e-4, label_smoothing=0.2)
    both = ToyGAN([fast, slow, fast], "ring", seeds=(2, 2, 4), jit_compile=False)
    both.train()
    assert both.run_names[1] == "run 1 (seed 2)"
    for i, (config, seed) in enumerate([(fast, 2), (slow, 2), (fast, 4)]):
        alone = ToyGAN(config, "ring", seeds=(seed,), jit_compile=False)
        alone.train()
        np.testing.assert_allclose(alone.sample(50)[0], both.sample(50)[i], rtol=1e-4, atol=1e-5)


def test_seed_result_does_not_depend_on_companions():
    alone = ToyGAN(TINY, "grid", seeds=(3,), jit_compile=False)
    alone.train()
    together = ToyGAN(TINY, "grid", seeds=(5, 3), jit_compile=False)
    together.train()
    np.testing.assert_allclose(alone.sample(50)[0], together.sample(50)[1], rtol=1e-4, atol=1e-5)
    again = ToyGAN(TINY, "grid", seeds=(3,), jit_compile=False)
    again.train()
    np.testing.assert_array_equal(alone.sample(50), again.sample(50))


def test_fixed_array_data_heldout_and_monitor():
    data = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    lines = []
    gan = ToyGAN(TINY, data, seeds=(0,), jit_compile=False)
    monitor = TrainingMonitor(real_samples=data, print_fn=lines.append)
    result = gan.train(check_every=2, monitor=monitor, heldout=data[:10] + 1.0)
    assert gan.dim == 5 and gan.sample(4).shape == (1, 4, 5)
    assert result.history["step"][:, 0].tolist() == [2, 4, 6] and result.seconds > 0
    assert result.history["d_acc_heldout"].shape == (3, 1)


def test_numpy_seeds_are_accepted():
    assert ToyGAN(TINY, "ring", seeds=np.array([2, 5]), jit_compile=False).seeds == (2, 5)
    assert ToyGAN(TINY, "ring", seeds=np.int64(4), jit_compile=False).seeds == (4,)


def test_train_toy_gan_wrapper():
    gan, result = train_toy_gan(TINY.with_(steps=2), "ring", seeds=(0,), check_every=1)
    assert gan.step == 2 and len(result.history["step"]) == 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"loss": "hinge"}, "loss"),
        ({"steps": 0}, "steps"),
        ({"g_hidden": ()}, "g_hidden"),
        ({"d_lr": 0.0}, "d_lr"),
        ({"beta1": 1.0}, "beta1"),
        ({"label_smoothing": 0.6}, "label_smoothing"),
        ({"r1_gamma": -1.0}, "r1_gamma"),
        ({"batch_size": 10, "pack": 4}, "pack"),
        ({"lr_decay": "cosine"}, "lr_decay"),
    ],
)
def test_config_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ToyGANConfig(**kwargs)


def test_config_accepts_numpy_numbers_and_stores_python_ones():
    cfg = ToyGANConfig(
        steps=np.int64(5),
        g_hidden=[8, np.int32(8)],
        g_lr=np.float32(0.5),
        spectral_norm=np.bool_(True),
    )
    assert cfg.steps == 5 and type(cfg.steps) is int
    assert cfg.g_hidden == (8, 8) and all(type(w) is int for w in cfg.g_hidden)
    assert type(cfg.g_lr) is float and cfg.spectral_norm is True
    assert cfg == cfg.with_()


# --- the pieces: random streams, networks, losses, optimiser ---


def test_seed_random_streams_belong_to_their_seed():
    pair, alone = SeedRandom((4, 9)), SeedRandom((9,))
    draws = pair.normal((3, 2), step=7, salt=1)
    assert draws.shape == (2, 3, 2)
    np.testing.assert_array_equal(draws[1], alone.normal((3, 2), step=7, salt=1)[0])
    assert not np.array_equal(draws[1], alone.normal((3, 2), step=8, salt=1)[0])
    ints = pair.uniform((100,), step=0, salt=2, maxval=5, dtype=tf.int32).numpy()
    assert ints.min() >= 0 and ints.max() < 5


def test_networks_shapes_and_spectral_norm():
    g = SeedGenerator([2, 8, 3], seeds=(0, 1))
    assert g(tf.zeros((2, 5, 2))).shape == (2, 5, 3)
    d = SeedDiscriminator(
        [6, 16, 16, 1], seeds=(0, 1), pack=2, minibatch_std=True, spectral_norm=True
    )
    assert d(tf.ones((2, 10, 3))).shape == (2, 5)
    for _ in range(50):  # power iteration converges to the largest singular value
        kernels = d.kernels(update=True)
    for w in kernels:
        top = np.linalg.svd(w.numpy(), compute_uv=False)[:, 0]
        np.testing.assert_allclose(top, 1.0, rtol=1e-3)


def test_losses_follow_their_formulas():
    d = SeedDiscriminator([2, 8, 1], seeds=(0,))
    real = tf.random.stateless_normal((1, 16, 2), seed=(1, 2))
    fake = tf.random.stateless_normal((1, 16, 2), seed=(3, 4))
    real_logits, fake_logits = d(real).numpy(), d(fake).numpy()
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731

    def losses(**options):
        return ToyLosses(ToyGANConfig(**options), d, SeedRandom((0,)))

    got = losses().discriminator_loss(real, fake, d.kernels(), 0, 0.0).numpy()
    want = softplus(-real_logits).mean() + softplus(fake_logits).mean()
    np.testing.assert_allclose(got, [want], rtol=1e-5)
    smooth = losses(label_smoothing=0.2).discriminator_loss(real, fake, d.kernels(), 0, 0.0)
    want = (0.8 * softplus(-real_logits) + 0.2 * softplus(real_logits)).mean()
    np.testing.assert_allclose(smooth.numpy(), [want + softplus(fake_logits).mean()], rtol=1e-5)
    critic = losses(loss="wgan-gp", gp_lambda=0.0).discriminator_loss(real, fake, d.kernels(), 0, 0)
    np.testing.assert_allclose(critic.numpy(), [fake_logits.mean() - real_logits.mean()], rtol=1e-5)
    for loss, want in (
        ("nonsaturating", softplus(-fake_logits).mean()),
        ("saturating", -softplus(fake_logits).mean()),
        ("wgan-gp", -fake_logits.mean()),
        ("rpgan", softplus(real_logits - fake_logits).mean()),  # each fake paired with a real
    ):
        got = losses(loss=loss).generator_loss(fake, d.kernels(), real).numpy()
        np.testing.assert_allclose(got, [want], rtol=1e-5)
    paired = losses(loss="rpgan").discriminator_loss(real, fake, d.kernels(), 0, 0.0)
    np.testing.assert_allclose(
        paired.numpy(), [softplus(fake_logits - real_logits).mean()], rtol=1e-5
    )
    with pytest.raises(ValueError, match="real"):
        losses(loss="rpgan").generator_loss(fake, d.kernels())


def test_r1_and_r2_penalise_the_gradient_on_real_and_on_generated_data():
    d = SeedDiscriminator([2, 8, 1], seeds=(0,))
    real = tf.random.stateless_normal((1, 16, 2), seed=(1, 2))
    fake = tf.random.stateless_normal((1, 16, 2), seed=(3, 4))

    def squared_gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(d(x))
        return float(tf.reduce_mean(tf.reduce_sum(tape.gradient(total, x) ** 2, -1)))

    def loss(**options):
        config = ToyGANConfig(loss="rpgan", **options)
        return float(
            ToyLosses(config, d, SeedRandom((0,))).discriminator_loss(
                real, fake, d.kernels(), 0, 0.0
            )[0]
        )

    plain = loss()
    np.testing.assert_allclose(loss(r1_gamma=2.0) - plain, squared_gradient(real), rtol=1e-4)
    np.testing.assert_allclose(loss(r2_gamma=2.0) - plain, squared_gradient(fake), rtol=1e-4)


def test_instance_noise_reaches_the_generator_step_too():
    d = SeedDiscriminator([2, 8, 1], seeds=(0,))
    fake = tf.random.stateless_normal((1, 16, 2), seed=(3, 4))
    noisy = ToyLosses(ToyGANConfig(instance_noise=0.5), d, SeedRandom((0,)))
    clean = noisy.generator_loss(fake, d.kernels()).numpy()
    with_noise = noisy.generator_loss(fake, d.kernels(), None, 0, tf.constant([0.5])).numpy()
    without = noisy.generator_loss(fake, d.kernels(), None, 0, tf.constant([0.0])).numpy()
    assert not np.allclose(clean, with_noise)
    np.testing.assert_allclose(clean, without, rtol=1e-6)


def test_seed_adam_first_step_and_linear_decay():
    config = ToyGANConfig(g_lr=0.1, steps=10)
    weights = tf.Variable(np.array([[1.0, -1.0]], np.float32))
    adam = SeedAdam([weights], 0.1, config)
    adam.apply([tf.constant([[3.0, -0.5]])], step=0)  # Adam's first step: lr * sign(gradient)
    np.testing.assert_allclose(weights.numpy(), [[0.9, -0.9]], atol=1e-6)
    half = SeedAdam([tf.Variable([[0.0]])], 0.1, config)
    half.apply([tf.constant([[1.0]])], step=5)  # linear decay: half the rate half way
    np.testing.assert_allclose(half.variables[0].numpy(), [[-0.05]], atol=1e-6)
    two = tf.Variable(np.zeros((2, 1), np.float32))  # two runs: a rate and betas each
    runs = SeedAdam([two], [0.1, 0.01], [config, config.with_(beta1=0.0)])
    runs.apply([tf.constant([[1.0], [-2.0]])], step=0)
    np.testing.assert_allclose(two.numpy(), [[-0.1], [0.01]], atol=1e-6)


def test_toygan_bad_input():
    with pytest.raises(ValueError, match="config"):
        ToyGAN({}, "ring")
    with pytest.raises(ValueError, match="data"):
        ToyGAN(TINY, "spiral")
    with pytest.raises(ValueError, match="data"):
        ToyGAN(TINY, np.zeros((5,)))
    with pytest.raises(ValueError, match="seeds"):
        ToyGAN(TINY, "ring", seeds=(1, 1))
    with pytest.raises(ValueError, match="scale"):
        ToyGAN(TINY, "ring", scale=0.0)
    gan = ToyGAN(TINY, "ring", jit_compile=False)
    with pytest.raises(ValueError, match="heldout"):
        gan.train(heldout=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="steps"):
        gan.train(steps=0)
    with pytest.raises(ValueError, match="n"):
        gan.sample(0)
    with pytest.raises(ValueError, match="x"):
        gan.discriminator_logits(np.zeros((4, 3)))


def test_public_network_calls_check_input_but_keep_tensors_and_gradients():
    gan = ToyGAN(TINY, "ring", seeds=(0, 1), jit_compile=False)
    z = np.random.default_rng(0).normal(size=(2, 6, 2))  # float64 arrays are converted
    want = gan.generator._forward(tf.constant(z, "float32"))
    np.testing.assert_array_equal(gan.generator(z), want)
    x = tf.ones((2, 4, 2))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(gan.discriminator(x))
    assert tape.gradient(total, x).shape == (2, 4, 2)
