"""Drawings for ``notebooks/03_map.ipynb``: precision-recall curves and how each AP reads them."""

import numpy as np

from utils.metrics.ap import average_precision, interpolated_precision
from utils.plotting.core import COLORS, draw_boxes, image_axes
from utils.plotting.nms import place_tags

METHOD_LABELS = {"voc11": "VOC07 11-point", "all_points": "VOC10+ all points", "coco101": "COCO 101-point"}


def draw_pr_curve(ax, recall, precision, method="coco101", title=None, legend="upper right"):
    """One class's precision-recall curve.

    Draws the raw curve (one dot per detection, orange), its interpolated envelope
    ``p_interp(r) = max_{r' >= r} p(r')`` (dark blue) and where ``method`` reads it: dots at the 11 or 101
    recall points, or the shaded area under the envelope for ``"all_points"``. ``legend``: a matplotlib
    legend location, or None for no legend. Returns the AP.
    """
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    grid = np.linspace(0, 1, 1001)
    ax.plot(recall, precision, ".-", color=COLORS["pred"], lw=1, ms=4, alpha=0.8, label="raw: one dot per detection")
    ax.plot(grid, interpolated_precision(recall, precision, grid), color=COLORS["kept"], lw=1.8,
            label="interpolated (envelope)")
    if method == "all_points":
        ax.fill_between(grid, interpolated_precision(recall, precision, grid), color=COLORS["kept"], alpha=0.15,
                        step="pre", label="area = AP")
    else:
        points = np.linspace(0, 1, 11 if method == "voc11" else 101)
        ax.plot(points, interpolated_precision(recall, precision, points), "o", color=COLORS["gt"],
                ms=5 if method == "voc11" else 2.5, label=f"{len(points)} points, mean = AP")
    ap = average_precision(recall, precision, method)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.05), xlabel="recall", ylabel="precision",
           title=title if title is not None else f"{METHOD_LABELS[method]}: AP = {ap:.4f}")
    if legend:
        ax.legend(loc=legend)
    return ap


def draw_ap_per_threshold(ax, thresholds, aps, current=None, title=None):
    """Bars of AP at each IoU threshold (the 10 numbers behind COCO's AP@[.5:.95]) and their mean."""
    aps = np.asarray(aps, float)
    colors = [COLORS["pred"] if current is not None and np.isclose(t, current) else COLORS["kept"] for t in thresholds]
    ax.bar(np.asarray(thresholds), aps, width=0.035, color=colors)
    ax.axhline(aps.mean(), color=COLORS["gt"], ls="--", lw=1.5, label=f"mean = AP@[.5:.95] = {aps.mean():.3f}")
    ax.set(xlabel="IoU threshold", ylabel="AP", ylim=(0, 1.05), title=title or "AP at each IoU threshold")
    ax.legend(loc="upper right")
    return ax


def update_ap_per_threshold(ax, aps, current, title=None):
    """Change what :func:`draw_ap_per_threshold` drew on ``ax`` to new ``aps`` (one per threshold, in the order
    drawn) and ``current`` threshold, in place (a widget's update: far cheaper than drawing the bars again)."""
    aps = np.asarray(aps, float)
    for bar, ap in zip(ax.patches, aps):
        t = bar.get_x() + bar.get_width() / 2  # the threshold the bar was drawn at
        bar.set_height(ap)
        bar.set_facecolor(COLORS["pred"] if np.isclose(t, current) else COLORS["kept"])
    ax.lines[0].set_ydata([aps.mean(), aps.mean()])
    ax.get_legend().texts[0].set_text(f"mean = AP@[.5:.95] = {aps.mean():.3f}")
    if title is not None:
        ax.set_title(title)
    return ax


def draw_detections_on_image(ax, gt_boxes, kept_boxes, dropped_boxes, size, title=None, margin=15):
    """Ground truth (teal, thick), kept detections (dark blue) and removed ones (grey, dashed); xyxy boxes.

    The view is the ``size = (width, height)`` image cropped to the ground truth plus ``margin`` pixels.
    """
    image_axes(ax, size[0], size[1], title)
    draw_boxes(ax, dropped_boxes, color=COLORS["dropped"], linewidth=1, linestyle="--")
    draw_boxes(ax, gt_boxes, color=COLORS["gt"], linewidth=3)
    draw_boxes(ax, kept_boxes, color=COLORS["kept"], linewidth=1.2)
    if len(gt_boxes):
        x1, y1 = np.min(gt_boxes[:, :2], axis=0) - margin
        x2, y2 = np.max(gt_boxes[:, 2:], axis=0) + margin
        ax.set_xlim(max(x1, 0), min(x2, size[0]))
        ax.set_ylim(min(y2, size[1]), max(y1, 0))
    ax.grid(False)
    return ax


OUTCOME_COLORS = {"TP": COLORS["kept"], "FP": COLORS["pred"], "ignored": COLORS["dropped"]}


def draw_matches(ax, gt_boxes, gt_crowd, dt_boxes, dt_scores, outcomes, size, title=None):
    """One image's evaluation: ground truth (teal; crowd regions dashed) and detections coloured by outcome
    (TP dark blue, FP orange, ignored grey), each tagged with its outcome and score. Boxes are xyxy.

    Tags are placed so that none covers another (:func:`utils.plotting.nms.place_tags`): the detections' first,
    then each crowd region's "crowd" tag where it is still free.
    """
    image_axes(ax, size[0], size[1], title)
    gt_boxes = np.asarray(gt_boxes, float).reshape(-1, 4)
    dt_boxes = np.asarray(dt_boxes, float).reshape(-1, 4)
    crowd = np.asarray(gt_crowd, bool)
    draw_boxes(ax, gt_boxes[~crowd], color=COLORS["gt"], linewidth=3)
    draw_boxes(ax, gt_boxes[crowd], color=COLORS["gt"], linewidth=2, linestyle="--")
    colors = [OUTCOME_COLORS[o] for o in outcomes]
    draw_boxes(ax, dt_boxes, color=colors, linewidth=1.5)
    tags = place_tags(ax, dt_boxes, [f"{o} {s:.2f}" for o, s in zip(outcomes, dt_scores)], colors)
    place_tags(ax, gt_boxes[crowd], ["crowd"] * int(crowd.sum()), COLORS["gt"], avoid=[t.tag_rect for t in tags])
    ax.grid(False)
    return ax


def draw_pr_curves(ax, curves, title=None, legend="lower left"):
    """Several precision-recall curves of one class on one axes, e.g. at three IoU thresholds.

    ``curves``: ``{label: (recall, precision)}``; each is drawn as its interpolated envelope (the curve COCO's
    101-point AP reads), labelled with that AP. Returns ``{label: AP}``.
    """
    grid = np.linspace(0, 1, 1001)
    aps = {}
    for (label, (recall, precision)), color in zip(curves.items(), (COLORS["kept"], COLORS["pred"], COLORS["gt"],
                                                                    COLORS["accent"], COLORS["dropped"])):
        aps[label] = average_precision(recall, precision, "coco101")
        ax.plot(grid, interpolated_precision(recall, precision, grid), color=color, lw=1.8,
                label=f"{label}: AP {aps[label]:.3f}")
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.05), xlabel="recall", ylabel="precision (interpolated)", title=title)
    if legend:
        ax.legend(loc=legend)
    return aps
