"""Unit tests of ganbook.diagnostics: each failure is fed to the monitor and must be named."""

import numpy as np
import pytest

from ganbook import diagnostics as dg
from ganbook import toy
from ganbook.mode_coverage import score_toy


def _quiet(**kwargs):
    lines = []
    return dg.TrainingMonitor(print_fn=lines.append, **kwargs), lines


def test_healthy_probes_raise_nothing():
    real = toy.sample_ring(256, seed=0)
    modes = lambda s: score_toy(s, "ring").modes  # noqa: E731
    monitor, lines = _quiet(real_samples=real, modes_fn=modes, total_modes=8)
    for step in range(10):
        monitor.update(
            step * 100,
            0.6,
            0.55 + 0.01 * (step % 2),
            1.0,
            0.7,
            0.8,
            samples=toy.sample_ring(256, seed=step + 1),
        )
    assert monitor.diagnoses == [] and lines == [] and monitor.summary() == "no failure detected"


def test_nan_is_named_and_printed_once():
    monitor, lines = _quiet()
    monitor.update(1, 0.5, 0.5, float("nan"))
    monitor.update(2, 0.5, 0.5, 1.0, d_loss=float("inf"))
    assert monitor.failures() == [dg.NAN] and len(lines) == 1 and "g_grad_norm" in lines[0]


def test_d_overpowering_needs_patience():
    monitor, _ = _quiet(patience=2)
    monitor.update(1, 0.99, 0.99, 1.0)
    assert monitor.failures() == []
    monitor.update(2, 0.99, 0.98, 1.0)
    assert monitor.failures() == [dg.D_WINS]


def test_vanishing_gradient_relative_to_peak_only_while_d_wins():
    monitor, _ = _quiet(patience=2, vanish_ratio=0.01)
    for step, norm in enumerate([1.0, 0.5, 0.005, 0.001]):
        monitor.update(step, 0.7, 0.97, norm)
    assert monitor.failures() == [dg.VANISHING]
    healthy, _ = _quiet(patience=2, vanish_ratio=0.01)  # a flat D at equilibrium (R1's goal)
    for step, norm in enumerate([1.0, 0.5, 0.005, 0.001, 1e-4]):
        healthy.update(step, 0.5, 0.5, norm)
    assert healthy.failures() == []


def test_mode_collapse_from_modes_and_from_spread():
    monitor, _ = _quiet(modes_fn=lambda s: score_toy(s, "grid").modes, total_modes=25)
    collapsed = np.repeat(toy.grid_means()[:3], 50, axis=0)
    monitor.update(1, 0.6, 0.6, 1.0, samples=collapsed)
    assert monitor.failures() == [dg.COLLAPSE]
    monitor2, lines = _quiet(real_samples=toy.sample_ring(200))
    monitor2.update(1, 0.6, 0.6, 1.0, samples=np.zeros((100, 2)) + 1.0)
    assert monitor2.failures() == [dg.COLLAPSE] and "spread" in lines[0]


def test_warmup_delays_collapse_check():
    monitor, _ = _quiet(real_samples=toy.sample_ring(200), warmup=500)
    monitor.update(100, 0.6, 0.6, 1.0, samples=np.zeros((100, 2)))
    assert monitor.failures() == []


def test_oscillation_from_jumping_samples_and_from_swings():
    means = toy.ring_means()
    monitor, _ = _quiet(real_samples=toy.sample_ring(200), window=6)
    for step in range(6):
        jumping = np.repeat(means[(3 * step) % 8][None], 50, axis=0)
        monitor.update(step, 0.6, 0.6, 1.0, samples=jumping)
    assert dg.OSCILLATION in monitor.failures()
    monitor2, _ = _quiet(window=6, swing=1.0)
    for step, gap in enumerate([-2.0, 3.0, -2.5, 2.0, -3.0, 2.5]):
        monitor2.update(step, 0.6, 0.6, 1.0, logit_gap=gap)
    assert monitor2.failures() == [dg.OSCILLATION]
    calm, _ = _quiet(window=6, swing=1.0)  # accuracy jumps around a flat D: not oscillation
    for step, acc in enumerate([0.2, 0.9, 0.1, 0.8, 0.2, 0.9]):
        calm.update(step, 0.6, acc, 1.0, logit_gap=0.05 * (-1) ** step)
    assert calm.failures() == []


def test_overfitting_gap():
    monitor, _ = _quiet(patience=2, overfit_gap=0.2)
    monitor.update(1, 0.95, 0.6, 1.0, heldout_acc=0.5)
    monitor.update(2, 0.97, 0.6, 1.0, heldout_acc=0.4)
    assert monitor.failures() == [dg.OVERFITTING]


def test_overfitting_from_ada_rt_without_heldout():
    monitor, lines = _quiet(patience=2, rt_limit=0.6)
    monitor.update(1, 0.9, 0.6, 1.0)
    monitor.update(2, 0.85, 0.6, 1.0)  # r_t = 0.7
    assert monitor.failures() == [dg.OVERFITTING] and "r_t" in lines[0]
    quiet, _ = _quiet(patience=2)  # no held-out data and no r_t limit: nothing to judge by
    for step in range(3):
        quiet.update(step, 0.9, 0.6, 1.0)
    assert quiet.failures() == []


