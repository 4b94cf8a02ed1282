"""Watch a GAN while it trains and name the failure it shows (chapter 7, Failure modes, measured).

:class:`TrainingMonitor` is given one *probe* at a time (the discriminator's accuracy on real and
on fake samples, the generator's gradient norm, optionally the losses, a batch of generated samples,
and D's accuracy on held-out real data) and prints a warning the first time it sees each of these
(one method of the monitor checks each):

``NaN``
    a loss, a gradient norm or a sample is not finite.
``D overpowering G``
    D classifies at least ``d_win`` of both real and fake samples correctly for ``patience`` probes.
``vanishing generator gradient``
    while D rejects at least ``d_win`` of the fakes (the gradient vanishes *because D wins*), the
    generator's gradient norm has fallen below ``vanish_ratio`` times the largest seen so far, for
    ``patience`` probes. (At a healthy equilibrium the gradient falls too, but D is then unsure.)
``mode collapse``
    with a ``histogram_fn`` (samples per mode, or per digit class from a classifier), some mode
    holds less than ``min_share`` of its fair share for ``patience`` probes: partial collapse
    counts (:func:`class_histogram_collapse`). Else, with a ``modes_fn``, fewer than
    ``collapse_fraction`` of the modes are captured; else the samples' spread (mean distance
    between two samples) is below ``diversity_floor`` times that of real data (a weak test: it
    misses most partial collapse).
``oscillation``
    over the last ``window`` probes the generator's samples keep jumping (their mean moves by more
    than ``jump`` times the real data's spread at least half the time), or D's mean logit gap
    (mean logit on reals minus mean logit on fakes, a continuous measure) swings up and down by
    more than ``swing`` logits at nearly every probe.
``D overfitting``
    D's accuracy on its training reals exceeds its accuracy on held-out reals by more than
    ``overfit_gap`` for ``patience`` probes; without held-out data, with ``rt_limit`` set, ADA's
    heuristic r_t = E[sign(D(x_real))] = 2 acc_real - 1 stays above ``rt_limit`` (Karras et al.
    2020 aim at 0.6).

The same monitor serves the book's toy trainer (:meth:`ganbook.toygan.ToyGAN.train` takes it) and a
Keras GAN through :class:`GANDiagnostics`, a ``keras.callbacks.Callback``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from ganbook import checks

NAN = "NaN"
D_WINS = "D overpowering G"
VANISHING = "vanishing generator gradient"
COLLAPSE = "mode collapse"
OSCILLATION = "oscillation"
OVERFITTING = "D overfitting"
FAILURES = (NAN, D_WINS, VANISHING, COLLAPSE, OSCILLATION, OVERFITTING)


@dataclass(frozen=True)
class Diagnosis:
    """One warning: the step, the run (or None), the failure's name and the evidence (chapter 7)."""

    step: int
    run: str | None
    failure: str
    evidence: str

    def __str__(self) -> str:
        where = f" ({self.run})" if self.run else ""
        return f"[step {self.step}] WARNING{where}: {self.failure}: {self.evidence}"


@dataclass(frozen=True)
class _Probe:
    """The numbers of one probe of one run (see :meth:`TrainingMonitor.update`)."""

    step: int
    d_acc_real: float
    d_acc_fake: float
    g_grad_norm: float
    d_loss: float | None = None
    g_loss: float | None = None
    samples: np.ndarray | None = None
    heldout_acc: float | None = None
    logit_gap: float | None = None


@dataclass
class _RunState:
    """What the monitor remembers of one run between probes."""

    reported: set[str] = field(default_factory=set)
    collapsed: int = 0  # consecutive probes with a starved mode (histogram rule)
    d_wins: int = 0  # consecutive probes in which D won
    vanishing: int = 0  # consecutive probes with a vanished generator gradient
    overfitting: int = 0  # consecutive probes with a train / held-out gap
    max_grad: float = 0.0
    gaps: list[float] = field(default_factory=list)  # D's logit gap, the last `window` probes
    centroids: list[np.ndarray] = field(default_factory=list)  # the last `window` probes


