"""The fast paths behind every widget give the pixels the plain ones give.

``figure_to_png`` keeps a canvas whose renderer reuses the glyphs of texts it drew before; ``freeze_ticks`` and
``freeze_axis_labels`` pin what matplotlib would compute anyway; ``update_ap_per_threshold`` changes the artists
that ``draw_ap_per_threshold`` drew. Each is compared with a fresh figure drawn the plain way.
"""

import io

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from utils.metrics.coco import IOU_THRESHOLDS
from utils.plotting import STYLE
from utils.plotting.metrics import draw_ap_per_threshold, update_ap_per_threshold
from utils.widgets.explorer import figure_to_png, freeze_axis_labels, freeze_ticks, new_figure


def plain_pixels(fig):
    with mpl.rc_context(STYLE):
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def png_pixels(png):
    return (mpl.image.imread(io.BytesIO(png)) * 255).round().astype(np.uint8)


def _figure(title, log=False):
    fig, axes = new_figure(figsize=(3.0, 2.4))
    ax = axes[0, 0]
    x = np.linspace(1, 100, 50)
    ax.plot(x, x**2, label="$x^2$")
    ax.set(xlabel="x", ylabel="y", title=title, xscale="log" if log else "linear", yscale="log" if log else "linear")
    ax.legend()
    return fig, ax


def test_cached_glyphs_give_the_plain_pixels_on_every_redraw():
    fig, ax = _figure("first", log=True)
    figure_to_png(fig)
    fig.set_layout_engine("none")
    for title in ("second", "first", "x = 3.25"):  # new texts, texts seen before, new again
        ax.set_title(title)
        np.testing.assert_array_equal(png_pixels(figure_to_png(fig))[..., :3], plain_pixels(fig)[..., :3])


def test_frozen_ticks_and_labels_change_no_pixel():
    for log in (False, True):
        fig, ax = _figure("t", log=log)
        figure_to_png(fig)
        fig.set_layout_engine("none")
        before = plain_pixels(fig)
        freeze_ticks(ax)
        freeze_axis_labels(ax)
        np.testing.assert_array_equal(plain_pixels(fig), before)
        assert isinstance(ax.xaxis.get_major_locator(), mpl.ticker.FixedLocator)


def test_update_ap_per_threshold_matches_a_fresh_drawing():
    rng = np.random.default_rng(0)
    first, second = rng.uniform(0, 1, 10), rng.uniform(0, 1, 10)
    fig_a, axes_a = new_figure(figsize=(3.0, 2.4))
    fig_b, axes_b = new_figure(figsize=(3.0, 2.4))
    for fig in (fig_a, fig_b):
        fig.set_layout_engine("none")
    draw_ap_per_threshold(axes_a[0, 0], IOU_THRESHOLDS, first, current=0.5, title="a")
    update_ap_per_threshold(axes_a[0, 0], second, current=0.75, title="b")
    draw_ap_per_threshold(axes_b[0, 0], IOU_THRESHOLDS, second, current=0.75, title="b")
    np.testing.assert_array_equal(plain_pixels(fig_a), plain_pixels(fig_b))
