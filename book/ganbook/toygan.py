"""A configurable, fast GAN trainer for small vector data: the 2-D ring and grid, or digits.

Introduced in chapter 7 (Failure modes, measured) and used for every run of chapter 8 (Remedies,
measured). Several seeds train *side by side in one graph*: every weight carries a leading seed
axis, each seed has its own initialisation and its own random streams (seeded from
``(seed, step)``, so a seed's result does not depend on which seeds share the run), and the whole
inner loop of ``k`` discriminator steps and one generator step runs as a single compiled
``tf.function`` (XLA) with the steps in a ``tf.while_loop``. The pieces:

- :class:`SeedRandom`: the per-seed random streams;
- :class:`SeedGenerator` and :class:`SeedDiscriminator`: the networks, multilayer perceptrons
  written with batched matrix products;
- :class:`ToyLosses`: the loss family;
- :class:`SeedAdam`: Adam written out, so that nothing in the step calls back into Python;
- :class:`ToyGAN`: the data, the compiled step, probes, sampling.

Label convention (said once for the book): real = 1, fake = 0; the discriminator outputs a logit.

Options (see :class:`ToyGANConfig`): the loss (``"saturating"``, ``"nonsaturating"``, ``"wgan-gp"``
with interpolation weight ``eps ~ U[0, 1]`` and a guarded square root), one-sided label smoothing,
instance noise (annealed linearly to zero), spectral normalisation (one power iteration per step),
the R1 penalty on real data, separate learning rates (TTUR), a minibatch standard-deviation feature,
packing (PacGAN) and ``k`` discriminator steps per generator step.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import tensorflow as tf

from ganbook import checks, toy
from ganbook.diagnostics import Diagnosis, TrainingMonitor

LOSSES = ("saturating", "nonsaturating", "wgan-gp")
LR_DECAYS = ("linear", "exponential", "none")


def _widths(name: str, value: Sequence[int]) -> tuple[int, ...]:
    """Layer widths: a non-empty tuple (or list) of positive integers."""
    expected = "a non-empty tuple of positive integers"
    if not isinstance(value, (tuple, list)) or not value:
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    return tuple(checks.positive_int(name, width) for width in value)


@dataclass(frozen=True)
class ToyGANConfig:
    """Everything that defines one toy-GAN training run (chapter 7).

    Sizes: ``latent_dim`` (standard-normal noise), ``g_hidden`` and ``d_hidden`` (widths of the
    hidden layers), ``batch_size`` (real samples, and as many fakes, per step), ``steps`` (generator
    steps). Optimiser: Adam with ``g_lr``, ``d_lr`` (TTUR: set them apart), ``beta1``, ``beta2``.
    Game: ``loss``, ``d_steps`` (k of Algorithm 1), ``label_smoothing`` (real target 1 - s),
    ``instance_noise`` (std of Gaussian noise added to every D input at step 0, annealed to 0 at
    the end, in normalised data units), ``spectral_norm``, ``r1_gamma`` (penalty
    gamma/2 E||grad D(x)||^2 on real x), ``gp_lambda`` (WGAN-GP weight), ``minibatch_std``,
    ``pack`` (PacGAN degree).
    ``lr_decay``: how both learning rates fall over ``steps``: ``"linear"`` (to zero),
    ``"exponential"`` (to 1 % of their start, geometrically) or ``"none"``; a decay keeps the last
    large steps from blurring the final samples. Every field is checked when the configuration is
    made (NumPy numbers are accepted and stored as Python numbers).
    """

    loss: str = "nonsaturating"
    latent_dim: int = 2
    g_hidden: tuple[int, ...] = (64, 64, 64)
    d_hidden: tuple[int, ...] = (64, 64, 64)
    batch_size: int = 128
    steps: int = 3000
    g_lr: float = 1e-3
    d_lr: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.999
    d_steps: int = 1
    label_smoothing: float = 0.0
    instance_noise: float = 0.0
    spectral_norm: bool = False
    r1_gamma: float = 0.0
    gp_lambda: float = 10.0
    minibatch_std: bool = False
    pack: int = 1
    lr_decay: str = "linear"

    def __post_init__(self) -> None:
        checks.one_of("loss", self.loss, LOSSES)
        checks.one_of("lr_decay", self.lr_decay, LR_DECAYS)
        checked = {}
        for name in ("latent_dim", "batch_size", "steps", "d_steps", "pack"):
            checked[name] = checks.positive_int(name, getattr(self, name))
        for name in ("g_hidden", "d_hidden"):
            checked[name] = _widths(name, getattr(self, name))
        for name in ("g_lr", "d_lr"):
            checked[name] = checks.positive_number(name, getattr(self, name))
        for name, limit in (("beta1", 1.0), ("beta2", 1.0), ("label_smoothing", 0.5)):
            value = getattr(self, name)
            checked[name] = checks.number(name, value, 0.0, limit, exclusive_maximum=True)
        for name in ("instance_noise", "r1_gamma", "gp_lambda"):
            checked[name] = checks.non_negative_number(name, getattr(self, name))
        for name in ("spectral_norm", "minibatch_std"):
            checked[name] = bool(checks.instance(name, getattr(self, name), (bool, np.bool_)))
        if checked["batch_size"] % checked["pack"]:
            raise ValueError(
                f"batch_size ({self.batch_size}) must be a multiple of pack ({self.pack})"
            )
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def with_(self, **changes) -> ToyGANConfig:
        """A copy with some fields changed (chapter 8 builds each remedy this way)."""
        known = set(asdict(self))
        for name in changes:
            if name not in known:
                fields = ", ".join(sorted(known))
                raise ValueError(f"{name} is not a field of ToyGANConfig; the fields are {fields}")
        return replace(self, **changes)

    def describe(self) -> str:
        """The fields that differ from the defaults, as ``name=value`` text."""
        default = ToyGANConfig()
        diffs = [f"{k}={v}" for k, v in asdict(self).items() if getattr(default, k) != v]
        return ", ".join(diffs) if diffs else "defaults"


@dataclass
class TrainResult:
    """What :meth:`ToyGAN.train` returns (chapter 7): per-check history, wall time and CPU time.

    ``cpu_seconds`` is the processor time of the whole process (all threads) during training: on a
    shared machine it measures the run's cost better than the wall time does.
    """

    history: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    warnings: list[Diagnosis] = field(default_factory=list)


@contextlib.contextmanager
def _quiet_retracing():
    """Silence TensorFlow's "excessive retracing" warning: every ToyGAN compiles its own graphs."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_seeds(seeds: Sequence[int] | int) -> tuple[int, ...]:
    if checks.is_int(seeds):
        seeds = (seeds,)
    try:
        seeds = tuple(seeds)
    except TypeError:
        raise ValueError(
            f"seeds must be an integer or a sequence of integers; got {seeds!r}"
        ) from None
    if not seeds:
        raise ValueError("seeds must be a non-empty sequence of integers; got ()")
    seeds = tuple(checks.integer("seeds", seed, minimum=0, maximum=2**31 - 1) for seed in seeds)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds!r}")
    return seeds


