"""The mode-coverage score of VEEGAN and PacGAN for the 2-D ring and grid (PROTOCOLS.md).

Introduced in chapter 7 (Failure modes, measured); chapter 8 scores every remedy with it.

Each generated sample is assigned to its nearest mode mean. It is *high quality* when it lies within
``3 sigma`` of that mean (sigma is the standard deviation of the mode: 0.01 for the ring, 0.05 for the
grid). A mode is *captured* when at least one high-quality sample falls to it. The KL score is
``KL(p || uniform)`` where ``p`` is the histogram of the high-quality samples over *all* ``K`` modes
(counts of high-quality samples assigned to each mode, divided by the number of high-quality samples;
modes with no high-quality sample count zero), so ``KL = log K - H(p)``: 0 when the high-quality
samples are spread evenly over every mode, ``log K`` when they all sit on one mode. With no
high-quality sample at all the histogram does not exist and the KL is reported as NaN.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganbook import toy
from ganbook.config import artifacts_dir

CSV_COLUMNS = ("dataset", "method", "seed", "modes", "high_quality", "kl")
DATASETS = ("ring", "grid")


@dataclass(frozen=True)
class ModeCoverage:
    """The score of one set of samples (chapter 7).

    ``modes``: modes captured; ``total_modes``: K; ``high_quality``: percentage (0-100) of samples
    within 3 sigma of their nearest mean; ``kl``: KL(high-quality histogram || uniform) in nats;
    ``counts``: high-quality samples per mode (length K).
    """

    modes: int
    total_modes: int
    high_quality: float
    kl: float
    counts: np.ndarray

    def __str__(self) -> str:
        return (
            f"{self.modes}/{self.total_modes} modes, {self.high_quality:.1f} % high quality, "
            f"KL {self.kl:.3f}"
        )


def mode_coverage(samples: np.ndarray, means: np.ndarray, sigma: float, radius: float = 3.0) -> ModeCoverage:
    """Score ``samples`` (N, 2) against mode ``means`` (K, 2) of standard deviation ``sigma`` (chapter 7).

    A sample is high quality when its distance to the nearest mean is below ``radius * sigma``.
    """
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2 or len(samples) == 0:
        raise ValueError(f"samples must have shape (N, 2) with N >= 1; got {samples.shape}")
    if means.ndim != 2 or means.shape[1] != 2 or len(means) == 0:
        raise ValueError(f"means must have shape (K, 2) with K >= 1; got {means.shape}")
    if isinstance(sigma, bool) or not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive number; got {sigma!r}")
    if isinstance(radius, bool) or not np.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius must be a positive number; got {radius!r}")
    finite = np.all(np.isfinite(samples), axis=1)
    dist = np.full((len(samples), len(means)), np.inf)
    dist[finite] = np.linalg.norm(samples[finite, None, :] - means[None, :, :], axis=-1)
    nearest = dist.argmin(axis=1)
    good = dist.min(axis=1) < radius * sigma
    counts = np.bincount(nearest[good], minlength=len(means))
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
    )


def score_toy(samples: np.ndarray, dataset: str) -> ModeCoverage:
    """:func:`mode_coverage` with the means and sigma of ``dataset`` ("ring" or "grid") (chapter 7)."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}; got {dataset!r}")
    if dataset == "ring":
        return mode_coverage(samples, toy.ring_means(), toy.RING_SIGMA)
    return mode_coverage(samples, toy.grid_means(), toy.GRID_SIGMA)


def _check_name(name: str, value: str) -> str:
    if not isinstance(value, str) or not value or any(ch in value for ch in '/\\,\n"') or value.strip() != value:
        raise ValueError(f"{name} must be a non-empty string without '/', '\\\\', ',' or quotes; got {value!r}")
    return value


def record_coverage(dataset: str, method: str, seed: int, samples: np.ndarray) -> ModeCoverage:
    """Score 2,500 samples and save them as the chapter 8 artifacts (chapter 7).

    Writes the samples to ``artifacts_dir("mode_coverage")/f"{dataset}-{method}-{seed}.npy"`` (float32,
    shape (2500, 2)) and the score as a row of ``artifacts_dir()/"mode_coverage.csv"`` (columns
    dataset, method, seed, modes, high_quality, kl; a row with the same dataset, method and seed is
    replaced). Both files are written to a temporary name and moved into place.
    """
    _check_name("dataset", dataset)
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}; got {dataset!r}")
    _check_name("method", method)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    samples = np.asarray(samples, dtype=np.float32)
    if samples.shape != (2500, 2):
        raise ValueError(f"samples must have shape (2500, 2) (the protocol scores 2,500); got {samples.shape}")
    score = score_toy(samples, dataset)
    folder = artifacts_dir("mode_coverage")
    target = folder / f"{dataset}-{method}-{int(seed)}.npy"
    tmp = folder / f".{target.stem}.{os.getpid()}.tmp.npy"
    np.save(tmp, samples)
    os.replace(tmp, target)
    table = artifacts_dir() / "mode_coverage.csv"
    rows = read_coverage_csv(table) if table.exists() else []
    rows = [r for r in rows if (r["dataset"], r["method"], int(r["seed"])) != (dataset, method, int(seed))]
    rows.append(
        {
            "dataset": dataset,
            "method": method,
            "seed": int(seed),
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
    path = Path(path) if path is not None else artifacts_dir() / "mode_coverage.csv"
    if not path.exists():
        raise ValueError(f"path must name an existing mode_coverage.csv; {path} does not exist")
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
            raise ValueError(f"path must be a mode_coverage.csv with columns {CSV_COLUMNS}; got {reader.fieldnames}")
        return list(reader)
