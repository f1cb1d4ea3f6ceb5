"""Widgets for ``notebooks/01_iou.ipynb``: move and resize a predicted box against a ground truth."""

import numpy as np

from utils import boxes
from utils.plotting.boxes import draw_iou_pair
from utils.widgets.explorer import Explorer, clear_artists, freeze_axis_labels, freeze_ticks, new_figure, slider

GROUND_TRUTH = np.array([30.0, 30.0, 70.0, 60.0])  # the fixed box, xyxy


def iou_family(box_a, box_b):
    """IoU, GIoU, DIoU and CIoU of two single xyxy boxes (each a 4-sequence), as a dict of floats."""
    a, b = np.asarray([box_a], float), np.asarray([box_b], float)
    return {
        "IoU": float(boxes.box_iou(a, b)[0, 0]),
        "GIoU": float(boxes.generalized_box_iou(a, b)[0, 0]),
        "DIoU": float(boxes.distance_box_iou(a, b)[0, 0]),
        "CIoU": float(boxes.complete_box_iou(a, b)[0, 0]),
    }


def iou_explorer(cx=60.0, cy=55.0, w=40.0, h=30.0):
    """Sliders for the centre and size of a predicted box against the fixed ``GROUND_TRUTH``.

    Shows the two boxes, their intersection and enclosing box; ``values`` holds ``IoU``, ``GIoU``,
    ``DIoU`` and ``CIoU`` of the pair.
    """
    controls = {
        "cx": slider(cx, 0, 100, 1, "centre x (px)"),
        "cy": slider(cy, 0, 100, 1, "centre y (px)"),
        "w": slider(w, 0, 80, 1, "width (px)"),
        "h": slider(h, 0, 80, 1, "height (px)"),
    }
    fig, axes = new_figure(figsize=(4.2, 4.2))
    ax = axes[0, 0]

    def draw(cx, cy, w, h):
        pred = boxes.box_convert([[cx, cy, w, h]], "cxcywh", "xyxy")[0]
        clear_artists(ax)
        draw_iou_pair(ax, GROUND_TRUTH, pred, title="ground truth (teal) vs prediction (orange)")
        return iou_family(GROUND_TRUTH, pred)

    explorer = Explorer(controls, fig, draw, title="IoU, GIoU, DIoU and CIoU of two boxes")
    freeze_ticks(ax)  # the canvas is always 100 x 100 px
    freeze_axis_labels(ax)
    return explorer
