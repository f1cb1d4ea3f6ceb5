"""Widgets for ``notebooks/14_fpn.ipynb`` (box size -> FPN level) and ``15_spp.ipynb`` (input size and bins ->
SPP output length)."""

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.collections
import numpy as np

from utils.blocks.fpn import fpn_level
from utils.blocks.spp import spp_bins, spp_output_length  # spp_bins: notebook 15 imports it from here too
from utils.plotting import COLORS, CYCLE, STYLE
from utils.plotting.multiscale import STRIDES, draw_pyramid
from utils.widgets.explorer import Explorer, clear_artists, int_slider, new_figure


def fpn_level_explorer(w=64, h=64, image_size=800):
    """Sliders for a region's width and height (input pixels) -> its FPN level (equation 1), drawn on the pyramid.

    ``values``: ``sqrt(wh)``, the ``level`` k, the level's ``stride`` and the region's size in cells of that level
    (``cells across`` = ``sqrt(wh) / stride``: 14 to 28 for every region not clamped at P2 or P5).
    """
    controls = {"w": int_slider(w, 1, image_size, 1, "box width (px)"),
                "h": int_slider(h, 1, image_size, 1, "box height (px)")}
    fig, axes = new_figure(figsize=(6.0, 4.2))
    ax = axes[0, 0]
    # Draw the pyramid once; a move of a slider only restyles the planes and their labels and moves the box.
    with mpl.rc_context(STYLE):
        draw_pyramid(ax, image_size)
        planes, labels = list(ax.patches), list(ax.texts)  # P2 .. P5
        box_patch = ax.add_patch(mpl.patches.Rectangle((0, 0), 1, 1, fill=False, edgecolor=COLORS["gt"], linewidth=2))

    def draw(w, h):
        k = int(fpn_level(w, h))
        stride = STRIDES[k]
        for level, plane, label in zip(STRIDES, planes, labels):
            active = level == k
            color = COLORS["pred"] if active else COLORS["kept"]
            plane.set_facecolor(mpl.colors.to_rgba(color, 0.18 if active else 0.06))
            plane.set_edgecolor(color)
            plane.set_linewidth(2.5 if active else 1.0)
            label.set_color(color)
            label.set_fontweight("bold" if active else "normal")
        # the box, in that level's cells, at the centre of its plane (as draw_pyramid draws it)
        plane = planes[list(STRIDES).index(k)]
        (x0, y0), side = plane.get_xy(), plane.get_width()
        cx, cy = x0 + side / 2, y0 + image_size / 5.2
        scale = side / image_size  # plane units per input pixel
        bw, bh = max(w * scale, 1e-3), max(h * scale, 1e-3)
        box_patch.set_bounds(cx - bw / 2, cy - bh / 2, bw, bh)
        ax.set_title(f"{w}x{h} box -> P{k} (k = floor(4 + log2(sqrt(wh)/224)))", fontsize=10)
        return {"sqrt(wh)": float(np.sqrt(w * h)), "level": k, "stride": stride,
                "cells across": float(np.sqrt(w * h) / stride)}

    return Explorer(controls, fig, draw, title="Which pyramid level pools this region?")


def spp_explorer(height=13, width=9, channels=256, levels=(1, 2, 4)):
    """Sliders for the feature-map size and the channels, check boxes for the pyramid levels -> the bins of each
    level drawn on the map, and the SPPNet output length (the same for every size)."""
    controls = {
        "height": int_slider(height, 1, 40, 1, "map height H"),
        "width": int_slider(width, 1, 40, 1, "map width W"),
        "channels": int_slider(channels, 1, 512, 1, "channels C"),
        "levels": widgets.SelectMultiple(options=[1, 2, 3, 4, 6], value=tuple(levels), description="bins n x n",
                                         style={"description_width": "120px"}, layout=widgets.Layout(width="300px")),
    }
    fig, axes = new_figure(1, 3, figsize=(8.0, 3.0))
    # Set the three panels up once: no ticks, y pointing down, square cells. Each update draws the cell grid as one
    # line collection and the bins as one patch collection (far cheaper than a tick or a patch per line or bin).
    with mpl.rc_context(STYLE):
        grid_style = dict(colors=mpl.rcParams["grid.color"], linewidths=mpl.rcParams["grid.linewidth"],
                          alpha=mpl.rcParams["grid.alpha"], zorder=1.5)  # what the axes grid would draw
        for ax in axes[0]:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            ax.set_autoscale_on(False)

    def draw(height, width, channels, levels):
        levels = tuple(sorted(levels)) or (1,)
        shown = levels[-3:]  # draw at most three levels
        for ax in axes[0]:
            clear_artists(ax)
            ax.set_axis_off()
            ax.set_title("")
        for ax, n, color in zip(axes[0], shown, CYCLE):
            ax.set_axis_on()
            ax.set_xlim(0, width)
            ax.set_ylim(height, 0)
            lines = [[(x, 0), (x, height)] for x in (range(width + 1) if width <= 20 else [])]
            lines += [[(0, y), (width, y)] for y in (range(height + 1) if height <= 20 else [])]
            ax.add_collection(mpl.collections.LineCollection(lines, **grid_style), autolim=False)
            bins = [mpl.patches.Rectangle((c0 + 0.08, r0 + 0.08), c1 - c0 - 0.16, r1 - r0 - 0.16)
                    for (r0, r1) in spp_bins(height, n) for (c0, c1) in spp_bins(width, n)]
            ax.add_collection(mpl.collections.PatchCollection(bins, facecolor=mpl.colors.to_rgba(color, 0.25),
                                                              edgecolor=color, linewidth=1.5), autolim=False)
            ax.set_title(f"{n}x{n} bins on {height}x{width}", fontsize=9)
        return {"bins": sum(n * n for n in levels), "output length": spp_output_length(channels, levels),
                "input values": channels * height * width}

    return Explorer(controls, fig, draw, title="SPPNet: any H x W -> C * sum(n^2) numbers")