def _flag(name: str, value, allow_none: bool = False):
    """A bool (or NumPy bool), or None where ``allow_none``; returned as a Python bool."""
    if allow_none and value is None:
        return None
    expected = "True, False or None" if allow_none else "True or False"
    return bool(checks.instance(name, value, (bool, np.bool_), expected))


def _network_widths(name: str, widths: Sequence[int]) -> list[int]:
    """Layer sizes of an MLP: at least two positive integers (input and output)."""
    widths = list(_widths(name, widths))
    if len(widths) < 2:
        raise ValueError(f"{name} must list at least an input and an output size; got {widths}")
    return widths


def _network_input(name: str, value, seeds: int, width: int, pack: int = 1):
    """A network's input of shape (S, n, width), float32; checked here, never in the step.

    A TensorFlow tensor passes through unchanged (so that a tape watching it still sees it) once
    its dtype and static shape are right (and, when eager, its values finite); anything else is
    checked as an array and converted to a float32 tensor.
    """
    shape = f"({seeds}, n, {width})"
    if isinstance(value, (tf.Tensor, tf.Variable)):
        if value.dtype != tf.float32:
            raise ValueError(f"{name} must be a float32 tensor of shape {shape}; got {value.dtype}")
        dims = value.shape.as_list() if value.shape.rank is not None else None
        if dims is None or len(dims) != 3 or dims[0] not in (None, seeds) or dims[2] not in (
            None, width
        ):
            raise ValueError(f"{name} must have shape {shape}; got {tuple(value.shape)}")
        if tf.executing_eagerly():
            checks.array(name, value.numpy())
        n = dims[1]
    else:
        value = tf.constant(
            checks.array(name, value, shape=(seeds, None, width), dtype=np.float32)
        )
        n = value.shape[1]
    if n is not None and n % pack:
        raise ValueError(f"{name} must hold a multiple of pack={pack} samples; got {n}")
    return value


# ---------------------------------------------------------------------- random streams


