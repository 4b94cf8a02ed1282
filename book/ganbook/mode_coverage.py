"""The mode-coverage score of VEEGAN and PacGAN for the 2-D ring and grid (the Protocols appendix).

Introduced in chapter 7 (Failure modes, measured); chapter 8 scores every remedy with it.

Each generated sample is assigned to its nearest mode mean. It is *high quality* when it lies
within ``3 sigma`` of that mean (sigma is the standard deviation of the mode: 0.01 for the ring,
0.05 for the grid). A mode is *captured* when at least one high-quality sample falls to it. The KL
score is ``KL(p || uniform)`` where ``p`` is the histogram of the high-quality samples over *all*
``K`` modes (counts of high-quality samples assigned to each mode, divided by the number of
high-quality samples; modes with no high-quality sample count zero), so ``KL = log K - H(p)``: 0
when the high-quality samples are spread evenly over every mode, ``log K`` when they all sit on
one mode. With no high-quality sample at all the histogram does not exist and the KL is reported as
NaN.

The published score has a second blind spot: a generator that shrinks every mode to a point scores
100 % high quality. ``spread`` sees it: the root-mean-square distance of the high-quality samples
to their mean, divided by that of real data (for a 2-D Gaussian cut at ``radius * sigma``,
``E[r^2] = sigma^2 (2 - c e^(-c/2) / (1 - e^(-c/2)))`` with ``c = radius^2``): 1 for samples as
wide as the data, near 0 for modes shrunk to points (chapter 8).
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np

from ganbook import checks, toy
from ganbook.config import artifacts_dir

CSV_COLUMNS = ("dataset", "method", "seed", "modes", "high_quality", "kl")
SAMPLES_SCORED = 2500  # the protocol scores 2,500 samples per run


@dataclass(frozen=True)
class ModeCoverage:
    """The score of one set of samples (chapter 7).

    ``modes``: modes captured; ``total_modes``: K; ``high_quality``: percentage (0-100) of samples
    within 3 sigma of their nearest mean; ``kl``: KL(high-quality histogram || uniform) in nats;
    ``counts``: high-quality samples per mode (length K); ``spread``: the high-quality samples'
    RMS distance to their mean over real data's (1 = as wide as the data; NaN with none).
    """

    modes: int
    total_modes: int
    high_quality: float
    kl: float
    counts: np.ndarray
    spread: float = float("nan")

    def __str__(self) -> str:
        return (
            f"{self.modes}/{self.total_modes} modes, {self.high_quality:.1f} % high quality, "
            f"KL {self.kl:.3f}"
        )


def mode_coverage(
    samples: np.ndarray, means: np.ndarray, sigma: float, radius: float = 3.0
) -> ModeCoverage:
    """Score ``samples`` (N, 2) against mode ``means`` (K, 2) of std ``sigma`` (chapter 7).

    A sample is high quality when its distance to the nearest mean is below ``radius * sigma``;
    samples that are not finite count as low quality.
    """
    shape = (None, 2)
    samples = checks.array("samples", samples, shape=shape, min_length=1, finite=False, dtype=float)
    means = checks.array("means", means, shape=shape, min_length=1, dtype=float)
    sigma = checks.positive_number("sigma", sigma)
    radius = checks.positive_number("radius", radius)
    finite = np.all(np.isfinite(samples), axis=1)
    dist = np.full((len(samples), len(means)), np.inf)
    dist[finite] = np.linalg.norm(samples[finite, None, :] - means[None, :, :], axis=-1)
    nearest = dist.argmin(axis=1)
    good = dist.min(axis=1) < radius * sigma
    counts = np.bincount(nearest[good], minlength=len(means))
    c = radius**2  # E[r^2 | r < radius sigma] of a 2-D Gaussian, in units of sigma^2
    real_square = sigma**2 * (2.0 - c * math.exp(-c / 2) / (1.0 - math.exp(-c / 2)))
    squares = dist.min(axis=1)[good] ** 2
    spread = float(np.sqrt(squares.mean() / real_square)) if good.any() else float("nan")
    if counts.sum() == 0:
        kl = float("nan")
    else:
        p = counts / counts.sum()
        nz = p > 0
        kl = float(np.sum(p[nz] * np.log(p[nz] * len(means))))
    return ModeCoverage(
        modes=int(np.count_nonzero(counts)),
        total_modes=len(means),
        high_quality=float(100.0 * good.mean()),
        kl=max(kl, 0.0) if np.isfinite(kl) else kl,
        counts=counts,
        spread=spread,
    )


def score_toy(samples: np.ndarray, dataset: str) -> ModeCoverage:
    """:func:`mode_coverage` with the means and sigma of the benchmark ``dataset`` (chapter 7)."""
    checks.one_of("dataset", dataset, toy.BENCHMARKS)
    return mode_coverage(samples, toy.means(dataset), toy.sigma(dataset))


def _file_safe(name: str, value: str) -> str:
    """A name that can be part of a file name and a CSV cell."""
    checks.text(name, value)
    if any(ch in value for ch in '/\\,\n"') or value.strip() != value:
        raise ValueError(
            f"{name} must be a non-empty string without '/', '\\\\', ',' or quotes; got {value!r}"
        )
    return value


def record_coverage(dataset: str, method: str, seed: int, samples: np.ndarray) -> ModeCoverage:
    """Score 2,500 samples and save them as the chapter 8 artifacts (chapter 7).

    Writes the samples to ``artifacts_dir("mode_coverage")/f"{dataset}-{method}-{seed}.npy"``
    (float32, shape (2500, 2)) and the score as a row of ``artifacts_dir()/"mode_coverage.csv"``
    (columns dataset, method, seed, modes, high_quality, kl; a row with the same dataset, method and
    seed is replaced). Both files are written to a temporary name and moved into place.
    """
    checks.one_of("dataset", dataset, toy.BENCHMARKS)
    _file_safe("method", method)
    seed = checks.non_negative_int("seed", seed)
    shape = (SAMPLES_SCORED, 2)
    samples = checks.array("samples", samples, shape=shape, finite=False, dtype=np.float32)
    score = score_toy(samples, dataset)
    folder = artifacts_dir("mode_coverage")
    target = folder / f"{dataset}-{method}-{seed}.npy"
    tmp = folder / f".{target.stem}.{os.getpid()}.tmp.npy"
    np.save(tmp, samples)
    os.replace(tmp, target)
    table = artifacts_dir() / "mode_coverage.csv"
    rows = read_coverage_csv(table) if table.exists() else []
    key = (dataset, method, seed)
    rows = [r for r in rows if (r["dataset"], r["method"], int(r["seed"])) != key]
    rows.append(
        {
            "dataset": dataset,
            "method": method,
            "seed": seed,
            "modes": score.modes,
            "high_quality": round(score.high_quality, 2),
            "kl": round(score.kl, 4) if np.isfinite(score.kl) else "nan",
        }
    )
    tmp_csv = table.with_name(f".{table.name}.{os.getpid()}.tmp")
    with open(tmp_csv, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp_csv, table)
    return score


def read_coverage_csv(path: str | os.PathLike | None = None) -> list[dict]:
    """The rows of ``mode_coverage.csv`` (default: in the artifacts folder) as dicts (chapter 8)."""
    path = checks.path("path", path) if path is not None else artifacts_dir() / "mode_coverage.csv"
    if not path.exists():
        raise ValueError(f"path must name an existing mode_coverage.csv; {path} does not exist")
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise ValueError(
                f"path must be a mode_coverage.csv with columns {CSV_COLUMNS}; "
                f"got {reader.fieldnames}"
            )
        return list(reader)
