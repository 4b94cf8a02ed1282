"""Unit tests of ganbook.plotting."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganbook import image_grid, plot_densities, tile_images, to_display


def test_to_display_maps_and_clips():
    images = np.array([-1.0, 0.0, 1.0, 1.0005, -1.0005])  # rounding beyond [-1, 1] is clipped
    np.testing.assert_allclose(to_display(images), [0, 0.5, 1, 1, 0])


@pytest.mark.parametrize("values", [[0.0, 255.0], [-3.0, 0.0], [1.5]])
def test_to_display_rejects_images_outside_unit_range(values):
    with pytest.raises(ValueError, match=r"^images must be scaled to \[-1, 1\]"):
        to_display(np.array(values))


def test_to_display_rejects_empty():
    with pytest.raises(ValueError, match="images"):
        to_display(np.array([]))


def test_tile_images_layout():
    images = np.stack([np.full((2, 3, 1), value, np.float32) for value in (0.1, 0.2, 0.3)])
    mosaic = tile_images(images, ncols=2, pad=1)
    assert mosaic.shape == (2 * 2 + 1, 2 * 3 + 1)
    assert mosaic[0, 0] == pytest.approx(0.1) and mosaic[0, 4] == pytest.approx(0.2)
    assert mosaic[3, 0] == pytest.approx(0.3)
    assert mosaic[3, 4] == -1.0  # empty cell of the last row
    assert mosaic[0, 3] == -1.0  # padding column


@pytest.mark.parametrize(
    "images, kwargs, name",
    [
        (np.zeros((0, 4, 4)), {}, "images"),
        (np.zeros((4, 4)), {}, "images"),
        (np.zeros((2, 4, 4)), {"ncols": 0}, "ncols"),
        (np.zeros((2, 4, 4)), {"pad": -1}, "pad"),
    ],
)
def test_tile_images_rejects_bad_input(images, kwargs, name):
    with pytest.raises(ValueError, match=name):
        tile_images(images, **kwargs)


def test_image_grid_draws_one_image_with_row_labels():
    ax = image_grid(np.zeros((6, 28, 28, 1)), ncols=3, row_labels=["a", "b"], xlabel="samples")
    assert len(ax.images) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "samples"
    plt.close("all")


def test_image_grid_rejects_wrong_row_labels():
    with pytest.raises(ValueError, match="row_labels"):
        image_grid(np.zeros((6, 28, 28)), ncols=3, row_labels=["only one"])


def test_plot_densities_labels_and_curves():
    x = np.linspace(-1, 1, 5)
    ax = plot_densities(x, {"p": x**2, "q": 1 - x**2}, xlabel="x", ylabel="density")
    assert [line.get_label() for line in ax.lines] == ["p", "q"]
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "density"
    plt.close("all")


@pytest.mark.parametrize(
    "x, curves, name",
    [
        (np.zeros(1), {"p": np.zeros(1)}, "x"),
        (np.zeros(3), {}, "curves"),
        (np.zeros(3), {"p": np.zeros(4)}, "curves"),
    ],
)
def test_plot_densities_rejects_bad_input(x, curves, name):
    with pytest.raises(ValueError, match=name):
        plot_densities(x, curves)


def test_tile_images_accepts_numpy_integers():
    mosaic = tile_images(np.zeros((3, 2, 2)), ncols=np.int64(3), pad=np.int8(0))
    assert mosaic.shape == (2, 6)


@pytest.mark.parametrize(
    "images, kwargs, name",
    [
        (np.zeros((2, 4, 4, 3)), {}, "images"),
        (np.zeros((2, 4, 4), dtype=bool), {}, "images"),
        ("not images", {}, "images"),
        (np.zeros((2, 4, 4)), {"ncols": True}, "ncols"),
        (np.zeros((2, 4, 4)), {"ncols": 2.0}, "ncols"),
        (np.zeros((2, 4, 4)), {"pad": False}, "pad"),
    ],
)
def test_tile_images_rejects_other_types(images, kwargs, name):
    with pytest.raises(ValueError, match=name):
        tile_images(images, **kwargs)


def test_plot_densities_checks_every_curve_before_drawing():
    with pytest.raises(ValueError, match="curves"):
        plot_densities(np.zeros(3), {"p": np.zeros(3), "q": np.zeros(4)})
    assert plt.get_fignums() == []
