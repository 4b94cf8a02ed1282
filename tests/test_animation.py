"""Tests of ganbook.animation: animations render to self-contained HTML with a frame cap."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ganbook.animation import animate, frame_indices


def test_frame_indices_cap_and_keep_the_ends():
    np.testing.assert_array_equal(frame_indices(5, 10), np.arange(5))
    picked = frame_indices(1000, 40)
    assert len(picked) == 40 and picked[0] == 0 and picked[-1] == 999
    assert np.all(np.diff(picked) > 0)
    np.testing.assert_array_equal(frame_indices(7, 1), [6])


def test_animate_images_gives_a_javascript_player_with_capped_frames():
    images = [np.full((8, 8), i / 29) for i in range(30)]
    html = animate(images, max_frames=5, titles=[f"epoch {i}" for i in range(30)]).data
    assert "<script" in html and "anim" in html
    assert html.count("data:image/png;base64") == 5
    assert plt.get_fignums() == []


def test_player_needs_no_network():
    """The book is read offline: no CDN stylesheet, no icon font."""
    html = animate([np.zeros((4, 4)), np.ones((4, 4))]).data
    assert "http://" not in html and "https://" not in html
    assert 'class="fa' not in html
    assert "&#9654;" in html


def test_animate_draw_function_calls_the_chosen_frames():
    fig, ax = plt.subplots(figsize=(2, 2))
    seen = []

    def draw(i):
        seen.append(i)
        ax.clear()
        ax.plot([0, i], [0, 1])

    html = animate(draw, 100, fig=fig, max_frames=4).data
    assert sorted(set(seen)) == [0, 33, 66, 99]
    assert html.count("data:image/png;base64") == 4


def test_animate_accepts_rgb_and_channel_last_grey():
    animate([np.zeros((4, 4, 3)), np.ones((4, 4, 3))])
    animate(np.zeros((3, 5, 5, 1)))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([],), {}, "at least one frame"),
        (("abc",), {}, "frames_or_draw_fn"),
        (([np.zeros((2, 2)), np.zeros((3, 3))],), {}, "same shape"),
        (([np.zeros((2, 2, 2))],), {}, "frames_or_draw_fn must hold"),
        (([np.zeros((2, 2))],), {"titles": ["a", "b"]}, "titles"),
        (([np.zeros((2, 2))], 3), {}, "n_frames"),
        ((lambda i: None,), {}, "n_frames"),
        ((lambda i: None, 3), {}, "fig"),
        (([np.zeros((2, 2))],), {"max_frames": 0}, "max_frames"),
        (([np.zeros((2, 2))],), {"interval_ms": 0}, "interval_ms"),
    ],
)
def test_bad_input_raises(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        animate(*args, **kwargs)
    plt.close("all")


def test_frame_indices_bad_input():
    with pytest.raises(ValueError, match="n_frames"):
        frame_indices(0)
    with pytest.raises(ValueError, match="max_frames"):
        frame_indices(5, True)


def test_numpy_integers_are_accepted():
    np.testing.assert_array_equal(frame_indices(np.int64(7), np.int32(1)), [6])
    html = animate(
        [np.zeros((4, 4))], max_frames=np.int64(2), interval_ms=np.int16(50), dpi=np.int64(40)
    )
    assert html.data.count("data:image/png;base64") == 1


@pytest.mark.parametrize(
    "kwargs", [{"interval_ms": True}, {"dpi": 72.0}, {"max_frames": np.bool_(True)}]
)
def test_bools_and_floats_are_not_counts(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        animate([np.zeros((4, 4))], **kwargs)
    plt.close("all")
