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
with interpolation weight ``eps ~ U[0, 1]`` and a guarded square root, or ``"rpgan"``, R3GAN's
relativistic pairing loss), one-sided label smoothing, instance noise (annealed linearly to zero, on
every input of D in both players' steps), spectral normalisation (one power iteration per step),
the R1 penalty on real data and the R2 penalty on generated data, separate learning rates (TTUR), a
minibatch standard-deviation feature, packing (PacGAN) and ``k`` discriminator steps per generator
step.

Several *configurations* can also train side by side in one graph (chapter 8's tuning search):
pass a list of configurations, one per run, that differ only in the numbers of
:data:`PER_RUN_FIELDS` (learning rates, Adam's betas, the remedies' strengths); those numbers are
per-run tensors of the compiled step.
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

LOSSES = ("saturating", "nonsaturating", "wgan-gp", "rpgan")
LR_DECAYS = ("linear", "exponential", "none")
# The fields that may differ between runs that train side by side: numbers the step reads as
# per-run tensors. Every other field fixes the graph and must be the same for all runs.
PER_RUN_FIELDS = (
    "g_lr", "d_lr", "beta1", "beta2", "label_smoothing", "instance_noise", "r1_gamma",
    "r2_gamma", "gp_lambda",
)


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
    ``instance_noise`` (std of Gaussian noise added to every D input, in both players' steps, at
    step 0, annealed to 0 at the end, in normalised data units), ``spectral_norm``, ``r1_gamma``
    (penalty gamma/2 E||grad D(x)||^2 on real x), ``r2_gamma`` (the same on generated x; R3GAN
    uses both with ``loss="rpgan"``), ``gp_lambda`` (WGAN-GP weight), ``minibatch_std``,
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
    r2_gamma: float = 0.0
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
        for name in ("instance_noise", "r1_gamma", "r2_gamma", "gp_lambda"):
            checked[name] = checks.non_negative_number(name, getattr(self, name))
        for name in ("spectral_norm", "minibatch_std"):
            checked[name] = bool(checks.instance(name, getattr(self, name), (bool, np.bool_)))
        if self.label_smoothing and self.loss in ("wgan-gp", "rpgan"):
            raise ValueError(
                f"label_smoothing needs a loss with labels (saturating or nonsaturating); "
                f"got loss={self.loss!r}"
            )
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


def _check_seeds(seeds: Sequence[int] | int, repeats: bool = False) -> tuple[int, ...]:
    """Seeds as a tuple of integers, distinct unless ``repeats`` (runs of several configurations
    may share a seed: they then share its initial weights and random streams)."""
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
    if not repeats and len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds!r}")
    return seeds


def _check_configs(
    config: ToyGANConfig | Sequence[ToyGANConfig], count: int | None = None
) -> tuple[ToyGANConfig, ...]:
    """One configuration, or a list of them that differ only in :data:`PER_RUN_FIELDS`.

    With ``count``, a list must hold ``count`` configurations (one per run) and a single one is
    repeated ``count`` times.
    """
    if isinstance(config, ToyGANConfig):
        return (config,) * (count or 1)
    expected = "a ToyGANConfig or a non-empty list of them"
    if not isinstance(config, (list, tuple)) or not config:
        raise ValueError(f"config must be {expected}; got {type(config).__name__}")
    configs = tuple(checks.instance("config", c, ToyGANConfig, expected) for c in config)
    if count is not None and len(configs) != count:
        raise ValueError(
            f"config must list one configuration per run ({count}); got {len(configs)}"
        )
    shared = {name: value for name, value in asdict(configs[0]).items()
              if name not in PER_RUN_FIELDS}
    for other in configs[1:]:
        for name, value in shared.items():
            if getattr(other, name) != value:
                raise ValueError(
                    f"config: runs side by side may differ only in {', '.join(PER_RUN_FIELDS)}; "
                    f"they differ in {name} ({value!r} and {getattr(other, name)!r})"
                )
    return configs


def _per_run(configs: Sequence[ToyGANConfig], name: str, rank: int = 1):
    """The field ``name`` of each run as a float32 tensor of shape (S, 1, ..., 1) of ``rank``."""
    values = np.array([getattr(c, name) for c in configs], np.float32)
    return tf.constant(values.reshape((len(values),) + (1,) * (rank - 1)))


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
    With ``repeats`` a seed may appear more than once (its slices are then equal).
    """

    def __init__(self, seeds: Sequence[int], repeats: bool = False) -> None:
        seeds = _check_seeds(seeds, _flag("repeats", repeats))
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

    ``widths`` lists the layer sizes from the latent dimension to the data dimension; with
    ``repeats`` a seed may appear more than once (as in :class:`SeedRandom`).
    """

    def __init__(self, widths: list[int], seeds: Sequence[int], repeats: bool = False) -> None:
        widths = _network_widths("widths", widths)
        seeds = _check_seeds(seeds, _flag("repeats", repeats))
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
    largest singular value, estimated by one power iteration per discriminator step. ``repeats``
    as in :class:`SeedRandom`.
    """

    def __init__(
        self,
        widths: list[int],
        seeds: Sequence[int],
        pack: int = 1,
        minibatch_std: bool = False,
        spectral_norm: bool = False,
        repeats: bool = False,
    ) -> None:
        widths = _network_widths("widths", widths)
        seeds = _check_seeds(seeds, _flag("repeats", repeats))
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
        # each seed's start vectors come from its own seed, as its weights do
        rngs = [np.random.default_rng([seed, 3]) for seed in seeds]
        self.power_vectors = [
            tf.Variable(
                _unit(np.stack([rng.standard_normal((1, w.shape[2])) for rng in rngs])),
                trainable=False,
            )
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

    ``config`` is one configuration or one per seed (see :data:`PER_RUN_FIELDS`). Both losses
    return shape (S,): one loss per seed (the caller sums them, so seeds do not interact).
    """

    def __init__(
        self,
        config: ToyGANConfig | Sequence[ToyGANConfig],
        discriminator: SeedDiscriminator,
        random: SeedRandom,
    ) -> None:
        checks.instance("discriminator", discriminator, SeedDiscriminator)
        configs = _check_configs(config, None if isinstance(config, ToyGANConfig) else
                                 discriminator.num_seeds)
        checks.instance("random", random, SeedRandom)
        if random.count != discriminator.num_seeds:
            raise ValueError(
                f"random must draw for the discriminator's {discriminator.num_seeds} seeds; "
                f"it draws for {random.count}"
            )
        if len(configs) == 1:
            configs *= discriminator.num_seeds
        self.config, self.discriminator, self.random = configs[0], discriminator, random
        self.per_run = {name: _per_run(configs, name) for name in PER_RUN_FIELDS}
        self.uses = {name: any(getattr(c, name) > 0 for c in configs) for name in PER_RUN_FIELDS}

    def noisy(self, x, key, noise_std, salt: int):
        """``x`` plus instance noise of per-run std ``noise_std`` (S,), when a run asks for it."""
        if not self.uses["instance_noise"]:
            return x
        return x + tf.reshape(noise_std, (-1, 1, 1)) * self.random.normal(x.shape[1:], key, salt)

    def discriminator_loss(self, real, fake, kernels, key, noise_std):
        """D's loss on a batch of reals and fakes, with the penalties the configuration asks for."""
        c, d, p = self.config, self.discriminator._forward, self.per_run
        real, fake = self.noisy(real, key, noise_std, 21), self.noisy(fake, key, noise_std, 22)
        with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
            tape.watch([real, fake])
            real_logits = d(real, kernels)
            fake_logits = d(fake, kernels)
            real_total, fake_total = tf.reduce_sum(real_logits), tf.reduce_sum(fake_logits)
        if c.loss == "wgan-gp":
            loss = tf.reduce_mean(fake_logits, 1) - tf.reduce_mean(real_logits, 1)
            loss += p["gp_lambda"] * self._gradient_penalty(real, fake, kernels, key)
        elif c.loss == "rpgan":  # each fake is paired with a real: f(D(fake) - D(real))
            loss = tf.reduce_mean(tf.nn.softplus(fake_logits - real_logits), 1)
        else:
            target = 1.0 - p["label_smoothing"][:, None]
            real_loss = target * tf.nn.softplus(-real_logits)
            real_loss += (1 - target) * tf.nn.softplus(real_logits)
            loss = tf.reduce_mean(real_loss, 1)
            loss += tf.reduce_mean(tf.nn.softplus(fake_logits), 1)
        for name, x, total in (("r1_gamma", real, real_total), ("r2_gamma", fake, fake_total)):
            if self.uses[name]:  # R1 on real data, R2 on generated data
                grad = tape.gradient(total, x)
                penalty = tf.reduce_mean(tf.reduce_sum(grad**2, axis=-1), axis=1)
                loss += 0.5 * p[name] * penalty * c.pack
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

    def generator_loss(self, fake, kernels, real=None, key=0, noise_std=None):
        """G's loss on a batch of fakes: minimax, non-saturating, Wasserstein or relativistic.

        The relativistic loss pairs each fake with one of ``real`` (needed for ``"rpgan"`` only);
        instance noise of std ``noise_std`` (S,) reaches D's inputs here too.
        """
        if noise_std is not None:
            fake = self.noisy(fake, key, noise_std, 24)
        fake_logits = self.discriminator._forward(fake, kernels)
        if self.config.loss == "rpgan":
            if real is None:
                raise ValueError("real must be given for the relativistic (rpgan) loss")
            if noise_std is not None:
                real = self.noisy(real, key, noise_std, 25)
            real_logits = self.discriminator._forward(real, kernels)
            return tf.reduce_mean(tf.nn.softplus(real_logits - fake_logits), 1)
        if self.config.loss == "wgan-gp":
            return -tf.reduce_mean(fake_logits, 1)
        if self.config.loss == "saturating":
            return -tf.reduce_mean(tf.nn.softplus(fake_logits), 1)  # log(1 - D(G(z))), minimised
        return tf.reduce_mean(tf.nn.softplus(-fake_logits), 1)  # -log D(G(z))


# ---------------------------------------------------------------------- optimiser


class SeedAdam:
    """Adam for variables with a leading seed axis, its learning rate decayed (chapter 7).

    ``config`` gives beta1, beta2, the decay and the run's length (``steps``). With several
    configurations side by side, ``learning_rate`` and ``config`` list one per seed: each seed's
    slice of every variable gets its own learning rate and betas.
    """

    def __init__(
        self,
        variables: list,
        learning_rate: float | Sequence[float],
        config: ToyGANConfig | Sequence[ToyGANConfig],
    ) -> None:
        if not isinstance(variables, (list, tuple)) or not variables or not all(
            isinstance(v, tf.Variable) for v in variables
        ):
            raise ValueError(
                f"variables must be a non-empty list of tf.Variable; got {type(variables).__name__}"
            )
        if isinstance(learning_rate, (list, tuple, np.ndarray)):
            rates = [checks.positive_number("learning_rate", r) for r in learning_rate]
        else:
            rates = [checks.positive_number("learning_rate", learning_rate)]
        configs = _check_configs(config)
        runs = max(len(rates), len(configs))
        if {len(rates), len(configs)} - {1, runs}:
            raise ValueError(
                f"learning_rate and config must list as many runs; got {len(rates)} and "
                f"{len(configs)}"
            )
        self.variables, self.config = variables, configs[0]
        self.learning_rate = rates[0] if len(rates) == 1 else rates
        rank = len(variables[0].shape)
        rates = np.broadcast_to(np.array(rates, np.float32), (runs,))
        self._rates = tf.constant(rates.reshape((runs,) + (1,) * (rank - 1)))
        configs = configs * runs if len(configs) == 1 else configs
        self._beta1, self._beta2 = (_per_run(configs, name, rank) for name in ("beta1", "beta2"))
        self.moments = [
            (tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in variables
        ]
        self.iterations = tf.Variable(0.0)

    def _rate(self, step):
        progress = tf.cast(step, tf.float32) / float(self.config.steps)
        if self.config.lr_decay == "linear":
            return self._rates * tf.maximum(0.0, 1.0 - progress)
        if self.config.lr_decay == "exponential":
            return self._rates * tf.pow(0.01, tf.minimum(progress, 1.0))
        return self._rates

    def apply(self, grads: list, step) -> None:
        """One Adam update of every variable with ``grads``, at generator step ``step``."""
        beta1, beta2, t = self._beta1, self._beta2, self.iterations
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

    ``config`` may also list one configuration per entry of ``seeds`` (chapter 8's tuning search
    trains many configurations side by side): they may differ only in :data:`PER_RUN_FIELDS`, and
    a seed may then appear once per configuration. Each (configuration, seed) pair is a *run*.
    """

    def __init__(
        self,
        config: ToyGANConfig | Sequence[ToyGANConfig],
        data: str | np.ndarray,
        seeds: Sequence[int] | int = (0,),
        scale: float | None = None,
        jit_compile: bool | None = None,
    ) -> None:
        several = not isinstance(config, ToyGANConfig)
        self.seeds = _check_seeds(seeds, repeats=several)
        configs = _check_configs(config, len(self.seeds))
        if len(set(zip(configs, self.seeds))) != len(self.seeds):
            raise ValueError("seeds: each (configuration, seed) pair must appear once")
        c = self.config = configs[0]
        self.configs = configs
        self.num_seeds = len(self.seeds)
        self.run_names = [
            f"run {i} (seed {seed})" if several else f"seed {seed}"
            for i, seed in enumerate(self.seeds)
        ]
        rms = self._set_data(data)
        self.scale = rms if scale is None else checks.positive_number("scale", scale)
        self.step = 0
        self.random = SeedRandom(self.seeds, repeats=several)
        g_widths = [c.latent_dim, *c.g_hidden, self.dim]
        self.generator = SeedGenerator(g_widths, self.seeds, repeats=several)
        d_widths = [self.dim * c.pack, *c.d_hidden, 1]
        self.discriminator = SeedDiscriminator(
            d_widths, self.seeds, c.pack, c.minibatch_std, c.spectral_norm, repeats=several
        )
        self.losses = ToyLosses(configs, self.discriminator, self.random)
        g_rates, d_rates = [k.g_lr for k in configs], [k.d_lr for k in configs]
        self.g_optimizer = SeedAdam(self.generator.variables, g_rates, configs)
        self.d_optimizer = SeedAdam(self.discriminator.variables, d_rates, configs)
        self._instance_noise = _per_run(configs, "instance_noise")
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

    def _g_step(self, step, noise_std):
        """One generator update (D's inputs noised as in D's step); returns loss, gradients."""
        c = self.config
        kernels = self.discriminator.kernels()
        real = self._real(c.batch_size, step, 13) if c.loss == "rpgan" else None
        with tf.GradientTape() as tape:
            z = self.random.normal((c.batch_size, c.latent_dim), step, 41)
            fake = self.generator._forward(z)
            g_loss = self.losses.generator_loss(fake, kernels, real, step, noise_std)
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
            noise_std = self._instance_noise * tf.maximum(0.0, 1.0 - progress)
            for k in range(c.d_steps):
                d_loss, d_grads = self._d_step(step * c.d_steps + k, step, noise_std, k == 0)
            g_loss, g_grads = self._g_step(step, noise_std)
            stats = tf.stack([d_loss, g_loss, _seed_norm(d_grads), _seed_norm(g_grads)])
            return i + 1, acc + stats

        zero = tf.zeros((4, self.num_seeds))
        _, acc = tf.while_loop(lambda i, a: i < n_steps, body, (tf.constant(0), zero))
        return acc / tf.cast(tf.maximum(n_steps, 1), tf.float32)

    def _probe_fn(self, step, n):
        """D's accuracy on real and fake, the mean logit gap between them, and the generator's
        gradient norm, on fresh batches."""
        real = self._real(n, step, 51)
        z = self.random.normal((n, self.config.latent_dim), step, 52)
        kernels = self.discriminator.kernels()
        with tf.GradientTape() as tape:
            fake = self.generator._forward(z)
            g_total = tf.reduce_sum(self.losses.generator_loss(fake, kernels, real))
        g_norm = _seed_norm(tape.gradient(g_total, self.generator.variables))
        real_logits = self.discriminator._forward(real, kernels)
        fake_logits = self.discriminator._forward(fake, kernels)
        acc_real = tf.reduce_mean(tf.cast(real_logits > 0, tf.float32), 1)
        acc_fake = tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32), 1)
        gap = tf.reduce_mean(real_logits, 1) - tf.reduce_mean(fake_logits, 1)
        return acc_real, acc_fake, g_norm, gap, fake * self.scale

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
        acc_real, acc_fake, g_norm, gap, fake = (t.numpy() for t in probed)
        row = {"step": np.full(self.num_seeds, self.step)}
        row |= dict(zip(("d_loss", "g_loss", "d_grad_norm", "g_grad_norm"), means, strict=True))
        row |= {"d_acc_real": acc_real, "d_acc_fake": acc_fake, "probe_g_grad_norm": g_norm,
                "d_logit_gap": gap}
        if heldout is not None:
            row["d_acc_heldout"] = np.mean(self.discriminator_logits(heldout) > 0, axis=1)
        return row, fake

    def _report(
        self, monitor: TrainingMonitor, row: dict[str, np.ndarray], fake: np.ndarray
    ) -> list[Diagnosis]:
        """Hand one probe of each seed to ``monitor``; return its warnings."""
        held = row.get("d_acc_heldout")
        found = []
        for s in range(self.num_seeds):
            found += monitor.update(
                step=self.step,
                d_acc_real=float(row["d_acc_real"][s]),
                d_acc_fake=float(row["d_acc_fake"][s]),
                g_grad_norm=float(row["probe_g_grad_norm"][s]),
                d_loss=float(row["d_loss"][s]),
                g_loss=float(row["g_loss"][s]),
                samples=fake[s],
                heldout_acc=None if held is None else float(held[s]),
                logit_gap=float(row["d_logit_gap"][s]),
                run=self.run_names[s] if self.num_seeds > 1 else None,
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
