"""Widgets for ``notebooks/01_iou.ipynb``: move and resize a predicted box against a ground truth."""

import numpy as np

from utils import boxes
from utils.plotting import COLORS, draw_boxes, image_axes
from utils.widgets.explorer import Explorer, new_figure, slider

GROUND_TRUTH = np.array([[30.0, 30.0, 70.0, 60.0]])  # the fixed box, xyxy


def iou_family(box_a, box_b):
    """IoU, GIoU, DIoU and CIoU of two single boxes, as a dict of floats."""
    a, b = np.asarray([box_a], float), np.asarray([box_b], float)
    return {
        "IoU": float(boxes.box_iou(a, b)[0, 0]),
        "GIoU": float(boxes.generalized_box_iou(a, b)[0, 0]),
        "DIoU": float(boxes.distance_box_iou(a, b)[0, 0]),
        "CIoU": float(boxes.complete_box_iou(a, b)[0, 0]),
    }


def iou_explorer(cx=60.0, cy=55.0, w=40.0, h=30.0):
    """Sliders for the centre and size of a predicted box; shows the boxes, their intersection and
    enclosing box, and the four overlap measures. ``values`` holds ``IoU``, ``GIoU``, ``DIoU``, ``CIoU``."""
    controls = {
        "cx": slider(cx, 0, 100, 1, "centre x (px)"),
        "cy": slider(cy, 0, 100, 1, "centre y (px)"),
        "w": slider(w, 0, 80, 1, "width (px)"),
        "h": slider(h, 0, 80, 1, "height (px)"),
    }
    fig, axes = new_figure(figsize=(4.2, 4.2))
    ax = axes[0, 0]

    def draw(cx, cy, w, h):
        pred = boxes.box_convert([[cx, cy, w, h]], "cxcywh", "xyxy")
        gt = GROUND_TRUTH
        ax.clear()
        image_axes(ax, 100, 100, "ground truth (teal) vs prediction (orange)")
        enclose = np.concatenate([np.minimum(gt[:, :2], pred[:, :2]), np.maximum(gt[:, 2:], pred[:, 2:])], axis=1)
        draw_boxes(ax, enclose, color=COLORS["dropped"], linewidth=1, linestyle="--")
        inter = np.concatenate([np.maximum(gt[:, :2], pred[:, :2]), np.minimum(gt[:, 2:], pred[:, 2:])], axis=1)
        if (inter[:, 2:] > inter[:, :2]).all():
            draw_boxes(ax, inter, color=COLORS["accent"], linewidth=0, fill_alpha=0.6)
        draw_boxes(ax, gt, color=COLORS["gt"])
        draw_boxes(ax, pred, color=COLORS["pred"])
        ax.plot(*((gt[0, :2] + gt[0, 2:]) / 2), "o", color=COLORS["gt"], ms=4)
        ax.plot(cx, cy, "o", color=COLORS["pred"], ms=4)
        return iou_family(gt[0], pred[0])

    return Explorer(controls, fig, draw, title="IoU, GIoU, DIoU and CIoU of two boxes")
