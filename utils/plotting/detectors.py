"""Drawings for ``notebooks/06_one_vs_two_stage.ipynb``, ``07_small_objects.ipynb`` and ``17_face_detection.ipynb``."""

import matplotlib as mpl
import numpy as np
from matplotlib.collections import PatchCollection

from utils.plotting.core import COLORS, CYCLE, draw_boxes, image_axes, show_image


def _stage(ax, x, y, text, color, w=1.7, h=0.8):
    ax.add_patch(mpl.patches.FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                            facecolor=mpl.colors.to_rgba(color, 0.18), edgecolor=color, lw=1.5))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)


def _arrow(ax, x1, x2, y, label=None):
    ax.annotate("", xy=(x2, y), xytext=(x1, y), arrowprops=dict(arrowstyle="->", lw=1.3, color="#444444"))
    if label:
        ax.text((x1 + x2) / 2, y + 0.5, label, ha="center", va="bottom", fontsize=7.5, color="#444444")


def draw_detector_pipelines(ax, two_stage_counts=("14,400 anchors", "1,000 proposals"), one_stage_count="8,400 cells"):
    """Two-stage (top row) vs one-stage (bottom row) pipelines as labelled boxes and arrows, with the number
    of candidates that flows along each arrow."""
    ax.set_xlim(0, 12)
    ax.set_ylim(-0.2, 4.8)
    ax.axis("off")
    y2, y1 = 3.6, 1.0
    ax.text(0.1, y2 + 0.8, "two-stage (Faster R-CNN)", fontsize=10, weight="bold", color=CYCLE[0])
    _stage(ax, 1.0, y2, "image", "#888888", w=1.2)
    _stage(ax, 3.1, y2, "backbone\n(+ FPN)", CYCLE[0])
    _stage(ax, 5.6, y2, "RPN: object?\n+ box deltas", CYCLE[2])
    _stage(ax, 8.2, y2, "RoIAlign 7x7\n+ class & box", CYCLE[1])
    _stage(ax, 10.8, y2, "NMS per class", COLORS["kept"], w=1.6)
    _arrow(ax, 1.6, 2.25, y2)
    _arrow(ax, 3.95, 4.75, y2, two_stage_counts[0])
    _arrow(ax, 6.45, 7.35, y2, two_stage_counts[1])
    _arrow(ax, 9.05, 10.0, y2)
    ax.text(0.1, y1 + 0.8, "one-stage (YOLO, SSD, RetinaNet)", fontsize=10, weight="bold", color=CYCLE[1])
    _stage(ax, 1.0, y1, "image", "#888888", w=1.2)
    _stage(ax, 3.1, y1, "backbone\n+ neck", CYCLE[0])
    _stage(ax, 6.9, y1, "dense head: class + box\nat every cell (x anchors)", CYCLE[1], w=3.6)
    _stage(ax, 10.8, y1, "score threshold\n+ NMS", COLORS["kept"], w=1.6)
    _arrow(ax, 1.6, 2.25, y1)
    _arrow(ax, 3.95, 5.1, y1)
    _arrow(ax, 8.7, 10.0, y1, one_stage_count)
    return ax


def draw_anchor_grid(ax, input_size, stride, anchors, cell=(0, 0), title=None):
    """A square input with its grid of stride ``stride``; all cell centres as dots and the anchors of one
    ``cell`` (row, col) drawn. ``anchors``: ``(H_l W_l A, 4)`` xyxy from ``utils.detectors.anchor_grid``."""
    n = int(np.ceil(input_size / stride))
    A = len(anchors) // (n * n)
    image_axes(ax, input_size, input_size, title)
    ax.set_xticks(np.arange(0, input_size + 1, stride))
    ax.set_yticks(np.arange(0, input_size + 1, stride))
    ax.tick_params(labelsize=6)
    centres = (np.arange(n) + 0.5) * stride
    xs, ys = np.meshgrid(centres, centres)
    ax.plot(xs.ravel(), ys.ravel(), ".", color=COLORS["dropped"], ms=3)
    k = cell[0] * n + cell[1]
    draw_boxes(ax, anchors[k * A:(k + 1) * A], color=[CYCLE[i % len(CYCLE)] for i in range(A)], linewidth=1.2)
    return ax


def draw_cells_covered(ax, size, stride, offset, anchor_offset=None, extent=None):
    """An ``size x size`` object (teal) on a grid of stride ``stride``: overlapped cells shaded yellow, cell
    centres as dots; if ``anchor_offset`` is given, an anchor of the same size centred on the nearest cell
    centre (orange)."""
    extent = extent or max(4 * stride, size + 2 * stride)
    image_axes(ax, extent, extent)
    ax.set_xticks(np.arange(0, extent + 1, stride))
    ax.set_yticks(np.arange(0, extent + 1, stride))
    ax.tick_params(labelsize=6)
    box = np.array([offset, offset, offset + size, offset + size], float)
    lo, hi = int(np.floor(offset / stride)), int(np.ceil((offset + size) / stride))
    # the covered cells as one collection (a large object on a fine grid covers hundreds: one patch each is slow)
    cells = [mpl.patches.Rectangle((j * stride, i * stride), stride, stride) for i in range(lo, hi) for j in range(lo, hi)]
    ax.add_collection(PatchCollection(cells, facecolor=mpl.colors.to_rgba(COLORS["accent"], 0.5), edgecolor="none"),
                      autolim=False)
    centres = (np.arange(int(np.ceil(extent / stride))) + 0.5) * stride
    xs, ys = np.meshgrid(centres, centres)
    ax.plot(xs.ravel(), ys.ravel(), ".", color="#666666", ms=3)
    draw_boxes(ax, box[None], color=COLORS["gt"])
    if anchor_offset is not None:
        draw_boxes(ax, (box + anchor_offset)[None], color=COLORS["pred"], linestyle="--", linewidth=1.5)
    return ax


def draw_receptive_field(ax, image, box, centres=None, title=None, color=None):
    """``image`` with one receptive field ``box`` (xyxy) and, optionally, the ``(N, 2)`` RF centres of its layer."""
    show_image(ax, image, title)
    h, w = image.shape[:2]
    if centres is not None and len(centres):
        ax.plot(centres[:, 0], centres[:, 1], ".", color="white", ms=1.5, alpha=0.7)
    draw_boxes(ax, np.asarray(box, float)[None], color=color or COLORS["pred"], linewidth=2)
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    return ax
