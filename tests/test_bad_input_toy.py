"""Bad input to ganbook.toygan and ganbook.diagnostics: generated from tables of entry point x
argument x bad value. Each must raise ValueError whose message starts with the argument's name,
before any training starts."""

import math
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganbook import diagnostics as dg
from ganbook import toygan as tg
from ganbook import tuning

TINY = tg.ToyGANConfig(g_hidden=(8,), d_hidden=(8,), batch_size=16, steps=4, pack=2)
NAN, INF = math.nan, math.inf

# Classes of bad value, by what the argument expects.
POSITIVE_INT = [None, "3", True, 1.5, 0, -1, NAN, INF]
POSITIVE_NUMBER = [None, "1", True, NAN, INF, -INF, 0.0, -1.0]
NON_NEGATIVE_NUMBER = [None, "1", True, NAN, INF, -1.0]
FRACTION = [None, "0.5", True, NAN, INF, -0.1, 1.0]  # in [0, 1)
FLAG = [None, "yes", 1, 0.0]
SEED = [None, "1", True, 1.5, -1, 2**31, NAN]
WIDTHS = [None, "abc", 8, (), (8, 0), (8, 1.5), (True,), (8, -1)]
NAN_ROWS = np.full((8, 2), NAN)
IMAGES_0_255 = np.full((8, 4, 4, 1), 255.0)

# ToyGANConfig: every field.
CONFIG_CASES = (
    [
        (name, v)
        for name in ("latent_dim", "batch_size", "steps", "d_steps", "pack")
        for v in POSITIVE_INT
    ]
    + [(name, v) for name in ("g_lr", "d_lr") for v in POSITIVE_NUMBER]
    + [(name, v) for name in ("beta1", "beta2") for v in FRACTION]
    + [("label_smoothing", v) for v in FRACTION + [0.5]]
    + [
        (name, v)
        for name in ("instance_noise", "r1_gamma", "r2_gamma", "gp_lambda")
        for v in NON_NEGATIVE_NUMBER
    ]
    + [(name, v) for name in ("spectral_norm", "minibatch_std") for v in FLAG]
    + [(name, v) for name in ("loss", "lr_decay") for v in (None, 1, True, "bad", ["linear"])]
    + [(name, v) for name in ("g_hidden", "d_hidden") for v in WIDTHS]
)


