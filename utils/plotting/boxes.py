"""Drawings for ``notebooks/01_iou.ipynb``: two boxes, their intersection and their enclosing box."""

import numpy as np

from utils.plotting.core import COLORS, draw_boxes, image_axes


def draw_iou_pair(ax, gt, pred, size=100, title=None):
    """Draw a ground-truth and a predicted xyxy box (each shape ``(4,)``) on a ``size x size`` canvas:
    the intersection filled yellow, the smallest enclosing box dashed grey, the centres as dots."""
    gt = np.asarray(gt, float).reshape(1, 4)
    pred = np.asarray(pred, float).reshape(1, 4)
    image_axes(ax, size, size, title)
    enclose = np.concatenate([np.minimum(gt[:, :2], pred[:, :2]), np.maximum(gt[:, 2:], pred[:, 2:])], axis=1)
    draw_boxes(ax, enclose, color=COLORS["dropped"], linewidth=1, linestyle="--")
    inter = np.concatenate([np.maximum(gt[:, :2], pred[:, :2]), np.minimum(gt[:, 2:], pred[:, 2:])], axis=1)
    if (inter[:, 2:] > inter[:, :2]).all():
        draw_boxes(ax, inter, color=COLORS["accent"], linewidth=0, fill_alpha=0.6)
    draw_boxes(ax, gt, color=COLORS["gt"])
    draw_boxes(ax, pred, color=COLORS["pred"])
    for box, color in ((gt[0], COLORS["gt"]), (pred[0], COLORS["pred"])):
        ax.plot((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, "o", color=color, ms=4)
    return ax
