"""Chapter 5's GAN with the remedies of chapter 8: the R1 penalty and R3GAN's loss, and their runs.

Introduced in chapter 8 (Remedies, measured), section "The winners on chapter 5's DCGAN". Each
model is chapter 5's :class:`ganbook.gan.GAN` with methods its ``train_step`` calls overridden,
never the step itself:

- :class:`R1GAN`: the non-saturating loss of chapter 5 plus the R1 penalty (Mescheder et al. 2018),
  (gamma / 2) E ||grad D(x)||^2 on real images x.
- :class:`RelativisticGAN`: the relativistic pairing loss of R3GAN (Huang et al. 2024),
  L_D = E softplus(D(G(z)) - D(x)), L_G = E softplus(D(x) - D(G(z))), each generated image paired
  with one real image of the batch, with both R1 (real images) and R2 (generated images).

The penalties take the gradient of D's logits with respect to its input inside the step's own
tape, so D's update follows their gradient (a second-order gradient).

:func:`train_seeds` trains one arm from several seeds with one compiled step: it restarts the
networks, the optimisers and the noise from each seed, so a seed's result does not depend on the
seeds trained before it, and XLA compiles once per arm instead of once per seed.
``scripts/tune_dcgan_remedies.py`` tunes each arm with it and writes
``ganbook/data/dcgan_remedies_search.json``, which :func:`load_search` reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganbook import checks
from ganbook.config import seed_everything
from ganbook.gan import GAN, LATENT_DIM, build_discriminator, build_generator, make_dataset

__all__ = [
    "ARMS",
    "R1GAN",
    "RelativisticGAN",
    "RemedyConfig",
    "build_arm",
    "load_search",
    "train_seeds",
    "zero_centred_penalty",
]

ARMS = ("dcgan", "r1", "r3gan")
"""The arms of chapter 8's DCGAN comparison: chapter 5's GAN, + R1, R3GAN's loss with R1 + R2."""

SEARCH_FILE = Path(__file__).parent / "data" / "dcgan_remedies_search.json"


def zero_centred_penalty(discriminator: keras.Model, images: tf.Tensor) -> tf.Tensor:
    """Mean over the batch of ||grad_x D(x)||^2 at ``images`` (chapter 8).

    The R1 penalty when ``images`` are real, R2 when they are generated (Mescheder et al. 2018;
    Huang et al. 2024 use both). Differentiable, so a loss that adds it trains D through it.
    """
    images = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(images)
        total = ops.sum(discriminator(images, training=True))
    gradient = tape.gradient(total, images)
    return ops.mean(ops.sum(ops.square(gradient), axis=(1, 2, 3)))


