"""Tests of ganbook.toy: the ring and grid of the Protocols appendix have distinct modes."""

import numpy as np
import pytest

from ganbook import toy
from ganbook.toy import (
    GRID_SIGMA,
    RING_SIGMA,
    Mixture1D,
    grid_means,
    ring_means,
    sample_grid,
    sample_mixture_2d,
    sample_ring,
)


def min_pairwise_distance(points: np.ndarray) -> float:
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
    return float(gaps[~np.eye(len(points), dtype=bool)].min())


def test_ring_has_eight_distinct_means_not_the_linspace_bug():
    """linspace(0, 2*pi, 8) puts the last mean on top of the first and leaves 7 modes."""
    means = ring_means()
    assert means.shape == (8, 2)
    assert len(np.unique(np.round(means, 9), axis=0)) == 8
    expected_gap = 2 * np.sin(np.pi / 8)
    np.testing.assert_allclose(min_pairwise_distance(means), expected_gap, rtol=1e-12)
    angles = np.linspace(0, 2 * np.pi, 8)
    buggy = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert min_pairwise_distance(buggy) < 1e-9


def test_ring_samples_fall_near_all_eight_means():
    points = sample_ring(4000, seed=3)
    nearest = np.linalg.norm(points[:, None, :] - ring_means()[None], axis=-1)
    assert nearest.min(axis=1).max() < 6 * RING_SIGMA
    assert len(np.unique(nearest.argmin(axis=1))) == 8


# --- grid, 1-D mixtures and argument checks ---


def test_grid_has_25_distinct_means_two_apart():
    means = grid_means()
    assert means.shape == (25, 2)
    assert sorted(set(means[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert min_pairwise_distance(means) == pytest.approx(2.0)


def test_grid_samples_have_the_protocol_spread():
    points, modes = sample_mixture_2d(grid_means(), GRID_SIGMA, 20000, seed=1, return_modes=True)
    assert points.dtype == np.float32 and points.shape == (20000, 2)
    offsets = points - grid_means()[modes]
    assert offsets.std() == pytest.approx(GRID_SIGMA, rel=0.03)
    assert np.bincount(modes, minlength=25).min() > 600
    np.testing.assert_array_equal(sample_grid(10, seed=4), sample_grid(10, seed=4))


def test_mixture_1d_density_integrates_to_one_and_samples_match():
    mixture = Mixture1D(means=(-2.0, 3.0), stds=(0.5, 1.0), weights=(1.0, 3.0))
    assert mixture.weights == (0.25, 0.75)
    x = np.linspace(-10, 12, 20001)
    assert np.sum(mixture.pdf(x)) * (x[1] - x[0]) == pytest.approx(1.0, abs=1e-9)
    samples = mixture.sample(100000, seed=0)
    assert samples.shape == (100000, 1) and samples.dtype == np.float32
    assert samples.mean() == pytest.approx(0.25 * -2 + 0.75 * 3, abs=0.02)


def test_benchmarks_by_name_match_the_ring_and_grid_functions():
    np.testing.assert_array_equal(toy.means("ring"), ring_means())
    np.testing.assert_array_equal(toy.means("grid"), grid_means())
    assert (toy.sigma("ring"), toy.sigma("grid")) == (RING_SIGMA, GRID_SIGMA)
    np.testing.assert_array_equal(toy.sample("ring", 50, seed=2), sample_ring(50, seed=2))
    np.testing.assert_array_equal(toy.sample("grid", 50, seed=2), sample_grid(50, seed=2))
    assert [len(toy.means(name)) for name in toy.BENCHMARKS] == [8, 25]


def test_numpy_integers_are_accepted():
    assert ring_means(modes=np.int64(4)).shape == (4, 2)
    assert sample_ring(np.int32(3)).shape == (3, 2)
    assert Mixture1D((0.0,), (1.0,)).sample(np.int64(2)).shape == (2, 1)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"means": (), "stds": ()}, "means"),
        ({"means": (0.0,), "stds": (0.0,)}, "stds"),
        ({"means": (0.0, 1.0), "stds": (1.0,)}, "stds"),
        ({"means": (0.0,), "stds": (1.0,), "weights": (-1.0,)}, "weights"),
    ],
)
def test_mixture_1d_rejects_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Mixture1D(**kwargs)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: ring_means(modes=0), "modes"),
        (lambda: ring_means(radius=-1.0), "radius"),
        (lambda: grid_means(side=2.5), "side"),
        (lambda: grid_means(spacing=0.0), "spacing"),
        (lambda: sample_mixture_2d(np.zeros((3, 3)), 0.1, 5), "means"),
        (lambda: sample_mixture_2d(ring_means(), float("nan"), 5), "sigma"),
        (lambda: sample_ring(0), "n"),
        (lambda: Mixture1D((0.0,), (1.0,)).sample(-2), "n"),
        (lambda: sample_ring(True), "n"),
        (lambda: toy.means("spiral"), "name"),
        (lambda: toy.sigma("ring "), "name"),
        (lambda: toy.sample("grid", 0), "n"),
    ],
)
def test_toy_functions_name_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()
