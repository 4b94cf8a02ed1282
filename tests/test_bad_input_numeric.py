"""Bad input to the NumPy-side modules gets a ValueError that names the argument (issue 15).

One table row per public entry point of config, data, metrics, plotting, animation, dirac, claims,
toy and mode_coverage: a call with good arguments, and for each argument the classes of bad value
it must refuse (None, a string, a bool where a number is expected, NaN, infinity, zero or negative
where positive, a float where an integer is, a wrong shape or rank, NaN inside an array, images
outside [-1, 1], wrong object types). The tests are generated: every (entry point, argument, bad
value) is one case, which must raise ``ValueError`` whose message contains the argument's name,
before anything is computed or written. The good call of each row must succeed, so that each
error is caused by the one bad argument. (The checks themselves are tested in test_checks.py.)
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ganbook import animation, claims, config, data, dirac, metrics, plotting, toy  # noqa: E402

# ganbook exports the function mode_coverage under the module's name: fetch the module itself.
mode_coverage = importlib.import_module("ganbook.mode_coverage")

NAN, INF = math.nan, math.inf


class Opaque:
    """An object of no use to any function, with a stable repr (xdist test ids)."""

    def __repr__(self) -> str:
        return "Opaque()"


# Classes of bad value, by what the argument expects. Each is a list of (label, value).
NOT_A_NUMBER = [("None", None), ("str", "abc"), ("bool", True), ("object", Opaque())]
NOT_FINITE = [("nan", NAN), ("inf", INF), ("-inf", -INF)]
NUMBER = NOT_A_NUMBER + NOT_FINITE
POSITIVE = NUMBER + [("zero", 0.0), ("negative", -1.0)]
NON_NEGATIVE = NUMBER + [("negative", -0.5)]
INT_BASE = [("None", None), ("str", "3"), ("bool", True), ("float", 1.5), ("nan", NAN)]
POSITIVE_INT = INT_BASE + [("zero", 0), ("negative", -1)]
NON_NEGATIVE_INT = INT_BASE + [("negative", -1)]
SEED = [("str", "3"), ("bool", True), ("float", 1.5), ("negative", -1), ("huge", 2**64)]
FLAG = [("None", None), ("int", 1), ("str", "no")]
TEXT = [("None", None), ("int", 3), ("empty", "")]
OPTIONAL_TEXT = [("int", 3), ("object", Opaque())]
CHOICE = [("None", None), ("unknown", "abc"), ("int", 1), ("bool", True)]
PATH = [("int", 3), ("empty", ""), ("object", Opaque())]
NOT_AN_ARRAY = [("None", None), ("str", "abc"), ("dict", {"a": 1}), ("object", Opaque())]
AXES = [("str", "abc"), ("figure", "FIGURE")]  # "FIGURE" is replaced by a Figure at run time


def array_cases(good: Any, *, rank: bool = True, nan: bool = True) -> list[tuple[str, Any]]:
    """Bad arrays made from a good one: not arrays, strings, bools, ragged rows, NaN inside,
    an extra axis (when the rank is fixed)."""
    good = np.asarray(good, dtype=float)
    cases = NOT_AN_ARRAY + [
        ("strings", np.full(good.shape, "x")),
        ("bools", np.ones(good.shape, dtype=bool)),
        ("ragged", [[1.0, 2.0], [1.0]]),
    ]
    if nan:
        with_nan = good.copy()
        with_nan.flat[0] = NAN
        with_inf = good.copy()
        with_inf.flat[-1] = INF
        cases += [("nan inside", with_nan), ("inf inside", with_inf)]
    if rank:
        cases.append(("extra axis", good[..., None]))
    return cases


def image_cases(good: Any, rank: bool = True) -> list[tuple[str, Any]]:
    """Bad images: every bad array, plus 0-255 pixels."""
    return array_cases(good, rank=rank) + [("0-255 pixels", (np.asarray(good) + 1.0) * 127.5)]


@dataclass
class Entry:
    """A public entry point: ``call(**kwargs)`` with ``good`` kwargs; ``bad``: per argument, the
    bad values it refuses."""

    call: Callable[..., Any]
    good: dict[str, Any]
    bad: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)


RNG = np.random.default_rng(0)
FEATURES_A = RNG.normal(size=(6, 3))
FEATURES_B = RNG.normal(size=(6, 3)) + 0.5
IMAGES = np.linspace(-1.0, 1.0, 3 * 4 * 4).reshape(3, 4, 4, 1).astype(np.float32)
PROBABILITIES = np.full((4, 2), 0.5)
RING = toy.ring_means()
RING_SAMPLES = toy.sample_ring(50)
GAN = dirac.DiracGAN()
NOISY = dirac.DiracGAN(instance_noise=0.1, noise_samples=4)
MIXTURE = toy.Mixture1D((0.0, 1.0), (1.0, 0.5))
DRAW_FIG = "DRAW_FIG"  # replaced by a fresh Figure at run time


ENTRIES: dict[str, Entry] = {
    # config
    "config.choose": Entry(
        config.choose,
        {"full": 30, "quick": 1},
        {
            "full": [("str", "abc"), ("bool", True), ("None", None)] + NOT_FINITE,
            "quick": [("str", "abc"), ("bool", True), ("None", None)] + NOT_FINITE,
        },
    ),
    "config.seed_everything": Entry(
        config.seed_everything, {"seed": 0}, {"seed": SEED + [("None", None)]}
    ),
    "config.use_google_drive": Entry(
        config.use_google_drive,
        {"enabled": False},
        {
            "enabled": FLAG,
            "folder": [("int", 3), ("empty", ""), ("absolute", "/tmp"), ("parent", "../x")],
        },
    ),
    "config.artifacts_dir": Entry(
        config.artifacts_dir,
        {"subdir": "b15"},
        {"subdir": [("int", 3), ("empty", ""), ("absolute", "/tmp"), ("parent", "../x")]},
    ),
    # data
    "data.load_images": Entry(
        data.load_images,
        {"dataset": "mnist", "split": "test", "limit": 5},
        {
            "dataset": CHOICE,
            "split": CHOICE,
            "limit": POSITIVE_INT[1:],
            "cache_dir": PATH,
            "warn_offline": FLAG,
        },
    ),
    # metrics
    "metrics.gaussian_frechet_distance": Entry(
        metrics.gaussian_frechet_distance,
        {"mean_a": np.zeros(2), "cov_a": np.eye(2), "mean_b": np.ones(2), "cov_b": np.eye(2)},
        {
            "mean_a": array_cases(np.zeros(2)) + [("wrong length", np.zeros(3))],
            "cov_a": array_cases(np.eye(2))
            + [("not symmetric", [[1.0, 0.5], [0.0, 1.0]]), ("negative definite", -np.eye(2))],
            "mean_b": array_cases(np.ones(2)),
            "cov_b": array_cases(np.eye(2)) + [("wrong shape", np.eye(3))],
        },
    ),
    "metrics.frechet_distance": Entry(
        metrics.frechet_distance,
        {"features_a": FEATURES_A, "features_b": FEATURES_B},
        {
            "features_a": array_cases(FEATURES_A) + [("one row", FEATURES_A[:1])],
            "features_b": array_cases(FEATURES_B) + [("other width", FEATURES_B[:, :2])],
        },
    ),
    "metrics.polynomial_mmd2": Entry(
        metrics.polynomial_mmd2,
        {"features_a": FEATURES_A, "features_b": FEATURES_B},
        {"features_a": array_cases(FEATURES_A), "features_b": array_cases(FEATURES_B)},
    ),
    "metrics.kernel_distance": Entry(
        metrics.kernel_distance,
        {"features_a": FEATURES_A, "features_b": FEATURES_B, "subsets": 2, "subset_size": 3},
        {
            "features_a": array_cases(FEATURES_A),
            "features_b": array_cases(FEATURES_B),
            "subsets": POSITIVE_INT,
            "subset_size": INT_BASE[1:] + [("one", 1), ("too large", 7)],
            "seed": NON_NEGATIVE_INT,
        },
    ),
    "metrics.digit_score": Entry(
        metrics.digit_score,
        {"probabilities": PROBABILITIES, "splits": 2},
        {
            "probabilities": array_cases(PROBABILITIES) + [("logits", [[2.0, -1.0]])],
            "splits": POSITIVE_INT + [("more than rows", 5)],
        },
    ),
    "metrics.nearest_neighbours": Entry(
        metrics.nearest_neighbours,
        {"queries": FEATURES_A, "references": FEATURES_B, "k": 2, "batch_size": 4},
        {
            "queries": NOT_AN_ARRAY
            + [
                ("empty", np.zeros((0, 3))),
                ("ragged", [[1.0, 2.0], [1.0]]),
                ("strings", [["a", "b", "c"]]),
                ("nan inside", [[NAN, 0, 0]]),
            ],
            "references": NOT_AN_ARRAY
            + [("empty", np.zeros((0, 3))), ("other width", FEATURES_B[:, :2])],
            "k": POSITIVE_INT + [("more than references", 7)],
            "batch_size": POSITIVE_INT,
        },
    ),
    "metrics.precision_recall": Entry(
        metrics.precision_recall,
        {"real_features": FEATURES_A, "fake_features": FEATURES_B, "k": 2, "batch_size": 4},
        {
            "real_features": array_cases(FEATURES_A),
            "fake_features": array_cases(FEATURES_B),
            "k": POSITIVE_INT + [("too large", 6)],
            "batch_size": POSITIVE_INT,
        },
    ),
    "metrics.memorisation_check": Entry(
        metrics.memorisation_check,
        {"generated": IMAGES, "train": IMAGES, "test": IMAGES, "quantile": 0.1},
        {
            "generated": NOT_AN_ARRAY
            + [
                ("empty", np.zeros((0, 4, 4, 1))),
                ("no features", np.zeros((2, 0))),
                ("strings", [["1.0", "x"]]),
                ("nan inside", IMAGES * NAN),
            ],
            "train": NOT_AN_ARRAY + [("empty", np.zeros((0, 16))), ("other size", IMAGES[:, :2])],
            "test": NOT_AN_ARRAY + [("empty", np.zeros((0, 16))), ("other size", IMAGES[:, :2])],
            "quantile": NUMBER + [("zero", 0.0), ("one", 1.0), ("negative", -0.1)],
            "max_shift": NON_NEGATIVE_INT,
        },
    ),
    "metrics.memorisation_check(max_shift)": Entry(
        metrics.memorisation_check,
        {"generated": IMAGES, "train": IMAGES, "test": IMAGES, "quantile": 0.1, "max_shift": 1},
        {
            "generated": NOT_AN_ARRAY + [("features", np.zeros((3, 16)))],
            "train": NOT_AN_ARRAY + [("features", np.zeros((3, 16)))],
            "test": NOT_AN_ARRAY + [("nan inside", IMAGES * NAN)],
            "max_shift": NON_NEGATIVE_INT + [("as large as the image", 4)],
        },
    ),
    "metrics.shifted_nearest_neighbours": Entry(
        metrics.shifted_nearest_neighbours,
        {"queries": IMAGES, "references": IMAGES, "max_shift": 1, "fill": -1.0, "batch_size": 2},
        {
            "queries": NOT_AN_ARRAY
            + [("empty", np.zeros((0, 4, 4, 1))), ("features", np.zeros((3, 16)))],
            "references": NOT_AN_ARRAY + [("other size", IMAGES[:, :2])],
            "max_shift": NON_NEGATIVE_INT + [("as large as the image", 4)],
            "fill": NUMBER,
            "batch_size": POSITIVE_INT,
        },
    ),
    # plotting
    "plotting.to_display": Entry(
        plotting.to_display, {"images": IMAGES}, {"images": image_cases(IMAGES, rank=False)}
    ),
    "plotting.tile_images": Entry(
        plotting.tile_images,
        {"images": IMAGES, "ncols": 2, "pad": 1},
        {
            "images": image_cases(IMAGES) + [("3 channels", np.zeros((2, 4, 4, 3)))],
            "ncols": POSITIVE_INT,
            "pad": NON_NEGATIVE_INT,
        },
    ),
    "plotting.image_grid": Entry(
        plotting.image_grid,
        {"images": IMAGES, "ncols": 3, "title": "t", "row_labels": ["a"], "xlabel": "x"},
        {
            "images": image_cases(IMAGES),
            "ncols": POSITIVE_INT,
            "ax": AXES,
            "title": OPTIONAL_TEXT,
            "row_labels": [("str", "a"), ("ints", [1]), ("too many", ["a", "b"])],
            "xlabel": OPTIONAL_TEXT,
            "ylabel": OPTIONAL_TEXT,
        },
    ),
    "plotting.plot_densities": Entry(
        plotting.plot_densities,
        {"x": np.linspace(-1, 1, 5), "curves": {"p": np.ones(5)}},
        {
            "x": array_cases(np.linspace(-1, 1, 5)) + [("one point", [0.0])],
            "curves": [
                ("None", None),
                ("list", [1.0, 2.0]),
                ("empty", {}),
                ("wrong length", {"p": np.ones(4)}),
                ("strings", {"p": ["a"] * 5}),
            ],
            "ax": AXES,
            "xlabel": OPTIONAL_TEXT,
            "ylabel": OPTIONAL_TEXT,
            "title": OPTIONAL_TEXT,
            "fill": FLAG,
        },
    ),
    # animation
    "animation.frame_indices": Entry(
        animation.frame_indices,
        {"n_frames": 10, "max_frames": 4},
        {"n_frames": POSITIVE_INT, "max_frames": POSITIVE_INT},
    ),
    "animation.animate(frames)": Entry(
        animation.animate,
        {"frames_or_draw_fn": [np.zeros((3, 3)), np.ones((3, 3))], "titles": ["a", "b"]},
        {
            "frames_or_draw_fn": [
                ("None", None),
                ("str", "abc"),
                ("empty", []),
                ("nan frame", [np.full((3, 3), NAN)]),
                ("string frame", [np.full((3, 3), "x")]),
                ("1-D frame", [np.zeros(3)]),
                ("mixed shapes", [np.zeros((3, 3)), np.zeros((2, 2))]),
            ],
            "n_frames": [("str", "2"), ("bool", True), ("float", 2.5), ("wrong count", 3)],
            "fig": AXES[:1] + [("int", 3)],
            "max_frames": POSITIVE_INT[1:],
            "interval_ms": POSITIVE_INT,
            "titles": [("str", "ab"), ("ints", [1, 2]), ("too few", ["a"])],
            "cmap": TEXT,
            "vmin": NOT_A_NUMBER[1:] + NOT_FINITE,
            "vmax": NOT_A_NUMBER[1:] + NOT_FINITE,
            "dpi": POSITIVE_INT,
            "loop": FLAG,
        },
    ),
    "animation.animate(draw)": Entry(
        animation.animate,
        {"frames_or_draw_fn": lambda i: None, "n_frames": 2, "fig": DRAW_FIG},
        {
            "n_frames": POSITIVE_INT,
            "fig": [("None", None), ("str", "abc")],
            "titles": [("list", ["a", "b"])],
        },
    ),
    # dirac
    "dirac.DiracGAN": Entry(
        dirac.DiracGAN,
        {"loss": "standard"},
        {
            "loss": CHOICE,
            "instance_noise": NON_NEGATIVE,
            "r1_gamma": NON_NEGATIVE,
            "wgan_clip": POSITIVE[1:],
            "noise_samples": POSITIVE_INT[1:],
            "quadrature_points": POSITIVE_INT,
            "gp_weight": NON_NEGATIVE,
            "gp_target": NON_NEGATIVE,
            "consensus": NON_NEGATIVE,
        },
    ),
    "DiracGAN.f_prime": Entry(GAN.f_prime, {"t": np.zeros(3)}, {"t": NOT_AN_ARRAY}),
    "DiracGAN.f_second": Entry(GAN.f_second, {"t": np.zeros(3)}, {"t": NOT_AN_ARRAY}),
    "DiracGAN.vector_field": Entry(
        NOISY.vector_field,
        {"theta": np.zeros(3), "psi": np.ones(3), "rng": np.random.default_rng(0)},
        {
            "theta": array_cases(np.zeros(3), rank=False) + [("nan", NAN), ("bool", True)],
            "psi": array_cases(np.ones(3), rank=False) + [("nan", NAN), ("shape", np.ones(4))],
            "rng": [("str", "abc"), ("seed", 0), ("legacy", np.random.RandomState(0))],
        },
    ),
    "DiracGAN.jacobian": Entry(
        GAN.jacobian,
        {"theta": 0.0, "psi": 0.0, "eps": 1e-5},
        {"theta": NUMBER + [("array", np.zeros(2))], "psi": NUMBER, "eps": POSITIVE},
    ),
    "DiracGAN.update_matrix": Entry(
        GAN.update_matrix,
        {"h": 0.1, "method": "alternating", "theta": 0.0, "psi": 0.0},
        {"h": POSITIVE, "method": CHOICE, "theta": NUMBER, "psi": NUMBER},
    ),
    "DiracGAN.eigenvalues": Entry(
        GAN.eigenvalues,
        {"h": 0.1, "method": "simultaneous"},
        {"h": POSITIVE[1:], "method": CHOICE},
    ),
    "DiracGAN.simulate": Entry(
        GAN.simulate,
        {"theta0": np.ones(2), "psi0": 1.0, "steps": 3, "h": 0.1, "seed": 1},
        {
            "theta0": array_cases(np.ones(2), rank=False) + [("nan", NAN)],
            "psi0": array_cases(np.ones(2), rank=False) + [("shape", np.ones(3))],
            "steps": NON_NEGATIVE_INT,
            "h": POSITIVE,
            "method": CHOICE,
            "seed": SEED,
        },
    ),
    "dirac.distance_to_equilibrium": Entry(
        dirac.distance_to_equilibrium,
        {"path": np.ones((4, 2))},
        {"path": NOT_AN_ARRAY + [("strings", [["a", "b"]]), ("last axis 3", np.ones((4, 3)))]},
    ),
    # claims
    "claims.plain": Entry(
        claims.plain,
        {"value": {"a": np.float32(1.0)}},
        {"value": [("object", Opaque()), ("set", {1})]},
    ),
    "claims.glue": Entry(
        claims.glue,
        {"name": "b15_value", "value": 1.5},
        {
            "name": [("None", None), ("int", 3), ("empty", ""), ("space", "a b"), ("digit", "1a")],
            "value": [("None", None), ("list", [1]), ("object", Opaque())],
        },
    ),
    "claims.Text": Entry(
        claims.Text,
        {"english": "2 CPU cores", "zh_CN": "2 个 CPU 核心"},
        {"english": TEXT + [("blank", "  ")], "zh_CN": TEXT + [("blank", " ")]},
    ),
    "claims.translation_mime": Entry(
        claims.translation_mime,
        {"language": "zh_CN"},
        {"language": [("None", None), ("unknown", "fr"), ("bare zh", "zh")]},
    ),
    "claims.claim": Entry(
        claims.claim,
        {"statement": "it holds", "held": True, "value": 1.0},
        {
            "statement": TEXT + [("blank", "  ")],
            "held": [("None", None), ("str", "yes"), ("int", 1), ("array", np.array([True]))],
            "value": [("object", Opaque())],
        },
    ),
    # toy
    "toy.Mixture1D": Entry(
        toy.Mixture1D,
        {"means": (0.0, 1.0), "stds": (1.0, 0.5), "weights": (1, 3)},
        {
            "means": array_cases((0.0, 1.0)) + [("empty", ())],
            "stds": array_cases((1.0, 0.5)) + [("zero", (0.0, 1.0)), ("wrong length", (1.0,))],
            "weights": array_cases((1.0, 3.0))[1:]
            + [("negative", (-1.0, 2.0)), ("all zero", (0.0, 0.0))],
        },
    ),
    "Mixture1D.pdf": Entry(
        MIXTURE.pdf,
        {"x": np.linspace(-1, 1, 3)},
        {"x": array_cases(np.linspace(-1, 1, 3), rank=False)},
    ),
    "Mixture1D.sample": Entry(
        MIXTURE.sample, {"n": 3, "seed": 2}, {"n": POSITIVE_INT, "seed": SEED}
    ),
    "toy.ring_means": Entry(
        toy.ring_means, {"modes": 8, "radius": 1.0}, {"modes": POSITIVE_INT, "radius": POSITIVE}
    ),
    "toy.grid_means": Entry(
        toy.grid_means, {"side": 5, "spacing": 2.0}, {"side": POSITIVE_INT, "spacing": POSITIVE}
    ),
    "toy.means": Entry(toy.means, {"name": "ring"}, {"name": CHOICE}),
    "toy.sigma": Entry(toy.sigma, {"name": "grid"}, {"name": CHOICE}),
    "toy.sample_mixture_2d": Entry(
        toy.sample_mixture_2d,
        {"means": RING, "sigma": 0.1, "n": 4, "seed": 3, "return_modes": True},
        {
            "means": array_cases(RING)
            + [("empty", np.zeros((0, 2))), ("3-D means", np.zeros((2, 3)))],
            "sigma": POSITIVE,
            "n": POSITIVE_INT,
            "seed": SEED,
            "return_modes": FLAG,
        },
    ),
    "toy.sample": Entry(
        toy.sample,
        {"name": "ring", "n": 4, "seed": None},
        {"name": CHOICE, "n": POSITIVE_INT, "seed": SEED},
    ),
    "toy.sample_ring": Entry(toy.sample_ring, {"n": 4}, {"n": POSITIVE_INT, "seed": SEED}),
    "toy.sample_grid": Entry(toy.sample_grid, {"n": 4}, {"n": POSITIVE_INT, "seed": SEED}),
    # mode_coverage
    "mode_coverage.mode_coverage": Entry(
        mode_coverage.mode_coverage,
        {"samples": RING_SAMPLES, "means": RING, "sigma": 0.01, "radius": 3.0},
        {
            # samples may hold NaN or infinity (they count as low quality): not a bad value here
            "samples": array_cases(RING_SAMPLES, nan=False) + [("empty", np.zeros((0, 2)))],
            "means": array_cases(RING) + [("3 columns", np.zeros((8, 3)))],
            "sigma": POSITIVE,
            "radius": POSITIVE,
        },
    ),
    "mode_coverage.score_toy": Entry(
        mode_coverage.score_toy,
        {"samples": RING_SAMPLES, "dataset": "ring"},
        {"samples": array_cases(RING_SAMPLES, nan=False), "dataset": CHOICE},
    ),
    "mode_coverage.record_coverage": Entry(
        mode_coverage.record_coverage,
        {
            "dataset": "ring",
            "method": "b15",
            "seed": 0,
            "samples": toy.sample_ring(mode_coverage.SAMPLES_SCORED),
        },
        {
            "dataset": CHOICE,
            "method": TEXT + [("slash", "a/b"), ("comma", "a,b")],
            "seed": NON_NEGATIVE_INT,
            "samples": array_cases(RING_SAMPLES, nan=False) + [("too few", RING_SAMPLES)],
        },
    ),
    "mode_coverage.read_coverage_csv": Entry(
        mode_coverage.read_coverage_csv,
        {"path": "GOOD_CSV"},
        {"path": PATH + [("missing", "/nonexistent/mode_coverage.csv")]},
    ),
}


def _resolve(value: Any, tmp_path) -> Any:
    """Stand-ins that need a fresh object at run time."""
    if isinstance(value, str) and value == "FIGURE":
        return plt.figure()
    if isinstance(value, str) and value == DRAW_FIG:
        return plt.figure()
    if isinstance(value, str) and value == "GOOD_CSV":
        path = tmp_path / "mode_coverage.csv"
        path.write_text(",".join(mode_coverage.CSV_COLUMNS) + "\nring,b15,0,8,99.0,0.01\n")
        return path
    return value


def _call(entry: Entry, tmp_path, **changes: Any) -> Any:
    kwargs = {name: _resolve(value, tmp_path) for name, value in {**entry.good, **changes}.items()}
    try:
        return entry.call(**kwargs)
    finally:
        plt.close("all")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Artifacts go to a temporary folder; datasets come from the bundled offline digits."""
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("GANBOOK_OFFLINE", "1")
    monkeypatch.delenv("GANBOOK_QUICK", raising=False)


