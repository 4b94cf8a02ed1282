"""Plotting basics shared by the chapters: image grids and density curves.

Introduced in chapter 1. Functions draw on a Matplotlib ``Axes`` (a new figure when none is given)
and return it, so a chapter can add to the plot; captions come from the notebook cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ganbook import checks


def to_display(images: np.ndarray) -> np.ndarray:
    """Map images from the model's range [-1, 1] to [0, 1] for display, clipped (chapter 1)."""
    images = checks.images("images", images)
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0)


def tile_images(images: np.ndarray, ncols: int = 8, pad: int = 1) -> np.ndarray:
    """Arrange N images of shape (H, W) or (H, W, 1) into one (rows*H, ncols*W) mosaic (chapter 1).

    Empty cells of the last row and the padding between images are left at -1 (black).
    """
    images = checks.images("images", images, ndim=(3, 4))
    if images.ndim == 4:
        images = checks.array("images", images, shape=(None, None, None, 1))[..., 0]
    ncols = checks.positive_int("ncols", ncols)
    pad = checks.non_negative_int("pad", pad)
    count, height, width = images.shape
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    mosaic = np.full((nrows * (height + pad) - pad, ncols * (width + pad) - pad), -1.0, np.float32)
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        top, left = row * (height + pad), col * (width + pad)
        mosaic[top : top + height, left : left + width] = image
    return mosaic


def image_grid(
    images: np.ndarray,
    ncols: int = 8,
    ax: Axes | None = None,
    title: str | None = None,
    row_labels: Sequence[str] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Show images in [-1, 1] as one grid, ``ncols`` per row (chapter 1).

    ``row_labels`` names each row on the y axis (chapter 6 uses it for the requested digit).
    """
    mosaic = tile_images(images, ncols=ncols)
    nrows = -(-len(images) // min(ncols, len(images)))
    _check_axes(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    if row_labels is not None and len(checks.texts("row_labels", row_labels)) != nrows:
        raise ValueError(f"row_labels must have one label per row ({nrows}); got {len(row_labels)}")
    if ax is None:
        width = min(ncols, len(images))
        _, ax = plt.subplots(figsize=(0.55 * width + 0.8, 0.55 * nrows + 0.6))
    ax.imshow(to_display(mosaic), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    if row_labels is None:
        ax.set_yticks([])
    else:
        row_height = mosaic.shape[0] / nrows
        ax.set_yticks((np.arange(nrows) + 0.5) * row_height, labels=list(row_labels))
        ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    return ax


def _check_axes(ax: Axes | None, **labels: str | None) -> None:
    """``ax`` is None or a Matplotlib Axes; each label None or a string."""
    if ax is not None:
        checks.instance("ax", ax, Axes, "None or a Matplotlib Axes")
    for name, label in labels.items():
        checks.optional_text(name, label)


def plot_densities(
    x: np.ndarray,
    curves: Mapping[str, np.ndarray],
    ax: Axes | None = None,
    xlabel: str = "x",
    ylabel: str = "density",
    title: str | None = None,
    fill: bool = True,
) -> Axes:
    """Plot named curves (densities, discriminator outputs) over the grid ``x`` (chapter 2).

    Each curve must have the same length as ``x``; ``fill`` shades under each curve.
    """
    x = checks.array("x", x, ndim=1, min_length=2, dtype=float)
    _check_axes(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    fill = checks.flag("fill", fill)
    checks.instance("curves", curves, Mapping, "a dict of label: values")
    if not curves:
        raise ValueError("curves must name at least one curve")
    curves = {
        label: checks.array(f"curves[{label!r}]", values, shape=x.shape, finite=False, dtype=float)
        for label, values in curves.items()
    }
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in curves.items():
        (line,) = ax.plot(x, values, label=label)
        if fill:
            ax.fill_between(x, values, alpha=0.15, color=line.get_color())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return ax
