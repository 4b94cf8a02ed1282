"""Watch a GAN while it trains and name the failure it shows (chapter 7, Failure modes, measured).

:class:`TrainingMonitor` is given one *probe* at a time (the discriminator's accuracy on real and on
fake samples, the generator's gradient norm, optionally the losses, a batch of generated samples, and
D's accuracy on held-out real data) and prints a warning the first time it sees each of these:

``NaN``
    a loss, a gradient norm or a sample is not finite.
``D overpowering G``
    D classifies at least ``d_win`` of both real and fake samples correctly for ``patience`` probes.
``vanishing generator gradient``
    the generator's gradient norm has fallen below ``vanish_ratio`` times the largest seen so far, for
    ``patience`` probes.
``mode collapse``
    fewer than ``collapse_fraction`` of the modes are captured (when a ``modes_fn`` is given, as for
    the ring and grid), or else the samples' spread (mean distance between two samples) is below
    ``diversity_floor`` times that of real data.
``oscillation``
    over the last ``window`` probes the generator's samples keep jumping (their mean moves by more than
    ``jump`` times the real data's spread at least half the time) or D's accuracy on fakes swings up
    and down by more than ``swing`` at nearly every probe.
``D overfitting``
    D's accuracy on its training reals exceeds its accuracy on held-out reals by more than
    ``overfit_gap`` for ``patience`` probes.

The same monitor serves the book's toy trainer (:meth:`ganbook.toygan.ToyGAN.train` takes it) and a
Keras GAN through :class:`GANDiagnostics`, a ``keras.callbacks.Callback``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

NAN = "NaN"
D_WINS = "D overpowering G"
VANISHING = "vanishing generator gradient"
COLLAPSE = "mode collapse"
OSCILLATION = "oscillation"
OVERFITTING = "D overfitting"
FAILURES = (NAN, D_WINS, VANISHING, COLLAPSE, OSCILLATION, OVERFITTING)


@dataclass(frozen=True)
class Diagnosis:
    """One warning: the step, the run it concerns (or None), the failure's name and the evidence (chapter 7)."""

    step: int
    run: str | None
    failure: str
    evidence: str

    def __str__(self) -> str:
        where = f" ({self.run})" if self.run else ""
        return f"[step {self.step}] WARNING{where}: {self.failure}: {self.evidence}"


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
    ``modes_fn(samples) -> int`` and ``total_modes`` switch the collapse check to modes captured.
    Checks of diversity and oscillation start after ``warmup`` steps. Each failure is reported once per
    run (a run is a seed when several train side by side); warnings are printed as they happen (unless
    ``verbose=False``) and kept in :attr:`diagnoses`.
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
        swing: float = 0.15,
        overfit_gap: float = 0.2,
        warmup: int = 0,
        verbose: bool = True,
        print_fn: Callable[[str], None] = print,
    ) -> None:
        for name, value, low, high in (
            ("d_win", d_win, 0.5, 1.0),
            ("vanish_ratio", vanish_ratio, 0.0, 1.0),
            ("collapse_fraction", collapse_fraction, 0.0, 1.0),
            ("diversity_floor", diversity_floor, 0.0, 1.0),
            ("swing", swing, 0.0, 1.0),
            ("overfit_gap", overfit_gap, 0.0, 1.0),
        ):
            if isinstance(value, bool) or not low < value <= high:
                raise ValueError(f"{name} must be in ({low}, {high}]; got {value!r}")
        for name, value in (("patience", patience), ("window", window)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if window < 3:
            raise ValueError(f"window must be at least 3; got {window!r}")
        if isinstance(warmup, bool) or not isinstance(warmup, (int, np.integer)) or warmup < 0:
            raise ValueError(f"warmup must be a non-negative integer; got {warmup!r}")
        if not (np.isfinite(jump) and jump > 0):
            raise ValueError(f"jump must be a positive number; got {jump!r}")
        if (modes_fn is None) != (total_modes is None):
            raise ValueError("modes_fn and total_modes must be given together")
        if modes_fn is not None and not callable(modes_fn):
            raise ValueError(f"modes_fn must be callable; got {modes_fn!r}")
        if total_modes is not None and (isinstance(total_modes, bool) or not isinstance(total_modes, (int, np.integer)) or total_modes < 1):
            raise ValueError(f"total_modes must be a positive integer; got {total_modes!r}")
        self.real_spread = None
        if real_samples is not None:
            real = np.asarray(real_samples, dtype=np.float64)
            if real.ndim < 2 or len(real) < 2 or not np.all(np.isfinite(real)):
                raise ValueError(f"real_samples must be a finite array of at least 2 samples; got shape {real.shape}")
            self.real_spread = _mean_pairwise_distance(real)
        self.modes_fn, self.total_modes = modes_fn, total_modes
        self.d_win, self.patience, self.vanish_ratio = d_win, patience, vanish_ratio
        self.collapse_fraction, self.diversity_floor = collapse_fraction, diversity_floor
        self.window, self.jump, self.swing, self.overfit_gap = window, jump, swing, overfit_gap
        self.warmup, self.verbose, self.print_fn = warmup, verbose, print_fn
        self.diagnoses: list[Diagnosis] = []
        self._state: dict = {}

    def _run_state(self, run: str | None) -> dict:
        return self._state.setdefault(
            run, {"reported": set(), "d_wins": 0, "vanish": 0, "overfit": 0, "max_grad": 0.0,
                  "centroids": [], "acc_fake": [], "last": {}}
        )

    def _warn(self, state: dict, step: int, run: str | None, failure: str, evidence: str) -> list[Diagnosis]:
        if failure in state["reported"]:
            return []
        state["reported"].add(failure)
        diagnosis = Diagnosis(int(step), run, failure, evidence)
        self.diagnoses.append(diagnosis)
        if self.verbose:
            self.print_fn(str(diagnosis))
        return [diagnosis]

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
    ) -> list[Diagnosis]:
        """Take one probe and return the warnings it raises (chapter 7).

        Accuracies are fractions in [0, 1]: ``d_acc_real`` on the reals D trains on, ``d_acc_fake`` on
        fresh fakes, ``heldout_acc`` on real data D never saw.
        """
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
            raise ValueError(f"step must be a non-negative integer; got {step!r}")
        state = self._run_state(run)
        found: list[Diagnosis] = []
        scalars = {"d_acc_real": d_acc_real, "d_acc_fake": d_acc_fake, "g_grad_norm": g_grad_norm,
                   "d_loss": d_loss, "g_loss": g_loss, "heldout_acc": heldout_acc}
        bad = [k for k, v in scalars.items() if v is not None and not np.isfinite(v)]
        if samples is not None and not np.all(np.isfinite(samples)):
            bad.append("samples")
        if bad:
            found += self._warn(state, step, run, NAN, f"not finite: {', '.join(bad)}")
            return found
        for name in ("d_acc_real", "d_acc_fake") + (("heldout_acc",) if heldout_acc is not None else ()):
            if not 0.0 <= scalars[name] <= 1.0:
                raise ValueError(f"{name} must be a fraction in [0, 1]; got {scalars[name]!r}")
        state["last"] = dict(scalars)

        state["d_wins"] = state["d_wins"] + 1 if min(d_acc_real, d_acc_fake) >= self.d_win else 0
        if state["d_wins"] >= self.patience:
            found += self._warn(state, step, run, D_WINS,
                                f"D accuracy real {d_acc_real:.2f}, fake {d_acc_fake:.2f} for {state['d_wins']} probes")

        state["max_grad"] = max(state["max_grad"], float(g_grad_norm))
        ratio = g_grad_norm / state["max_grad"] if state["max_grad"] > 0 else 1.0
        state["vanish"] = state["vanish"] + 1 if ratio < self.vanish_ratio else 0
        if state["vanish"] >= self.patience:
            found += self._warn(state, step, run, VANISHING,
                                f"|grad G| = {g_grad_norm:.2e}, {ratio:.1e} of its peak {state['max_grad']:.2e}")

        if heldout_acc is not None:
            gap = d_acc_real - heldout_acc
            state["overfit"] = state["overfit"] + 1 if gap > self.overfit_gap else 0
            if state["overfit"] >= self.patience:
                found += self._warn(state, step, run, OVERFITTING,
                                    f"D accuracy on training reals {d_acc_real:.2f} vs held-out reals {heldout_acc:.2f}")

        state["acc_fake"] = (state["acc_fake"] + [float(d_acc_fake)])[-self.window:]
        if samples is not None:
            flat = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
            state["centroids"] = (state["centroids"] + [flat.mean(axis=0)])[-self.window:]
            if step >= self.warmup:
                if self.modes_fn is not None:
                    captured = int(self.modes_fn(samples))
                    if captured < self.collapse_fraction * self.total_modes:
                        found += self._warn(state, step, run, COLLAPSE,
                                            f"{captured} of {self.total_modes} modes captured")
                elif self.real_spread:
                    ratio = _mean_pairwise_distance(flat) / self.real_spread
                    if ratio < self.diversity_floor:
                        found += self._warn(state, step, run, COLLAPSE,
                                            f"sample spread {ratio:.2f} of the real data's")
        if step >= self.warmup and len(state["acc_fake"]) >= self.window:
            evidence = self._oscillation(state)
            if evidence:
                found += self._warn(state, step, run, OSCILLATION, evidence)
        return found

    def _oscillation(self, state: dict) -> str | None:
        acc = np.array(state["acc_fake"])
        diffs = np.diff(acc)
        flips = int(np.sum((diffs[1:] * diffs[:-1] < 0) & (np.abs(diffs[1:]) > self.swing)))
        if flips >= len(diffs) - 2 and flips >= 2:
            return f"D accuracy on fakes swings {acc.min():.2f} - {acc.max():.2f} over the last {len(acc)} probes"
        if self.real_spread and len(state["centroids"]) >= self.window:
            moves = np.linalg.norm(np.diff(np.array(state["centroids"]), axis=0), axis=1) / self.real_spread
            if np.sum(moves > self.jump) >= (len(moves) + 1) // 2:
                return (f"the samples' mean jumped by more than {self.jump:g} of the data spread in "
                        f"{int(np.sum(moves > self.jump))} of the last {len(moves)} intervals")
        return None

    def failures(self, run: str | None = None) -> list[str]:
        """The names of the failures seen so far (for one run, or all runs when ``run`` is None)."""
        return [d.failure for d in self.diagnoses if run is None or d.run == run]

    def summary(self) -> str:
        """One line per warning, or a line saying none was raised."""
        return "\n".join(str(d) for d in self.diagnoses) if self.diagnoses else "no failure detected"


