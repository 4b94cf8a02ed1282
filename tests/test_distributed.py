"""Chapter 5's GAN on two replicas (two logical CPU devices, in a subprocess) against one replica.

Under MirroredStrategy each replica's Keras loss is its share of the global mean (mean / replicas)
and the replicas' gradients are summed, so two replicas of B images must make the same update as one
replica of 2B, and the GAN's trackers must log the same losses. Batch normalisation is synchronised
across replicas for the equality; per-replica statistics make a (measurably) different model.
"""

from __future__ import annotations

import pytest

from ganbook.distributed import compare_replicas


@pytest.fixture(scope="module")
def synchronized():
    return compare_replicas(batch_size=8, synchronized=True)


def test_two_replicas_make_the_update_of_one_on_the_whole_batch(synchronized):
    assert synchronized["replicas"] == 2
    assert synchronized["weight_change"] > 1e-3  # the update is not trivially zero
    assert synchronized["weight_gap"] < 1e-6  # float round-off, far below the update itself


def test_the_trackers_log_the_global_mean_loss(synchronized):
    """Not half of it: the replicas' shares are multiplied back. Keras 3.15 logs exactly the
    single-replica loss; Keras 3.8 syncs the trackers across replicas differently (within 1 %)."""
    assert synchronized["loss_gap"] < 0.02 * synchronized["d_loss"]
    assert 0.5 < synchronized["d_loss"] < 3.0  # about 2 log 2 at the start


def test_per_replica_batch_normalisation_is_a_different_model():
    unsynchronized = compare_replicas(batch_size=8, synchronized=False)
    assert unsynchronized["weight_gap"] > 1e-4


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("batch_size", {"batch_size": 0}),
        ("synchronized", {"synchronized": 1}),
        ("steps", {"steps": -1}),
        ("seed", {"seed": "0"}),
    ],
)
def test_compare_replicas_checks_its_arguments(name, arguments):
    with pytest.raises(ValueError, match=f"^{name}"):
        compare_replicas(**arguments)
