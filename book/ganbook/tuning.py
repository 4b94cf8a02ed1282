"""Tune every remedy with one budget, then train the chosen settings on fresh seeds (chapter 8).

Chapter 8 compares remedies fairly, as Lucic et al. (2018, "Are GANs Created Equal?") ask: every
method gets the same number of configurations (:data:`BUDGET`), drawn at random over the learning
rate (log-uniform on [1e-4, 1e-2]), Adam's beta1 in {0, 0.5}, discriminator steps in {1, 5} and
the remedy's own strength, with the method's reference configuration (its paper's, where the paper
publishes one) as candidate 0. Each configuration trains on :data:`VALIDATION_SEEDS`; the one with
the best :func:`validation_score` is chosen per method and benchmark, and the chapter trains it on
fresh test seeds. ``scripts/tune_remedies.py`` runs the search and writes its full log and choices
to ``ganbook/data/remedy_search.json`` (:func:`load_search` reads it).

Runs that differ only in per-run numbers (:data:`ganbook.toygan.PER_RUN_FIELDS`) train side by side
in one graph: :func:`train_runs` groups them by everything else.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ganbook import checks, toy
from ganbook.diagnostics import TrainingMonitor
from ganbook.mode_coverage import SAMPLES_SCORED, ModeCoverage, score_toy
from ganbook.toygan import PER_RUN_FIELDS, ToyGAN, ToyGANConfig

BUDGET = 16  # configurations per method
VALIDATION_SEEDS = (1000, 1001)
STEPS = 2000  # generator steps of every run, search and test alike
BASE = ToyGANConfig(steps=STEPS)  # chapter 7's networks: MLPs of 3 x 64 units, batch 128
SEARCH_FILE = "remedy_search.json"


@dataclass(frozen=True)
class Method:
    """A remedy: its fixed changes to :data:`BASE`, its strength's range and its reference setting.

    ``strength`` names the field the search draws (or None), ``low`` and ``high`` bound its
    log-uniform (``log=True``) or uniform range; ``reference`` is candidate 0, ``source`` says
    where it comes from.
    """

    fixed: dict
    reference: dict
    source: str
    strength: str | None = None
    low: float = 0.0
    high: float = 0.0
    log: bool = True


DCGAN_ADAM = {"g_lr": 2e-4, "d_lr": 2e-4, "beta1": 0.5}
METHODS: dict[str, Method] = {
    "minimax": Method({"loss": "saturating"}, DCGAN_ADAM, "DCGAN's Adam (2e-4, beta1 0.5)"),
    "nonsaturating": Method({}, DCGAN_ADAM, "DCGAN's Adam (2e-4, beta1 0.5)"),
    "label-smoothing": Method(
        {}, DCGAN_ADAM | {"label_smoothing": 0.1},
        "real target 0.9 (Salimans et al.), DCGAN's Adam", "label_smoothing", 0.05, 0.3, False,
    ),
    "instance-noise": Method(
        {}, DCGAN_ADAM | {"instance_noise": 0.1},
        "no toy setting published: std 0.1, DCGAN's Adam", "instance_noise", 0.01, 0.5,
    ),
    "wgan-gp": Method(
        {"loss": "wgan-gp"},
        {"g_lr": 1e-4, "d_lr": 1e-4, "beta1": 0.5, "beta2": 0.9, "d_steps": 5, "gp_lambda": 0.1},
        "WGAN-GP authors' toy code: lambda 0.1, 5 critic steps, Adam 1e-4 (0.5, 0.9)",
        "gp_lambda", 0.03, 30.0,
    ),
    "spectral-norm": Method(
        {"spectral_norm": True}, DCGAN_ADAM, "Miyato et al.'s setting C: Adam 2e-4 (0.5, 0.999)"
    ),
    "r1": Method(
        {}, {"g_lr": 1e-4, "d_lr": 1e-4, "beta1": 0.0, "beta2": 0.99, "r1_gamma": 10.0},
        "Mescheder et al.'s image setting: gamma 10, Adam 1e-4 (0, 0.99)", "r1_gamma", 1e-3, 10.0,
    ),
    "ttur": Method(
        {}, {"g_lr": 1e-4, "d_lr": 3e-4, "beta1": 0.5},
        "D three times faster than G (TTUR style), Adam 1e-4 / 3e-4", "d_lr_ratio", 1.0, 10.0,
    ),
    "minibatch-std": Method(
        {"minibatch_std": True}, {"g_lr": 1e-3, "d_lr": 1e-3, "beta1": 0.0, "beta2": 0.99},
        "Progressive GAN's Adam 1e-3 (0, 0.99)",
    ),
    "pacgan2": Method(
        {"pack": 2, "batch_size": 2 * BASE.batch_size}, {"g_lr": 1e-4, "d_lr": 1e-4, "beta1": 0.8},
        "PacGAN's code: Adam 1e-4 (beta1 0.8)",
    ),
    "pacgan4": Method(
        {"pack": 4, "batch_size": 4 * BASE.batch_size}, {"g_lr": 1e-4, "d_lr": 1e-4, "beta1": 0.8},
        "PacGAN's code: Adam 1e-4 (beta1 0.8)",
    ),
    "r3gan": Method(
        {"loss": "rpgan"},
        {"g_lr": 2e-4, "d_lr": 2e-4, "beta1": 0.0, "beta2": 0.99, "r1_gamma": 1.0, "r2_gamma": 1.0},
        "R3GAN's Adam betas (0, 0.99); lr 2e-4 and gamma 1 chosen by us", "gamma", 1e-3, 10.0,
    ),
}


def method_config(method: str, **numbers) -> ToyGANConfig:
    """``BASE`` with the method's fixed changes and ``numbers`` (a candidate) applied."""
    spec = METHODS[checks.one_of("method", method, METHODS)]
    numbers = dict(numbers)
    if "gamma" in numbers:  # R3GAN: one gamma for R1 and R2
        gamma = numbers.pop("gamma")
        numbers |= {"r1_gamma": gamma, "r2_gamma": gamma}
    return BASE.with_(**spec.fixed, **numbers)