class R1GAN(GAN):
    """Chapter 5's GAN (non-saturating loss) plus the R1 penalty on real images (chapter 8)."""

    def __init__(self, generator, discriminator, latent_dim, gamma=1.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.gamma = checks.non_negative_number("gamma", gamma)

    def discriminator_penalty(self, real, fake):
        return 0.5 * self.gamma * zero_centred_penalty(self.discriminator, real)


class RelativisticGAN(GAN):
    """R3GAN's relativistic pairing loss with the R1 and R2 penalties (chapter 8).

    The generator's loss compares each generated image with a real one, so it needs the real
    batch: ``generate`` keeps the batch it is given (the step calls it right before the generator's
    loss), and ``generator_loss`` scores that batch with the current D.
    """

    def __init__(self, generator, discriminator, latent_dim, gamma=1.0, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.gamma = checks.non_negative_number("gamma", gamma)
        self.paired_real = None

    def generate(self, real):
        self.paired_real = real
        return super().generate(real)

    def discriminator_loss(self, real_logits, fake_logits):
        # softplus(-(D(x) - D(G(z)))): small when each real image out-scores its fake partner.
        return ops.mean(ops.softplus(fake_logits - real_logits))

    def discriminator_penalty(self, real, fake):
        r1 = zero_centred_penalty(self.discriminator, real)
        r2 = zero_centred_penalty(self.discriminator, fake)
        return 0.5 * self.gamma * (r1 + r2)

    def generator_loss(self, fake_logits):
        real_logits = self.discriminator(self.paired_real, training=True)
        return ops.mean(ops.softplus(real_logits - fake_logits))


@dataclass(frozen=True)
class RemedyConfig:
    """One arm's training settings (chapter 8): Adam for both networks, and the penalty's gamma.

    ``gamma`` is ignored by the ``"dcgan"`` arm. Checked when made.
    """

    arm: str
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    gamma: float = 0.0

    def __post_init__(self) -> None:
        checks.one_of("arm", self.arm, ARMS)
        checked = {
            "learning_rate": checks.positive_number("learning_rate", self.learning_rate),
            "beta_1": checks.number("beta_1", self.beta_1, 0.0, 1.0, exclusive_maximum=True),
            "beta_2": checks.number("beta_2", self.beta_2, 0.0, 1.0, exclusive_maximum=True),
            "gamma": checks.non_negative_number("gamma", self.gamma),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)


def build_arm(
    config: RemedyConfig, width: int = 32, seed: int = 0, jit_compile: bool = True
) -> GAN:
    """A compiled GAN of ``config.arm`` with chapter 5's networks at ``width`` (chapter 8).

    ``jit_compile`` compiles the step with XLA: faster steps, a slower first one.
    """
    checks.instance("config", config, RemedyConfig, "a RemedyConfig")
    width = checks.positive_int("width", width)
    jit_compile = checks.flag("jit_compile", jit_compile)
    seed = seed_everything(seed)
    networks = (build_generator(LATENT_DIM, width), build_discriminator(width))
    if config.arm == "dcgan":
        model = GAN(*networks, latent_dim=LATENT_DIM, seed=seed)
    else:
        kind = R1GAN if config.arm == "r1" else RelativisticGAN
        model = kind(*networks, latent_dim=LATENT_DIM, seed=seed, gamma=config.gamma)

    def adam() -> keras.optimizers.Optimizer:
        return keras.optimizers.Adam(config.learning_rate, config.beta_1, config.beta_2)

    model.compile(
        d_optimizer=adam(),
        g_optimizer=adam(),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    model.d_optimizer.build(model.discriminator.trainable_variables)
    model.g_optimizer.build(model.generator.trainable_variables)
    return model


def _restart(model: GAN, seed: int, width: int, fresh_optimisers: list) -> None:
    """Give ``model`` the networks, optimiser state and noise that ``seed`` gives a new one."""
    seed_everything(seed)
    model.generator.set_weights(build_generator(LATENT_DIM, width).get_weights())
    model.discriminator.set_weights(build_discriminator(width).get_weights())
    for optimizer, values in zip((model.d_optimizer, model.g_optimizer), fresh_optimisers):
        for variable, value in zip(optimizer.variables, values):
            variable.assign(value)
    model.noise_seed.state.assign(keras.random.SeedGenerator(seed).state.value)


def train_seeds(
    config: RemedyConfig,
    images: np.ndarray,
    seeds: Sequence[int],
    steps: int,
    batch_size: int = 32,
    width: int = 32,
    samples: int = 1000,
    jit_compile: bool = True,
) -> Iterator[dict]:
    """Train ``config``'s arm once per seed with one compiled step; yield each run (chapter 8).

    Each run restarts from its seed (networks, both optimisers, noise and data order), trains
    ``steps`` generator steps on ``images`` with ``fit`` and yields ``{"seed", "samples",
    "cpu_seconds"}``: ``samples`` images generated (in inference mode) from noise drawn with the
    seed, and the process time the training took (the first run's includes compiling the step).
    """
    checks.instance("config", config, RemedyConfig, "a RemedyConfig")
    images = checks.images("images", images, shape=(None, 28, 28, 1))
    seeds = [checks.seed("seeds", seed) for seed in checks.instance("seeds", seeds, (list, tuple))]
    if not seeds:
        raise ValueError("seeds must name at least one seed; got an empty sequence")
    steps = checks.positive_int("steps", steps)
    batch_size = checks.positive_int("batch_size", batch_size)
    width = checks.positive_int("width", width)
    samples = checks.positive_int("samples", samples)
    model = build_arm(config, width, seeds[0], jit_compile)
    optimisers = (model.d_optimizer, model.g_optimizer)
    fresh = [[ops.convert_to_numpy(v) for v in opt.variables] for opt in optimisers]
    for seed in seeds:
        _restart(model, seed, width, fresh)
        data = make_dataset(images, batch_size, seed=seed).repeat()
        start = time.process_time()
        model.fit(data, steps_per_epoch=steps, epochs=1, shuffle=False, verbose=0)
        cpu_seconds = time.process_time() - start
        z = tf.random.stateless_normal((samples, LATENT_DIM), seed=(seed, 99))
        fake = ops.convert_to_numpy(model.generator(z, training=False))
        yield {"seed": seed, "samples": fake, "cpu_seconds": cpu_seconds}


def load_search(path: str | Path | None = None) -> dict:
    """The committed search of ``scripts/tune_dcgan_remedies.py`` (chapter 8).

    A dict with the search's settings, every run it made (``"runs"``) and each arm's chosen
    configuration as a :class:`RemedyConfig` (``"chosen"``).
    """
    path = SEARCH_FILE if path is None else checks.path("path", path)
    if not path.is_file():
        raise ValueError(f"path must be the search's JSON file; {path} does not exist")
    search = json.loads(path.read_text(encoding="utf-8"))
    search["chosen"] = {arm: RemedyConfig(**found) for arm, found in search["chosen"].items()}
    return search