class SeedRandom:
    """Stateless random numbers for several seeds at once (chapter 7).

    Every draw has shape (S, *shape), one slice per seed, seeded from (seed, step, salt): a seed's
    numbers do not depend on the seeds beside it, and a step's numbers not on the steps before it.
    """

    def __init__(self, seeds: Sequence[int]) -> None:
        seeds = _check_seeds(seeds)
        self.count = len(seeds)
        self._seeds = tf.constant(seeds, dtype=tf.int32)

    def _key(self, index: int, step, salt: int):
        return tf.stack([self._seeds[index] * 7919 + salt, step])

    def normal(self, shape: tuple[int, ...], step, salt: int):
        """Standard normals of shape (S, *shape)."""
        return tf.stack(
            [
                tf.random.stateless_normal(shape, seed=self._key(i, step, salt))
                for i in range(self.count)
            ]
        )

    def uniform(self, shape: tuple[int, ...], step, salt: int, maxval=None, dtype=tf.float32):
        """Uniforms on [0, 1) (or integers in [0, maxval)) of shape (S, *shape)."""
        return tf.stack(
            [
                tf.random.stateless_uniform(
                    shape, seed=self._key(i, step, salt), maxval=maxval, dtype=dtype
                )
                for i in range(self.count)
            ]
        )


# ---------------------------------------------------------------------- networks


def _he_uniform(widths: list[int], seeds: Sequence[int], salt: int) -> list[np.ndarray]:
    """He-uniform weights and zero biases of an MLP, one set per seed (leading axis)."""
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        ws, bs = [], []
        for seed in seeds:
            rng = np.random.default_rng([seed, salt, fan_in, fan_out, len(params)])
            limit = math.sqrt(6.0 / fan_in)
            ws.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)))
            bs.append(np.zeros((1, fan_out)))
        params += [np.stack(ws).astype(np.float32), np.stack(bs).astype(np.float32)]
    return params


def _unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=-1, keepdims=True)).astype(np.float32)


class SeedGenerator:
    """G(z): an MLP with ReLU hidden layers and a linear output, one per seed (chapter 7).

    ``widths`` lists the layer sizes from the latent dimension to the data dimension.
    """

    def __init__(self, widths: list[int], seeds: Sequence[int]) -> None:
        widths, seeds = _network_widths("widths", widths), _check_seeds(seeds)
        self.num_seeds, self.latent_dim = len(seeds), widths[0]
        params = _he_uniform(widths, seeds, salt=1)
        self.variables = [tf.Variable(a, name=f"g{i}") for i, a in enumerate(params)]

    def __call__(self, z):
        """G(z) for z of shape (S, n, latent_dim), in normalised data units."""
        return self._forward(_network_input("z", z, self.num_seeds, self.latent_dim))

    def _forward(self, z):
        """G(z) unchecked: the compiled step calls this."""
        h = z
        for i in range(0, len(self.variables), 2):
            h = tf.matmul(h, self.variables[i]) + self.variables[i + 1]
            if i < len(self.variables) - 2:
                h = tf.nn.relu(h)
        return h


