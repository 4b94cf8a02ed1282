"""Unit tests of ganbook.tuning: candidates, the validation score, grouped runs, the search log."""

import json

import numpy as np
import pytest

from ganbook import toy, tuning
from ganbook.mode_coverage import score_toy
from ganbook.toygan import ToyGANConfig


def test_candidates_start_with_the_reference_and_draw_in_range():
    for method, spec in tuning.METHODS.items():
        found = tuning.candidates(method)
        assert len(found) == tuning.BUDGET and found[0] == spec.reference
        assert found == tuning.candidates(method)  # the same draws every time
        for draw in found[1:]:
            assert 1e-4 <= draw["g_lr"] <= 1e-2 and draw["beta1"] in (0.0, 0.5)
            assert draw["d_steps"] in (1, 5)
            if spec.strength not in (None, "d_lr_ratio"):
                assert spec.low <= draw[spec.strength] <= spec.high
        assert tuning.method_config(method, **found[1]).steps == tuning.STEPS


def test_method_config_applies_the_fixed_changes_and_one_gamma_for_r3gan():
    config = tuning.method_config("r3gan", gamma=0.3)
    assert config.loss == "rpgan" and config.r1_gamma == config.r2_gamma == 0.3
    assert tuning.method_config("pacgan4").batch_size == 4 * tuning.BASE.batch_size


def test_validation_score_rewards_even_sharp_coverage():
    data = score_toy(toy.sample("grid", 2500, seed=3), "grid")
    assert tuning.validation_score(data) > 0.95
    one_mode = np.repeat(toy.grid_means()[:1], 2500, axis=0)
    assert tuning.validation_score(score_toy(one_mode, "grid")) < 0.01
    assert tuning.validation_score(score_toy(np.full((2500, 2), 1.0), "grid")) == 0.0


def test_best_by_budget_rises_to_the_best_candidate():
    scores = np.array([0.1, 0.9, 0.3, 0.5])
    curve = tuning.best_by_budget(scores)
    assert curve.shape == (4,) and np.all(np.diff(curve) >= 0)
    assert curve[-1] == pytest.approx(0.9) and curve[0] == pytest.approx(scores.mean(), abs=0.03)


def test_train_runs_groups_side_by_side_and_returns_every_run():
    tiny = ToyGANConfig(g_hidden=(8,), d_hidden=(8,), batch_size=16, steps=8)
    configs = [tiny, tiny.with_(g_lr=1e-2), tiny.with_(d_steps=2), tiny.with_(r1_gamma=1.0)]
    result = tuning.train_runs(configs, [0, 0, 1, 2], "ring", monitor_every=4)
    assert result.samples.shape == (4, 2500, 2) and np.all(np.isfinite(result.samples))
    assert np.all(result.cpu_seconds > 0) and len(result.warnings) == 4
    alone = tuning.train_runs([configs[2]], [1], "ring")  # its own group: the same samples
    np.testing.assert_allclose(alone.samples[0], result.samples[2], rtol=1e-4, atol=1e-5)


def test_load_search_reads_a_log(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"runs": [], "chosen": {}, "meta": {"budget": 16}}))
    assert tuning.load_search(path)["meta"]["budget"] == 16


def test_the_committed_search_gives_every_method_the_same_budget():
    log = tuning.load_search()
    counts = {}
    for row in log["runs"]:
        key = (row["dataset"], row["method"])
        counts.setdefault(key, set()).add(row["candidate"])
    assert {len(c) for c in counts.values()} == {log["meta"]["budget"]}
    assert log["meta"]["budget"] >= 16
    for dataset, chosen in log["chosen"].items():
        assert set(chosen) == set(tuning.METHODS), dataset


def test_bootstrap_interval_covers_the_mean_and_narrows_with_seeds():
    rng = np.random.default_rng(0)
    few, many = rng.normal(size=10), rng.normal(size=400)
    low, high = tuning.bootstrap_interval(few)
    assert low < few.mean() < high
    low2, high2 = tuning.bootstrap_interval(many)
    assert high2 - low2 < (high - low) / 3
    assert tuning.bootstrap_interval(np.ones(5)) == (1.0, 1.0)


def test_permutation_test_separates_groups_and_not_equal_ones():
    assert tuning.permutation_test(np.arange(10.0), np.arange(10.0) + 100) < 1e-3
    assert tuning.permutation_test(np.arange(10.0), np.arange(10.0)) == 1.0
    assert tuning.permutation_test(np.ones(3), np.zeros(3), draws=50000) == pytest.approx(
        0.1, abs=0.01
    )  # 2 of the 20 arrangements are as extreme: the review's 3-vs-3 floor


def test_holm_multiplies_the_smallest_p_and_stays_monotone():
    np.testing.assert_allclose(tuning.holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(tuning.holm([0.5, 0.9]), [1.0, 1.0])
