"""Animations that play in the static HTML book, not only in a live kernel.

Introduced in chapter 4 (A first GAN from scratch) and reused by chapter 5 for the DCGAN sample
grid. Matplotlib's ``FuncAnimation`` is rendered with ``to_jshtml()``: every frame becomes an
embedded PNG with a small JavaScript player, so the page needs no kernel and no video codec.
The number of frames is capped (frames are picked evenly, always keeping the first and the last)
so that the HTML stays small. Matplotlib's player loads its button icons (Font Awesome) from a CDN;
the book must work offline, so that link is removed and the icons are replaced by plain characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import Colormap
from matplotlib.figure import Figure

from ganbook import checks

if TYPE_CHECKING:  # IPython is imported when an animation is made, not when ganbook is
    from IPython.display import HTML

DEFAULT_MAX_FRAMES = 40

# Matplotlib's Font Awesome icons, as HTML character references that need no web font.
_ICONS = {
    "minus": "&minus;",
    "plus": "+",
    "fast-backward": "|&#9664;&#9664;",
    "step-backward": "|&#9664;",
    "play fa-flip-horizontal": "&#9664;",
    "pause": "&#10074;&#10074;",
    "play": "&#9654;",
    "step-forward": "&#9654;|",
    "fast-forward": "&#9654;&#9654;|",
}


def _offline_player(html: str) -> str:
    """Drop the CDN stylesheet of the jshtml player and replace its icon fonts by characters."""
    html = re.sub(r"<link[^>]*font-awesome[^>]*>\s*", "", html)

    def icon(match: re.Match) -> str:
        name = match.group(1)
        return _ICONS.get(name, name.replace("-", " "))

    return re.sub(r'<i class="fa fa-([a-z -]+?)"></i>', icon, html)


def frame_indices(n_frames: int, max_frames: int = DEFAULT_MAX_FRAMES) -> np.ndarray:
    """At most ``max_frames`` evenly spaced indices into ``range(n_frames)`` (chapter 4).

    The first and the last frame are always among them.
    """
    n_frames = checks.positive_int("n_frames", n_frames)
    max_frames = checks.positive_int("max_frames", max_frames)
    if n_frames <= max_frames:
        return np.arange(n_frames)
    if max_frames == 1:
        return np.array([n_frames - 1])
    return np.unique(np.round(np.linspace(0, n_frames - 1, max_frames)).astype(int))


def animate(
    frames_or_draw_fn: Sequence[np.ndarray] | Callable[[int], object],
    n_frames: int | None = None,
    *,
    fig: Figure | None = None,
    max_frames: int = DEFAULT_MAX_FRAMES,
    interval_ms: int = 200,
    titles: Sequence[str] | None = None,
    cmap: str | Colormap = "gray",
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    dpi: int = 72,
    loop: bool = True,
) -> HTML:
    """Turn a list of frames, or a draw function, into an animation for the HTML page (chapter 4).

    Two ways to call it:

    - ``animate(images)``: a sequence of 2-D (grey) or (H, W, 3) arrays, shown with ``imshow``
      between ``vmin`` and ``vmax``; ``titles`` (one per image) label the frames. Chapter 5 passes
      its per-epoch sample grids (``to_display(tile_images(...))``) this way.
    - ``animate(draw, n_frames, fig=fig)``: ``draw(i)`` redraws the Matplotlib figure ``fig`` for
      frame ``i`` of ``n_frames`` (clear and redraw the axes, or update artists).

    At most ``max_frames`` frames are rendered (evenly spaced, first and last kept). Returns an
    ``IPython.display.HTML`` object: the last expression of a notebook cell, it shows a player with
    play/pause and a slider. The figure is closed, so it is not also shown as a still image.
    """
    from IPython.display import HTML

    interval_ms = checks.positive_int("interval_ms", interval_ms)
    dpi = checks.positive_int("dpi", dpi)
    loop = checks.flag("loop", loop)
    max_frames = checks.positive_int("max_frames", max_frames)
    if n_frames is not None:
        n_frames = checks.positive_int("n_frames", n_frames)
    if fig is not None:
        checks.instance("fig", fig, Figure, "None or a Matplotlib Figure")
    if titles is not None:
        titles = checks.texts("titles", titles)
    if not isinstance(cmap, Colormap):
        checks.text("cmap", cmap)
    vmin, vmax = checks.optional_number("vmin", vmin), checks.optional_number("vmax", vmax)
    if callable(frames_or_draw_fn):
        indices = frame_indices(n_frames, max_frames)
        checks.instance("fig", fig, Figure, "the Matplotlib Figure that the draw function draws on")
        if titles is not None:
            raise ValueError("titles must be None with a draw function (it sets its own titles)")
        draw = frames_or_draw_fn
    else:
        images = _check_images(frames_or_draw_fn)
        if n_frames is not None and n_frames != len(images):
            raise ValueError(
                f"n_frames must be None or the number of frames ({len(images)}); got {n_frames!r}"
            )
        if titles is not None and len(titles) != len(images):
            raise ValueError(
                f"titles must have one entry per frame ({len(images)}); got {len(titles)}"
            )
        indices = frame_indices(len(images), max_frames)
        fig, draw = _image_player(images, fig, titles, cmap, vmin, vmax)

    def update(i: int):
        draw(int(i))
        return []

    previous_dpi = fig.dpi
    fig.set_dpi(dpi)
    try:
        player = animation.FuncAnimation(
            fig,
            update,
            frames=list(indices),
            init_func=lambda: [],
            interval=interval_ms,
            blit=False,
            repeat=loop,
        )
        html = player.to_jshtml(default_mode="loop" if loop else "once")
    finally:
        fig.set_dpi(previous_dpi)
        plt.close(fig)
    return HTML(_offline_player(html))


def _check_images(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
    description = "a list of image arrays or a draw function"
    checks.instance("frames_or_draw_fn", frames, (list, tuple, np.ndarray), description)
    images = [
        checks.array(f"frames_or_draw_fn[{i}]", frame, min_length=1)
        for i, frame in enumerate(frames)
    ]
    if not images:
        raise ValueError("frames_or_draw_fn must hold at least one frame")
    shape = images[0].shape
    if not (len(shape) == 2 or (len(shape) == 3 and shape[-1] in (1, 3, 4))):
        raise ValueError(
            "frames_or_draw_fn must hold (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) arrays; "
            f"got shape {shape}"
        )
    if any(image.shape != shape for image in images):
        raise ValueError("frames_or_draw_fn must hold frames of the same shape")
    return [image[..., 0] if image.shape[2:] == (1,) else image for image in images]  # (H, W, 1)


def _image_player(images, fig, titles, cmap, vmin, vmax):
    if fig is None:
        height, width = images[0].shape[:2]
        scale = 4.0 / max(height, width)
        title_room = 0.4 if titles else 0.0
        fig = plt.figure(figsize=(max(width * scale, 2.0), max(height * scale, 2.0) + title_room))
    ax = fig.add_subplot(1, 1, 1) if not fig.axes else fig.axes[0]
    artist = ax.imshow(images[0], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    title = ax.set_title(titles[0] if titles else "")

    def draw(i: int) -> None:
        artist.set_data(images[i])
        if titles:
            title.set_text(titles[i])

    return fig, draw