def _images(name: str, value: np.ndarray) -> np.ndarray:
    """Arrays of rank 3 or more are images, which the book keeps in [-1, 1] (not 0-255)."""
    finite = value[np.isfinite(value)] if np.issubdtype(value.dtype, np.floating) else value
    if value.ndim >= 3 and finite.size and (finite.min() < -1.0 or finite.max() > 1.0):
        raise ValueError(
            f"{name} must hold images scaled to [-1, 1]; got values in "
            f"[{finite.min():g}, {finite.max():g}]"
        )
    return value


def _measure(name: str, value, optional: bool = False, non_negative: bool = False):
    """A probe's number, returned unchanged: a real number (NaN and infinity are reported as the
    NaN failure, not refused), or None where ``optional``."""
    if optional and value is None:
        return None
    if not checks.is_number(value):
        expected = "a number or None" if optional else "a number"
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    if non_negative and value < 0:
        raise ValueError(f"{name} must be >= 0 (or NaN); got {value!r}")
    return value


def class_histogram(classes: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """Samples per class (length ``num_classes``) from labels (n,) or class probabilities
    (n, num_classes), whose argmax is taken (chapter 7; digits are judged by chapter 6's
    classifier)."""
    num_classes = checks.integer("num_classes", num_classes, minimum=2)
    array = checks.array("classes", classes, ndim=(1, 2), min_length=1)
    if array.ndim == 2:
        if array.shape[1] != num_classes:
            raise ValueError(f"classes must have shape (n, {num_classes}) when they are "
                             f"probabilities; got {array.shape}")
        labels = np.argmax(array, axis=1)
    else:
        labels = array
        if not np.all(labels == np.round(labels)) or labels.min() < 0 or (
            labels.max() >= num_classes
        ):
            raise ValueError(f"classes must be integer labels in [0, {num_classes}); got values "
                             f"in [{labels.min():g}, {labels.max():g}]")
    return np.bincount(labels.astype(int), minlength=num_classes)


def class_histogram_collapse(
    classes: np.ndarray, num_classes: int = 10, min_share: float = 0.25
) -> str | None:
    """The collapse rule on a class (or mode) histogram: evidence, or None when healthy (chapter 7).

    ``classes``: labels (n,) or probabilities (n, num_classes), as :func:`class_histogram` takes.
    It fires when some class gets fewer than ``min_share`` times its fair share ``n /
    num_classes``: a missing or starved class, which is partial collapse; the spread of the
    samples misses it.
    """
    counts = class_histogram(classes, num_classes)
    return _starved(counts, checks.number("min_share", min_share, 0.0, 1.0,
                                          exclusive_minimum=True))


def _starved(counts: np.ndarray, min_share: float) -> str | None:
    """Evidence that some entry of ``counts`` is below ``min_share`` of the fair share, or None."""
    total = counts.sum()
    fair = total / len(counts)
    starved = int(np.sum(counts < min_share * fair))
    if total == 0 or starved == 0:
        return None if total else "no sample falls on any mode"
    top = np.sort(counts)[::-1]
    k = max(1, len(counts) - starved)
    share = 100.0 * top[:k].sum() / total
    return (f"{starved} of {len(counts)} modes or classes below {min_share:g} of their fair "
            f"share; the other {k} hold {share:.0f} % of the samples")


def _mean_pairwise_distance(x: np.ndarray, limit: int = 256) -> float:
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)[:limit]
    if len(x) < 2:
        return 0.0
    sq = np.sum(x**2, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0)
    n = len(x)
    return float(np.sqrt(d2).sum() / (n * (n - 1)))


