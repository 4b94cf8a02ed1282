"""Chapter 5's GAN on several devices: the per-replica loss scaling, checked on one CPU.

Introduced in chapter 5 ("Beyond one device"). Under ``tf.distribute.MirroredStrategy`` each replica
computes the losses on its share of the global batch, and the gradients of all replicas are summed.
For that sum to be the gradient of the global mean, Keras's losses (from Keras 3.8) return each
replica's mean divided by the number of replicas; the ``GAN``'s trackers multiply it back.
:func:`compare_replicas` checks the outcome: one update on two replicas of ``batch_size`` images
equals one update on a single replica of twice as many, within float tolerance.

TensorFlow fixes its devices when it starts, so the check runs in a fresh Python process that splits
the CPU into two logical devices before anything else touches TensorFlow. Two things are held equal
on purpose. The generator's noise is a fixed function of the real batch (the noise generator's
stream would otherwise be cut differently between one replica and two), and batch normalisation is
``synchronized=True`` (each replica would otherwise normalise with the statistics of its own half
batch, which is a different model: ``synchronized=False`` shows how much that changes).
"""

from __future__ import annotations

import json
import subprocess
import sys

from ganbook import checks

LOGICAL_DEVICES = 2


def compare_replicas(
    batch_size: int = 8, synchronized: bool = True, steps: int = 2, seed: int = 0
) -> dict:
    """One update on 2 replicas of ``batch_size`` against one on 1 replica of 2 x ``batch_size``.

    Introduced in chapter 5. Runs in a subprocess with the CPU split into two logical devices and
    returns ``replicas``, ``weight_gap`` (the largest difference of any weight after ``steps``
    updates with plain SGD, which, unlike Adam, passes a wrongly scaled gradient straight into the
    weights), ``weight_change`` (the largest change of a weight, for scale) and ``loss_gap`` (the
    largest difference of the logged losses). ``synchronized`` makes batch normalisation use the
    statistics of the global batch (``SyncBatchNormalization``).
    """
    arguments = {
        "batch_size": checks.positive_int("batch_size", batch_size),
        "synchronized": checks.flag("synchronized", synchronized),
        "steps": checks.positive_int("steps", steps),
        "seed": checks.seed("seed", seed),
    }
    command = [sys.executable, "-m", "ganbook.distributed", json.dumps(arguments)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the two-replica check failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _split_the_cpu() -> None:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    logical = [tf.config.LogicalDeviceConfiguration()] * LOGICAL_DEVICES
    tf.config.set_logical_device_configuration(cpu, logical)


def _run(batch_size: int, synchronized: bool, steps: int, seed: int) -> dict:
    """The check itself, in a process whose TensorFlow has not started yet."""
    _split_the_cpu()
    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers, ops

    from ganbook.gan import GAN, build_discriminator, build_generator

    class BatchNoiseGAN(GAN):
        def generate(self, real):
            # Noise that depends only on each image, so both set-ups see the same noise.
            pixels = ops.reshape(real, (ops.shape(real)[0], -1))
            return self.generator(2.0 * pixels[:, 300 : 300 + self.latent_dim], training=True)

    def build(strategy: tf.distribute.Strategy) -> GAN:
        with strategy.scope():
            keras.utils.set_random_seed(seed)
            generator = build_generator(8, 4)
            if synchronized:
                swapped = [
                    layers.BatchNormalization(synchronized=True)
                    if isinstance(layer, layers.BatchNormalization)
                    else layer
                    for layer in generator.layers
                ]
                generator = keras.Sequential([keras.Input((8,)), *swapped], name="generator")
            gan = BatchNoiseGAN(generator, build_discriminator(4), latent_dim=8, seed=seed)
            sgd = keras.optimizers.SGD
            loss = keras.losses.BinaryCrossentropy(from_logits=True)
            gan.compile(sgd(0.1), sgd(0.1), loss, jit_compile=False)
        return gan

    images = np.random.default_rng(seed).uniform(-1, 1, (2 * batch_size * steps, 28, 28, 1))
    data = tf.data.Dataset.from_tensor_slices(images.astype("float32")).batch(2 * batch_size)
    one = build(tf.distribute.OneDeviceStrategy("/cpu:0"))
    two = build(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
    two.set_weights(one.get_weights())
    start = [w.copy() for w in one.get_weights()]
    logs_one = one.fit(data, epochs=1, verbose=0, shuffle=False).history
    logs_two = two.fit(data, epochs=1, verbose=0, shuffle=False).history
    after_one, after_two = one.get_weights(), two.get_weights()
    return {
        "replicas": int(two.distribute_strategy.num_replicas_in_sync),
        "weight_gap": max(float(np.abs(a - b).max()) for a, b in zip(after_one, after_two)),
        "weight_change": max(float(np.abs(a - s).max()) for a, s in zip(after_one, start)),
        "loss_gap": max(abs(logs_one[k][0] - logs_two[k][0]) for k in ("d_loss", "g_loss")),
        "d_loss": logs_one["d_loss"][0],
    }


if __name__ == "__main__":
    print(json.dumps(_run(**json.loads(sys.argv[1]))))
