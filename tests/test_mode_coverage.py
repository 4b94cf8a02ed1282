"""Unit tests of ganbook.mode_coverage on samples built so that the score is known."""

import csv

import numpy as np
import pytest

from ganbook import toy
from ganbook.mode_coverage import (
    CSV_COLUMNS,
    mode_coverage,
    read_coverage_csv,
    record_coverage,
    score_toy,
)


def _at_means(means, per_mode, offset=0.0):
    return np.repeat(means, per_mode, axis=0) + offset


def test_every_mode_even_gives_all_modes_full_quality_zero_kl():
    means = toy.grid_means()
    score = score_toy(_at_means(means, 100), "grid")
    assert (score.modes, score.total_modes, score.high_quality) == (25, 25, 100.0)
    assert score.kl == pytest.approx(0.0, abs=1e-12)
    assert score.counts.tolist() == [100] * 25


def test_single_mode_gives_kl_log_k():
    means = toy.ring_means()
    score = score_toy(np.repeat(means[3:4], 2500, axis=0), "ring")
    assert score.modes == 1 and score.high_quality == 100.0
    assert score.kl == pytest.approx(np.log(8))


def test_known_mixture_of_good_and_bad_samples():
    means = toy.ring_means()
    sigma = toy.RING_SIGMA
    good = _at_means(means[:4], 10, offset=np.array([2.9 * sigma, 0.0]))  # inside 3 sigma
    bad = _at_means(means[4:], 10, offset=np.array([3.1 * sigma, 0.0]))  # just outside
    score = mode_coverage(np.concatenate([good, bad]), means, sigma)
    assert score.modes == 4
    assert score.high_quality == pytest.approx(50.0)
    # histogram over all 8 modes: 1/4 on four modes, 0 elsewhere -> KL = log 8 - log 4
    assert score.kl == pytest.approx(np.log(2))


def test_uneven_histogram_kl_matches_formula():
    means = toy.grid_means()
    counts = np.arange(1, 26)
    samples = np.repeat(means, counts, axis=0)
    p = counts / counts.sum()
    assert score_toy(samples, "grid").kl == pytest.approx(np.sum(p * np.log(p * 25)))


def test_no_high_quality_sample_gives_nan_kl_and_nonfinite_samples_are_low_quality():
    samples = np.array([[0.5, 0.5], [np.nan, 0.0]])
    score = score_toy(samples, "ring")
    assert score.modes == 0 and score.high_quality == 0.0 and np.isnan(score.kl)


@pytest.mark.parametrize(
    "samples, means, sigma, radius, match",
    [
        (np.zeros((3, 3)), toy.ring_means(), 0.01, 3.0, "samples"),
        (np.zeros((0, 2)), toy.ring_means(), 0.01, 3.0, "samples"),
        (np.zeros((3, 2)), np.zeros((3,)), 0.01, 3.0, "means"),
        (np.zeros((3, 2)), toy.ring_means(), 0.0, 3.0, "sigma"),
        (np.zeros((3, 2)), toy.ring_means(), 0.01, -1.0, "radius"),
    ],
)
def test_bad_input(samples, means, sigma, radius, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(samples, means, sigma, radius)


def test_score_toy_rejects_unknown_dataset():
    with pytest.raises(ValueError, match="dataset"):
        score_toy(np.zeros((2, 2)), "spiral")


def test_record_coverage_writes_samples_and_replaces_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    samples = _at_means(toy.grid_means(), 100).astype(np.float32)
    record_coverage("grid", "gan", 0, samples)
    record_coverage("grid", "gan", np.int64(1), samples[:2500] * 0 + 7.0)
    score = record_coverage("grid", "gan", 0, samples)  # replaces the first row
    assert score.modes == 25
    saved = np.load(tmp_path / "mode_coverage" / "grid-gan-0.npy")
    assert saved.shape == (2500, 2) and saved.dtype == np.float32
    rows = read_coverage_csv()
    assert [(r["method"], r["seed"]) for r in rows] == [("gan", "1"), ("gan", "0")]
    with open(tmp_path / "mode_coverage.csv") as handle:
        assert tuple(next(csv.reader(handle))) == CSV_COLUMNS
    assert float(rows[1]["high_quality"]) == 100.0 and rows[0]["kl"] == "nan"


@pytest.mark.parametrize(
    "args, match",
    [
        (("spiral", "gan", 0, np.zeros((2500, 2))), "dataset"),
        (("grid", "a/b", 0, np.zeros((2500, 2))), "method"),
        (("grid", "gan", -1, np.zeros((2500, 2))), "seed"),
        (("grid", "gan", True, np.zeros((2500, 2))), "seed"),
        (("grid", "", 0, np.zeros((2500, 2))), "method"),
        (("grid", "gan", 0, np.zeros((100, 2))), "samples"),
    ],
)
def test_record_coverage_bad_input(tmp_path, monkeypatch, args, match):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    with pytest.raises(ValueError, match=match):
        record_coverage(*args)


def test_read_coverage_csv_missing_file(tmp_path):
    with pytest.raises(ValueError, match="path"):
        read_coverage_csv(tmp_path / "nope.csv")


def test_spread_sees_modes_shrunk_to_points():
    for dataset in ("ring", "grid"):
        real = score_toy(toy.sample(dataset, 20000, seed=4), dataset)
        assert abs(real.spread - 1.0) < 0.02  # real data: as wide as itself
        points = np.repeat(toy.means(dataset), 100, axis=0) + 1e-4
        shrunk = score_toy(points, dataset)
        assert shrunk.high_quality == 100.0 and shrunk.modes == shrunk.total_modes
        assert shrunk.spread < 0.05  # the published score calls this perfect
    assert np.isnan(score_toy(np.full((10, 2), 9.0), "grid").spread)
