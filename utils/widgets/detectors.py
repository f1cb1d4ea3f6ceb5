"""Widgets for ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts) and ``07_small_objects.ipynb``."""

import ipywidgets as widgets
import numpy as np

from utils import detectors
from utils.plotting import COLORS
from utils.plotting.detectors import draw_cells_covered
from utils.widgets.explorer import Explorer, clear_artists, freeze_axis_labels, int_slider, new_figure, pin_titles

STRIDE_SETS = {
    "8, 16, 32 (YOLOv3-v8)": (8, 16, 32),
    "8 ... 128 (RetinaNet P3-P7)": (8, 16, 32, 64, 128),
    "4 ... 64 (FPN P2-P6)": (4, 8, 16, 32, 64),
    "16 (Faster R-CNN RPN, C4)": (16,),
    "32 (YOLOv1/v2 single grid)": (32,),
}


def _dropdown(options, value, description):
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "120px"}, layout=widgets.Layout(width="300px"))


def candidate_count_explorer(input_size=640, strides="8, 16, 32 (YOLOv3-v8)", anchors=1, classes=80):
    """Input size, strides and anchors per location -> candidates per level and the raw output's memory.

    ``values``: ``candidates``, ``per level`` (text), ``values per candidate`` (``4 + classes``) and
    ``raw output (MB, float32)``.
    """
    controls = {
        "input_size": int_slider(input_size, 128, 1280, 32, "input size (px)"),
        "strides": _dropdown(list(STRIDE_SETS), strides, "strides"),
        "anchors": int_slider(anchors, 1, 9, 1, "anchors / location"),
        "classes": int_slider(classes, 1, 100, 1, "classes"),
    }
    fig, axes = new_figure(figsize=(5.0, 3.2))
    ax = axes[0, 0]
    ax.set(xlabel="stride of the level", ylabel="candidates")  # set once; updates redraw only the bars
    pin_titles(ax)

    def draw(input_size, strides, anchors, classes):
        s = STRIDE_SETS[strides]
        per_level = [h * w * anchors for h, w in detectors.feature_map_sizes(input_size, s)]
        total = detectors.candidate_count(input_size, s, anchors)
        values = 4 + classes
        clear_artists(ax)
        # One bar per level at x = 0, 1, ..., labelled with its stride (what a categorical axis would do, but
        # without remembering the strides of earlier updates).
        ax.bar(range(len(s)), per_level, color=COLORS["kept"])
        ax.set_xticks(range(len(s)), [str(v) for v in s])
        for i, n in enumerate(per_level):
            ax.text(i, n, f"{n:,}", ha="center", va="bottom", fontsize=8)
        ax.relim()  # the x range follows the number of bars
        ax.autoscale_view(scaley=False)
        ax.set_title(f"{total:,} candidates at {input_size} x {input_size}")
        ax.set_ylim(0, max(per_level) * 1.15)
        return {
            "candidates": total,
            "per level": " + ".join(f"{n:,}" for n in per_level),
            "values per candidate": values,
            "raw output (MB, float32)": round(detectors.raw_output_bytes(total, values) / 1e6, 2),
        }

    return Explorer(controls, fig, draw, title="How many boxes does a dense head score?")



def small_object_explorer(size=10, stride=8, offset=0):
    """Object size, stride and position -> feature cells covered and the best IoU an anchor can reach.

    ``values``: ``cells covered``, ``object size in cells`` (``size / stride`` per side), ``IoU after 1 px
    shift`` and ``worst-case anchor IoU`` (object centre half a stride from every anchor centre).
    """
    controls = {
        "size": int_slider(size, 2, 128, 1, "object size (px)"),
        "stride": _dropdown([4, 8, 16, 32, 64], stride, "stride (px)"),
        "offset": int_slider(offset, 0, 63, 1, "offset in cell (px)"),
    }
    fig, axes = new_figure(1, 2, figsize=(8.4, 3.8))
    shifts = np.linspace(0, 16, 161)
    a, b = axes[0]
    pin_titles(a, b)
    # The right panel is set up once (curve, the two reference lines, labels, legend); updates change them in place.
    curve, = b.plot(shifts, shifts * 0, color=COLORS["kept"])
    half_stride = b.axvline(0, color=COLORS["pred"], ls="--", label="half a stride")
    b.axhline(0.5, color=COLORS["dropped"], ls=":", label="IoU 0.5")
    b.set(xlabel="diagonal shift (px)", ylabel="IoU", ylim=(0, 1.02))
    legend = b.legend(loc="upper right")

    def draw(size, stride, offset):
        offset = offset % stride
        cells = detectors.cells_covered(size, stride, offset)
        # The nearest anchor centre: the cell centre closest to the object's centre, on each axis.
        centre = offset + size / 2
        nearest = (np.floor(centre / stride) + 0.5) * stride
        worst = detectors.worst_case_anchor_iou(size, stride)
        one_px = float(detectors.iou_after_shift([size], [1.0])[0, 0])
        clear_artists(a)
        draw_cells_covered(a, size, stride, offset, anchor_offset=nearest - centre)
        a.set_title(f"{cells} cell(s) covered; teal object, orange nearest anchor", fontsize=9)
        curve.set_ydata(detectors.iou_after_shift([size], shifts, diagonal=True)[0])
        half_stride.set_xdata([stride / 2, stride / 2])
        b.relim()  # the x range grows to show the half-stride line when it lies beyond 16 px
        b.autoscale_view(scaley=False)
        legend.texts[0].set_text(f"half a stride ({stride / 2:g} px)")
        b.set_title(f"IoU of a {size} px box with a shifted copy")
        return {
            "cells covered": cells,
            "object size in cells": round(size / stride, 3),
            "IoU after 1 px shift": round(one_px, 4),
            "worst-case anchor IoU": round(worst, 4),
        }

    explorer = Explorer(controls, fig, draw, title="A small object on a coarse grid")
    freeze_axis_labels(b)  # right panel: fixed y ticks; the x tick labels change only at stride 64, same height
    return explorer
