"""Widgets for ``notebooks/03_map.ipynb``: a class's PR curve and AP, and how post-processing moves mAP."""

import ipywidgets as widgets
import numpy as np

from utils.boxes import box_convert
from utils.data.detections import crowded_scenes, synthetic_coco
from utils.metrics.ap import average_precision
from utils.metrics.coco import IOU_THRESHOLDS, load_coco
from utils.metrics.postprocess import (  # noqa: F401 (re-exported: notebooks/03_map.ipynb imports them from here)
    PostprocessingSweep, RankedMatches, evaluate_postprocessing, postprocess,
)
from utils.plotting.metrics import (
    draw_ap_per_threshold, draw_detections_on_image, draw_pr_curve, update_ap_per_threshold,
)
from utils.widgets.explorer import Explorer, clear_artists, freeze_axis_labels, freeze_ticks, new_figure, pin_titles, slider

_STYLE = {"description_width": "120px"}
_LAYOUT = widgets.Layout(width="300px")


def pr_explorer_data():
    """The default data of :func:`pr_curve_explorer`: 60 synthetic images, 3 classes (``synthetic_coco``)."""
    return synthetic_coco(n_images=60, n_categories=3, seed=0, unused_categories=0, crowd_fraction=0.02, jitter=0.07)


def pr_curve_explorer(gt=None, dt=None):
    """Pick a class, an IoU threshold and an AP definition: see the PR curve and the AP it gives.

    Defaults to :func:`pr_explorer_data` (synthetic data, 3 classes). ``values`` holds the
    three APs of the chosen class and threshold, and the class's COCO AP averaged over the 10 thresholds.
    """
    if gt is None:
        gt, dt = pr_explorer_data()
    matches = RankedMatches(gt, dt)
    names = {c["id"]: c.get("name", str(c["id"])) for c in gt["categories"]}
    with_gt = [int(c) for k, c in enumerate(matches.category_ids) if matches.n_pos[k, 0] > 0]
    controls = {
        "category": widgets.Dropdown(options=[(names[c], c) for c in with_gt], value=with_gt[0],
                                     description="class", style=_STYLE, layout=_LAYOUT),
        "iou_threshold": widgets.SelectionSlider(options=[(f"{t:.2f}", float(t)) for t in IOU_THRESHOLDS], value=0.5,
                                                 description="IoU threshold", style=_STYLE, layout=_LAYOUT),
        "method": widgets.Dropdown(options=[("COCO 101-point", "coco101"), ("VOC07 11-point", "voc11"),
                                            ("VOC10+ all points", "all_points")], value="coco101",
                                   description="AP definition", style=_STYLE, layout=_LAYOUT),
    }
    fig, axes = new_figure(1, 2, figsize=(9.0, 3.6))
    pin_titles(*axes[0])
    cache = {}

    def draw(category, iou_threshold, method):
        precision, recall = matches.curve(category, iou_threshold)
        aps = {m: average_precision(recall, precision, m) for m in ("coco101", "voc11", "all_points")}
        if category not in cache:
            cache[category] = [matches.curve(category, t) for t in IOU_THRESHOLDS]  # (precision, recall) per threshold
        curves = cache[category]
        per_threshold = [average_precision(r, p, method) for p, r in curves]
        coco_per_threshold = [average_precision(r, p, "coco101") for p, r in curves]
        left, right = axes[0]
        clear_artists(left)
        draw_pr_curve(left, recall, precision, method, title=f"{names[category]} at IoU {iou_threshold:.2f}")
        title = f"{names[category]}: AP ({method}) per IoU threshold"
        if not right.patches:  # the first draw; later ones update the bars, the mean line and its label in place
            draw_ap_per_threshold(right, IOU_THRESHOLDS, per_threshold, current=iou_threshold, title=title)
        else:
            update_ap_per_threshold(right, per_threshold, iou_threshold, title)
        return {
            "ground-truth objects": matches.num_gt(category),
            "detections counted": int(recall.size),
            "AP COCO 101-point": aps["coco101"],
            "AP VOC07 11-point": aps["voc11"],
            "AP VOC10+ all points": aps["all_points"],
            "class AP@[.5:.95] (COCO)": float(np.mean(coco_per_threshold)),
        }

    explorer = Explorer(controls, fig, draw, title="Precision-recall curve and AP of one class")
    freeze_ticks(*axes[0])  # both panels keep their limits
    freeze_axis_labels(*axes[0])
    return explorer