def test_partial_collapse_from_the_mode_histogram():
    counts = lambda s: score_toy(s, "grid").counts  # noqa: E731
    monitor, lines = _quiet(histogram_fn=counts, patience=1)
    healthy = toy.sample_grid(1000, seed=1)
    monitor.update(1, 0.6, 0.6, 1.0, samples=healthy)
    assert monitor.failures() == []
    # 22 of 25 modes well covered, three starved: modes captured would still say 25 of 25
    means = toy.grid_means()
    rng = np.random.default_rng(0)
    starved = np.concatenate(
        [means[:22].repeat(40, axis=0) + 0.05 * rng.normal(size=(880, 2)), means[22:]]
    )
    assert score_toy(starved, "grid").modes == 25
    monitor.update(2, 0.6, 0.6, 1.0, samples=starved)
    assert monitor.failures() == [dg.COLLAPSE] and "3 of 25" in lines[0]


def test_class_histogram_collapse_for_digits():
    rng = np.random.default_rng(0)
    even = rng.integers(0, 10, size=1000)
    assert dg.class_histogram_collapse(even) is None
    np.testing.assert_array_equal(dg.class_histogram(np.array([0, 2, 2]), 3), [1, 0, 2])
    three = rng.choice([1, 4, 7], size=1000)
    assert "7 of 10" in dg.class_histogram_collapse(three)
    probs = np.eye(10)[three] * 0.9 + 0.01  # probabilities: the argmax is taken
    assert dg.class_histogram_collapse(probs) == dg.class_histogram_collapse(three)
    partial = np.concatenate([even, np.full(3, 9)])
    partial = partial[(partial != 9) | (np.arange(len(partial)) >= 1000)]  # 9 starved
    assert "1 of 10" in dg.class_histogram_collapse(partial)
    with pytest.raises(ValueError, match="classes"):
        dg.class_histogram_collapse(np.array([0, 10]))
    with pytest.raises(ValueError, match="min_share"):
        dg.class_histogram_collapse(even, min_share=0.0)


def test_runs_are_kept_apart():
    monitor, lines = _quiet(patience=1)
    monitor.update(1, 0.99, 0.99, 1.0, run="seed 0")
    monitor.update(1, 0.6, 0.6, 1.0, run="seed 1")
    assert monitor.failures("seed 0") == [dg.D_WINS] and monitor.failures("seed 1") == []
    assert "(seed 0)" in lines[0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"d_win": 1.5}, "d_win"),
        ({"patience": 0}, "patience"),
        ({"window": 2}, "window"),
        ({"warmup": -1}, "warmup"),
        ({"jump": 0}, "jump"),
        ({"modes_fn": len}, "together"),
        ({"real_samples": np.zeros((1, 2))}, "real_samples"),
        ({"modes_fn": len, "total_modes": 0}, "total_modes"),
    ],
)
def test_monitor_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dg.TrainingMonitor(**kwargs)


def test_numpy_numbers_are_accepted():
    monitor, _ = _quiet(patience=np.int64(1), window=np.int32(3), warmup=np.int64(0))
    found = monitor.update(np.int64(5), np.float32(0.99), np.float64(0.99), np.float32(1.0))
    assert [d.failure for d in found] == [dg.D_WINS] and found[0].step == 5
    assert type(found[0].step) is int


def test_each_failure_has_its_own_check():
    """The monitor checks one failure per method (chapter 7 reads them one by one)."""
    checks = [name for name in vars(dg.TrainingMonitor) if name.startswith("_check_")]
    assert len(checks) == len(dg.FAILURES)


def test_update_bad_input():
    monitor, _ = _quiet()
    with pytest.raises(ValueError, match="d_acc_real"):
        monitor.update(1, 1.5, 0.5, 1.0)
    with pytest.raises(ValueError, match="step"):
        monitor.update(-1, 0.5, 0.5, 1.0)
    with pytest.raises(ValueError, match="heldout_acc"):
        monitor.update(1, 0.5, 0.5, 1.0, heldout_acc=-0.1)


def test_keras_callback_probes_a_model_with_generator_and_discriminator():
    import keras

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.latent_dim = 2
            self.generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
            self.discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])

        def call(self, z):
            return self.generator(z)

    lines = []
    real = toy.sample_ring(64)
    monitor = dg.TrainingMonitor(real_samples=real, print_fn=lines.append)
    callback = dg.GANDiagnostics(real, heldout=toy.sample_ring(64, seed=1), monitor=monitor)
    callback.set_model(Tiny())
    callback.on_epoch_end(0, {"d_loss": 0.7})
    entry = callback.history[0]
    assert entry["epoch"] == 1 and 0 <= entry["d_acc_real"] <= 1 and entry["g_grad_norm"] > 0
    callback.on_epoch_end(1, {"d_loss": float("nan")})
    assert dg.NAN in callback.monitor.failures()
    with pytest.raises(ValueError, match="every"):
        dg.GANDiagnostics(real, every=0)
    callback.set_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    with pytest.raises(ValueError, match="generator"):
        callback.probe()