def _make_callback_class():
    import keras
    import tensorflow as tf

    class GANDiagnostics(keras.callbacks.Callback):
        """A Keras callback that probes a GAN model at the end of every ``every`` epochs (chapter 7).

        The model must expose ``generator``, ``discriminator`` and ``latent_dim`` (chapter 5's
        ``GAN`` does). Each probe draws ``probe_size`` latent vectors, measures D's accuracy on
        ``real`` and on the fakes (logit > 0 means "real"), the norm of the non-saturating generator
        loss's gradient, and, when ``heldout`` real data are given, D's accuracy on them; then hands
        everything to ``monitor`` (a :class:`TrainingMonitor`, built from ``real`` if not given).
        """

        def __init__(self, real: np.ndarray, heldout: np.ndarray | None = None, monitor: TrainingMonitor | None = None,
                     every: int = 1, probe_size: int = 256, seed: int = 0) -> None:
            super().__init__()
            real = np.asarray(real, dtype=np.float32)
            if real.ndim < 2 or len(real) < 2:
                raise ValueError(f"real must be an array of at least 2 samples; got shape {real.shape}")
            if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
                raise ValueError(f"every must be a positive integer; got {every!r}")
            if isinstance(probe_size, bool) or not isinstance(probe_size, (int, np.integer)) or probe_size < 2:
                raise ValueError(f"probe_size must be an integer >= 2; got {probe_size!r}")
            self.real = real[:probe_size]
            self.heldout = None if heldout is None else np.asarray(heldout, dtype=np.float32)[:probe_size]
            self.monitor = monitor if monitor is not None else TrainingMonitor(real_samples=self.real)
            self.every, self.probe_size = int(every), int(probe_size)
            self.rng = np.random.default_rng(seed)
            self.history: list[dict] = []

        def probe(self) -> dict:
            """Take one probe of ``self.model`` and return its numbers."""
            for name in ("generator", "discriminator", "latent_dim"):
                if not hasattr(self.model, name):
                    raise ValueError(f"the model must have a '{name}' attribute (chapter 5's GAN has)")
            gen, disc = self.model.generator, self.model.discriminator
            z = tf.constant(self.rng.standard_normal((self.probe_size, int(self.model.latent_dim))), tf.float32)
            with tf.GradientTape() as tape:
                fake = gen(z, training=False)
                logits_fake = disc(fake, training=False)
                g_loss = tf.reduce_mean(tf.nn.softplus(-logits_fake))
            grads = [g for g in tape.gradient(g_loss, gen.trainable_weights) if g is not None]
            g_norm = float(tf.linalg.global_norm(grads)) if grads else 0.0
            acc_real = float(np.mean(np.asarray(disc(self.real, training=False)) > 0))
            acc_fake = float(np.mean(np.asarray(logits_fake) < 0))
            heldout = None
            if self.heldout is not None:
                heldout = float(np.mean(np.asarray(disc(self.heldout, training=False)) > 0))
            return {"d_acc_real": acc_real, "d_acc_fake": acc_fake, "g_grad_norm": g_norm,
                    "g_loss": float(g_loss), "samples": np.asarray(fake), "heldout_acc": heldout}

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs or {}
            if (epoch + 1) % self.every:
                return
            numbers = self.probe()
            bad = [k for k, v in logs.items() if isinstance(v, (int, float, np.floating)) and not np.isfinite(v)]
            if bad:
                numbers["d_loss"] = float("nan")
            self.history.append({k: v for k, v in numbers.items() if k != "samples"} | {"epoch": epoch + 1})
            self.monitor.update(step=epoch + 1, **numbers)

    return GANDiagnostics


def __getattr__(name: str):
    # Keras is imported only when the callback is first used, so that NumPy-only users start fast.
    if name == "GANDiagnostics":
        cls = _make_callback_class()
        globals()["GANDiagnostics"] = cls
        return cls
    raise AttributeError(name)
