"""Widgets for the GAN notebooks: step through snapshots saved during training (no training in the widget).

``gan_1d_explorer`` (``notebooks/18_gan_minmax.ipynb``) and ``gan_zoo_explorer`` (``notebooks/19_classic_gans.ipynb``).
"""

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from utils import gan
from utils.plotting import STYLE
from utils.plotting.gan import draw_gan_1d, draw_gan_2d
from utils.widgets.explorer import Explorer, freeze_axis_labels, freeze_ticks, int_slider, new_figure


def gan_1d_explorer(run, x, p_data, index=None):
    """A slider over the snapshots of a 1-D ``train_gan`` run: ``p_data``, ``p_g`` and ``D(x)`` at that step.

    Args:
        run: the dict returned by :func:`utils.gan.train_gan` (trained with ``grid=x``).
        x: ``(M,)`` uniform grid; ``p_data``: ``(M,)`` the data density on it.

    ``values``: ``step``, ``JSD(p_data, p_g)`` (``p_g`` from a kernel density estimate of the samples, in nats)
    and ``mean D(G(z))``.
    """
    snapshots = run["snapshots"]
    dx = float(x[1] - x[0])
    controls = {"index": int_slider(len(snapshots) - 1 if index is None else index, 0, len(snapshots) - 1, 1, "snapshot")}
    # the kernel density estimates are the slow part: compute them once, so that moving the slider is instant
    jsd = [gan.js_divergence(p_data, gan.kde_1d(s["fake"][:, 0], x, bandwidth=0.1), dx) for s in snapshots]
    fig, axes = new_figure(figsize=(6.0, 3.4))
    ax = axes[0, 0]
    # Draw once (p_data, the histogram's bars, D(x), the legend, the axes); a move of the slider then only sets the
    # bars' heights, D's values and the title, far cheaper than clearing the axes and drawing it all again.
    # (axes.titley = 1.0 pins the title where it goes anyway: skips a search for labels above the axes per redraw.)
    bins = 80
    with mpl.rc_context({**STYLE, "axes.titley": 1.0}):
        draw_gan_1d(ax, x, p_data, snapshots[0]["fake"], snapshots[0]["D"], bins=bins, title=" ")
        d_line = ax.lines[1]
        bars = list(ax.patches)
        ax.set_autoscale_on(False)

    def draw(index):
        s = snapshots[index]
        fake = np.asarray(s["fake"], dtype=float).ravel()
        heights, _ = np.histogram(fake, bins=bins, range=(x[0], x[-1]), density=True)  # what ax.hist draws
        for bar, height in zip(bars, heights):
            bar.set_height(height)
        d_line.set_ydata(s["D"])
        ax.title.set_text(f"step {s['step']}")
        return {"step": s["step"], "JSD(p_data, p_g)": jsd[index],
                "mean D(G(z))": float(np.interp(s["fake"][:, 0], x, s["D"]).mean())}

    explorer = Explorer(controls, fig, draw, title="a 1-D GAN during training")
    freeze_ticks(ax)  # fixed limits
    freeze_axis_labels(ax)
    return explorer


def gan_zoo_explorer(runs, centres, sigma, grid, real=None, loss=None, index=None):
    """Pick a loss and a training step: the generated samples over the discriminator surface at that step.

    Args:
        runs: ``{loss name: train_gan result}``, all with the same snapshot steps and ``grid``.
        centres: ``(K, 2)`` mode centres; sigma: the modes' standard deviation (for :func:`utils.gan.mode_coverage`).
        grid: ``(G*G, 2)`` the square grid the runs evaluated D on. real: ``(R, 2)`` real points to show, or ``None``.

    ``values``: ``loss``, ``step``, ``modes covered`` and ``high-quality share``.
    """
    names = list(runs)
    n = len(runs[names[0]]["snapshots"])
    controls = {
        "loss": widgets.Dropdown(options=names, value=loss or names[0], description="loss",
                                 style={"description_width": "120px"}, layout=widgets.Layout(width="300px")),
        "index": int_slider(n - 1 if index is None else index, 0, n - 1, 1, "snapshot"),
    }
    fig, axes = new_figure(figsize=(4.2, 4.2))
    ax = axes[0, 0]
    # Draw once: the real points, the generated points and the mode centres over a first D surface, and the axes.
    # A move then replaces only the filled contours (one set per snapshot, kept hidden when not shown, so going
    # back to a snapshot costs nothing) and moves the generated points.
    # (axes.titley = 1.0 pins the title where it goes anyway: skips a search for labels above the axes per redraw.)
    first = runs[names[0]]["snapshots"][0]
    with mpl.rc_context({**STYLE, "axes.titley": 1.0}):
        draw_gan_2d(ax, first["fake"], centres, grid, first["D"], real=real, title=" ")
        first_contours = ax.collections[0]
        fake_points = ax.collections[2 if real is not None else 1]
    first_contours.remove()
    contours = {}

    def d_surface(loss, index):
        if (loss, index) not in contours:
            s = runs[loss]["snapshots"][index]
            g = int(round(np.sqrt(len(s["D"]))))
            xy = np.asarray(grid).reshape(g, g, 2)
            with mpl.rc_context(STYLE):  # as draw_gan_2d draws them; zorder below the points, which were drawn first
                contours[loss, index] = ax.contourf(xy[..., 0], xy[..., 1], np.asarray(s["D"]).reshape(g, g), levels=15,
                                                    cmap="Blues", alpha=0.8, zorder=first_contours.get_zorder() - 0.01)
        return contours[loss, index]

    def draw(loss, index):
        s = runs[loss]["snapshots"][index]
        m = gan.mode_coverage(s["fake"], centres, sigma)
        for c in contours.values():
            c.set_visible(False)
        d_surface(loss, index).set_visible(True)
        fake_points.set_offsets(np.asarray(s["fake"]))
        ax.title.set_text(f"{loss}, step {s['step']}: {m['modes']} modes")
        return {"loss": loss, "step": s["step"], "modes covered": m["modes"], "high-quality share": m["high_quality"]}

    return Explorer(controls, fig, draw, title="GAN losses on a ring of 8 Gaussians")