class TrainingMonitor:
    """Names GAN failures from probes taken while training (chapter 7).

    ``real_samples`` (N, ...) give the reference spread for the diversity and oscillation checks;
    ``histogram_fn(samples) -> counts`` (samples per mode or per class) switches the collapse check
    to the histogram rule; ``modes_fn(samples) -> int`` and ``total_modes`` to modes captured.
    Checks of diversity and oscillation start after ``warmup`` steps. Each failure is reported once
    per run (a run is a seed when several train side by side); warnings are printed as they happen
    (unless ``verbose=False``) and kept in :attr:`diagnoses`.
    """

    def __init__(
        self,
        real_samples: np.ndarray | None = None,
        modes_fn: Callable[[np.ndarray], int] | None = None,
        total_modes: int | None = None,
        *,
        d_win: float = 0.95,
        patience: int = 2,
        vanish_ratio: float = 0.01,
        collapse_fraction: float = 0.5,
        diversity_floor: float = 0.5,
        window: int = 6,
        jump: float = 0.25,
        swing: float = 1.0,
        overfit_gap: float = 0.2,
        histogram_fn: Callable[[np.ndarray], np.ndarray] | None = None,
        min_share: float = 0.25,
        rt_limit: float | None = None,
        warmup: int = 0,
        verbose: bool = True,
        print_fn: Callable[[str], None] = print,
    ) -> None:
        def fraction(name: str, value: float, low: float = 0.0) -> float:
            return checks.number(name, value, low, 1.0, exclusive_minimum=True)

        self.d_win = fraction("d_win", d_win, low=0.5)
        self.vanish_ratio = fraction("vanish_ratio", vanish_ratio)
        self.collapse_fraction = fraction("collapse_fraction", collapse_fraction)
        self.diversity_floor = fraction("diversity_floor", diversity_floor)
        self.swing = checks.positive_number("swing", swing)
        self.overfit_gap = fraction("overfit_gap", overfit_gap)
        self.min_share = fraction("min_share", min_share)
        self.rt_limit = None if rt_limit is None else checks.number(
            "rt_limit", rt_limit, 0.0, 1.0, exclusive_maximum=True)
        self.histogram_fn = None if histogram_fn is None else checks.function(
            "histogram_fn", histogram_fn)
        self.patience = checks.positive_int("patience", patience)
        self.window = checks.integer("window", window, minimum=3)
        self.warmup = checks.non_negative_int("warmup", warmup)
        self.jump = checks.positive_number("jump", jump)
        if (modes_fn is None) != (total_modes is None):
            raise ValueError("modes_fn and total_modes must be given together")
        self.modes_fn = None if modes_fn is None else checks.function("modes_fn", modes_fn)
        self.total_modes = None if total_modes is None else checks.positive_int(
            "total_modes", total_modes
        )
        self.real_spread, self._sample_shape = None, None
        if real_samples is not None:
            real = checks.array("real_samples", real_samples, ndim=(2, 3, 4), min_length=2)
            self.real_spread = _mean_pairwise_distance(_images("real_samples", real))
            self._sample_shape = real.shape[1:]
        self.verbose = bool(checks.instance("verbose", verbose, (bool, np.bool_), "True or False"))
        self.print_fn = checks.function("print_fn", print_fn)
        self.diagnoses: list[Diagnosis] = []
        self._runs: dict[str | None, _RunState] = {}

    def update(
        self,
        step: int,
        d_acc_real: float,
        d_acc_fake: float,
        g_grad_norm: float,
        d_loss: float | None = None,
        g_loss: float | None = None,
        samples: np.ndarray | None = None,
        heldout_acc: float | None = None,
        run: str | None = None,
        logit_gap: float | None = None,
    ) -> list[Diagnosis]:
        """Take one probe and return the warnings it raises (chapter 7).

        Accuracies are fractions in [0, 1]: ``d_acc_real`` on the reals D trains on, ``d_acc_fake``
        on fresh fakes, ``heldout_acc`` on real data D never saw; ``logit_gap`` is D's mean logit
        on reals minus its mean logit on fakes. A probe with a number that is not finite is
        reported as NaN and checked for nothing else.
        """
        self._validate_probe(d_acc_real, d_acc_fake, g_grad_norm, d_loss, g_loss, heldout_acc)
        _measure("logit_gap", logit_gap, optional=True)
        if samples is not None:
            self._validate_samples(samples)
        if run is not None:
            checks.instance("run", run, str, "a string or None")
        probe = _Probe(checks.non_negative_int("step", step), d_acc_real, d_acc_fake, g_grad_norm,
                      d_loss, g_loss, samples, heldout_acc, logit_gap)
        state = self._runs.setdefault(run, _RunState())
        evidence = self._check_nan(probe)
        if evidence:
            return self._warn(state, probe.step, run, NAN, evidence)
        for name in ("d_acc_real", "d_acc_fake", "heldout_acc"):
            if getattr(probe, name) is not None:
                checks.probability(name, getattr(probe, name))
        self._remember(state, probe)
        detectors = (
            (D_WINS, self._check_d_wins),
            (VANISHING, self._check_vanishing_gradient),
            (OVERFITTING, self._check_overfitting),
            (COLLAPSE, self._check_collapse),
            (OSCILLATION, self._check_oscillation),
        )
        found: list[Diagnosis] = []
        for failure, detect in detectors:
            evidence = detect(state, probe)
            if evidence:
                found += self._warn(state, probe.step, run, failure, evidence)
        return found

    @staticmethod
    def _validate_probe(d_acc_real, d_acc_fake, g_grad_norm, d_loss, g_loss, heldout_acc) -> None:
        """Every number of a probe is a real number (or None where optional), left unchanged."""
        _measure("d_acc_real", d_acc_real)
        _measure("d_acc_fake", d_acc_fake)
        _measure("g_grad_norm", g_grad_norm, non_negative=True)
        for name, value in (("d_loss", d_loss), ("g_loss", g_loss), ("heldout_acc", heldout_acc)):
            _measure(name, value, optional=True)

    def _validate_samples(self, samples) -> None:
        """Samples: an array of rank 2 to 4 (NaN allowed: it is reported), shaped like the reals."""
        array = checks.array("samples", samples, ndim=(2, 3, 4), min_length=1, finite=False)
        if self._sample_shape is not None and array.shape[1:] != self._sample_shape:
            raise ValueError(
                f"samples must have shape (n, {', '.join(map(str, self._sample_shape))}) like "
                f"real_samples; got {array.shape}"
            )

    def _warn(
        self, state: _RunState, step: int, run: str | None, failure: str, evidence: str
    ) -> list[Diagnosis]:
        if failure in state.reported:
            return []
        state.reported.add(failure)
        diagnosis = Diagnosis(step, run, failure, evidence)
        self.diagnoses.append(diagnosis)
        if self.verbose:
            self.print_fn(str(diagnosis))
        return [diagnosis]

    def _remember(self, state: _RunState, probe: _Probe) -> None:
        """Keep the last ``window`` logit gaps and sample means (for oscillation)."""
        if probe.logit_gap is not None:
            state.gaps = (state.gaps + [float(probe.logit_gap)])[-self.window :]
        if probe.samples is not None:
            flat = np.asarray(probe.samples, dtype=np.float64).reshape(len(probe.samples), -1)
            state.centroids = (state.centroids + [flat.mean(axis=0)])[-self.window :]

    # Each detector returns the evidence of its failure in this probe, or None.

    @staticmethod
    def _check_nan(probe: _Probe) -> str | None:
        names = ("d_acc_real", "d_acc_fake", "g_grad_norm", "d_loss", "g_loss", "heldout_acc",
                 "logit_gap")
        values = {name: getattr(probe, name) for name in names}
        bad = [name for name, v in values.items() if v is not None and not np.isfinite(v)]
        if probe.samples is not None and not np.all(np.isfinite(probe.samples)):
            bad.append("samples")
        return f"not finite: {', '.join(bad)}" if bad else None

    def _check_d_wins(self, state: _RunState, probe: _Probe) -> str | None:
        won = min(probe.d_acc_real, probe.d_acc_fake) >= self.d_win
        state.d_wins = state.d_wins + 1 if won else 0
        if state.d_wins < self.patience:
            return None
        return (f"D accuracy real {probe.d_acc_real:.2f}, fake {probe.d_acc_fake:.2f} "
                f"for {state.d_wins} probes")

    def _check_vanishing_gradient(self, state: _RunState, probe: _Probe) -> str | None:
        state.max_grad = max(state.max_grad, float(probe.g_grad_norm))
        ratio = probe.g_grad_norm / state.max_grad if state.max_grad > 0 else 1.0
        d_wins = probe.d_acc_fake >= self.d_win  # the gradient vanishes because D wins
        state.vanishing = state.vanishing + 1 if ratio < self.vanish_ratio and d_wins else 0
        if state.vanishing < self.patience:
            return None
        return (f"|grad G| = {probe.g_grad_norm:.2e}, {ratio:.1e} of its peak "
                f"{state.max_grad:.2e}, while D rejects {probe.d_acc_fake:.0%} of the fakes")

    def _check_overfitting(self, state: _RunState, probe: _Probe) -> str | None:
        if probe.heldout_acc is not None:
            gap = probe.d_acc_real - probe.heldout_acc
            over = gap > self.overfit_gap
            evidence = (f"D accuracy on training reals {probe.d_acc_real:.2f} "
                        f"vs held-out reals {probe.heldout_acc:.2f}")
        elif self.rt_limit is not None:  # ADA's r_t = E[sign(D(x_real))]
            r_t = 2 * probe.d_acc_real - 1
            over = r_t > self.rt_limit
            evidence = f"r_t = E[sign D(x_real)] = {r_t:.2f} above {self.rt_limit:g}"
        else:
            return None
        state.overfitting = state.overfitting + 1 if over else 0
        return evidence if state.overfitting >= self.patience else None

    def _check_collapse(self, state: _RunState, probe: _Probe) -> str | None:
        if probe.samples is None or probe.step < self.warmup:
            return None
        if self.histogram_fn is not None:
            counts = checks.array("histogram_fn(samples)", self.histogram_fn(probe.samples),
                                  ndim=1, min_length=2)
            evidence = _starved(counts, self.min_share)
            state.collapsed = state.collapsed + 1 if evidence else 0
            return evidence if state.collapsed >= self.patience else None
        if self.modes_fn is not None:
            captured = int(self.modes_fn(probe.samples))
            if captured < self.collapse_fraction * self.total_modes:
                return f"{captured} of {self.total_modes} modes captured"
        elif self.real_spread:
            ratio = _mean_pairwise_distance(probe.samples) / self.real_spread
            if ratio < self.diversity_floor:
                return f"sample spread {ratio:.2f} of the real data's"
        return None

    def _check_oscillation(self, state: _RunState, probe: _Probe) -> str | None:
        if probe.step < self.warmup:
            return None
        if len(state.gaps) >= self.window:
            gaps = np.array(state.gaps)
            diffs = np.diff(gaps)
            flips = int(np.sum((diffs[1:] * diffs[:-1] < 0) & (np.abs(diffs[1:]) > self.swing)))
            if flips >= len(diffs) - 2 and flips >= 2:
                return (f"D's logit gap (real minus fake) swings {gaps.min():.2f} to "
                        f"{gaps.max():.2f} over the last {len(gaps)} probes")
        if self.real_spread and len(state.centroids) >= self.window:
            moves = np.diff(np.array(state.centroids), axis=0)
            jumps = int(np.sum(np.linalg.norm(moves, axis=1) / self.real_spread > self.jump))
            if jumps >= (len(moves) + 1) // 2:
                return (f"the samples' mean jumped by more than {self.jump:g} of the data spread "
                        f"in {jumps} of the last {len(moves)} intervals")
        return None

    def failures(self, run: str | None = None) -> list[str]:
        """The names of the failures seen so far (for one run, or all runs when ``run`` is None)."""
        if run is not None:
            checks.instance("run", run, str, "a string or None")
        return [d.failure for d in self.diagnoses if run is None or d.run == run]

    def summary(self) -> str:
        """One line per warning, or a line saying none was raised."""
        if not self.diagnoses:
            return "no failure detected"
        return "\n".join(str(d) for d in self.diagnoses)


class GANDiagnostics(keras.callbacks.Callback):
    """A Keras callback that probes a GAN model at the end of every ``every`` epochs (chapter 7).

    The model must expose ``generator``, ``discriminator`` and ``latent_dim`` (chapter 5's ``GAN``
    does). Each probe draws ``probe_size`` latent vectors, measures D's accuracy on ``real`` and on
    the fakes (logit > 0 means "real"), D's mean logit gap (real minus fake), the norm of the
    non-saturating generator loss's gradient, and, when ``heldout`` real data are given, D's
    accuracy on them; then hands everything to ``monitor`` (a :class:`TrainingMonitor`, built
    from ``real`` if not given).
    """

    def __init__(
        self,
        real: np.ndarray,
        heldout: np.ndarray | None = None,
        monitor: TrainingMonitor | None = None,
        every: int = 1,
        probe_size: int = 256,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.every = checks.positive_int("every", every)
        self.probe_size = checks.integer("probe_size", probe_size, minimum=2)
        real = checks.array("real", real, ndim=(2, 3, 4), min_length=2, dtype=np.float32)
        self.real = _images("real", real)[: self.probe_size]
        self.heldout = None
        if heldout is not None:
            shape = (None, *real.shape[1:])
            heldout = checks.array("heldout", heldout, shape=shape, min_length=1, dtype=np.float32)
            self.heldout = _images("heldout", heldout)[: self.probe_size]
        if monitor is not None:
            checks.instance("monitor", monitor, TrainingMonitor, "a TrainingMonitor or None")
        self.monitor = monitor if monitor is not None else TrainingMonitor(real_samples=self.real)
        self.rng = np.random.default_rng(checks.seed("seed", seed))
        self.history: list[dict] = []

    def probe(self) -> dict:
        """Take one probe of ``self.model`` and return its numbers."""
        for name in ("generator", "discriminator", "latent_dim"):
            if not hasattr(self.model, name):
                raise ValueError(f"the model must have a '{name}' attribute (chapter 5's GAN has)")
        gen, disc = self.model.generator, self.model.discriminator
        latent_dim = checks.positive_int("the model's latent_dim", self.model.latent_dim)
        for name, net in (("generator", gen), ("discriminator", disc)):
            if not isinstance(net, keras.Model):
                raise ValueError(f"the model's {name} must be a keras.Model; got {net!r}")
        noise = self.rng.standard_normal((self.probe_size, latent_dim))
        z = tf.constant(noise, tf.float32)
        with tf.GradientTape() as tape:
            fake = gen(z, training=False)
            if tuple(fake.shape[1:]) != self.real.shape[1:]:
                raise ValueError(
                    f"the model's generator must make samples shaped like real, (n, "
                    f"{', '.join(map(str, self.real.shape[1:]))}); got {tuple(fake.shape)}"
                )
            logits_fake = disc(fake, training=False)
            g_loss = tf.reduce_mean(tf.nn.softplus(-logits_fake))
        grads = [g for g in tape.gradient(g_loss, gen.trainable_weights) if g is not None]
        heldout = None
        if self.heldout is not None:
            heldout = float(np.mean(np.asarray(disc(self.heldout, training=False)) > 0))
        real_logits = np.asarray(disc(self.real, training=False))
        return {
            "d_acc_real": float(np.mean(real_logits > 0)),
            "d_acc_fake": float(np.mean(np.asarray(logits_fake) < 0)),
            "logit_gap": float(np.mean(real_logits) - np.mean(np.asarray(logits_fake))),
            "g_grad_norm": float(tf.linalg.global_norm(grads)) if grads else 0.0,
            "g_loss": float(g_loss),
            "samples": np.asarray(fake),
            "heldout_acc": heldout,
        }

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        epoch = checks.non_negative_int("epoch", epoch)
        if logs is not None:
            checks.instance("logs", logs, dict, "a dict or None")
        logs = logs or {}
        if (epoch + 1) % self.every:
            return
        numbers = self.probe()
        numeric = (int, float, np.floating)
        if any(isinstance(v, numeric) and not np.isfinite(v) for v in logs.values()):
            numbers["d_loss"] = float("nan")
        numbers_only = {k: v for k, v in numbers.items() if k != "samples"}
        self.history.append(numbers_only | {"epoch": epoch + 1})
        self.monitor.update(step=epoch + 1, **numbers)