def candidates(method: str, budget: int = BUDGET, seed: int = 0) -> list[dict]:
    """``budget`` candidate settings of ``method``: its reference first, then random draws.

    Each draw: one learning rate for both players, log-uniform on [1e-4, 1e-2] (TTUR multiplies
    D's by its drawn ratio), beta1 in {0, 0.5}, discriminator steps in {1, 5}, and the strength.
    """
    spec = METHODS[checks.one_of("method", method, METHODS)]
    budget = checks.positive_int("budget", budget)
    rng = np.random.default_rng([checks.seed("seed", seed), *method.encode()])
    found = [dict(spec.reference)]
    while len(found) < budget:
        lr = float(10 ** rng.uniform(-4, -2))
        draw = {"g_lr": lr, "d_lr": lr, "beta1": float(rng.choice([0.0, 0.5])),
                "d_steps": int(rng.choice([1, 5]))}
        if spec.strength is not None:
            low, high = spec.low, spec.high
            value = 10 ** rng.uniform(math.log10(low), math.log10(high)) if spec.log else (
                rng.uniform(low, high))
            if spec.strength == "d_lr_ratio":
                draw["d_lr"] = lr * float(value)
            else:
                draw[spec.strength] = float(value)
        found.append(draw)
    return found


def validation_score(score: ModeCoverage) -> float:
    """One number in [0, 1] per run: modes share x high-quality share x exp(-KL).

    1 for samples that hit every mode evenly and only near the means; 0 with no high-quality
    sample. It is what the search maximises (chapter 8).
    """
    checks.instance("score", score, ModeCoverage)
    if not np.isfinite(score.kl):
        return 0.0
    quality = score.high_quality / 100.0
    return float(score.modes / score.total_modes * quality * math.exp(-score.kl))


def _structure(config: ToyGANConfig) -> tuple:
    """The fields that fix the graph, and the penalties in use (so that runs without a costly
    penalty do not pay for it): runs that agree on these train side by side."""
    fixed = tuple((k, v) for k, v in asdict(config).items() if k not in PER_RUN_FIELDS)
    return fixed + tuple(getattr(config, k) > 0 for k in ("r1_gamma", "r2_gamma", "instance_noise"))


@dataclass
class RunsResult:
    """What :func:`train_runs` returns: samples (R, 2500, 2), CPU seconds per run, warnings."""

    samples: np.ndarray
    cpu_seconds: np.ndarray
    warnings: list[list[str]]


def train_runs(
    configs: Sequence[ToyGANConfig],
    seeds: Sequence[int],
    dataset: str,
    monitor_every: int | None = None,
) -> RunsResult:
    """Train run i with ``configs[i]`` from ``seeds[i]`` on ``dataset`` (chapter 8).

    Runs that share their graph (:func:`_structure`) train side by side in one
    :class:`ganbook.toygan.ToyGAN`; each run's cost is its group's CPU time divided by the group's
    runs. With ``monitor_every``, chapter 7's monitor watches every run, probing every
    ``monitor_every`` steps, and each run's warnings (failure names) come back.
    """
    for name, value in (("configs", configs), ("seeds", seeds)):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name} must be a list; got {type(value).__name__}")
    configs = [checks.instance("configs", c, ToyGANConfig) for c in configs]
    seeds = [checks.seed("seeds", s) for s in seeds]
    if len(configs) != len(seeds) or not configs:
        raise ValueError(f"configs and seeds must be non-empty and as long; got {len(configs)} "
                         f"and {len(seeds)}")
    checks.one_of("dataset", dataset, toy.BENCHMARKS)
    if monitor_every is not None:
        monitor_every = checks.positive_int("monitor_every", monitor_every)
    groups: dict[tuple, list[int]] = {}
    for i, config in enumerate(configs):
        groups.setdefault(_structure(config), []).append(i)
    samples = np.zeros((len(configs), SAMPLES_SCORED, 2), np.float32)
    cpu = np.zeros(len(configs))
    warnings: list[list[str]] = [[] for _ in configs]
    for members in groups.values():
        gan = ToyGAN([configs[i] for i in members], dataset, [seeds[i] for i in members],
                     jit_compile=False)
        steps = configs[members[0]].steps
        monitor = None if monitor_every is None else monitor_for(dataset, steps)
        result = gan.train(check_every=monitor_every or steps, monitor=monitor)
        samples[members] = gan.sample(SAMPLES_SCORED)
        cpu[members] = result.cpu_seconds / len(members)
        for diagnosis in result.warnings:
            run = gan.run_names.index(diagnosis.run) if len(members) > 1 else 0
            warnings[members[run]].append(diagnosis.failure)
    return RunsResult(samples, cpu, warnings)


