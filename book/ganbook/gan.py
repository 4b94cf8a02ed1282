"""The Keras 3 DCGAN of chapter 5: networks, the ``GAN`` model, callbacks and a trained generator.

Introduced in chapter 5 (DCGAN in Keras 3). The section between the ``BEGIN generated`` and ``END
generated`` lines is chapter 5's own code: ``scripts/export_taught.py`` copies there every cell of
``book/05_dcgan.ipynb`` that starts with ``# ganbook: gan`` (edit the notebook, then run the script;
``tests/test_export.py`` fails while they differ). That code checks no arguments itself: its sizes
come from a :class:`DCGANConfig`, which checks itself once, and the plumbing after the section
wraps each taught name (:func:`with_checks`) so that its arguments (images in [-1, 1], networks
that fit together, a readable checkpoint) are checked before it runs; ``__wrapped__`` is the taught
code. The rest of this module is plumbing no chapter shows: the configuration, those checks and
the trained generator that later chapters load (its saved file's shapes are checked on loading).

``GAN.train_step`` is written once; a variant of the game overrides a method it calls: the losses
(``discriminator_loss``, ``generator_loss``, ``discriminator_penalty``) or ``generate`` (chapter
6's labels). Convention throughout: real = 1, fake = 0, and the discriminator outputs a logit (its
probability is the sigmoid of it), so every loss uses ``from_logits=True``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganbook import checks
from ganbook.classifier import check_images, load_or_train, model_shapes
from ganbook.config import artifacts_dir, choose, seed_everything
from ganbook.data import load_images

LATENT_DIM = 64
"""Size of the generator's input noise vector z (chapter 5)."""

GENERATOR_FILE = "dcgan_generator.keras"
FULL_EPOCHS = 50
QUICK_EPOCHS = 2
STEPS_PER_EPOCH = 64
"""Batches per epoch (chapter 5): 64 x 64 = 4,096 images, about one pass over the offline digits."""


# --------------------------------------------------------------------------------------------------
# Chapter 5's configuration: every argument of the taught code is checked here, once
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DCGANConfig:
    """Everything that defines chapter 5's training run (chapter 5); checked when it is made.

    ``dataset`` is "mnist" or "fashion_mnist" (offline, both fall back to the bundled digits);
    ``jit_compile`` switches XLA compilation of the train step; ``steps_per_execution`` is the
    number of batches ``fit`` runs per call of the compiled function; ``mixed_precision`` computes
    in float16 where that is safe (worth it on a recent GPU, slower on a CPU). The budget is
    ``epochs`` x ``steps_per_epoch`` batches whatever the size of the data (an epoch is a fixed
    number of batches, not a pass over the data), so a run costs the same on the 4,500 offline
    digits as on the 60,000 of MNIST; ``steps_per_epoch`` must be a multiple of
    ``steps_per_execution`` (``fit`` would round it up). NumPy numbers are accepted and stored as
    Python ones.
    """

    dataset: str = "mnist"
    epochs: int = FULL_EPOCHS
    batch_size: int = 64
    learning_rate: float = 1e-3
    beta_1: float = 0.5
    width: int = 32
    latent_dim: int = LATENT_DIM
    seed: int = 0
    jit_compile: bool = True
    steps_per_execution: int = 16
    mixed_precision: bool = False
    steps_per_epoch: int = STEPS_PER_EPOCH

    def __post_init__(self) -> None:
        checked = {
            "dataset": checks.one_of("dataset", self.dataset, ("mnist", "fashion_mnist")),
            "learning_rate": checks.positive_number("learning_rate", self.learning_rate),
            "beta_1": checks.number("beta_1", self.beta_1, 0.0, 1.0, exclusive_maximum=True),
            "seed": checks.seed("seed", self.seed),
        }
        sizes = ("epochs", "batch_size", "width", "latent_dim", "steps_per_execution")
        for name in (*sizes, "steps_per_epoch"):
            checked[name] = checks.positive_int(name, getattr(self, name))
        if checked["steps_per_epoch"] % checked["steps_per_execution"]:
            raise ValueError(
                f"steps_per_epoch must be a multiple of steps_per_execution "
                f"({checked['steps_per_execution']}); got {checked['steps_per_epoch']}"
            )
        for name in ("jit_compile", "mixed_precision"):
            checked[name] = bool(checks.instance(name, getattr(self, name), (bool, np.bool_)))
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # frozen: the checked, plain-Python value


def config_with(defaults: dict, changes: dict) -> DCGANConfig:
    """A ``DCGANConfig`` from a chapter's ``defaults`` with a reader's ``changes`` (chapters 5, 6).

    Raises ValueError naming ``changes`` when one of them is not a field of ``DCGANConfig``.
    """
    fields = set(DCGANConfig.__dataclass_fields__)
    unknown = sorted(set(changes) - fields)
    if unknown:
        raise ValueError(f"changes must name fields of DCGANConfig {sorted(fields)}; got {unknown}")
    return DCGANConfig(**{**defaults, **changes})


def chapter5_config(**changes: object) -> DCGANConfig:
    """Chapter 5's configuration with quick mode applied (chapter 5); ``changes`` override fields.

    ``chapter5_config(dataset="fashion_mnist")`` is the one setting that switches to Fashion-MNIST.
    """
    return config_with({"epochs": choose(full=FULL_EPOCHS, quick=QUICK_EPOCHS)}, changes)


def config_fingerprint(config: DCGANConfig) -> str:
    """Ten hex digits that change with every field of ``config`` but ``epochs`` (chapter 5).

    They name a run's folder (:func:`run_dir`), so a checkpoint is only ever restored into the run
    that made it: another data set or width starts fresh. ``epochs`` is left out so that asking for
    more epochs continues a run.
    """
    checks.instance("config", config, DCGANConfig, "a DCGANConfig (chapter5_config)")
    fields = {name: value for name, value in asdict(config).items() if name != "epochs"}
    text = json.dumps(fields, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def run_dir(kind: str, config: DCGANConfig) -> Path:
    """The artifacts folder of one run: ``<artifacts>/<kind>-<fingerprint>`` (chapters 5, 6).

    ``kind`` names the model ("dcgan", "cgan"). The folder holds the run's checkpoints, history,
    sample frames and trained generator; :func:`config_fingerprint` says what tells runs apart.
    """
    kind = checks.text("kind", kind)
    if not kind.replace("_", "").isalnum():
        raise ValueError(f"kind must be a plain name such as 'dcgan'; got {kind!r}")
    return artifacts_dir(f"{kind}-{config_fingerprint(config)}")


# BEGIN generated from book/05_dcgan.ipynb by scripts/export_taught.py; edit the notebook


def make_dataset(images: np.ndarray, batch_size: int, seed: int = 0) -> tf.data.Dataset:
    """A ``tf.data`` pipeline over images in memory: shuffled, batched, prefetched.

    The last, smaller batch is kept: the ``GAN`` reads the batch size from the data
    (chapter 5).
    """
    return (
        tf.data.Dataset.from_tensor_slices(np.asarray(images, dtype="float32"))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def build_generator(latent_dim: int = LATENT_DIM, width: int = 32) -> keras.Model:
    """The DCGAN generator of chapter 5: noise (N, latent_dim) to images (N, 28, 28, 1).

    A dense layer makes a 7x7 feature map; two stride-2 transposed convolutions double
    it to 14x14 and 28x28. Batch normalisation and LeakyReLU in between, tanh at the
    end, so the images lie in [-1, 1] (Radford et al. 2016). ``width`` is the number of
    channels at 14x14 (twice that at 7x7).
    """
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 2 * width, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, 2 * width)),
            layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(
                1, 4, strides=2, padding="same", activation="tanh", dtype="float32"
            ),
        ],
        name="generator",
    )


def build_discriminator(width: int = 32) -> keras.Model:
    """The DCGAN discriminator of chapter 5: images (N, 28, 28, 1) to logits (N, 1).

    Two stride-2 convolutions (28 -> 14 -> 7) with LeakyReLU, no batch normalisation (so
    real and fake batches can go through it separately), then one dense unit: a logit.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(2 * width, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dense(1, dtype="float32"),
        ],
        name="discriminator",
    )


class GAN(keras.Model):
    """Generator and discriminator trained against each other by ``fit`` (chapter 5).

    ``compile(d_optimizer, g_optimizer, loss_fn)`` takes one optimiser per network.
    ``train_step`` makes one discriminator step, then one generator step, per batch. It
    is written once: a variant of the game overrides a method that it calls
    (``generate``, or a loss).
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        accuracy = keras.metrics.BinaryAccuracy  # of logits: threshold 0 means D = 1/2
        self.real_accuracy = accuracy(name="d_acc_real", threshold=0.0)
        self.fake_accuracy = accuracy(name="d_acc_fake", threshold=0.0)
        self.built = True  # its networks are: no need to trace call on a batch to build

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs):
        super().compile(optimizer=None, **kwargs)  # no third, unused optimiser
        if self.dtype_policy.name == "mixed_float16":
            d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer)
            g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        losses = [self.d_loss_tracker, self.g_loss_tracker]
        return losses + [self.real_accuracy, self.fake_accuracy]

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def sample_noise(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.noise_seed)

    def generate(self, real):
        # A generated batch as large as the real one, from fresh noise.
        return self.generator(self.sample_noise(ops.shape(real)[0]), training=True)

    def discriminator_loss(self, real_logits, fake_logits):
        # Cross-entropy with label 1 on real images and label 0 on generated ones.
        real_loss = self.loss_fn(ops.ones_like(real_logits), real_logits)
        return real_loss + self.loss_fn(ops.zeros_like(fake_logits), fake_logits)

    def discriminator_penalty(self, real, fake):
        # A regulariser added to D's loss: none here (chapter 8 adds the R1 penalty).
        return 0.0

    def generator_loss(self, fake_logits):
        # Non-saturating, -log D(G(z)): cross-entropy with label 1 on generated images.
        return self.loss_fn(ops.ones_like(fake_logits), fake_logits)

    def train_step(self, real):
        # 1. Discriminator: push D up on the real batch and down on a generated one.
        fake = self.generate(real)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
            d_loss += self.discriminator_penalty(real, fake)
            scaled_loss = self.d_optimizer.scale_loss(d_loss)  # see compile
        weights = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(scaled_loss, weights), weights)

        # 2. Generator: a new generated batch from fresh noise, scored by the updated D.
        with tf.GradientTape() as tape:
            logits = self.discriminator(self.generate(real), training=True)
            g_loss = self.generator_loss(logits)
            scaled_loss = self.g_optimizer.scale_loss(g_loss)
        weights = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(scaled_loss, weights), weights)

        return self.record_step(d_loss, g_loss, real_logits, fake_logits)

    def record_step(self, d_loss, g_loss, real_logits, fake_logits):
        # Update the trackers (D's accuracy with real = 1, fake = 0); fit displays them.
        # On several devices Keras's losses are each replica's share, mean / replicas
        # (see "Beyond one device"): the trackers record the whole mean.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.real_accuracy.update_state(ops.ones_like(real_logits), real_logits)
        self.fake_accuracy.update_state(ops.zeros_like(fake_logits), fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}


class SampleGrid(keras.callbacks.Callback):
    """Images from one fixed latent batch after every epoch, kept as frames (chapter 5).

    The same noise every epoch makes the frames comparable: played in order, they show
    the generator learning. With a ``path`` (an ``.npz`` file) the frames are saved
    after each epoch and loaded on creation, so a resumed run keeps the earlier frames.
    """

    def __init__(
        self,
        latent_dim: int,
        count: int = 64,
        seed: int = 1234,
        path: str | os.PathLike | None = None,
    ):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.noise = rng.standard_normal((count, latent_dim)).astype("float32")
        self.path = None if path is None else Path(path)
        self.frames = {}
        if self.path is not None and self.path.exists():
            with np.load(self.path) as saved:
                for key in saved.files:  # "epoch_3" holds the frame of epoch 3
                    self.frames[int(key.removeprefix("epoch_"))] = saved[key]

    def on_epoch_end(self, epoch, logs=None):
        images = self.model.generator(self.noise, training=False)
        self.frames[epoch] = ops.convert_to_numpy(images)
        if self.path is not None:
            frames = {f"epoch_{e}": frame for e, frame in self.frames.items()}
            temporary = self.path.with_name(f".{self.path.stem}.tmp-{os.getpid()}.npz")
            np.savez_compressed(temporary, **frames)
            os.replace(temporary, self.path)


class CheckpointAndResume(keras.callbacks.Callback):
    """Saves G, D, both optimisers, the noise state and the epoch count (chapter 5).

    Create it after ``compile``: it restores the latest checkpoint in ``directory``, if
    any. Pass ``initial_epoch=callback.initial_epoch`` to ``fit`` and training continues
    from the last completed epoch, optimiser moments and step counters intact.
    ``history`` maps each completed epoch, even one before an interruption, to its logs.
    """

    def __init__(self, directory: str | os.PathLike, gan: GAN, max_to_keep: int = 2):
        super().__init__()
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False)  # epochs completed
        gan.d_optimizer.build(gan.discriminator.trainable_variables)
        gan.g_optimizer.build(gan.generator.trainable_variables)
        self.checkpoint = tf.train.Checkpoint(
            generator=gan.generator,
            discriminator=gan.discriminator,
            d_optimizer=gan.d_optimizer,
            g_optimizer=gan.g_optimizer,
            noise_state=gan.noise_seed.state,
            epoch=self.epoch,
        )
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, str(self.directory), max_to_keep=max_to_keep
        )
        if self.manager.latest_checkpoint:
            restored = self.checkpoint.restore(self.manager.latest_checkpoint)
            restored.assert_existing_objects_matched()
        self.initial_epoch = int(self.epoch.numpy())
        self.history_path = self.directory / "history.json"
        self.history = {}
        if self.history_path.exists():
            saved = json.loads(self.history_path.read_text())
            self.history = {
                int(e): logs for e, logs in saved.items() if int(e) < self.initial_epoch
            }

    def on_epoch_end(self, epoch, logs=None):
        logs = {name: float(v) for name, v in (logs or {}).items()}
        if not all(math.isfinite(v) for v in logs.values()):
            return  # a NaN epoch is never saved: the last good checkpoint stays
        self.history[epoch] = logs
        temporary = self.history_path.with_name(f".history.tmp-{os.getpid()}.json")
        temporary.write_text(json.dumps(self.history, indent=1))
        os.replace(temporary, self.history_path)
        self.epoch.assign(epoch + 1)
        self.manager.save(checkpoint_number=epoch + 1)


class StopOnNaN(keras.callbacks.Callback):
    """Stops ``fit`` once a watched loss is not finite (chapter 5).

    Keras's ``TerminateOnNaN`` reads only ``logs["loss"]``, which a GAN does not log;
    this one watches the GAN's own losses. ``stopped_at`` is (epoch, batch) or None.
    """

    def __init__(self, watch: tuple[str, ...] = ("d_loss", "g_loss")):
        super().__init__()
        self.watch = tuple(watch)
        self.stopped_at = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        values = [float(logs[name]) for name in self.watch if name in (logs or {})]
        if not all(math.isfinite(v) for v in values):
            self.model.stop_training = True
            self.stopped_at = (self.epoch, batch)


@contextlib.contextmanager
def dtype_policy(config: DCGANConfig):
    """Layers made inside compute in float16 if ``config.mixed_precision`` (ch. 5)."""
    policy = "mixed_float16" if config.mixed_precision else "float32"
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy("float32")


def compile_from_config(gan: GAN, config: DCGANConfig) -> GAN:
    """Compile ``gan`` with the optimisers and speed settings of ``config`` (ch. 5)."""
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=config.jit_compile,
        steps_per_execution=config.steps_per_execution,
    )
    return gan


def build_gan(config: DCGANConfig) -> GAN:
    """A compiled ``GAN`` with fresh networks, seeded by ``config.seed`` (chapter 5)."""
    seed_everything(config.seed)
    with dtype_policy(config):  # the networks' layers take the policy when created
        gan = GAN(
            build_generator(config.latent_dim, config.width),
            build_discriminator(config.width),
            latent_dim=config.latent_dim,
            seed=config.seed,
        )
    return compile_from_config(gan, config)


def fit_gan(
    gan: GAN,
    config: DCGANConfig,
    dataset: tf.data.Dataset,
    callbacks: list | tuple = (),
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> dict:
    """Train ``gan`` on ``dataset`` for ``config``'s budget; return each epoch's logs.

    An epoch is ``config.steps_per_epoch`` batches, whatever the size of the data, so a
    run costs the same on 4,500 or 60,000 images. With ``checkpoint_dir`` the run first
    restores the last completed epoch saved there. A NaN loss stops it (chapter 5).
    """
    history = keras.callbacks.History()
    callbacks = [*callbacks, history, StopOnNaN()]
    initial_epoch = 0
    if checkpoint_dir is not None:
        checkpoint = CheckpointAndResume(checkpoint_dir, gan)
        callbacks.insert(0, checkpoint)
        initial_epoch = checkpoint.initial_epoch
        if initial_epoch > 0:
            steps = int(gan.d_optimizer.iterations.numpy())
            print(f"Resuming after epoch {initial_epoch} of {config.epochs} "
                  f"(optimiser step {steps}).")
    gan.fit(
        dataset.repeat(),  # endless: steps_per_epoch decides where an epoch ends
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        initial_epoch=initial_epoch,
        callbacks=callbacks,
        verbose=verbose,
        shuffle=False,  # tf.data shuffles; fit's flag would be ignored, with a warning
    )
    if checkpoint_dir is not None:
        return checkpoint.history
    return {
        epoch: {name: float(values[i]) for name, values in history.history.items()}
        for i, epoch in enumerate(history.epoch)
    }


def train_dcgan(
    config: DCGANConfig,
    images: np.ndarray,
    callbacks: list | tuple = (),
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> tuple[GAN, dict]:
    """Train a new ``GAN`` with ``fit``; return it and each epoch's logs (chapter 5)."""
    gan = build_gan(config)
    dataset = make_dataset(images, config.batch_size, seed=config.seed)
    return gan, fit_gan(gan, config, dataset, callbacks, checkpoint_dir, verbose)


# END generated from book/05_dcgan.ipynb


# --------------------------------------------------------------------------------------------------
# Boundary checks of the taught code (plumbing): the chapter's cells check nothing, so each public
# name above is wrapped here to check its arguments first. ``functools.wraps`` keeps the taught
# function reachable (``__wrapped__``, ``inspect.getsource``); good input runs it unchanged.
# --------------------------------------------------------------------------------------------------


def with_checks(taught: Callable, check: Callable[[dict], object]) -> Callable:
    """``taught`` that first runs ``check(arguments)`` on its arguments, bound by name (plumbing).

    ``arguments`` holds every parameter, defaults included; ``check`` raises ValueError naming the
    argument that is wrong. Used on the taught code of chapters 5 and 6.
    """
    signature = inspect.signature(taught)

    @functools.wraps(taught)
    def checked(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        check(bound.arguments)
        return taught(*args, **kwargs)

    return checked


def check_fit_options(arguments: dict) -> None:
    """``config``, ``callbacks``, ``checkpoint_dir``, ``verbose`` of a chapter's train function."""
    checks.instance("config", arguments["config"], DCGANConfig, "a DCGANConfig (chapter5_config)")
    callbacks = arguments["callbacks"]
    if not isinstance(callbacks, (list, tuple)) or not all(
        isinstance(callback, keras.callbacks.Callback) for callback in callbacks
    ):
        raise ValueError(f"callbacks must be a list or tuple of keras Callbacks; got {callbacks!r}")
    checks.optional_path("checkpoint_dir", arguments["checkpoint_dir"])
    checks.one_of("verbose", arguments["verbose"], (0, 1, 2, "auto"))


def _shapes(model: keras.Model, which: str) -> list[tuple]:
    try:  # a model built from keras.Input knows them; a Sequential without one does not
        return [tuple(tensor.shape) for tensor in getattr(model, which)]
    except (AttributeError, ValueError):
        return []


def check_gan_networks(generator: object, discriminator: object, latent_dim: object) -> None:
    """The networks of a ``GAN``: G from (N, ``latent_dim``), D taking what G makes (plumbing).

    Raises ValueError naming ``generator``, ``discriminator`` or ``latent_dim``: for a network that
    is not a keras.Model, a generator whose (first) input is not a latent batch (a discriminator
    passed as the generator), a ``latent_dim`` other than the generator's input size, or a
    discriminator whose (first) input is not the generator's output.
    """
    checks.instance("generator", generator, keras.Model, "a keras.Model (see build_generator)")
    described = "a keras.Model (see build_discriminator)"
    checks.instance("discriminator", discriminator, keras.Model, described)
    latent_dim = checks.positive_int("latent_dim", latent_dim)
    noise = _shapes(generator, "inputs")
    if noise and len(noise[0]) != 2:
        raise ValueError(
            f"generator must take a latent batch (N, latent_dim) as its first input; it takes "
            f"{noise[0]} (is it a discriminator?)"
        )
    if noise and noise[0][1] not in (None, latent_dim):
        raise ValueError(
            f"latent_dim must be the generator's input size {noise[0][1]}; got {latent_dim}"
        )
    made, judged = _shapes(generator, "outputs"), _shapes(discriminator, "inputs")
    if made and judged and None not in made[0][1:] + judged[0][1:]:
        if made[0][1:] != judged[0][1:]:
            raise ValueError(
                f"discriminator must take the generator's output (N, *{made[0][1:]}); "
                f"it takes {judged[0]}"
            )


def _check_gan(arguments: dict) -> None:
    check_gan_networks(arguments["generator"], arguments["discriminator"], arguments["latent_dim"])
    checks.seed("seed", arguments["seed"])


def _check_sample_noise(arguments: dict) -> None:
    batch_size = arguments["batch_size"]
    if not tf.is_tensor(batch_size):  # inside train_step it is the batch's (traced) size
        checks.positive_int("batch_size", batch_size)


def _check_compile(arguments: dict) -> None:
    for name in ("d_optimizer", "g_optimizer"):
        checks.instance(name, arguments[name], keras.optimizers.Optimizer, "a keras optimizer")
    checks.function("loss_fn", arguments["loss_fn"])


def _check_sample_grid(arguments: dict) -> None:
    checks.positive_int("latent_dim", arguments["latent_dim"])
    checks.positive_int("count", arguments["count"])
    checks.seed("seed", arguments["seed"])
    path = checks.optional_path("path", arguments["path"])
    if path is not None and Path(path).exists():
        _check_frames_file(Path(path))


def _check_frames_file(path: Path) -> None:
    """A SampleGrid ``.npz`` of arrays named ``epoch_<n>`` (loaded without pickles)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            names = list(saved.files)
            for name in names:
                epoch = name.removeprefix("epoch_")
                if epoch == name or not epoch.isdigit():
                    raise ValueError(f"it holds {name!r}, not frames named epoch_<n>")
                saved[name]
    except Exception as error:
        raise ValueError(
            f"path {path} is not a SampleGrid frames file ({type(error).__name__}: {error}); "
            "delete it to start the frames again"
        ) from error


def _check_checkpoint(arguments: dict) -> None:
    checks.path("directory", arguments["directory"])
    gan = checks.instance("gan", arguments["gan"], GAN, "a compiled GAN")
    if not hasattr(gan, "d_optimizer"):
        raise ValueError("gan must be compiled (call gan.compile) before CheckpointAndResume")
    checks.positive_int("max_to_keep", arguments["max_to_keep"])


def _check_checkpoint_state(folder: Path) -> None:
    """TensorFlow ignores a state file it cannot read (a silent restart): raise naming it."""
    state_file = folder / "checkpoint"
    if not state_file.exists():
        return
    state = tf.train.get_checkpoint_state(str(folder))
    latest = state.model_checkpoint_path if state is not None else ""
    if not latest:
        raise ValueError(
            f"directory {folder}: its checkpoint state file {state_file} cannot be read; "
            "delete the folder to train from scratch"
        )
    index = Path(f"{latest if os.path.isabs(latest) else folder / latest}.index")
    if not index.exists():
        raise ValueError(
            f"directory {folder}: its state file {state_file} names {latest}, whose files are "
            "missing; delete the folder to train from scratch"
        )


def _restore_or_name_the_file(taught_init: Callable) -> Callable:
    """CheckpointAndResume's ``__init__``: a checkpoint that cannot be restored names its folder."""

    @functools.wraps(taught_init)
    def init(self, directory, gan, max_to_keep=2):
        _check_checkpoint_state(Path(directory))
        try:
            taught_init(self, directory, gan, max_to_keep)
        except Exception as error:  # a corrupt state file or history, or another GAN's weights
            folder = Path(directory)
            raise ValueError(
                f"directory {folder} holds a checkpoint that cannot be restored into this GAN "
                f"(files {sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []}; "
                f"{type(error).__name__}: {error}); delete the folder to train from scratch"
            ) from error

    return init


def _check_make_dataset(arguments: dict) -> None:
    check_images("images", arguments["images"])
    checks.positive_int("batch_size", arguments["batch_size"])
    checks.seed("seed", arguments["seed"])


def _check_train_dcgan(arguments: dict) -> None:
    check_fit_options(arguments)
    check_images("images", arguments["images"])


def _check_gan_and_config(arguments: dict) -> None:
    checks.instance("gan", arguments["gan"], GAN, "a GAN (see build_gan)")
    checks.instance("config", arguments["config"], DCGANConfig, "a DCGANConfig (chapter5_config)")


def _check_fit_gan(arguments: dict) -> None:
    _check_gan_and_config(arguments)
    if not hasattr(arguments["gan"], "d_optimizer"):
        raise ValueError("gan must be compiled (see compile_from_config) before fit_gan")
    checks.instance("dataset", arguments["dataset"], tf.data.Dataset, "a tf.data.Dataset")
    check_fit_options(arguments)


def _check_stop_on_nan(arguments: dict) -> None:
    watch = arguments["watch"]
    if isinstance(watch, str) or not checks.texts("watch", watch):
        raise ValueError(f"watch must be a non-empty tuple of log names; got {watch!r}")


def check_sizes(arguments: dict) -> None:
    """Every network size among the arguments (chapters 5 and 6) is a positive integer."""
    for name in ("latent_dim", "num_classes", "embed_dim", "width"):
        if name in arguments:
            checks.positive_int(name, arguments[name])


make_dataset = with_checks(make_dataset, _check_make_dataset)
build_generator = with_checks(build_generator, check_sizes)
build_discriminator = with_checks(build_discriminator, check_sizes)
build_gan = with_checks(
    build_gan, lambda a: checks.instance("config", a["config"], DCGANConfig, "a DCGANConfig")
)
dtype_policy = with_checks(
    dtype_policy, lambda a: checks.instance("config", a["config"], DCGANConfig, "a DCGANConfig")
)
compile_from_config = with_checks(compile_from_config, _check_gan_and_config)
fit_gan = with_checks(fit_gan, _check_fit_gan)
train_dcgan = with_checks(train_dcgan, _check_train_dcgan)
StopOnNaN.__init__ = with_checks(StopOnNaN.__init__, _check_stop_on_nan)
GAN.__init__ = with_checks(GAN.__init__, _check_gan)
GAN.compile = with_checks(GAN.compile, _check_compile)
GAN.sample_noise = with_checks(GAN.sample_noise, _check_sample_noise)
SampleGrid.__init__ = with_checks(SampleGrid.__init__, _check_sample_grid)
CheckpointAndResume.__init__ = with_checks(
    _restore_or_name_the_file(CheckpointAndResume.__init__), _check_checkpoint
)


# --------------------------------------------------------------------------------------------------
# The trained generator that later chapters load
# --------------------------------------------------------------------------------------------------


def _train_chapter5_generator() -> keras.Model:
    config = chapter5_config()
    images = load_images(config.dataset, "train", warn_offline=False).images
    gan, _ = train_dcgan(config, images)
    return gan.generator


def load_or_train_dcgan_generator() -> keras.Model:
    """Chapter 5's trained generator: loaded from the artifacts folder, or trained and saved.

    Introduced in chapter 5. Loads ``dcgan_generator.keras`` from the run folder of
    :func:`chapter5_config` (:func:`run_dir`), where chapter 5 saves it, when present and
    loadable; otherwise trains with that configuration and saves the generator there atomically
    (no checkpoints: two chapters run in parallel may both train, and the atomic save keeps the
    file whole). Input: a latent batch (N, ``LATENT_DIM``); output (N, 28, 28, 1) in [-1, 1].
    """
    path = run_dir("dcgan", chapter5_config()) / GENERATOR_FILE
    shapes = model_shapes((None, chapter5_config().latent_dim), (None, 28, 28, 1))
    return load_or_train(path, _train_chapter5_generator, check=shapes, name="DCGAN generator")
