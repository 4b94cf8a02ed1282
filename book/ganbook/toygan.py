"""A configurable, fast GAN trainer for small vector data: the 2-D ring and grid, or flattened digits.

Introduced in chapter 7 (Failure modes, measured) and used for every run of chapter 8 (Remedies,
measured). Generator and discriminator are multilayer perceptrons written with batched matrix
products, so that several seeds train *side by side in one graph*: every weight carries a leading
seed axis, each seed has its own initialisation and its own random streams (seeded from
``(seed, step)``, so a seed's result does not depend on which seeds share the run), and the whole
inner loop of ``k`` discriminator steps and one generator step runs as a single compiled
``tf.function`` (XLA) with the steps in a ``tf.while_loop``. Adam is written out too, so that nothing
in the step calls back into Python.

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
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:  # only the annotation of train_toy_gan needs it
    from ganbook.diagnostics import TrainingMonitor

LOSSES = ("saturating", "nonsaturating", "wgan-gp")
TOY_DATASETS = ("ring", "grid")
LR_DECAYS = ("linear", "exponential", "none")


@dataclass(frozen=True)
class ToyGANConfig:
    """Everything that defines one toy-GAN training run (chapter 7).

    Sizes: ``latent_dim`` (standard-normal noise), ``g_hidden`` and ``d_hidden`` (widths of the hidden
    layers), ``batch_size`` (real samples, and as many fakes, per step), ``steps`` (generator steps).
    Optimiser: Adam with ``g_lr``, ``d_lr`` (TTUR: set them apart), ``beta1``, ``beta2``.
    Game: ``loss``, ``d_steps`` (k of Algorithm 1), ``label_smoothing`` (real target 1 - s),
    ``instance_noise`` (std of Gaussian noise added to every D input at step 0, annealed to 0 at the
    end, in normalised data units), ``spectral_norm``, ``r1_gamma`` (penalty gamma/2 E||grad D(x)||^2
    on real x), ``gp_lambda`` (WGAN-GP weight), ``minibatch_std``, ``pack`` (PacGAN degree).
    ``lr_decay``: how both learning rates fall over ``steps``: ``"linear"`` (to zero),
    ``"exponential"`` (to 1 % of their start, geometrically) or ``"none"``; a decay keeps the last large
    steps from blurring the final samples.
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
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {self.loss!r}")
        for name in ("latent_dim", "batch_size", "steps", "d_steps", "pack"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        for name in ("g_hidden", "d_hidden"):
            widths = getattr(self, name)
            if not isinstance(widths, tuple) or not widths or any(
                isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths
            ):
                raise ValueError(f"{name} must be a non-empty tuple of positive integers; got {widths!r}")
        for name in ("g_lr", "d_lr"):
            if not (np.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise ValueError(f"{name} must be a positive number; got {getattr(self, name)!r}")
        for name in ("beta1", "beta2"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1); got {getattr(self, name)!r}")
        if not 0 <= self.label_smoothing < 0.5:
            raise ValueError(f"label_smoothing must be in [0, 0.5); got {self.label_smoothing!r}")
        for name in ("instance_noise", "r1_gamma", "gp_lambda"):
            if not (np.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                raise ValueError(f"{name} must be a non-negative number; got {getattr(self, name)!r}")
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}; got {self.lr_decay!r}")
        if self.batch_size % self.pack:
            raise ValueError(f"batch_size ({self.batch_size}) must be a multiple of pack ({self.pack})")

    def with_(self, **changes) -> "ToyGANConfig":
        """A copy with some fields changed (chapter 8 builds each remedy this way)."""
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
    warnings: list = field(default_factory=list)


@contextlib.contextmanager
def _quiet_retracing():
    """Silence TensorFlow's "excessive retracing" warning: every ToyGAN compiles its own graphs by design."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = (int(seeds),)
    try:
        seeds = tuple(seeds)
    except TypeError as error:
        raise ValueError(f"seeds must be an integer or a sequence of integers; got {seeds!r}") from error
    if not seeds or any(
        isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < 2**31 for s in seeds
    ):
        raise ValueError(f"seeds must be a non-empty sequence of integers in [0, 2**31); got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct; got {seeds!r}")
    return tuple(int(s) for s in seeds)


class ToyGAN:
    """MLP generator and discriminator trained on ``data`` for several seeds at once (chapter 7).

    ``data`` is ``"ring"`` or ``"grid"`` (the PROTOCOLS.md mixtures, sampled fresh at every step, as the
    papers do) or a fixed float array of shape (N, dim) (a finite training set, sampled with
    replacement). ``jit_compile`` compiles the step with XLA, which is fastest for long runs but takes
    seconds to compile; the default (None) uses it when ``config.steps`` is at least 1,000. Data are divided by ``scale`` (default: the root-mean-square norm of the data) before
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
        import tensorflow as tf

        from ganbook import toy

        if not isinstance(config, ToyGANConfig):
            raise ValueError(f"config must be a ToyGANConfig; got {type(config).__name__}")
        self.config = config
        self.seeds = _check_seeds(seeds)
        self.num_seeds = len(self.seeds)
        if isinstance(data, str):
            if data not in TOY_DATASETS:
                raise ValueError(f"data must be one of {TOY_DATASETS} or an array; got {data!r}")
            means = toy.ring_means() if data == "ring" else toy.grid_means()
            sigma = toy.RING_SIGMA if data == "ring" else toy.GRID_SIGMA
            self.dataset = data
            self._means = means.astype(np.float32)
            self._sigma = float(sigma)
            self._fixed = None
            self.dim = 2
            rms = float(np.sqrt(np.mean(np.sum(means**2, axis=1)) + 2 * sigma**2))
        else:
            array = np.asarray(data, dtype=np.float32)
            if array.ndim != 2 or len(array) < 2 or not np.all(np.isfinite(array)):
                raise ValueError(f"data must be 'ring', 'grid' or a finite array of shape (N, dim); got {array.shape}")
            self.dataset = "array"
            self._means = None
            self._fixed = array
            self.dim = array.shape[1]
            rms = float(np.sqrt(np.mean(np.sum(array**2, axis=1)) / array.shape[1]))
        if scale is None:
            scale = rms
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"scale must be a positive number; got {scale!r}")
        self.scale = float(scale)
        self.step = 0
        self._tf = tf
        self._jit = config.steps >= 1000 if jit_compile is None else bool(jit_compile)
        self._build()

    # ------------------------------------------------------------------ parameters
    def _init_mlp(self, widths: list[int], salt: int) -> list[np.ndarray]:
        """He-uniform weights and zero biases, one set per seed (leading axis)."""
        params = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            ws, bs = [], []
            for seed in self.seeds:
                rng = np.random.default_rng([seed, salt, fan_in, fan_out, len(params)])
                limit = math.sqrt(6.0 / fan_in)
                ws.append(rng.uniform(-limit, limit, size=(fan_in, fan_out)))
                bs.append(np.zeros((1, fan_out)))
            params += [np.stack(ws).astype(np.float32), np.stack(bs).astype(np.float32)]
        return params

    def _build(self) -> None:
        tf, c = self._tf, self.config
        g_widths = [c.latent_dim, *c.g_hidden, self.dim]
        d_in = self.dim * c.pack
        d_widths = [d_in, *c.d_hidden, 1]
        self._d_widths = d_widths
        var = lambda a, name: tf.Variable(a, name=name)  # noqa: E731
        self.g_vars = [var(a, f"g{i}") for i, a in enumerate(self._init_mlp(g_widths, 1))]
        d_init = self._init_mlp(d_widths, 2)
        if c.minibatch_std:
            # the statistic is appended to the first hidden layer's output: one more input row for layer 2
            w = d_init[2]
            extra = np.zeros((self.num_seeds, 1, w.shape[2]), np.float32)
            d_init[2] = np.concatenate([w, extra], axis=1)
        self.d_vars = [var(a, f"d{i}") for i, a in enumerate(d_init)]
        rng = np.random.default_rng([self.seeds[0], 3])
        self.sn_u = [
            tf.Variable(self._unit(rng.standard_normal((self.num_seeds, 1, v.shape[2]))), trainable=False)
            for v in self.d_vars[0::2]
        ]
        self.g_opt = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in self.g_vars]
        self.d_opt = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in self.d_vars]
        self.g_t = tf.Variable(0.0)
        self.d_t = tf.Variable(0.0)
        self._seed_tensor = tf.constant(self.seeds, dtype=tf.int32)
        self._chunk = tf.function(self._train_chunk, jit_compile=self._jit)
        self._probe = tf.function(self._probe_fn, jit_compile=self._jit)
        self._gen = tf.function(self._generate, jit_compile=self._jit)

    @staticmethod
    def _unit(a: np.ndarray) -> np.ndarray:
        return (a / np.linalg.norm(a, axis=-1, keepdims=True)).astype(np.float32)

    # ------------------------------------------------------------------ random streams
    def _normal(self, shape: tuple[int, ...], step, salt: int):
        """Per-seed standard normals of shape (S, *shape), seeded from (seed, step, salt)."""
        tf = self._tf
        return tf.stack(
            [
                tf.random.stateless_normal(shape, seed=tf.stack([self._seed_tensor[i] * 7919 + salt, step]))
                for i in range(self.num_seeds)
            ]
        )

    def _uniform(self, shape: tuple[int, ...], step, salt: int, maxval=None, dtype=None):
        tf = self._tf
        dtype = dtype or tf.float32
        return tf.stack(
            [
                tf.random.stateless_uniform(
                    shape, seed=tf.stack([self._seed_tensor[i] * 7919 + salt, step]), maxval=maxval, dtype=dtype
                )
                for i in range(self.num_seeds)
            ]
        )

    def _real(self, n: int, step, salt: int = 11):
        """A batch of real data (S, n, dim), in normalised units."""
        tf = self._tf
        if self._fixed is not None:
            idx = self._uniform((n,), step, salt, maxval=len(self._fixed), dtype=tf.int32)
            return tf.gather(tf.constant(self._fixed / self.scale), idx)
        idx = self._uniform((n,), step, salt, maxval=len(self._means), dtype=tf.int32)
        centres = tf.gather(tf.constant(self._means), idx)
        return (centres + self._sigma * self._normal((n, 2), step, salt + 1)) / self.scale

    # ------------------------------------------------------------------ networks
    def generator(self, z, g_vars=None):
        """G(z) for z of shape (S, n, latent_dim): ReLU hidden layers, linear output (normalised units)."""
        tf = self._tf
        params = self.g_vars if g_vars is None else g_vars
        h = z
        for i in range(0, len(params), 2):
            h = tf.matmul(h, params[i]) + params[i + 1]
            if i < len(params) - 2:
                h = tf.nn.relu(h)
        return h

    def _sn_weights(self, update: bool):
        """The discriminator weights, divided by their spectral norms when spectral_norm is on."""
        tf = self._tf
        ws = self.d_vars[0::2]
        if not self.config.spectral_norm:
            return list(ws)
        out = []
        for w, u in zip(ws, self.sn_u):
            u0 = tf.stop_gradient(u)
            v = tf.math.l2_normalize(tf.matmul(u0, w, transpose_b=True), axis=-1)  # (S,1,in)
            u1 = tf.math.l2_normalize(tf.matmul(v, w), axis=-1)  # (S,1,out)
            v, u1 = tf.stop_gradient(v), tf.stop_gradient(u1)
            sigma = tf.reduce_sum(tf.matmul(v, w) * u1, axis=-1, keepdims=True)  # (S,1,1)
            if update:
                u.assign(u1)
            out.append(w / sigma)
        return out

    def discriminator(self, x, weights=None):
        """Logits of shape (S, n / pack) for samples x of shape (S, n, dim) (normalised units)."""
        tf, c = self._tf, self.config
        ws = self._sn_weights(False) if weights is None else weights
        bs = self.d_vars[1::2]
        s, n = tf.shape(x)[0], tf.shape(x)[1]
        h = tf.reshape(x, (s, n // c.pack, self.dim * c.pack))
        for i, (w, b) in enumerate(zip(ws, bs)):
            if i == 1 and c.minibatch_std:
                mean, var = tf.nn.moments(h, axes=[1], keepdims=True)
                stat = tf.reduce_mean(tf.sqrt(var + 1e-8), axis=-1, keepdims=True)  # (S,1,1)
                h = tf.concat([h, tf.broadcast_to(stat, tf.concat([tf.shape(h)[:2], [1]], 0))], axis=-1)
            h = tf.matmul(h, w) + b
            if i < len(ws) - 1:
                h = tf.nn.leaky_relu(h, alpha=0.2)
        return h[..., 0]

    # ------------------------------------------------------------------ losses
    def _d_loss(self, real, fake, step, weights, noise_std):
        """Per-seed discriminator loss (S,), summed over seeds by the caller."""
        tf, c = self._tf, self.config
        if c.instance_noise > 0:
            real = real + noise_std * self._normal(real.shape[1:], step, 21)
            fake = fake + noise_std * self._normal(fake.shape[1:], step, 22)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(real)
            lr = self.discriminator(real, weights)
            lr_total = tf.reduce_sum(lr)
        lf = self.discriminator(fake, weights)
        if c.loss == "wgan-gp":
            loss = tf.reduce_mean(lf, 1) - tf.reduce_mean(lr, 1)
            n = real.shape[1]
            eps = self._uniform((n // c.pack, 1, 1), step, 23)  # eps ~ U[0, 1], one per packed D input
            shape = (self.num_seeds, n // c.pack, c.pack, self.dim)
            mix = eps * tf.reshape(real, shape) + (1.0 - eps) * tf.reshape(fake, shape)
            mix = tf.reshape(mix, real.shape)
            with tf.GradientTape(watch_accessed_variables=False) as gp_tape:
                gp_tape.watch(mix)
                lm_total = tf.reduce_sum(self.discriminator(mix, weights))
            grad = tf.reshape(gp_tape.gradient(lm_total, mix), (self.num_seeds, n // c.pack, -1))
            norm = tf.sqrt(tf.reduce_sum(grad**2, axis=-1) + 1e-12)  # guarded square root
            loss += c.gp_lambda * tf.reduce_mean((norm - 1.0) ** 2, axis=1)
        else:
            target = 1.0 - c.label_smoothing
            loss = tf.reduce_mean(target * tf.nn.softplus(-lr) + (1 - target) * tf.nn.softplus(lr), 1)
            loss += tf.reduce_mean(tf.nn.softplus(lf), 1)
        if c.r1_gamma > 0:
            grad = tape.gradient(lr_total, real)
            loss += 0.5 * c.r1_gamma * tf.reduce_mean(tf.reduce_sum(grad**2, axis=-1), axis=1) * c.pack
        return loss

    def _g_loss(self, fake, weights):
        tf, c = self._tf, self.config
        lf = self.discriminator(fake, weights)
        if c.loss == "wgan-gp":
            return -tf.reduce_mean(lf, 1)
        if c.loss == "saturating":
            return -tf.reduce_mean(tf.nn.softplus(lf), 1)  # log(1 - D(G(z))), minimised
        return tf.reduce_mean(tf.nn.softplus(-lf), 1)  # -log D(G(z))

    def _adam(self, params, grads, slots, t, lr, step):
        tf, c = self._tf, self.config
        t.assign_add(1.0)
        progress = tf.cast(step, tf.float32) / float(c.steps)
        if c.lr_decay == "linear":
            lr = lr * tf.maximum(0.0, 1.0 - progress)
        elif c.lr_decay == "exponential":
            lr = lr * tf.pow(0.01, tf.minimum(progress, 1.0))
        corr = lr * tf.sqrt(1 - c.beta2**t) / (1 - c.beta1**t)
        for p, g, (m, v) in zip(params, grads, slots):
            m.assign(c.beta1 * m + (1 - c.beta1) * g)
            v.assign(c.beta2 * v + (1 - c.beta2) * g * g)
            p.assign_sub(corr * m / (tf.sqrt(v) + 1e-8))

    def _seed_norm(self, grads):
        """Per-seed global norm of a list of gradients with a leading seed axis."""
        tf = self._tf
        return tf.sqrt(tf.add_n([tf.reduce_sum(g**2, axis=list(range(1, len(g.shape)))) for g in grads]))

    # ------------------------------------------------------------------ the compiled loop
    def _train_chunk(self, start, n_steps):
        tf, c = self._tf, self.config
        b = c.batch_size
        total = float(c.steps)

        def body(i, acc):
            step = start + i
            noise_std = c.instance_noise * tf.maximum(0.0, 1.0 - tf.cast(step, tf.float32) / total)
            for k in range(c.d_steps):
                key = step * c.d_steps + k
                real = self._real(b, key)
                fake = self.generator(self._normal((b, c.latent_dim), key, 31))
                with tf.GradientTape() as tape:
                    weights = self._sn_weights(update=(k == 0))
                    d_loss = self._d_loss(real, fake, key, weights, noise_std)
                    d_total = tf.reduce_sum(d_loss)
                d_grads = tape.gradient(d_total, self.d_vars)
                self._adam(self.d_vars, d_grads, self.d_opt, self.d_t, c.d_lr, step)
            weights = self._sn_weights(update=False)
            with tf.GradientTape() as tape:
                g_loss = self._g_loss(self.generator(self._normal((b, c.latent_dim), step, 41)), weights)
                g_total = tf.reduce_sum(g_loss)
            g_grads = tape.gradient(g_total, self.g_vars)
            self._adam(self.g_vars, g_grads, self.g_opt, self.g_t, c.g_lr, step)
            return i + 1, acc + tf.stack([d_loss, g_loss, self._seed_norm(d_grads), self._seed_norm(g_grads)])

        zero = tf.zeros((4, self.num_seeds))
        _, acc = tf.while_loop(lambda i, a: i < n_steps, body, (tf.constant(0), zero))
        return acc / tf.cast(tf.maximum(n_steps, 1), tf.float32)

    def _probe_fn(self, step, n):
        """D's accuracy on real and fake, and the generator's gradient norm, on fresh batches."""
        tf = self._tf
        real = self._real(n, step, 51)
        z = self._normal((n, self.config.latent_dim), step, 52)
        weights = self._sn_weights(update=False)
        with tf.GradientTape() as tape:
            fake = self.generator(z)
            g_total = tf.reduce_sum(self._g_loss(fake, weights))
        g_norm = self._seed_norm(tape.gradient(g_total, self.g_vars))
        lr, lf = self.discriminator(real, weights), self.discriminator(fake, weights)
        acc_real = tf.reduce_mean(tf.cast(lr > 0, tf.float32), 1)
        acc_fake = tf.reduce_mean(tf.cast(lf < 0, tf.float32), 1)
        return acc_real, acc_fake, g_norm, fake * self.scale

    def _generate(self, z):
        return self.generator(z) * self.scale

    # ------------------------------------------------------------------ public API
    def train(
        self,
        steps: int | None = None,
        check_every: int = 250,
        monitor=None,
        verbose: bool = False,
        probe_size: int = 512,
        heldout: np.ndarray | None = None,
    ) -> TrainResult:
        """Train for ``steps`` generator steps (default: ``config.steps``) (chapter 7).

        Every ``check_every`` steps, probe the run: D's accuracy on fresh real and fake batches, the
        generator's gradient norm, and fake samples; a ``monitor`` (a
        :class:`ganbook.diagnostics.TrainingMonitor`) is given each probe and warns as it sees a
        failure. With ``heldout`` real data (an array of shape (M, dim) that D never trains on), each
        probe also measures D's accuracy on it (``d_acc_heldout``), the sign of D overfitting.
        Returns the history (one row per check, one column per seed) and the wall time.
        """
        tf = self._tf
        steps = self.config.steps if steps is None else steps
        for name, value in (("steps", steps), ("check_every", check_every), ("probe_size", probe_size)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if heldout is not None:
            heldout = np.asarray(heldout, dtype=np.float32)
            if heldout.ndim != 2 or heldout.shape[1] != self.dim or len(heldout) < self.config.pack:
                raise ValueError(f"heldout must have shape (M, {self.dim}); got {heldout.shape}")
            heldout = heldout[: len(heldout) // self.config.pack * self.config.pack]
        keys = ("step", "d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "d_acc_real", "d_acc_fake",
                "probe_g_grad_norm", "d_acc_heldout")
        rows: dict[str, list] = {k: [] for k in keys}
        result = TrainResult()
        start_time, start_cpu = time.perf_counter(), time.process_time()
        done = 0
        while done < steps:
            n = min(check_every, steps - done)
            with _quiet_retracing():
                means = self._chunk(tf.constant(self.step, tf.int32), tf.constant(n, tf.int32)).numpy()
                probed = self._probe(tf.constant(self.step + n), probe_size)
            self.step += n
            done += n
            acc_real, acc_fake, g_norm, fake = (t.numpy() for t in probed)
            rows["step"].append(np.full(self.num_seeds, self.step))
            for key, value in zip(("d_loss", "g_loss", "d_grad_norm", "g_grad_norm"), means):
                rows[key].append(value)
            rows["d_acc_real"].append(acc_real)
            rows["d_acc_fake"].append(acc_fake)
            rows["probe_g_grad_norm"].append(g_norm)
            held = None
            if heldout is not None:
                held = np.mean(self.discriminator_logits(heldout) > 0, axis=1)
                rows["d_acc_heldout"].append(held)
            if monitor is not None:
                for s, seed in enumerate(self.seeds):
                    found = monitor.update(
                        step=self.step,
                        d_acc_real=float(acc_real[s]),
                        d_acc_fake=float(acc_fake[s]),
                        g_grad_norm=float(g_norm[s]),
                        d_loss=float(means[0, s]),
                        g_loss=float(means[1, s]),
                        samples=fake[s],
                        heldout_acc=None if held is None else float(held[s]),
                        run=f"seed {seed}" if self.num_seeds > 1 else None,
                    )
                    result.warnings.extend(found)
            if verbose:
                print(
                    f"step {self.step:6d}  d_loss {means[0].mean():.3f}  g_loss {means[1].mean():.3f}  "
                    f"D acc real {acc_real.mean():.2f} fake {acc_fake.mean():.2f}  |grad G| {g_norm.mean():.2e}"
                )
        result.seconds = time.perf_counter() - start_time
        result.cpu_seconds = time.process_time() - start_cpu
        result.history = {k: np.array(v) for k, v in rows.items() if v}
        return result

    def sample(self, n: int = 2500, seed: int = 12345) -> np.ndarray:
        """``n`` generator samples per seed, float32 array (S, n, dim) in data units (chapter 7)."""
        tf = self._tf
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer; got {n!r}")
        z = self._normal((int(n), self.config.latent_dim), tf.constant(seed), 61)
        with _quiet_retracing():
            return self._gen(z).numpy().astype(np.float32)

    def discriminator_logits(self, x: np.ndarray) -> np.ndarray:
        """D's logits (S, N / pack) for data-unit samples x of shape (N, dim) or (S, N, dim) (chapter 7)."""
        tf = self._tf
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 2:
            x = np.broadcast_to(x, (self.num_seeds, *x.shape))
        if x.ndim != 3 or x.shape[0] != self.num_seeds or x.shape[2] != self.dim:
            raise ValueError(f"x must have shape (N, {self.dim}) or ({self.num_seeds}, N, {self.dim}); got {x.shape}")
        if x.shape[1] % self.config.pack:
            raise ValueError(f"the number of samples must be a multiple of pack={self.config.pack}")
        return self.discriminator(tf.constant(x / self.scale)).numpy()


def train_toy_gan(
    config: ToyGANConfig,
    data: str | np.ndarray,
    seeds: Sequence[int] | int = (0, 1, 2),
    monitor: TrainingMonitor | None = None,
    check_every: int = 250,
    verbose: bool = False,
) -> tuple[ToyGAN, TrainResult]:
    """Build a :class:`ToyGAN` and train it for ``config.steps`` steps (chapter 7)."""
    gan = ToyGAN(config, data, seeds)
    return gan, gan.train(check_every=check_every, monitor=monitor, verbose=verbose)

