"""Toy distributions: 1-D Gaussian mixtures and the 2-D ring and grid of the mode-collapse papers.

Introduced in chapter 2 (1-D densities) and chapter 4 (the ring). The ring and grid follow the
book's Protocols appendix (VEEGAN, PacGAN): 8 Gaussians on the unit circle at angles 2*pi*i/8 with
sigma 0.01, and 25 Gaussians at {-4, -2, 0, 2, 4}^2 with sigma 0.05. The angles are i/8 of a full
turn, never ``linspace(0, 2*pi, 8)``, which puts the last mode on top of the first, leaving 7.
Chapters 7 and 8 name the two benchmarks by a string: :func:`means`, :func:`sigma` and
:func:`sample` take ``"ring"`` or ``"grid"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganbook import checks

RING_MODES = 8
RING_RADIUS = 1.0
RING_SIGMA = 0.01
GRID_SIDE = 5
GRID_SPACING = 2.0
GRID_SIGMA = 0.05
BENCHMARKS = ("ring", "grid")


@dataclass(frozen=True)
class Mixture1D:
    """A mixture of 1-D Gaussians with a density and a sampler (chapter 2).

    ``weights`` are normalised to sum to one; ``stds`` must be positive.
    """

    means: tuple[float, ...]
    stds: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        means = np.atleast_1d(checks.array("means", self.means, ndim=(0, 1), min_length=1))
        stds = np.atleast_1d(checks.array("stds", self.stds, ndim=(0, 1)))
        stds = checks.array("stds", stds, shape=means.shape)
        if np.any(stds <= 0):
            raise ValueError(f"stds must be positive, one per mean; got {self.stds!r}")
        weights = np.ones(len(means)) if self.weights is None else self.weights
        weights = np.atleast_1d(checks.array("weights", weights, ndim=(0, 1)))
        weights = checks.array("weights", weights, shape=means.shape)
        if np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(f"weights must be non-negative and not all zero; got {self.weights!r}")
        object.__setattr__(self, "means", tuple(float(m) for m in means))
        object.__setattr__(self, "stds", tuple(float(s) for s in stds))
        object.__setattr__(self, "weights", tuple(float(w) for w in weights / weights.sum()))

    def pdf(self, x: np.ndarray) -> np.ndarray:
        """Density at ``x`` (any shape)."""
        x = checks.array("x", x, dtype=float)[..., None]
        means, stds, weights = (np.asarray(v) for v in (self.means, self.stds, self.weights))
        gauss = np.exp(-0.5 * ((x - means) / stds) ** 2) / (stds * np.sqrt(2 * np.pi))
        return gauss @ weights

    def sample(self, n: int, seed: int | None = 0) -> np.ndarray:
        """``n`` samples as a float32 array of shape (n, 1)."""
        n = checks.positive_int("n", n)
        rng = np.random.default_rng(checks.optional_seed("seed", seed))
        component = rng.choice(len(self.means), size=n, p=np.asarray(self.weights))
        values = rng.normal(np.asarray(self.means)[component], np.asarray(self.stds)[component])
        return values.astype(np.float32)[:, None]


def ring_means(modes: int = RING_MODES, radius: float = RING_RADIUS) -> np.ndarray:
    """Means of the ring: ``modes`` points at angles 2*pi*i/modes on a circle (chapter 4)."""
    modes = checks.positive_int("modes", modes)
    radius = checks.positive_number("radius", radius)
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_means(side: int = GRID_SIDE, spacing: float = GRID_SPACING) -> np.ndarray:
    """Means of the grid: ``side``**2 points spaced ``spacing`` apart, centred on 0 (chapter 7)."""
    side = checks.positive_int("side", side)
    spacing = checks.positive_number("spacing", spacing)
    axis = (np.arange(side) - (side - 1) / 2) * spacing
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def means(name: str) -> np.ndarray:
    """The mode means, shape (K, 2), of the benchmark ``name``: "ring" or "grid" (chapter 7)."""
    checks.one_of("name", name, BENCHMARKS)
    return ring_means() if name == "ring" else grid_means()


def sigma(name: str) -> float:
    """The standard deviation of each mode of ``name``, "ring" or "grid" (chapter 7)."""
    checks.one_of("name", name, BENCHMARKS)
    return RING_SIGMA if name == "ring" else GRID_SIGMA


def sample_mixture_2d(
    means: np.ndarray, sigma: float, n: int, seed: int | None = 0, return_modes: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``n`` samples (float32, shape (n, 2)) from equal-weight isotropic Gaussians at ``means``.

    With ``return_modes`` also returns the index of the mode each sample came from (chapter 4).
    """
    means = checks.array("means", means, shape=(None, 2), min_length=1, dtype=float)
    sigma = checks.positive_number("sigma", sigma)
    n = checks.positive_int("n", n)
    rng = np.random.default_rng(checks.optional_seed("seed", seed))
    return_modes = checks.flag("return_modes", return_modes)
    modes = rng.integers(len(means), size=n)
    points = (means[modes] + sigma * rng.standard_normal((n, 2))).astype(np.float32)
    return (points, modes) if return_modes else points


def sample(name: str, n: int, seed: int | None = 0) -> np.ndarray:
    """``n`` samples (float32, shape (n, 2)) of ``name``, "ring" or "grid" (chapter 7)."""
    return sample_mixture_2d(means(name), sigma(name), n, seed)


def sample_ring(n: int, seed: int | None = 0) -> np.ndarray:
    """``n`` samples of the 8-Gaussian ring (sigma 0.01) (chapter 4)."""
    return sample("ring", n, seed)


def sample_grid(n: int, seed: int | None = 0) -> np.ndarray:
    """``n`` samples of the 25-Gaussian grid (sigma 0.05) (chapter 7)."""
    return sample("grid", n, seed)
