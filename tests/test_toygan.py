"""Unit tests of ganbook.toygan: configuration checks, shapes, seeding, and every option running."""

import numpy as np
import pytest

from ganbook.diagnostics import TrainingMonitor
from ganbook.toygan import ToyGAN, ToyGANConfig, train_toy_gan

TINY = ToyGANConfig(g_hidden=(8, 8), d_hidden=(8, 8), batch_size=16, steps=6)


def test_defaults_describe_and_with():
    assert ToyGANConfig().describe() == "defaults"
    cfg = TINY.with_(pack=2, loss="wgan-gp")
    assert "pack=2" in cfg.describe() and "loss=wgan-gp" in cfg.describe()


@pytest.mark.parametrize(
    "option, jit",
    [
        ({}, True),
        ({"loss": "saturating", "label_smoothing": 0.1, "instance_noise": 0.1, "minibatch_std": True}, False),
        ({"loss": "wgan-gp", "d_steps": 2, "pack": 2, "spectral_norm": True}, False),
        ({"r1_gamma": 1.0, "g_lr": 1e-4, "d_lr": 4e-4, "pack": 4, "lr_decay": "none"}, False),
    ],
)
def test_every_option_trains_and_returns_finite_history(option, jit):
    cfg = TINY.with_(**option)
    gan = ToyGAN(cfg, "ring", seeds=(0, 1), jit_compile=jit)
    result = gan.train(check_every=3)
    assert result.history["d_loss"].shape == (2, 2)
    assert np.all(np.isfinite(result.history["g_grad_norm"])) and result.cpu_seconds > 0
    samples = gan.sample(40)
    assert samples.shape == (2, 40, 2) and samples.dtype == np.float32 and np.all(np.isfinite(samples))
    assert gan.discriminator_logits(samples[0]).shape == (2, 40 // cfg.pack)


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
    result = gan.train(check_every=2, monitor=TrainingMonitor(real_samples=data, print_fn=lines.append),
                       heldout=data[:10] + 1.0)
    assert gan.dim == 5 and gan.sample(4).shape == (1, 4, 5)
    assert result.history["step"][:, 0].tolist() == [2, 4, 6] and result.seconds > 0
    assert result.history["d_acc_heldout"].shape == (3, 1)


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