class SeedDiscriminator:
    """D(x): an MLP with LeakyReLU(0.2) hidden layers and one logit, one per seed (chapter 7).

    ``widths`` lists the layer sizes from the packed input (``pack`` samples side by side) to 1.
    With ``minibatch_std`` the mean standard deviation of the first hidden layer over the batch is
    appended to that layer's output; with ``spectral_norm`` every weight matrix is divided by its
    largest singular value, estimated by one power iteration per discriminator step.
    """

    def __init__(
        self,
        widths: list[int],
        seeds: Sequence[int],
        pack: int = 1,
        minibatch_std: bool = False,
        spectral_norm: bool = False,
    ) -> None:
        widths, seeds = _network_widths("widths", widths), _check_seeds(seeds)
        pack = checks.positive_int("pack", pack)
        minibatch_std = _flag("minibatch_std", minibatch_std)
        spectral_norm = _flag("spectral_norm", spectral_norm)
        if widths[0] % pack:
            raise ValueError(f"widths[0] ({widths[0]}) must be a multiple of pack ({pack})")
        if widths[-1] != 1:
            raise ValueError(f"widths must end with 1 (one logit); got {widths}")
        if minibatch_std and len(widths) < 3:
            raise ValueError(f"widths must have a hidden layer for minibatch_std; got {widths}")
        self.num_seeds = len(seeds)
        self.pack, self.dim = pack, widths[0] // pack
        self.minibatch_std, self.spectral_norm = minibatch_std, spectral_norm
        params = _he_uniform(widths, seeds, salt=2)
        if minibatch_std:  # the statistic is one more input of the second layer
            extra = np.zeros((len(seeds), 1, params[2].shape[2]), np.float32)
            params[2] = np.concatenate([params[2], extra], axis=1)
        self.variables = [tf.Variable(a, name=f"d{i}") for i, a in enumerate(params)]
        rng = np.random.default_rng([seeds[0], 3])
        self.power_vectors = [
            tf.Variable(_unit(rng.standard_normal((len(seeds), 1, w.shape[2]))), trainable=False)
            for w in self.variables[0::2]
        ]

    def kernels(self, update: bool = False) -> list:
        """The weight matrices, spectrally normalised when ``spectral_norm`` is on.

        ``update`` stores the power iteration's new vectors (once per discriminator step).
        """
        kernels = self.variables[0::2]
        if not self.spectral_norm:
            return list(kernels)
        out = []
        for w, u in zip(kernels, self.power_vectors, strict=True):
            u0 = tf.stop_gradient(u)
            v = tf.math.l2_normalize(tf.matmul(u0, w, transpose_b=True), axis=-1)  # (S,1,in)
            u1 = tf.math.l2_normalize(tf.matmul(v, w), axis=-1)  # (S,1,out)
            v, u1 = tf.stop_gradient(v), tf.stop_gradient(u1)
            sigma = tf.reduce_sum(tf.matmul(v, w) * u1, axis=-1, keepdims=True)  # (S,1,1)
            if update:
                u.assign(u1)
            out.append(w / sigma)
        return out

    def __call__(self, x, kernels=None):
        """Logits of shape (S, n / pack) for x of shape (S, n, dim), in normalised data units."""
        x = _network_input("x", x, self.num_seeds, self.dim, self.pack)
        if kernels is not None:
            count = len(self.variables) // 2
            if not isinstance(kernels, (list, tuple)) or len(kernels) != count:
                raise ValueError(
                    f"kernels must be None or a list of {count} weight matrices "
                    f"(from kernels()); got {type(kernels).__name__}"
                )
        return self._forward(x, kernels)

    def _forward(self, x, kernels=None):
        """D(x) unchecked: the compiled step calls this."""
        kernels = self.kernels() if kernels is None else kernels
        biases = self.variables[1::2]
        s, n = tf.shape(x)[0], tf.shape(x)[1]
        h = tf.reshape(x, (s, n // self.pack, self.dim * self.pack))
        for i, (w, b) in enumerate(zip(kernels, biases, strict=True)):
            if i == 1 and self.minibatch_std:
                h = self._append_minibatch_std(h)
            h = tf.matmul(h, w) + b
            if i < len(kernels) - 1:
                h = tf.nn.leaky_relu(h, alpha=0.2)
        return h[..., 0]

    @staticmethod
    def _append_minibatch_std(h):
        _, var = tf.nn.moments(h, axes=[1], keepdims=True)
        stat = tf.reduce_mean(tf.sqrt(var + 1e-8), axis=-1, keepdims=True)  # (S,1,1)
        return tf.concat([h, tf.broadcast_to(stat, tf.concat([tf.shape(h)[:2], [1]], 0))], axis=-1)


# ---------------------------------------------------------------------- losses


class ToyLosses:
    """The discriminator's and generator's losses a :class:`ToyGANConfig` asks for (chapter 7).

    Both return shape (S,): one loss per seed (the caller sums them, so seeds do not interact).
    """

    def __init__(
        self, config: ToyGANConfig, discriminator: SeedDiscriminator, random: SeedRandom
    ) -> None:
        checks.instance("config", config, ToyGANConfig)
        checks.instance("discriminator", discriminator, SeedDiscriminator)
        checks.instance("random", random, SeedRandom)
        if random.count != discriminator.num_seeds:
            raise ValueError(
                f"random must draw for the discriminator's {discriminator.num_seeds} seeds; "
                f"it draws for {random.count}"
            )
        self.config, self.discriminator, self.random = config, discriminator, random

    def discriminator_loss(self, real, fake, kernels, key, noise_std):
        """D's loss on a batch of reals and fakes, with the penalties the configuration asks for."""
        c, d = self.config, self.discriminator._forward
        if c.instance_noise > 0:
            real = real + noise_std * self.random.normal(real.shape[1:], key, 21)
            fake = fake + noise_std * self.random.normal(fake.shape[1:], key, 22)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(real)
            real_logits = d(real, kernels)
            real_total = tf.reduce_sum(real_logits)
        fake_logits = d(fake, kernels)
        if c.loss == "wgan-gp":
            loss = tf.reduce_mean(fake_logits, 1) - tf.reduce_mean(real_logits, 1)
            loss += c.gp_lambda * self._gradient_penalty(real, fake, kernels, key)
        else:
            target = 1.0 - c.label_smoothing
            real_loss = target * tf.nn.softplus(-real_logits)
            real_loss += (1 - target) * tf.nn.softplus(real_logits)
            loss = tf.reduce_mean(real_loss, 1)
            loss += tf.reduce_mean(tf.nn.softplus(fake_logits), 1)
        if c.r1_gamma > 0:
            grad = tape.gradient(real_total, real)
            r1 = tf.reduce_mean(tf.reduce_sum(grad**2, axis=-1), axis=1)
            loss += 0.5 * c.r1_gamma * r1 * c.pack
        return loss

    def _gradient_penalty(self, real, fake, kernels, key):
        """E (||grad D(x)|| - 1)^2 at x = eps real + (1 - eps) fake, one eps per packed input."""
        pack, n, seeds = self.config.pack, real.shape[1], self.random.count
        eps = self.random.uniform((n // pack, 1, 1), key, 23)  # eps ~ U[0, 1]
        shape = (seeds, n // pack, pack, self.discriminator.dim)
        mix = eps * tf.reshape(real, shape) + (1.0 - eps) * tf.reshape(fake, shape)
        mix = tf.reshape(mix, real.shape)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(mix)
            mix_total = tf.reduce_sum(self.discriminator._forward(mix, kernels))
        grad = tf.reshape(tape.gradient(mix_total, mix), (seeds, n // pack, -1))
        norm = tf.sqrt(tf.reduce_sum(grad**2, axis=-1) + 1e-12)  # guarded square root
        return tf.reduce_mean((norm - 1.0) ** 2, axis=1)

    def generator_loss(self, fake, kernels):
        """G's loss on a batch of fakes: minimax, non-saturating or Wasserstein."""
        fake_logits = self.discriminator._forward(fake, kernels)
        if self.config.loss == "wgan-gp":
            return -tf.reduce_mean(fake_logits, 1)
        if self.config.loss == "saturating":
            return -tf.reduce_mean(tf.nn.softplus(fake_logits), 1)  # log(1 - D(G(z))), minimised
        return tf.reduce_mean(tf.nn.softplus(-fake_logits), 1)  # -log D(G(z))


# ---------------------------------------------------------------------- optimiser


class SeedAdam:
    """Adam for variables with a leading seed axis, its learning rate decayed (chapter 7).

    ``config`` gives beta1, beta2, the decay and the run's length (``steps``).
    """

    def __init__(self, variables: list, learning_rate: float, config: ToyGANConfig) -> None:
        if not isinstance(variables, (list, tuple)) or not variables or not all(
            isinstance(v, tf.Variable) for v in variables
        ):
            raise ValueError(
                f"variables must be a non-empty list of tf.Variable; got {type(variables).__name__}"
            )
        learning_rate = checks.positive_number("learning_rate", learning_rate)
        config = checks.instance("config", config, ToyGANConfig)
        self.variables, self.learning_rate, self.config = variables, learning_rate, config
        self.moments = [
            (tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in variables
        ]
        self.iterations = tf.Variable(0.0)

    def _rate(self, step):
        progress = tf.cast(step, tf.float32) / float(self.config.steps)
        if self.config.lr_decay == "linear":
            return self.learning_rate * tf.maximum(0.0, 1.0 - progress)
        if self.config.lr_decay == "exponential":
            return self.learning_rate * tf.pow(0.01, tf.minimum(progress, 1.0))
        return self.learning_rate

    def apply(self, grads: list, step) -> None:
        """One Adam update of every variable with ``grads``, at generator step ``step``."""
        beta1, beta2, t = self.config.beta1, self.config.beta2, self.iterations
        t.assign_add(1.0)
        corr = self._rate(step) * tf.sqrt(1 - beta2**t) / (1 - beta1**t)
        for p, g, (m, v) in zip(self.variables, grads, self.moments, strict=True):
            m.assign(beta1 * m + (1 - beta1) * g)
            v.assign(beta2 * v + (1 - beta2) * g * g)
            p.assign_sub(corr * m / (tf.sqrt(v) + 1e-8))


def _seed_norm(grads: list):
    """Per-seed global norm of a list of gradients with a leading seed axis."""
    squares = [tf.reduce_sum(g**2, axis=list(range(1, len(g.shape)))) for g in grads]
    return tf.sqrt(tf.add_n(squares))


# ---------------------------------------------------------------------- the trainer


class ToyGAN:
    """MLP generator and discriminator trained on ``data`` for several seeds at once (chapter 7).

    ``data`` is ``"ring"`` or ``"grid"`` (the mixtures of :mod:`ganbook.toy`, sampled fresh at
    every step, as the papers do) or a fixed float array of shape (N, dim) (a finite training set,
    sampled with replacement). ``jit_compile`` compiles the step with XLA, which is fastest for long
    runs but takes seconds to compile; the default (None) uses it when ``config.steps`` is at least
    1,000. Data are divided by ``scale`` (default: the root-mean-square norm of the data) before
    they reach the networks; :meth:`sample` returns samples in data units.
    """

    def __init__(
        self,
        config: ToyGANConfig,
        data: str | np.ndarray,
        seeds: Sequence[int] | int = (0,),
        scale: float | None = None,
        jit_compile: bool | None = None,
    ) -> None:
        c = self.config = checks.instance("config", config, ToyGANConfig)
        self.seeds = _check_seeds(seeds)
        self.num_seeds = len(self.seeds)
        rms = self._set_data(data)
        self.scale = rms if scale is None else checks.positive_number("scale", scale)
        self.step = 0
        self.random = SeedRandom(self.seeds)
        self.generator = SeedGenerator([c.latent_dim, *c.g_hidden, self.dim], self.seeds)
        d_widths = [self.dim * c.pack, *c.d_hidden, 1]
        self.discriminator = SeedDiscriminator(
            d_widths, self.seeds, c.pack, c.minibatch_std, c.spectral_norm
        )
        self.losses = ToyLosses(c, self.discriminator, self.random)
        self.g_optimizer = SeedAdam(self.generator.variables, c.g_lr, c)
        self.d_optimizer = SeedAdam(self.discriminator.variables, c.d_lr, c)
        jit_compile = _flag("jit_compile", jit_compile, allow_none=True)
        jit = c.steps >= 1000 if jit_compile is None else jit_compile
        self._chunk = tf.function(self._train_chunk, jit_compile=jit)
        self._probe = tf.function(self._probe_fn, jit_compile=jit)
        generate = lambda z: self.generator._forward(z) * self.scale  # noqa: E731
        self._generate = tf.function(generate, jit_compile=jit)

    def _set_data(self, data: str | np.ndarray) -> float:
        """Keep the data (a benchmark's mixture or a fixed array); return its RMS scale."""
        if isinstance(data, str):
            checks.one_of("data", data, toy.BENCHMARKS)
            means, sigma = toy.means(data), toy.sigma(data)
            self.dataset, self.dim = data, 2
            self._means, self._sigma, self._fixed = means.astype(np.float32), sigma, None
            return float(np.sqrt(np.mean(np.sum(means**2, axis=1)) + 2 * sigma**2))
        array = checks.array("data", data, ndim=2, min_length=2, dtype=np.float32)
        self.dataset, self.dim = "array", array.shape[1]
        self._means, self._fixed = None, array
        return float(np.sqrt(np.mean(np.sum(array**2, axis=1)) / array.shape[1]))

    def _real(self, n: int, step, salt: int = 11):
        """A batch of real data (S, n, dim), in normalised units."""
        if self._fixed is not None:
            idx = self.random.uniform((n,), step, salt, maxval=len(self._fixed), dtype=tf.int32)
            return tf.gather(tf.constant(self._fixed / self.scale), idx)
        idx = self.random.uniform((n,), step, salt, maxval=len(self._means), dtype=tf.int32)
        centres = tf.gather(tf.constant(self._means), idx)
        return (centres + self._sigma * self.random.normal((n, 2), step, salt + 1)) / self.scale

    # ------------------------------------------------------------------ the compiled loop
    def _d_step(self, key, step, noise_std, update_power_vectors: bool):
        """One discriminator update on fresh batches drawn with ``key``; its loss and gradients."""
        c = self.config
        real = self._real(c.batch_size, key)
        fake = self.generator._forward(self.random.normal((c.batch_size, c.latent_dim), key, 31))
        with tf.GradientTape() as tape:
            kernels = self.discriminator.kernels(update=update_power_vectors)
            d_loss = self.losses.discriminator_loss(real, fake, kernels, key, noise_std)
            d_total = tf.reduce_sum(d_loss)
        d_grads = tape.gradient(d_total, self.discriminator.variables)
        self.d_optimizer.apply(d_grads, step)
        return d_loss, d_grads

    def _g_step(self, step):
        """One generator update; returns loss, gradients."""
        c = self.config
        kernels = self.discriminator.kernels()
        with tf.GradientTape() as tape:
            z = self.random.normal((c.batch_size, c.latent_dim), step, 41)
            fake = self.generator._forward(z)
            g_loss = self.losses.generator_loss(fake, kernels)
            g_total = tf.reduce_sum(g_loss)
        g_grads = tape.gradient(g_total, self.generator.variables)
        self.g_optimizer.apply(g_grads, step)
        return g_loss, g_grads

    def _train_chunk(self, start, n_steps):
        """``n_steps`` steps of Algorithm 1 from ``start``; the mean losses and gradient norms."""
        c = self.config

        def body(i, acc):
            step = start + i
            progress = tf.cast(step, tf.float32) / float(c.steps)
            noise_std = c.instance_noise * tf.maximum(0.0, 1.0 - progress)
            for k in range(c.d_steps):
                d_loss, d_grads = self._d_step(step * c.d_steps + k, step, noise_std, k == 0)
            g_loss, g_grads = self._g_step(step)
            stats = tf.stack([d_loss, g_loss, _seed_norm(d_grads), _seed_norm(g_grads)])
            return i + 1, acc + stats

        zero = tf.zeros((4, self.num_seeds))
        _, acc = tf.while_loop(lambda i, a: i < n_steps, body, (tf.constant(0), zero))
        return acc / tf.cast(tf.maximum(n_steps, 1), tf.float32)

    def _probe_fn(self, step, n):
        """D's accuracy on real and fake, and the generator's gradient norm, on fresh batches."""
        real = self._real(n, step, 51)
        z = self.random.normal((n, self.config.latent_dim), step, 52)
        kernels = self.discriminator.kernels()
        with tf.GradientTape() as tape:
            fake = self.generator._forward(z)
            g_total = tf.reduce_sum(self.losses.generator_loss(fake, kernels))
        g_norm = _seed_norm(tape.gradient(g_total, self.generator.variables))
        real_logits = self.discriminator._forward(real, kernels)
        fake_logits = self.discriminator._forward(fake, kernels)
        acc_real = tf.reduce_mean(tf.cast(real_logits > 0, tf.float32), 1)
        acc_fake = tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32), 1)
        return acc_real, acc_fake, g_norm, fake * self.scale

    # ------------------------------------------------------------------ public API
    def train(
        self,
        steps: int | None = None,
        check_every: int = 250,
        monitor: TrainingMonitor | None = None,
        verbose: bool = False,
        probe_size: int = 512,
        heldout: np.ndarray | None = None,
    ) -> TrainResult:
        """Train for ``steps`` generator steps (default: ``config.steps``) (chapter 7).

        Every ``check_every`` steps, probe the run: D's accuracy on fresh real and fake batches,
        the generator's gradient norm, and fake samples; a ``monitor`` (a
        :class:`ganbook.diagnostics.TrainingMonitor`) is given each probe and warns as it sees a
        failure. With ``heldout`` real data (an array of shape (M, dim) that D never trains on),
        each probe also measures D's accuracy on it (``d_acc_heldout``), the sign of D overfitting.
        Returns the history (one row per check, one column per seed) and the wall time.
        """
        steps = checks.positive_int("steps", self.config.steps if steps is None else steps)
        check_every = checks.positive_int("check_every", check_every)
        probe_size = checks.positive_int("probe_size", probe_size)
        if probe_size % self.config.pack:
            raise ValueError(
                f"probe_size must be a multiple of pack={self.config.pack}; got {probe_size}"
            )
        if monitor is not None:
            checks.instance("monitor", monitor, TrainingMonitor, "a TrainingMonitor or None")
            wanted = monitor._sample_shape
            if wanted is not None and wanted != (self.dim,):
                raise ValueError(
                    f"monitor must be built from real_samples of shape (N, {self.dim}) like the "
                    f"data; its real_samples have rows of shape {wanted}"
                )
        verbose = _flag("verbose", verbose)
        heldout = None if heldout is None else self._check_heldout(heldout)
        rows: dict[str, list] = {}
        result = TrainResult()
        start_time, start_cpu = time.perf_counter(), time.process_time()
        done = 0
        while done < steps:
            n = min(check_every, steps - done)
            row, fake = self._train_and_probe(n, probe_size, heldout)
            done += n
            for key, value in row.items():
                rows.setdefault(key, []).append(value)
            if monitor is not None:
                result.warnings.extend(self._report(monitor, row, fake))
            if verbose:
                print(
                    f"step {self.step:6d}  d_loss {row['d_loss'].mean():.3f}  "
                    f"g_loss {row['g_loss'].mean():.3f}  D acc real {row['d_acc_real'].mean():.2f} "
                    f"fake {row['d_acc_fake'].mean():.2f}  "
                    f"|grad G| {row['probe_g_grad_norm'].mean():.2e}"
                )
        result.seconds = time.perf_counter() - start_time
        result.cpu_seconds = time.process_time() - start_cpu
        result.history = {k: np.array(v) for k, v in rows.items()}
        return result

    def _check_heldout(self, heldout: np.ndarray) -> np.ndarray:
        """Held-out reals of shape (M, dim), cut to a multiple of ``pack``."""
        pack = self.config.pack
        shape = (None, self.dim)
        heldout = checks.array("heldout", heldout, shape=shape, min_length=pack, dtype=np.float32)
        return heldout[: len(heldout) // pack * pack]

    def _train_and_probe(
        self, n: int, probe_size: int, heldout: np.ndarray | None
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Train ``n`` steps, then probe: one row of the history (per seed) and the fakes probed."""
        with _quiet_retracing():
            means = self._chunk(tf.constant(self.step, tf.int32), tf.constant(n, tf.int32)).numpy()
            probed = self._probe(tf.constant(self.step + n), probe_size)
        self.step += n
        acc_real, acc_fake, g_norm, fake = (t.numpy() for t in probed)
        row = {"step": np.full(self.num_seeds, self.step)}
        row |= dict(zip(("d_loss", "g_loss", "d_grad_norm", "g_grad_norm"), means, strict=True))
        row |= {"d_acc_real": acc_real, "d_acc_fake": acc_fake, "probe_g_grad_norm": g_norm}
        if heldout is not None:
            row["d_acc_heldout"] = np.mean(self.discriminator_logits(heldout) > 0, axis=1)
        return row, fake

    def _report(
        self, monitor: TrainingMonitor, row: dict[str, np.ndarray], fake: np.ndarray
    ) -> list[Diagnosis]:
        """Hand one probe of each seed to ``monitor``; return its warnings."""
        held = row.get("d_acc_heldout")
        found = []
        for s, seed in enumerate(self.seeds):
            found += monitor.update(
                step=self.step,
                d_acc_real=float(row["d_acc_real"][s]),
                d_acc_fake=float(row["d_acc_fake"][s]),
                g_grad_norm=float(row["probe_g_grad_norm"][s]),
                d_loss=float(row["d_loss"][s]),
                g_loss=float(row["g_loss"][s]),
                samples=fake[s],
                heldout_acc=None if held is None else float(held[s]),
                run=f"seed {seed}" if self.num_seeds > 1 else None,
            )
        return found

    def sample(self, n: int = 2500, seed: int = 12345) -> np.ndarray:
        """``n`` generator samples per seed, float32 array (S, n, dim) in data units (chapter 7)."""
        n = checks.positive_int("n", n)
        seed = checks.integer("seed", seed, minimum=0, maximum=2**31 - 1)
        z = self.random.normal((n, self.config.latent_dim), tf.constant(seed), 61)
        with _quiet_retracing():
            return self._generate(z).numpy().astype(np.float32)

    def discriminator_logits(self, x: np.ndarray) -> np.ndarray:
        """Logits of D, (S, N / pack), for x (N, dim) or (S, N, dim) in data units (chapter 7)."""
        x = checks.array("x", x, ndim=(2, 3), dtype=np.float32)
        if x.ndim == 2:
            x = np.broadcast_to(x, (self.num_seeds, *x.shape))
        if x.shape[0] != self.num_seeds or x.shape[2] != self.dim:
            raise ValueError(
                f"x must have shape (N, {self.dim}) or ({self.num_seeds}, N, {self.dim}); "
                f"got {x.shape}"
            )
        if x.shape[1] % self.config.pack:
            raise ValueError(f"x must hold a multiple of pack={self.config.pack} samples")
        return self.discriminator._forward(tf.constant(x / self.scale)).numpy()


def train_toy_gan(
    config: ToyGANConfig,
    data: str | np.ndarray,
    seeds: Sequence[int] | int = (0, 1, 2),
    monitor: TrainingMonitor | None = None,
    check_every: int = 250,
    verbose: bool = False,
) -> tuple[ToyGAN, TrainResult]:
    """Build a :class:`ToyGAN` and train it for ``config.steps`` steps (chapter 7).

    The arguments are checked before the networks are built.
    """
    check_every = checks.positive_int("check_every", check_every)
    if monitor is not None:
        checks.instance("monitor", monitor, TrainingMonitor, "a TrainingMonitor or None")
    verbose = _flag("verbose", verbose)
    gan = ToyGAN(config, data, seeds)
    return gan, gan.train(check_every=check_every, monitor=monitor, verbose=verbose)
