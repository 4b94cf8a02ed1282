"""Bad input to the Keras chapters' code (ganbook.gan, ganbook.cgan, ganbook.classifier).

Every public entry point is called with each class of bad value (generated from the tables below,
not written one by one) and must raise ValueError naming the argument, before any training starts.
Saved files (a ``.keras`` model, a checkpoint folder) are checked before use: a corrupt or
mismatched one raises an error that names the file.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from ganbook import cgan, gan
from ganbook import classifier as clf

TINY = dict(width=4, latent_dim=8, batch_size=16, jit_compile=False, epochs=1)
RNG = np.random.default_rng(0)
GOOD_IMAGES = RNG.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
GOOD_LABELS = RNG.integers(0, 10, 16)


def _with(value: np.ndarray, index: tuple, entry: float) -> np.ndarray:
    changed = value.copy()
    changed[index] = entry
    return changed


# Each bad value of an images argument, and a word of the message it must give.
BAD_IMAGES = {
    "None": (None, "images"),
    "string": ("abc", "images"),
    "number": (0.5, "images"),
    "rank 3": (GOOD_IMAGES[..., 0], "images"),
    "rank 2": (GOOD_IMAGES.reshape(16, -1), "images"),
    "32x32": (np.zeros((2, 32, 32, 1), "float32"), "shape"),
    "3 channels": (np.zeros((2, 28, 28, 3), "float32"), "shape"),
    "empty": (np.zeros((0, 28, 28, 1), "float32"), "images"),
    "NaN inside": (_with(GOOD_IMAGES, (3, 4, 5, 0), math.nan), "finite"),
    "+inf inside": (_with(GOOD_IMAGES, (0, 0, 0, 0), math.inf), "finite"),
    "-inf inside": (_with(GOOD_IMAGES, (0, 0, 0, 0), -math.inf), "finite"),
    "0-255 floats": (np.full((4, 28, 28, 1), 255.0, "float32"), r"\[-1, 1\]"),
    "0-1 plus noise": (GOOD_IMAGES + 1.5, r"\[-1, 1\]"),
    "uint8 pixels": (np.full((4, 28, 28, 1), 200, np.uint8), "images"),
    "booleans": (np.ones((4, 28, 28, 1), bool), "images"),
}

BAD_POSITIVE_INT = {"None": None, "str": "8", "bool": True, "zero": 0, "negative": -3, "float": 1.5}
BAD_POSITIVE_NUMBER = {
    "None": None,
    "str": "1e-3",
    "bool": True,
    "NaN": math.nan,
    "+inf": math.inf,
    "-inf": -math.inf,
    "zero": 0.0,
    "negative": -1e-3,
    "NaN numpy": np.float32("nan"),
}
BAD_SEED = {"None": None, "str": "0", "bool": True, "negative": -1, "float": 1.5, "huge": 2**40}


def _config() -> gan.DCGANConfig:
    return gan.DCGANConfig(**TINY)


def _raises(pattern: str, function, /, *args, **kwargs) -> None:
    with pytest.raises(ValueError, match=pattern):
        function(*args, **kwargs)


@pytest.fixture(autouse=True)
def _no_training(monkeypatch):
    """Any ``fit`` reached by a test here is a failure: the checks come before training."""

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the arguments were checked")

    monkeypatch.setattr(keras.Model, "fit", refuse)


# --------------------------------------------------------------------------------------------------
# Configurations: every numeric field, through DCGANConfig and both chapters' functions
# --------------------------------------------------------------------------------------------------

CONFIG_MAKERS = {
    "DCGANConfig": lambda **c: gan.DCGANConfig(**{**TINY, **c}),
    "chapter5_config": gan.chapter5_config,
    "chapter6_config": cgan.chapter6_config,
}
CONFIG_CASES = (
    [("learning_rate", label, value) for label, value in BAD_POSITIVE_NUMBER.items()]
    + [
        ("beta_1", label, value)
        for label, value in {**BAD_POSITIVE_NUMBER, "one": 1.0}.items()
        if label not in ("zero",)
    ]
    + [
        (field, label, value)
        for field in (
            "epochs",
            "batch_size",
            "width",
            "latent_dim",
            "steps_per_execution",
            "steps_per_epoch",
        )
        for label, value in BAD_POSITIVE_INT.items()
    ]
    + [("seed", label, value) for label, value in BAD_SEED.items()]
    + [
        (flag, label, value)
        for flag in ("jit_compile", "mixed_precision")
        for label, value in {"None": None, "str": "yes", "int": 1}.items()
    ]
    + [("dataset", label, value) for label, value in {"None": None, "other": "cifar10"}.items()]
    + [("steps_per_epoch", "not a multiple of steps_per_execution", 70)]
)


@pytest.mark.parametrize("maker", CONFIG_MAKERS)
@pytest.mark.parametrize("field, label, value", CONFIG_CASES)
def test_configurations_reject_bad_fields(maker, field, label, value):
    _raises(f"^{field}", CONFIG_MAKERS[maker], **{field: value})


# --------------------------------------------------------------------------------------------------
# Images and labels, at every entry point that takes them
# --------------------------------------------------------------------------------------------------

IMAGE_TAKERS = {
    "make_dataset": lambda images: gan.make_dataset(images, 4),
    "train_dcgan": lambda images: gan.train_dcgan(_config(), images),
    "make_labelled_dataset": lambda images: cgan.make_labelled_dataset(
        images, np.zeros(len(np.atleast_1d(images)), int) if images is not None else None, 4
    ),
    "train_cgan": lambda images: cgan.train_cgan(_config(), images, GOOD_LABELS),
}


@pytest.mark.parametrize("taker", IMAGE_TAKERS)
@pytest.mark.parametrize("case", BAD_IMAGES)
def test_bad_images_raise_before_training(taker, case):
    images, word = BAD_IMAGES[case]
    with pytest.raises(ValueError, match="images") as error:
        IMAGE_TAKERS[taker](images)
    assert error.match(word)


BAD_LABELS = {
    "None": (None, "labels"),
    "string": ("0123", "labels"),
    "too few": (GOOD_LABELS[:-1], "labels"),
    "too many": (np.append(GOOD_LABELS, 1), "labels"),
    "floats": (GOOD_LABELS.astype(float), "integers"),
    "10 classes only": (_with(GOOD_LABELS, (0,), 10), "0-9"),
    "negative": (_with(GOOD_LABELS, (0,), -1), "0-9"),
    "2-D": (GOOD_LABELS[:, None], "labels"),
    "booleans": (np.ones(16, bool), "labels"),
}
LABEL_TAKERS = {
    "make_labelled_dataset": lambda labels: cgan.make_labelled_dataset(GOOD_IMAGES, labels, 4),
    "train_cgan": lambda labels: cgan.train_cgan(_config(), GOOD_IMAGES, labels),
}


@pytest.mark.parametrize("taker", LABEL_TAKERS)
@pytest.mark.parametrize("case", BAD_LABELS)
def test_bad_labels_raise_before_training(taker, case):
    labels, word = BAD_LABELS[case]
    with pytest.raises(ValueError, match="labels") as error:
        LABEL_TAKERS[taker](labels)
    assert error.match(word)


def test_train_cgan_rejects_labels_without_images():
    _raises("^images", cgan.train_cgan, _config(), None, GOOD_LABELS)


# --------------------------------------------------------------------------------------------------
# The other arguments of the train functions, datasets and builders
# --------------------------------------------------------------------------------------------------

TRAINERS = {
    "train_dcgan": lambda **kw: gan.train_dcgan(
        **{"config": _config(), "images": GOOD_IMAGES, **kw}
    ),
    "train_cgan": lambda **kw: cgan.train_cgan(
        **{"config": _config(), "images": GOOD_IMAGES, "labels": GOOD_LABELS, **kw}
    ),
}
TRAIN_CASES = [
    ("config", None),
    ("config", "mnist"),
    ("config", {"epochs": 1}),
    ("callbacks", None),
    ("callbacks", "abc"),
    ("callbacks", [print]),
    ("checkpoint_dir", 3),
    ("checkpoint_dir", ""),
    ("verbose", -1),
    ("verbose", "loud"),
    ("verbose", 1.5),
]


@pytest.mark.parametrize("trainer", TRAINERS)
@pytest.mark.parametrize("name, value", TRAIN_CASES)
def test_train_functions_check_every_argument(trainer, name, value):
    _raises(f"^{name}", TRAINERS[trainer], **{name: value})


SIZED = {
    "make_dataset": (
        lambda **kw: gan.make_dataset(**{"images": GOOD_IMAGES, "batch_size": 4, **kw}),
        ("batch_size",),
    ),
    "make_labelled_dataset": (
        lambda **kw: cgan.make_labelled_dataset(
            **{"images": GOOD_IMAGES, "labels": GOOD_LABELS, "batch_size": 4, **kw}
        ),
        ("batch_size",),
    ),
    "build_generator": (gan.build_generator, ("latent_dim", "width")),
    "build_discriminator": (gan.build_discriminator, ("width",)),
    "build_conditional_generator": (
        cgan.build_conditional_generator,
        ("latent_dim", "num_classes", "embed_dim", "width"),
    ),
    "build_conditional_discriminator": (
        cgan.build_conditional_discriminator,
        ("num_classes", "width"),
    ),
    "SampleGrid": (lambda **kw: gan.SampleGrid(**{"latent_dim": 8, **kw}), ("latent_dim", "count")),
    "digit_rows": (
        lambda **kw: cgan.digit_rows(**{"digits": [1, 2], "per_row": 2, **kw}),
        ("per_row", "latent_dim"),
    ),
}
SIZE_CASES = [
    (entry, name, label)
    for entry, (_, names) in SIZED.items()
    for name in names
    for label in BAD_POSITIVE_INT
]


@pytest.mark.parametrize("entry, name, label", SIZE_CASES)
def test_sizes_must_be_positive_integers(entry, name, label):
    _raises(f"^{name}", SIZED[entry][0], **{name: BAD_POSITIVE_INT[label]})


SEEDED = {
    "make_dataset": lambda seed: gan.make_dataset(GOOD_IMAGES, 4, seed=seed),
    "make_labelled_dataset": lambda seed: cgan.make_labelled_dataset(
        GOOD_IMAGES, GOOD_LABELS, 4, seed=seed
    ),
    "SampleGrid": lambda seed: gan.SampleGrid(8, seed=seed),
    "GAN": lambda seed: gan.GAN(gan.build_generator(8, 4), gan.build_discriminator(4), 8, seed),
}


@pytest.mark.parametrize("entry", SEEDED)
@pytest.mark.parametrize("label", BAD_SEED)
def test_seeds_must_be_integers_numpy_and_tensorflow_accept(entry, label):
    _raises("^seed", SEEDED[entry], BAD_SEED[label])


def test_build_gan_takes_a_config():
    for value in (None, "mnist", {"epochs": 1}):
        _raises("^config", gan.build_gan, value)


# --------------------------------------------------------------------------------------------------
# The GAN model: networks, latent size, compile, sample_noise
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def networks():
    keras.utils.set_random_seed(0)
    return {
        "generator": gan.build_generator(8, 4),
        "discriminator": gan.build_discriminator(4),
        "conditional_generator": cgan.build_conditional_generator(8, width=4),
        "conditional_discriminator": cgan.build_conditional_discriminator(width=4),
    }


GAN_CASES = {
    "generator None": ({"generator": None}, "^generator"),
    "generator str": ({"generator": "abc"}, "^generator"),
    "generator function": ({"generator": print}, "^generator"),
    "discriminator as generator": ({"generator": "discriminator"}, "^generator"),
    "discriminator None": ({"discriminator": None}, "^discriminator"),
    "generator as discriminator": ({"discriminator": "generator"}, "^discriminator"),
    "latent_dim mismatch": ({"latent_dim": 64}, "^latent_dim"),
    "latent_dim zero": ({"latent_dim": 0}, "^latent_dim"),
    "latent_dim float": ({"latent_dim": 8.0}, "^latent_dim"),
    "latent_dim str": ({"latent_dim": "8"}, "^latent_dim"),
}
GAN_CLASSES = {
    "GAN": (gan.GAN, "generator", "discriminator"),
    "ConditionalGAN": (cgan.ConditionalGAN, "conditional_generator", "conditional_discriminator"),
}


@pytest.mark.parametrize("kind", GAN_CLASSES)
@pytest.mark.parametrize("case", GAN_CASES)
def test_gan_checks_its_networks_and_latent_size(networks, kind, case):
    cls, g_name, d_name = GAN_CLASSES[kind]
    changes, pattern = GAN_CASES[case]
    arguments = {"generator": networks[g_name], "discriminator": networks[d_name], "latent_dim": 8}
    for key, value in changes.items():
        arguments[key] = networks.get(value, value) if isinstance(value, str) else value
        if value in ("generator", "discriminator"):  # the other kind of network
            arguments[key] = networks[value if kind == "GAN" else f"conditional_{value}"]
    _raises(pattern, cls, **arguments)


@pytest.fixture(scope="module")
def small_gan(networks):
    model = gan.GAN(networks["generator"], networks["discriminator"], latent_dim=8)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), bce)
    return model


@pytest.mark.parametrize("value", [-1, 0, 1.5, None, "4", True, math.nan])
def test_sample_noise_takes_a_positive_integer(small_gan, value):
    _raises("^batch_size", small_gan.sample_noise, value)


def test_sample_noise_good_sizes(small_gan):
    assert tuple(small_gan.sample_noise(np.int64(3)).shape) == (3, 8)


@pytest.mark.parametrize(
    "name, value",
    [("d_optimizer", None), ("d_optimizer", "adam"), ("g_optimizer", 1e-3), ("loss_fn", "bce")],
)
def test_compile_checks_its_arguments(networks, name, value):
    model = gan.GAN(networks["generator"], networks["discriminator"], latent_dim=8)
    arguments = {
        "d_optimizer": keras.optimizers.Adam(),
        "g_optimizer": keras.optimizers.Adam(),
        "loss_fn": keras.losses.BinaryCrossentropy(from_logits=True),
        name: value,
    }
    _raises(f"^{name}", model.compile, **arguments)


# --------------------------------------------------------------------------------------------------
# Checkpoints: bad arguments, and a corrupt or mismatched folder names its file
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value",
    [
        ("directory", None),
        ("directory", 3),
        ("gan", None),
        ("gan", "abc"),
        ("max_to_keep", 0),
        ("max_to_keep", 1.5),
    ],
)
def test_checkpoint_arguments(small_gan, tmp_path, name, value):
    arguments = {"directory": tmp_path, "gan": small_gan, "max_to_keep": 2, name: value}
    _raises(f"^{name}", gan.CheckpointAndResume, **arguments)


def test_checkpoint_needs_a_compiled_gan(networks, tmp_path):
    model = gan.GAN(networks["generator"], networks["discriminator"], latent_dim=8)
    _raises("^gan must be compiled", gan.CheckpointAndResume, tmp_path, model)


def _saved_checkpoint(folder, model) -> None:
    checkpoint = gan.CheckpointAndResume(folder, model)
    checkpoint.on_epoch_end(0, {"d_loss": 1.0})


@pytest.mark.parametrize(
    "damage, word",
    [
        ({"checkpoint": "garbage {{{"}, "checkpoint"),
        ({"ckpt-1.index": "not an index"}, "ckpt"),
        ({"history.json": "{not json"}, "history"),
        ({"ckpt-1.index": None}, "ckpt-1"),
    ],
)
def test_a_damaged_checkpoint_is_an_error_naming_the_folder(small_gan, tmp_path, damage, word):
    _saved_checkpoint(tmp_path, small_gan)
    for name, text in damage.items():
        if text is None:
            (tmp_path / name).unlink()
        else:
            (tmp_path / name).write_text(text)
    with pytest.raises(ValueError, match="^directory") as error:
        gan.CheckpointAndResume(tmp_path, small_gan)
    assert str(tmp_path) in str(error.value) and error.match(word)


def test_a_checkpoint_of_another_gan_is_an_error(small_gan, tmp_path):
    _saved_checkpoint(tmp_path, small_gan)
    wider = gan.build_gan(gan.DCGANConfig(**{**TINY, "width": 6}))
    with pytest.raises(ValueError, match="^directory") as error:
        gan.CheckpointAndResume(tmp_path, wider)
    assert str(tmp_path) in str(error.value)


@pytest.mark.parametrize("grid", ["SampleGrid", "ConditionalSampleGrid"])
@pytest.mark.parametrize("content", [b"not a zip file", "foreign npz", "pickled"])
def test_a_damaged_frames_file_is_an_error_naming_it(tmp_path, grid, content):
    path = tmp_path / "frames.npz"
    if content == "foreign npz":
        np.savez(path, weights=np.zeros(3))
    elif content == "pickled":
        np.savez(path, epoch_0=np.array([{"a": 1}], dtype=object))
    else:
        path.write_bytes(content)
    make = {
        "SampleGrid": lambda: gan.SampleGrid(8, path=path),
        "ConditionalSampleGrid": lambda: cgan.ConditionalSampleGrid(latent_dim=8, path=path),
    }
    with pytest.raises(ValueError, match="^path") as error:
        make[grid]()
    assert str(path) in str(error.value)


# --------------------------------------------------------------------------------------------------
# Saved models: a corrupt or mismatched .keras file is an error naming it, never used or replaced
# --------------------------------------------------------------------------------------------------

# Each loader, the file it reads relative to the artifacts folder (the generators' lie in the run
# folder of their chapter's configuration), and the kind of network it must hold.
LOADERS = {
    "dcgan": (
        gan.load_or_train_dcgan_generator,
        f"dcgan-{gan.config_fingerprint(gan.chapter5_config())}/{gan.GENERATOR_FILE}",
        "generator",
    ),
    "cgan": (
        cgan.load_or_train_cgan_generator,
        f"cgan-{gan.config_fingerprint(cgan.chapter6_config())}/{cgan.CGAN_GENERATOR_FILE}",
        "conditional_generator",
    ),
    "classifier": (clf.load_or_train_digit_classifier, clf.CLASSIFIER_FILE, "classifier"),
}


@pytest.fixture
def artifacts(tmp_path, monkeypatch):
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path))
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    folder = tmp_path / "quick"
    for _, file_name, _ in LOADERS.values():
        (folder / file_name).parent.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("loader", LOADERS)
def test_a_corrupt_saved_model_is_an_error_naming_the_file(artifacts, loader):
    function, file_name, _ = LOADERS[loader]
    path = artifacts / file_name
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a loadable") as error:
        function()
    assert str(path) in str(error.value) and path.read_bytes() == b"not a zip file"


WRONG_MODELS = [
    (loader, wrong)
    for loader in LOADERS
    for wrong in ("generator", "conditional_generator", "discriminator")
    if wrong != LOADERS[loader][2]  # the right kind, of another latent size: see below
]


@pytest.mark.parametrize("loader, wrong", WRONG_MODELS)
def test_a_saved_model_of_the_wrong_shape_is_an_error_naming_the_file(
    networks, artifacts, loader, wrong
):
    function, file_name, _ = LOADERS[loader]
    path = clf.save_model_atomically(networks[wrong], artifacts / file_name)
    with pytest.raises(ValueError, match="does not hold a usable") as error:
        function()
    assert str(path) in str(error.value)


@pytest.mark.parametrize("loader", ["dcgan", "cgan"])
def test_a_saved_generator_of_another_latent_size_is_an_error(networks, artifacts, loader):
    function, file_name, right = LOADERS[loader]
    clf.save_model_atomically(networks[right], artifacts / file_name)  # latent_dim 8, not 64
    _raises("shapes|inputs", function)


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("path", {"path": None}),
        ("path", {"path": 3}),
        ("path", {"path": "model.h5"}),
        ("train", {"train": "abc"}),
        ("check", {"check": "abc"}),
        ("name", {"name": ""}),
        ("name", {"name": None}),
    ],
)
def test_load_or_train_checks_its_arguments(tmp_path, name, arguments):
    defaults = {"path": tmp_path / "model.keras", "train": lambda: None}
    _raises(f"^{name}", clf.load_or_train, **{**defaults, **arguments})


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("model", {"model": None}),
        ("model", {"model": "abc"}),
        ("path", {"path": None}),
        ("path", {"path": "model.h5"}),
    ],
)
def test_save_model_atomically_checks_its_arguments(networks, tmp_path, name, arguments):
    defaults = {"model": networks["generator"], "path": tmp_path / "g.keras"}
    _raises(f"^{name}", clf.save_model_atomically, **{**defaults, **arguments})


# --------------------------------------------------------------------------------------------------
# Training plumbing shared by chapters 5 and 6 (fit_gan, compile_from_config, run folders)
# --------------------------------------------------------------------------------------------------


def _compiled_tiny():
    return gan.build_gan(_config())


PLUMBING_CASES = {
    "fit_gan": [
        ("gan", lambda m, d: gan.fit_gan("abc", _config(), d)),
        (
            "gan must be compiled",
            lambda m, d: gan.fit_gan(gan.GAN(m.generator, m.discriminator, 8), _config(), d),
        ),
        ("config", lambda m, d: gan.fit_gan(m, {"epochs": 1}, d)),
        ("dataset", lambda m, d: gan.fit_gan(m, _config(), GOOD_IMAGES)),
        ("callbacks", lambda m, d: gan.fit_gan(m, _config(), d, callbacks=[print])),
        ("checkpoint_dir", lambda m, d: gan.fit_gan(m, _config(), d, checkpoint_dir=3)),
        ("verbose", lambda m, d: gan.fit_gan(m, _config(), d, verbose=5)),
    ],
    "compile_from_config": [
        ("gan", lambda m, d: gan.compile_from_config(m.generator, _config())),
        ("config", lambda m, d: gan.compile_from_config(m, None)),
    ],
    "dtype_policy": [("config", lambda m, d: gan.dtype_policy("mixed_float16"))],
    "StopOnNaN": [
        ("watch", lambda m, d: gan.StopOnNaN(watch="d_loss")),
        ("watch", lambda m, d: gan.StopOnNaN(watch=[3])),
        ("watch", lambda m, d: gan.StopOnNaN(watch=())),
    ],
    "config_fingerprint": [("config", lambda m, d: gan.config_fingerprint({"width": 4}))],
    "run_dir": [
        ("kind", lambda m, d: gan.run_dir("", _config())),
        ("kind", lambda m, d: gan.run_dir("../x", _config())),
        ("config", lambda m, d: gan.run_dir("dcgan", None)),
    ],
}


@pytest.mark.parametrize(
    "entry, index",
    [(entry, i) for entry, cases in PLUMBING_CASES.items() for i in range(len(cases))],
)
def test_training_plumbing_checks_its_arguments(entry, index):
    name, call = PLUMBING_CASES[entry][index]
    model, data = _compiled_tiny(), gan.make_dataset(GOOD_IMAGES, 4)
    _raises(f"^{name}", call, model, data)


# --------------------------------------------------------------------------------------------------
# The checks wrap the taught code and leave good input as it was
# --------------------------------------------------------------------------------------------------

WRAPPED = {
    "make_dataset": gan.make_dataset,
    "build_generator": gan.build_generator,
    "build_discriminator": gan.build_discriminator,
    "build_gan": gan.build_gan,
    "train_dcgan": gan.train_dcgan,
    "GAN.__init__": gan.GAN.__init__,
    "GAN.compile": gan.GAN.compile,
    "GAN.sample_noise": gan.GAN.sample_noise,
    "SampleGrid.__init__": gan.SampleGrid.__init__,
    "CheckpointAndResume.__init__": gan.CheckpointAndResume.__init__,
    "StopOnNaN.__init__": gan.StopOnNaN.__init__,
    "dtype_policy": gan.dtype_policy,
    "compile_from_config": gan.compile_from_config,
    "fit_gan": gan.fit_gan,
    "build_conditional_generator": cgan.build_conditional_generator,
    "build_conditional_discriminator": cgan.build_conditional_discriminator,
    "train_cgan": cgan.train_cgan,
}


@pytest.mark.parametrize("name", WRAPPED)
def test_each_taught_name_is_its_taught_code_behind_a_check(name):
    function = WRAPPED[name]
    taught = function
    while hasattr(taught, "__wrapped__"):
        taught = taught.__wrapped__
    assert taught is not function and taught.__qualname__ == function.__qualname__


def test_good_input_gives_the_taught_result():
    checked = [b.numpy() for b in gan.make_dataset(GOOD_IMAGES, 5, seed=3)]
    taught = [b.numpy() for b in gan.make_dataset.__wrapped__(GOOD_IMAGES, 5, seed=3)]
    assert len(checked) == len(taught) == 4
    for a, b in zip(checked, taught, strict=True):
        np.testing.assert_array_equal(a, b)