def _id(value) -> str:
    """A stable test id (no memory addresses, as xdist needs)."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" + ("-nan" if np.isnan(value).any() else "")
    if isinstance(value, tf.Tensor):
        return f"tensor-{value.dtype.name}{tuple(value.shape)}"
    if isinstance(value, type) or callable(value):
        return getattr(value, "__name__", type(value).__name__)
    if isinstance(value, dict):
        return "-".join(f"{k}={_id(v)}" for k, v in value.items())
    return repr(value)


def _raises(arg: str, call, *args, **kwargs):
    with pytest.raises(ValueError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert re.match(rf"{re.escape(arg)}(?!\w)", message), message
    return message


@pytest.mark.parametrize("arg, bad", CONFIG_CASES, ids=_id)
def test_config_field(arg, bad):
    _raises(arg, tg.ToyGANConfig, **{arg: bad})
    _raises(arg, TINY.with_, **{arg: bad})


def test_config_with_unknown_field_and_mismatched_pack():
    _raises("colour", TINY.with_, colour=1)
    _raises("batch_size", tg.ToyGANConfig, batch_size=10, pack=4)
    for loss in ("wgan-gp", "rpgan"):  # no labels to smooth
        _raises("label_smoothing", tg.ToyGANConfig, loss=loss, label_smoothing=0.1)


# ToyGAN: built from a tiny configuration (pack 2, two seeds), never trained by these tests.


@pytest.fixture(scope="module")
def gan():
    return tg.ToyGAN(TINY, "ring", seeds=(0, 1), jit_compile=False)


CONSTRUCTOR_CASES = (
    [("config", v) for v in (None, "abc", {}, TINY.describe(), [], [TINY, None])]
    + [("config", [TINY, TINY.with_(pack=1)]), ("config", [TINY, TINY, TINY])]  # graph, count
    + [("data", v) for v in (None, 5, "spiral", np.zeros(5), NAN_ROWS, np.zeros((1, 2)), "abc")]
    + [("seeds", v) for v in (None, "a", 1.5, -1, True, (), (1, 1), [0, 2**31], [0, None])]
    + [("scale", v) for v in POSITIVE_NUMBER[1:]]  # None: the default scale
    + [("jit_compile", v) for v in ("yes", 1, 0.0)]
)


@pytest.mark.parametrize("arg, bad", CONSTRUCTOR_CASES, ids=_id)
def test_toygan_constructor(arg, bad):
    kwargs = {"config": TINY, "data": "ring"} | {arg: bad}
    _raises(arg, tg.ToyGAN, **kwargs)


def test_toygan_runs_of_several_configurations():
    other = TINY.with_(g_lr=0.5)
    tg.ToyGAN([TINY, other], "ring", seeds=(1, 1), jit_compile=False)  # a seed per configuration
    _raises("seeds", tg.ToyGAN, [TINY, TINY], "ring", seeds=(1, 1))  # the same run twice
    _raises("config", tg.ToyGAN, [TINY, other], "ring", seeds=(1,))  # one per run


def _wrong_monitor():
    return dg.TrainingMonitor(real_samples=np.zeros((8, 5)), verbose=False)


TRAIN_CASES = (
    [("steps", v) for v in POSITIVE_INT[1:]]  # None: config.steps
    + [(name, v) for name in ("check_every", "probe_size") for v in POSITIVE_INT]
    + [("probe_size", 3)]  # not a multiple of pack
    + [("monitor", v) for v in ("abc", print, "discriminator", "wrong shape")]
    + [("verbose", v) for v in FLAG]
    + [("heldout", v) for v in ("abc", np.zeros(4), np.zeros((4, 3)), NAN_ROWS, np.zeros((1, 2)))]
)


def _resolve(gan, value):
    if isinstance(value, str) and value == "discriminator":  # a network where a monitor goes
        return gan.discriminator
    if isinstance(value, str) and value == "wrong shape":  # a monitor of 5-D data
        return _wrong_monitor()
    return value


@pytest.mark.parametrize("arg, bad", TRAIN_CASES, ids=_id)
def test_train_fails_before_training(gan, arg, bad):
    _raises(arg, gan.train, **{arg: _resolve(gan, bad)})
    assert gan.step == 0


@pytest.mark.parametrize(
    "arg, bad",
    [(n, v) for n in ("check_every",) for v in POSITIVE_INT]
    + [
        ("monitor", "abc"),
        ("verbose", "yes"),
        ("seeds", (2, 2)),
        ("config", None),
        ("data", "spiral"),
    ],
    ids=_id,
)
def test_train_toy_gan(arg, bad):
    kwargs = {"config": TINY, "data": "ring"} | {arg: bad}
    _raises(arg, tg.train_toy_gan, **kwargs)


SAMPLE_CASES = [("n", v) for v in POSITIVE_INT] + [("seed", v) for v in SEED]


@pytest.mark.parametrize("arg, bad", SAMPLE_CASES, ids=_id)
def test_sample(gan, arg, bad):
    _raises(arg, gan.sample, **{arg: bad})


BAD_INPUTS = [
    None,
    "abc",
    np.zeros(4),  # rank 1
    np.zeros((2, 4, 3)),  # wrong width
    np.zeros((3, 4, 2)),  # three seeds, the model has two
    np.full((2, 4, 2), NAN),
    tf.zeros((2, 4, 2), tf.float64),  # wrong dtype
    tf.fill((2, 4, 2), NAN),
    tf.zeros((2, 4)),  # rank 2 tensor
]


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=_id)
def test_generator_input(gan, bad):
    _raises("z", gan.generator, bad)


@pytest.mark.parametrize("bad", BAD_INPUTS + [np.zeros((2, 3, 2)), tf.zeros((2, 3, 2))], ids=_id)
def test_discriminator_input(gan, bad):
    _raises("x", gan.discriminator, bad)


@pytest.mark.parametrize("bad", ["abc", [1], (), 3], ids=_id)
def test_discriminator_kernels(gan, bad):
    _raises("kernels", gan.discriminator, np.zeros((2, 4, 2), np.float32), bad)


@pytest.mark.parametrize(
    "bad",
    [None, "abc", np.zeros(4), np.zeros((4, 3)), np.zeros((3, 4, 2)), NAN_ROWS, np.zeros((3, 2))],
    ids=_id,
)
def test_discriminator_logits(gan, bad):
    _raises("x", gan.discriminator_logits, bad)


PIECE_CASES = (
    [("seeds", tg.SeedRandom, {"seeds": v}) for v in (None, "a", (), (1, 1), (-1,), (1.5,))]
    + [
        ("repeats", make, {"widths": (2, 8, 1), "seeds": (0,), "repeats": v})
        for make in (tg.SeedGenerator, tg.SeedDiscriminator)
        for v in FLAG
    ]
    + [("repeats", tg.SeedRandom, {"seeds": (0,), "repeats": v}) for v in FLAG]
    + [("widths", tg.SeedGenerator, {"widths": v, "seeds": (0,)}) for v in WIDTHS + [(2,)]]
    + [("seeds", tg.SeedGenerator, {"widths": (2, 2), "seeds": v}) for v in (None, (1, 1), "a")]
    + [
        ("widths", tg.SeedDiscriminator, {"widths": v, "seeds": (0,)})
        for v in WIDTHS + [(2, 8, 2)]  # not ending with one logit
    ]
    + [
        ("widths[0]", tg.SeedDiscriminator, {"widths": (3, 8, 1), "seeds": (0,), "pack": 2}),
        ("widths", tg.SeedDiscriminator, {"widths": (2, 1), "seeds": (0,), "minibatch_std": True}),
    ]
    + [
        ("pack", tg.SeedDiscriminator, {"widths": (2, 8, 1), "seeds": (0,), "pack": v})
        for v in POSITIVE_INT
    ]
    + [
        (name, tg.SeedDiscriminator, {"widths": (2, 8, 1), "seeds": (0,), name: v})
        for name in ("minibatch_std", "spectral_norm")
        for v in FLAG
    ]
    + [
        ("learning_rate", tg.SeedAdam, {"variables": "vars", "learning_rate": v, "config": TINY})
        for v in POSITIVE_NUMBER
    ]
    + [
        ("variables", tg.SeedAdam, {"variables": v, "learning_rate": 0.1, "config": TINY})
        for v in (None, [], "abc", [np.zeros(2)])
    ]
    + [
        ("config", tg.SeedAdam, {"variables": "vars", "learning_rate": 0.1, "config": v})
        for v in (None, "abc", {}, [], [TINY, TINY.with_(loss="rpgan")])
    ]
    + [
        (
            "learning_rate",
            tg.SeedAdam,
            {"variables": "vars", "learning_rate": [0.1, 0.2, 0.3], "config": [TINY, TINY]},
        ),
        (
            "learning_rate",
            tg.SeedAdam,
            {"variables": "vars", "learning_rate": [0.1, -1.0], "config": TINY},
        ),
    ]
)


@pytest.mark.parametrize("arg, make, kwargs", PIECE_CASES, ids=_id)
def test_pieces(arg, make, kwargs):
    if kwargs.get("variables") == "vars":
        kwargs = kwargs | {"variables": [tf.Variable(np.zeros((1, 2), np.float32))]}
    _raises(arg, make, **kwargs)


def test_losses_take_the_right_pieces():
    d = tg.SeedDiscriminator([2, 8, 1], seeds=(0,))
    g = tg.SeedGenerator([2, 8, 2], seeds=(0,))
    random = tg.SeedRandom((0,))
    _raises("config", tg.ToyLosses, None, d, random)
    _raises("discriminator", tg.ToyLosses, TINY, g, random)  # a generator where D goes
    _raises("random", tg.ToyLosses, TINY, d, "abc")
    _raises("random", tg.ToyLosses, TINY, d, tg.SeedRandom((0, 1)))


# --- diagnostics ---

MONITOR_CASES = (
    [
        (name, v)
        for name in (
            "d_win",
            "vanish_ratio",
            "collapse_fraction",
            "diversity_floor",
            "overfit_gap",
            "min_share",
        )
        for v in (None, "0.5", True, NAN, INF, 0.0, 1.5)
    ]
    + [("swing", v) for v in POSITIVE_NUMBER]
    + [("rt_limit", v) for v in ("0.5", True, NAN, -0.1, 1.0)]
    + [("histogram_fn", v) for v in ("abc", 3)]
    + [("d_win", 0.4)]
    + [(name, v) for name in ("patience", "window") for v in POSITIVE_INT]
    + [("window", 2)]
    + [("warmup", v) for v in (None, "1", True, 1.5, -1, NAN)]
    + [("jump", v) for v in POSITIVE_NUMBER]
    + [
        ("real_samples", v)
        for v in (
            "abc",
            np.zeros(4),
            np.zeros((1, 2)),
            NAN_ROWS,
            IMAGES_0_255,
            np.zeros((2, 2, 2, 2, 2)),
        )
    ]
    + [("verbose", v) for v in FLAG]
    + [("print_fn", v) for v in (None, "abc", 3)]
)


@pytest.mark.parametrize("arg, bad", MONITOR_CASES, ids=_id)
def test_monitor_constructor(arg, bad):
    _raises(arg, dg.TrainingMonitor, **{arg: bad})


@pytest.mark.parametrize(
    "arg, kwargs",
    [
        ("modes_fn", {"modes_fn": "abc", "total_modes": 8}),
        ("modes_fn", {"modes_fn": len}),
        ("modes_fn", {"total_modes": 8}),
    ]
    + [("total_modes", {"modes_fn": len, "total_modes": v}) for v in ("8", True, 0, 1.5)],
    ids=_id,
)
def test_monitor_modes(arg, kwargs):
    _raises(arg, dg.TrainingMonitor, **kwargs)


GOOD_PROBE = {"step": 1, "d_acc_real": 0.6, "d_acc_fake": 0.6, "g_grad_norm": 1.0}
UPDATE_CASES = (
    [("step", v) for v in (None, "1", True, 1.5, -1, NAN)]
    + [(name, v) for name in ("d_acc_real", "d_acc_fake") for v in (None, "0.5", True, 1.5, -0.1)]
    + [("g_grad_norm", v) for v in (None, "1", True, -1.0, np.zeros(2))]
    + [(name, v) for name in ("d_loss", "g_loss") for v in ("1", True, [1.0])]
    + [("heldout_acc", v) for v in ("0.5", True, 1.5, -0.1)]
    + [("samples", v) for v in ("abc", np.zeros(4), np.zeros((4, 3)), np.zeros((0, 2)))]
    + [("run", v) for v in (1, True, ["seed 0"])]
    + [("logit_gap", v) for v in ("1", True, [1.0])]
)


@pytest.mark.parametrize("arg, bad", UPDATE_CASES, ids=_id)
def test_monitor_update(arg, bad):
    monitor = dg.TrainingMonitor(
        real_samples=np.ones((8, 2)) * np.arange(8)[:, None], verbose=False
    )
    _raises(arg, monitor.update, **GOOD_PROBE | {arg: bad})
    assert monitor.diagnoses == []


def test_monitor_failures_run():
    _raises("run", dg.TrainingMonitor(verbose=False).failures, run=3)


def test_monitor_nan_is_reported_not_refused():
    monitor = dg.TrainingMonitor(verbose=False)
    monitor.update(**GOOD_PROBE | {"d_acc_real": NAN, "samples": NAN_ROWS})
    assert monitor.failures() == [dg.NAN]


REAL = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
CALLBACK_CASES = (
    [("real", v) for v in (None, "abc", np.zeros(4), np.zeros((1, 2)), NAN_ROWS, IMAGES_0_255)]
    + [("heldout", v) for v in ("abc", np.zeros(4), np.zeros((4, 3)), NAN_ROWS, np.zeros((0, 2)))]
    + [("monitor", v) for v in ("abc", print, REAL)]
    + [(name, v) for name in ("every", "probe_size") for v in POSITIVE_INT]
    + [("probe_size", 1)]
    + [("seed", v) for v in SEED[:-2] + [NAN]]
)


@pytest.mark.parametrize("arg, bad", CALLBACK_CASES, ids=_id)
def test_callback_constructor(arg, bad):
    kwargs = {"real": REAL} | {arg: bad}
    _raises(arg, dg.GANDiagnostics, **kwargs)


def test_callback_images_heldout_out_of_range():
    images = np.zeros((8, 4, 4, 1), np.float32)
    _raises("heldout", dg.GANDiagnostics, images, heldout=IMAGES_0_255)
    _raises("heldout", dg.GANDiagnostics, images, heldout=np.zeros((8, 4, 4, 3)))


class _Model(keras.Model):
    def __init__(self, generator_out=2, latent_dim=2, swap=False):
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(generator_out)])
        self.discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        if swap:  # a discriminator where the generator is expected
            self.generator = self.discriminator


@pytest.mark.parametrize(
    "arg, model",
    [("the model's latent_dim", lambda v=v: _Model(latent_dim=v)) for v in ("2", 0, 1.5, None)]
    + [
        ("the model's generator", lambda: _Model(swap=True)),
        ("the model's generator", lambda: _Model(generator_out=3)),
    ],
    ids=_id,
)
def test_callback_probe_checks_the_model(arg, model):
    callback = dg.GANDiagnostics(REAL, monitor=dg.TrainingMonitor(verbose=False))
    callback.set_model(model())
    _raises(arg, callback.probe)


@pytest.mark.parametrize(
    "arg, bad",
    [("epoch", v) for v in (None, "1", -1, 1.5, True)] + [("logs", v) for v in ("abc", [1.0])],
    ids=_id,
)
def test_callback_on_epoch_end(arg, bad):
    callback = dg.GANDiagnostics(REAL, monitor=dg.TrainingMonitor(verbose=False))
    kwargs = {"epoch": 0, "logs": {}} | {arg: bad}
    _raises(arg, callback.on_epoch_end, **kwargs)
    assert callback.history == []


# --- the class-histogram collapse rule (digits) ---

HISTOGRAM_CASES = [
    ("classes", v)
    for v in (
        None,
        "abc",
        np.zeros((0,)),
        np.array([0, 10]),
        np.array([-1, 2]),
        np.array([0.5, 1.0]),
        np.zeros((4, 3)),
        np.zeros((2, 2, 2)),
    )
] + [("num_classes", v) for v in (None, "10", True, 1.5, 1)]


@pytest.mark.parametrize("arg, bad", HISTOGRAM_CASES, ids=_id)
def test_class_histogram(arg, bad):
    kwargs = {"classes": np.arange(10)} | {arg: bad}
    _raises(arg, dg.class_histogram, **kwargs)
    _raises(arg, dg.class_histogram_collapse, **kwargs)


@pytest.mark.parametrize("bad", [None, "0.5", True, NAN, 0.0, 1.5], ids=_id)
def test_class_histogram_collapse_min_share(bad):
    _raises("min_share", dg.class_histogram_collapse, np.arange(10), min_share=bad)


# --- ganbook.tuning (chapter 8's search) ---

TUNING_CASES = (
    [("method", tuning.method_config, {"method": v}) for v in (None, 3, "bad")]
    + [("colour", tuning.method_config, {"method": "r1", "colour": 1})]
    + [("method", tuning.candidates, {"method": v}) for v in (None, "bad")]
    + [("budget", tuning.candidates, {"method": "r1", "budget": v}) for v in POSITIVE_INT]
    + [("seed", tuning.candidates, {"method": "r1", "seed": v}) for v in SEED if v != 2**31]
    + [("score", tuning.validation_score, {"score": v}) for v in (None, 0.5, "abc")]
    + [("scores", tuning.best_by_budget, {"scores": v}) for v in (None, "a", [], [[1.0]], [NAN])]
    + [("draws", tuning.best_by_budget, {"scores": [1.0], "draws": v}) for v in POSITIVE_INT]
    + [("seed", tuning.best_by_budget, {"scores": [1.0], "seed": v}) for v in SEED if v != 2**31]
    + [("path", tuning.load_search, {"path": v}) for v in (3, "/nonexistent/search.json")]
    + [("dataset", tuning.monitor_for, {"dataset": v}) for v in (None, "spiral")]
    + [("steps", tuning.monitor_for, {"dataset": "ring", "steps": v}) for v in POSITIVE_INT]
    + [
        ("configs", tuning.train_runs, {"configs": v, "seeds": [0], "dataset": "ring"})
        for v in (None, [None], [], [TINY, TINY])
    ]
    + [
        ("seeds", tuning.train_runs, {"configs": [TINY], "seeds": v, "dataset": "ring"})
        for v in (None, [-1], ["a"])
    ]
    + [
        ("dataset", tuning.train_runs, {"configs": [TINY], "seeds": [0], "dataset": v})
        for v in (None, "spiral")
    ]
    + [("values", tuning.bootstrap_interval, {"values": v}) for v in (None, [1.0], [[1.0, 2.0]])]
    + [("statistic", tuning.bootstrap_interval, {"values": [1.0, 2.0], "statistic": 3})]
    + [
        ("level", tuning.bootstrap_interval, {"values": [1.0, 2.0], "level": v})
        for v in (None, 0.0, 1.0, NAN)
    ]
    + [("draws", tuning.bootstrap_interval, {"values": [1.0, 2.0], "draws": 0})]
    + [("seed", tuning.bootstrap_interval, {"values": [1.0, 2.0], "seed": -1})]
    + [
        (name, tuning.permutation_test, {"a": [1.0], "b": [2.0]} | {name: v})
        for name in ("a", "b")
        for v in (None, [], [NAN])
    ]
    + [("draws", tuning.permutation_test, {"a": [1.0], "b": [2.0], "draws": 0})]
    + [("seed", tuning.permutation_test, {"a": [1.0], "b": [2.0], "seed": -1})]
    + [("p_values", tuning.holm, {"p_values": v}) for v in (None, [], [1.5], [-0.1], [NAN])]
    + [
        (
            "monitor_every",
            tuning.train_runs,
            {"configs": [TINY], "seeds": [0], "dataset": "ring", "monitor_every": v},
        )
        for v in POSITIVE_INT[1:]
    ]
)


@pytest.mark.parametrize("arg, call, kwargs", TUNING_CASES, ids=_id)
def test_tuning(arg, call, kwargs):
    _raises(arg, call, **kwargs)


def test_tuning_search_log_must_have_its_parts(tmp_path):
    path = tmp_path / "search.json"
    path.write_text('{"runs": []}')
    _raises("path", tuning.load_search, path)