BAD_CASES = [
    pytest.param(entry_id, argument, value, id=f"{entry_id}-{argument}-{label}")
    for entry_id, entry in ENTRIES.items()
    for argument, values in entry.bad.items()
    for label, value in values
]


@pytest.mark.filterwarnings("ignore::ganbook.data.OfflineDataWarning")
@pytest.mark.parametrize("entry_id", list(ENTRIES))
def test_good_call_succeeds(entry_id, tmp_path):
    _call(ENTRIES[entry_id], tmp_path)


@pytest.mark.parametrize(("entry_id", "argument", "value"), BAD_CASES)
def test_bad_value_is_refused_naming_the_argument(entry_id, argument, value, tmp_path):
    with pytest.raises(ValueError) as raised:
        _call(ENTRIES[entry_id], tmp_path, **{argument: value})
    message = str(raised.value)
    assert re.search(rf"(^|\W){re.escape(argument)}(\W|$)", message), message


def test_bad_record_coverage_writes_nothing(tmp_path):
    """A refused call leaves the artifacts folder without a table or samples."""
    entry = ENTRIES["mode_coverage.record_coverage"]
    with pytest.raises(ValueError, match="^seed"):
        _call(entry, tmp_path, seed=True)
    assert not list((tmp_path / "artifacts").rglob("*.csv"))
    assert not list((tmp_path / "artifacts").rglob("*.npy"))


def test_table_covers_every_public_function():
    """Every public function, class and method of the modules has a row (records excepted)."""
    import inspect

    records = {
        "ImageData",
        "ModeCoverage",
        "MemorisationReport",
        "PrecisionRecall",
        "Claim",
        "ClaimFailed",
        "CorruptDataError",
        "DatasetUnavailable",
        "OfflineDataWarning",
    }
    no_arguments = {"is_quick", "machine", "gpu_timing_note", "bundled_digits_path"}
    covered = {key.split("(")[0].split(".")[-1] for key in ENTRIES}
    missing = []
    for module in (config, data, metrics, plotting, animation, dirac, claims, toy, mode_coverage):
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if not callable(obj) or name in records | no_arguments:
                continue
            if name not in covered:
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for method, member in vars(obj).items():
                    if callable(member) and not method.startswith("_") and method not in covered:
                        missing.append(f"{module.__name__}.{name}.{method}")
    assert not missing