NMS_SWEEP = np.round(np.arange(0.3, 1.0001, 0.05), 2)  # NMS IoU thresholds on the curve (1.0: no suppression)


def postprocessing_explorer(gt=None, dt=None, image_id=3):
    """Score threshold and NMS IoU threshold -> which boxes survive, and COCO AP / AP50 / AP75 / AR100.

    Defaults to :func:`utils.data.detections.crowded_scenes` (synthetic rows of overlapping objects with
    raw, pre-NMS candidates). The left panel shows image ``image_id``; the right one AP against the NMS
    threshold at the current score threshold (computed for every score threshold of the slider up front).
    """
    if gt is None:
        gt, dt = crowded_scenes(n_images=30, seed=0)
    gt_table, dt_table = load_coco(gt, dt)
    image = int(np.searchsorted(gt_table.image_ids, image_id))
    size = next((im.get("width", 320), im.get("height", 240)) for im in gt["images"] if im["id"] == image_id)
    gt_boxes = box_convert(gt_table.box[gt_table.image == image], "xywh", "xyxy")
    controls = {
        "score_threshold": slider(0.05, 0.0, 0.9, 0.05, "score threshold", readout_format=".2f"),
        "nms_threshold": slider(0.5, 0.3, 1.0, 0.05, "NMS IoU threshold", readout_format=".2f"),
    }
    on_image = np.flatnonzero(dt_table.image == image)
    results = PostprocessingSweep(gt_table, dt_table)

    def snapped(threshold):  # a slider value on its 0.05 grid (0.45, not 0.45000000000000007): one cache entry each
        return round(float(threshold), 2)

    # Every score threshold of the slider against every NMS threshold of the curve, up front (about a second):
    # NMS and matching run once per NMS threshold, then moves only look the numbers up and draw.
    score_slider = controls["score_threshold"]
    for score_threshold in np.arange(score_slider.min, score_slider.max + score_slider.step / 2, score_slider.step):
        results.curves(snapped(score_threshold), NMS_SWEEP)

    fig, axes = new_figure(1, 2, figsize=(9.6, 3.6))
    ax1, ax2 = axes[0]
    pin_titles(*axes[0])
    # The right panel is set up once: four curves, the marker of the current NMS threshold, labels and legend.
    # An update only changes the curves' heights, moves the marker and rewrites the title.
    start = results.curves(snapped(score_slider.value), NMS_SWEEP)
    curve_lines = {}
    for name, style in (("AP50", "-"), ("AP", "-"), ("AP75", "--"), ("AR100", ":")):
        curve_lines[name], = ax2.plot(NMS_SWEEP, start[name], style, marker=".", label=name)
    marker = ax2.axvline(controls["nms_threshold"].value, color="grey", lw=1)
    ax2.set(xlabel="NMS IoU threshold (1.0 = no NMS)", ylabel="value", ylim=(0, 1))
    ax2.legend(loc="lower left")

    def draw(score_threshold, nms_threshold):
        stats, kept = results.evaluate(snapped(score_threshold), snapped(nms_threshold))
        kept_here = np.intersect1d(kept, on_image)
        dropped_here = np.setdiff1d(on_image, kept_here)
        clear_artists(ax1)
        title = f"image {image_id}: {len(kept_here)} kept, {len(dropped_here)} removed"
        draw_detections_on_image(ax1, gt_boxes, box_convert(dt_table.box[kept_here], "xywh", "xyxy"),
                                 box_convert(dt_table.box[dropped_here], "xywh", "xyxy"), size, title=title)
        curves = results.curves(snapped(score_threshold), NMS_SWEEP)
        for name, line in curve_lines.items():
            line.set_ydata(curves[name])
        marker.set_xdata([nms_threshold, nms_threshold])
        ax2.set_title(f"all {len(gt_table.image_ids)} images, score >= {score_threshold:.2f}")
        return {"detections kept": int(len(kept)), **{k: stats[k] for k in ("AP", "AP50", "AP75", "AR100")}}

    explorer = Explorer(controls, fig, draw, title="Post-processing choices and mAP")
    freeze_ticks(ax1, ax2)  # both panels keep their limits
    freeze_axis_labels(ax1, ax2)
    return explorer