def monitor_for(dataset: str, steps: int = STEPS) -> TrainingMonitor:
    """Chapter 7's monitor for a toy benchmark (chapter 8): the collapse check reads the mode
    histogram of the score and starts half way through a run of ``steps``; nothing is printed."""
    checks.one_of("dataset", dataset, toy.BENCHMARKS)
    return TrainingMonitor(
        toy.sample(dataset, 512, seed=7),
        histogram_fn=lambda s: score_toy(s, dataset).counts,
        warmup=checks.positive_int("steps", steps) // 2,
        verbose=False,
    )


def search_path() -> Path:
    """Where the committed search log lives, inside the installed package."""
    return Path(str(resources.files("ganbook") / "data" / SEARCH_FILE))


def load_search(path: str | Path | None = None) -> dict:
    """The search log (chapter 8): ``runs`` (one row per configuration, seed and benchmark),
    ``chosen`` (per benchmark and method: the candidate index and its numbers) and ``meta``."""
    path = search_path() if path is None else checks.path("path", path)
    if not path.exists():
        raise ValueError(f"path must name the search log; {path} does not exist "
                         "(run scripts/tune_remedies.py)")
    with open(path) as handle:
        log = json.load(handle)
    for key in ("runs", "chosen", "meta"):
        if key not in log:
            raise ValueError(f"path must be a search log with '{key}'; {path} has none")
    return log


def best_by_budget(scores: np.ndarray, draws: int = 2000, seed: int = 0) -> np.ndarray:
    """Expected best validation score when a method gets b of its candidates, b = 1..B.

    ``scores`` (B,) are the candidates' validation scores; each budget b is averaged over
    ``draws`` random subsets of size b (chapter 8's plot of best score against tuning budget).
    """
    scores = checks.array("scores", scores, ndim=1, min_length=1, dtype=float)
    draws = checks.positive_int("draws", draws)
    rng = np.random.default_rng(checks.seed("seed", seed))
    order = np.argsort(rng.random((draws, len(scores))), axis=1)
    running = np.maximum.accumulate(scores[order], axis=1)
    return running.mean(axis=0)


def bootstrap_interval(
    values: np.ndarray, statistic=np.mean, level: float = 0.95, draws: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over the seeds' ``values`` (chapter 8)."""
    values = checks.array("values", values, ndim=1, min_length=2, dtype=float)
    statistic = checks.function("statistic", statistic)
    level = checks.number("level", level, 0.0, 1.0, exclusive_minimum=True,
                          exclusive_maximum=True)
    draws = checks.positive_int("draws", draws)
    rng = np.random.default_rng(checks.seed("seed", seed))
    resampled = values[rng.integers(len(values), size=(draws, len(values)))]
    stats = np.array([statistic(row) for row in resampled])
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return float(low), float(high)


def permutation_test(
    a: np.ndarray, b: np.ndarray, draws: int = 20000, seed: int = 0
) -> float:
    """Two-sided p-value for a difference in means between two groups of seeds (chapter 8).

    The labels are shuffled ``draws`` times; p counts the observed arrangement too, so it is never
    zero (with 10 seeds against 10 the smallest exact p is 2 / C(20, 10), about 1e-5).
    """
    a = checks.array("a", a, ndim=1, min_length=1, dtype=float)
    b = checks.array("b", b, ndim=1, min_length=1, dtype=float)
    draws = checks.positive_int("draws", draws)
    rng = np.random.default_rng(checks.seed("seed", seed))
    pooled = np.concatenate([a, b])
    observed = abs(a.mean() - b.mean())
    perms = np.argsort(rng.random((draws, len(pooled))), axis=1)
    shuffled = pooled[perms]
    diffs = np.abs(shuffled[:, : len(a)].mean(axis=1) - shuffled[:, len(a):].mean(axis=1))
    return float((1 + np.sum(diffs >= observed - 1e-12)) / (draws + 1))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of ``p_values`` for multiple comparisons (chapter 8)."""
    p = checks.array("p_values", p_values, ndim=1, min_length=1, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"p_values must lie in [0, 1]; got {p}")
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted
