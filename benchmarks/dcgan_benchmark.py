"""Chapter 5's DCGAN, measured: one command, ratios from the same run.

    python benchmarks/dcgan_benchmark.py            # both measurements (several minutes on a CPU)
    python benchmarks/dcgan_benchmark.py --quick    # a smoke test of the script (not a measurement)

1. Throughput. Images per second of the chapter's ``GAN.fit`` against a hand-written ``tf.function``
   loop that makes the same two updates per batch on the same two networks, built by the same
   ganbook functions, with the same optimisers, data pipeline and XLA setting. Two hand-written
   forms are timed (Python calling the compiled step once per batch; the loop over the batches
   inside a ``tf.function`` too) and the faster one is the reference. Goal: ratio >= 0.95 (the
   keras.Model structure costs nothing).
2. Time to quality. Wall time until the chapter's configuration reaches the sample quality that the
   TensorFlow DCGAN tutorial's recipe reaches after its 50 epochs on the same data. The recipe: the
   tutorial's networks (Dense 7*7*256 without bias, batch norm, LeakyReLU, transposed convolutions
   128 5x5 stride 1, 64 5x5 stride 2, 1 5x5 stride 2 tanh; discriminator convolutions 64 and 128 5x5
   stride 2 with LeakyReLU and dropout 0.3, then Dense 1), Adam 1e-4 for both, batch 256, the
   non-saturating loss, a ``tf.function`` step without XLA. Quality: the Frechet distance between
   4,500 generated and the training images in the features of the book's digit classifier
   (``ganbook.classifier``; "FD-digits", not Inception FID). Both runs are trained by the chapter's
   ``GAN`` class; time spent measuring quality is excluded. Goal: ratio <= 0.1.

Timings depend on the machine and on whatever else runs on it: the script prints the load average.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

from ganbook import load_images, seed_everything  # noqa: E402
from ganbook.classifier import classifier_features, load_or_train_digit_classifier  # noqa: E402
from ganbook.gan import GAN, build_gan, chapter5_config, make_dataset  # noqa: E402
from ganbook.metrics import frechet_distance  # noqa: E402

RECIPE_EPOCHS = 50
RECIPE_BATCH = 256
RECIPE_LEARNING_RATE = 1e-4
EVAL_SAMPLES = 4500


# --------------------------------------------------------------------------------------------------
# 1. Throughput: GAN.fit against a hand-written tf.function loop
# --------------------------------------------------------------------------------------------------


def hand_written_loop(config, images, in_graph: bool):
    """The same two updates as GAN.train_step, as a plain tf.function over the same networks.

    ``in_graph``: the loop over the batches runs inside a ``tf.function`` too (no Python between
    steps); otherwise Python calls the compiled step once per batch.
    """
    reference = build_gan(
        config
    )  # only for its networks and optimisers: the same builders, same seed
    generator, discriminator = reference.generator, reference.discriminator
    d_optimizer, g_optimizer = reference.d_optimizer, reference.g_optimizer
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    seed = keras.random.SeedGenerator(config.seed)

    @tf.function(jit_compile=config.jit_compile)
    def step(real):
        n = tf.shape(real)[0]
        fake = generator(keras.random.normal((n, config.latent_dim), seed=seed), training=True)
        with tf.GradientTape() as tape:
            real_logits = discriminator(real, training=True)
            fake_logits = discriminator(fake, training=True)
            d_loss = bce(tf.ones_like(real_logits), real_logits) + bce(
                tf.zeros_like(fake_logits), fake_logits
            )
        d_optimizer.apply_gradients(
            zip(
                tape.gradient(d_loss, discriminator.trainable_variables),
                discriminator.trainable_variables,
            )
        )
        with tf.GradientTape() as tape:
            logits = discriminator(
                generator(keras.random.normal((n, config.latent_dim), seed=seed), training=True),
                training=True,
            )
            g_loss = bce(tf.ones_like(logits), logits)
        g_optimizer.apply_gradients(
            zip(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
        )
        return d_loss, g_loss

    dataset = make_dataset(images, config.batch_size, seed=config.seed)

    @tf.function
    def run_epoch_in_graph():
        d_loss = g_loss = tf.constant(0.0)
        for real in dataset:  # AutoGraph turns this into a graph loop: no Python between steps
            d_loss, g_loss = step(real)
        return d_loss, g_loss

    def run_epoch():
        if in_graph:
            d_loss, g_loss = run_epoch_in_graph()
        else:
            for real in dataset:
                d_loss, g_loss = step(real)
        return float(d_loss), float(g_loss)

    return run_epoch


def keras_fit(config, images):
    gan = build_gan(config)
    dataset = make_dataset(images, config.batch_size, seed=config.seed)

    def run_epoch():
        logs = gan.fit(dataset, epochs=1, verbose=0).history
        return logs["d_loss"][-1], logs["g_loss"][-1]

    return run_epoch


def measure_throughput(config, images, rounds: int, epochs_per_round: int) -> dict[str, float]:
    """Images per second of each runner, measured in alternating rounds after one warm-up epoch
    each."""
    runners = {
        "GAN.fit": keras_fit(config, images),
        "tf.function step, Python loop": hand_written_loop(config, images, in_graph=False),
        "tf.function step, graph loop": hand_written_loop(config, images, in_graph=True),
    }
    for run_epoch in runners.values():
        run_epoch()  # tracing and XLA compilation
    seconds = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run_epoch in runners.items():
            start = time.perf_counter()
            for _ in range(epochs_per_round):
                run_epoch()
            seconds[name].append(time.perf_counter() - start)
    per_round = len(images) * epochs_per_round
    return {name: per_round / float(np.median(seconds[name])) for name in runners}


# --------------------------------------------------------------------------------------------------
# 2. Time to quality against the TensorFlow DCGAN tutorial's recipe
# --------------------------------------------------------------------------------------------------


def tutorial_generator(latent_dim: int = 100) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(
                1, 5, strides=2, padding="same", use_bias=False, activation="tanh"
            ),
        ],
        name="tutorial_generator",
    )


def tutorial_discriminator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="tutorial_discriminator",
    )


class QualityClock(keras.callbacks.Callback):
    """Training wall time per epoch, FD-digits after chosen epochs (measuring time excluded); stops
    at a target."""

    def __init__(self, measure, every: int = 1, target: float | None = None):
        super().__init__()
        self.measure, self.every, self.target = measure, every, target
        self.trained_seconds = 0.0
        self.trace: list[tuple[int, float, float]] = []  # (epochs, training seconds, FD)
        self.reached: tuple[int, float, float] | None = None

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.trained_seconds += time.perf_counter() - self.start
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.params["epochs"]:
            fd = self.measure(self.model.generator)
            self.trace.append((epoch + 1, self.trained_seconds, fd))
            print(
                f"    epoch {epoch + 1:3d}  training time {self.trained_seconds:7.1f} s  "
                f"FD-digits {fd:7.2f}",
                flush=True,
            )
            if self.target is not None and fd <= self.target and self.reached is None:
                self.reached = self.trace[-1]
                self.model.stop_training = True
        self.start = time.perf_counter()


def make_quality_measure(classifier, images):
    reference = classifier_features(classifier, images)

    def measure(generator) -> float:
        latent_dim = int(generator.inputs[0].shape[-1])
        z = (
            np.random.default_rng(2024)
            .standard_normal((EVAL_SAMPLES, latent_dim))
            .astype("float32")
        )
        generated = generator.predict(z, batch_size=500, verbose=0)
        return frechet_distance(classifier_features(classifier, generated), reference)

    return measure


def train_recipe(images, epochs: int, measure, seed: int = 0) -> QualityClock:
    seed_everything(seed)
    gan = GAN(tutorial_generator(), tutorial_discriminator(), latent_dim=100, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(RECIPE_LEARNING_RATE),
        g_optimizer=keras.optimizers.Adam(RECIPE_LEARNING_RATE),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        jit_compile=False,
    )
    clock = QualityClock(measure, every=max(epochs // 5, 1))
    gan.fit(
        make_dataset(images, RECIPE_BATCH, seed=seed), epochs=epochs, callbacks=[clock], verbose=0
    )
    return clock


def train_chapter(config, images, measure, target: float) -> QualityClock:
    gan = build_gan(config)
    clock = QualityClock(measure, every=1, target=target)
    gan.fit(
        make_dataset(images, config.batch_size, seed=config.seed),
        epochs=config.epochs,
        callbacks=[clock],
        verbose=0,
    )
    return clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke test of the script with tiny runs"
    )
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()

    config = chapter5_config(epochs=2 if args.quick else chapter5_config().epochs)
    images = load_images(config.dataset, "train").images
    print(
        f"Data: {len(images):,} training images. CPU cores visible: {os.cpu_count()}; "
        f"load average at start: {os.getloadavg()[0]:.1f}"
    )
    print(f"Chapter 5 configuration: {config}")

    if not args.skip_throughput:
        print("\n1. Throughput (images per second, median of alternating rounds)")
        speeds = measure_throughput(
            config, images, rounds=1 if args.quick else 8, epochs_per_round=1
        )
        for name, speed in speeds.items():
            print(f"    {name:30s} {speed:8.0f} images/s")
        best_loop = max(speed for name, speed in speeds.items() if name != "GAN.fit")
        print(
            f"    RATIO fit / fastest hand-written loop = {speeds['GAN.fit'] / best_loop:.3f}   "
            "(goal >= 0.95)"
        )

    if not args.skip_quality:
        print("\n2. Time to quality (FD-digits between 4,500 generated and the training images)")
        measure = make_quality_measure(load_or_train_digit_classifier(), images)
        recipe_epochs = 2 if args.quick else RECIPE_EPOCHS
        print(
            f"  TensorFlow DCGAN tutorial recipe, {recipe_epochs} epochs, batch {RECIPE_BATCH}, "
            f"Adam {RECIPE_LEARNING_RATE}:"
        )
        recipe = train_recipe(images, recipe_epochs, measure)
        recipe_epochs_done, recipe_seconds, target = recipe.trace[-1]
        print(f"  Chapter 5 configuration, until FD-digits <= {target:.2f}:")
        chapter = train_chapter(config, images, measure, target)
        if chapter.reached is None:
            print(
                f"    not reached in {config.epochs} epochs ({chapter.trained_seconds:.1f} s); "
                f"best FD-digits {min(fd for _, _, fd in chapter.trace):.2f}"
            )
        else:
            epochs, seconds, fd = chapter.reached
            print(
                f"    recipe:  {recipe_seconds:7.1f} s for {recipe_epochs_done} epochs -> "
                f"FD-digits {target:.2f}"
            )
            print(f"    chapter: {seconds:7.1f} s for {epochs} epochs -> FD-digits {fd:.2f}")
            print(
                f"    RATIO chapter / recipe time = {seconds / recipe_seconds:.3f}   (goal <= 0.1)"
            )
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
