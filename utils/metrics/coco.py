"""COCO box evaluation (AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l) with pycocotools' exact numbers.

Taught in ``notebooks/03_map.ipynb``. ``coco_evaluate(gt, dt)`` runs six named steps:

1. :func:`load_coco`: the ground-truth dict and the detection list become flat numpy tables.
2. :func:`rank_detections`: per (image, category), sort detections by score and keep the top 100.
3. :func:`pair_ious`: IoU of each detection with each ground truth of its image and category.
4. :func:`match_detections`: greedy matching in score order, for 10 IoU thresholds x 4 area ranges
   (:func:`match_image` is the same rule for one image, written as the loop to read).
5. :func:`accumulate`: per category, TP/FP running sums -> precision at 101 recalls, final recall.
6. :func:`summarize`: the 12 standard numbers.

Steps 1-2 live in :mod:`utils.metrics.coco_tables`, 3-4 in :mod:`utils.metrics.coco_matching` and 5-6 in
:mod:`utils.metrics.coco_accumulate`; this module runs them (and re-exports them, so ``from utils.metrics.coco
import match_image`` works).

pycocotools' rules, each kept on purpose because each one moves the numbers:

* Scores are sorted with a *stable* sort: tied detections keep their order in the result list
  (per image), and, when pooled over images, images come in increasing id order.
* ``maxDets`` (1, 10, 100) caps the detections per image **and category**, not per image.
* A crowd region (``iscrowd=1``) is an *ignored* ground truth: IoU with it is ``inter / area(det)``,
  it can absorb any number of detections, and a detection matched to it is neither TP nor FP.
  (pycocotools 2.0 overwrites an annotation's own ``ignore`` field with ``iscrowd``: ``ignore`` is unused.)
* Area ranges (all, small < 32^2, medium, large > 96^2, ends inclusive) use the annotation's ``area``
  field, not its box. Ground truth outside the range is ignored; so is an *unmatched* detection whose
  box area ``w * h`` is outside it.
* A detection takes the unmatched ground truth with the highest IoU ``>= t`` (ties: the later
  annotation), preferring non-ignored ground truth over ignored.
* Precision is made monotone, then read at the first detection whose recall reaches each of the
  101 recall thresholds (0 beyond the last); categories without ground truth are -1 and skipped
  in every mean.

One deliberate difference: **annotation id 0** (many converters number annotations from 0) is accepted and
evaluated correctly. pycocotools records each detection's match as the matched annotation's *id*, with 0
meaning "no match" (``dtMatches``), so there a detection matched to annotation 0 counts as a false positive
(or is ignored, if its box area is outside the area range) while annotation 0 is used up: its AP and AR come
out lower than ours whenever such a match happens. Number annotations from 1 to get equal numbers from both.

Edge cases: a category with ground truth but no detections scores 0; a category without ground truth is
-1 in ``precision``/``recall`` and left out of every mean; a mean over nothing (no category with ground
truth) is -1, as in pycocotools. Malformed input raises ``ValueError``/``TypeError`` naming the argument
(and, for a JSON record, its index and id: ``gt['annotations'][3] (id 17) has no 'area'``).
"""

import numpy as np

# The steps live in three modules; this one runs them. Everything is importable from here too.
from utils.metrics.coco_accumulate import _mean_valid, accumulate, summarize  # noqa: F401  steps 5-6
from utils.metrics.coco_matching import (  # noqa: F401  steps 3-4
    coco_box_iou,
    ignored_ground_truth,
    label_detections,
    match_detections,
    match_image,
    pair_ious,
)
from utils.metrics.coco_tables import (  # noqa: F401  steps 1-2 and the constants
    AREA_RANGES,
    IOU_THRESHOLDS,
    MAX_DETS,
    RECALL_THRESHOLDS,
    STAT_NAMES,
    CocoEvaluation,
    Detections,
    GroundTruth,
    _check_tables,
    load_coco,
    rank_detections,
)


def match_tables(gt, dt, max_det=MAX_DETS[-1], iou_thresholds=IOU_THRESHOLDS):
    """Steps 2-4 on the tables from :func:`load_coco`: rank, pair, match, then label TP and FP.

    Returns ``(dt, tp, fp, n_pos)``: the ranked :class:`Detections`, ``(A, T, D)`` TP and FP flags and the
    ``(K, A)`` number of non-ignored ground truths per category and area range.
    """
    _check_tables(gt, dt)
    dt = rank_detections(dt, max_det)
    gt_ignore = ignored_ground_truth(gt)  # (A, G)
    matched = match_detections(dt, pair_ious(gt, dt), gt_ignore, gt.crowd, iou_thresholds)
    tp, fp = label_detections(dt, matched, gt_ignore)
    K = len(gt.category_ids)
    n_pos = np.stack([np.bincount(gt.category[~ig], minlength=K) for ig in gt_ignore], axis=1)  # (K, A)
    return dt, tp, fp, n_pos


def evaluate_tables(gt, dt):
    """Steps 2-6 on the tables from :func:`load_coco` (a widget that filters detections starts here)."""
    dt, tp, fp, n_pos = match_tables(gt, dt)
    precision, recall = accumulate(dt, tp, fp, n_pos)
    t50 = np.flatnonzero(IOU_THRESHOLDS == 0.5)
    per_category = {
        int(cat): {"AP": _mean_valid(precision[:, :, k, 0, 2]), "AP50": _mean_valid(precision[t50, :, k, 0, 2])}
        for k, cat in enumerate(gt.category_ids)
    }
    return CocoEvaluation(summarize(precision, recall), per_category, precision, recall, gt.category_ids)


def coco_evaluate(gt, dt, iou_type="bbox"):
    """COCO detection metrics, equal to pycocotools' ``COCOeval(..., "bbox")`` to the last bit.

    Args:
        gt: COCO ground-truth dict (``images``, ``annotations``, ``categories``) or a path to its JSON.
        dt: COCO results list (``image_id``, ``category_id``, ``bbox`` xywh, ``score``) or a path to its JSON.
        iou_type: only ``"bbox"``.

    Returns:
        :class:`CocoEvaluation`: ``stats`` (``AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs,
        ARm, ARl``), ``per_category`` AP and AP50, and the ``precision``/``recall`` arrays. A number over
        no category with ground truth is -1; no detections give 0.

    Where the numbers differ from pycocotools: only when an annotation has id 0. Ours are right; pycocotools
    reads a match to annotation 0 as "no match" and counts that detection as a false positive (see the
    module docstring), so its AP and AR are lower.
    """
    if not isinstance(iou_type, str) or iou_type != "bbox":
        raise ValueError(f"iou_type must be 'bbox', got {iou_type!r}")
    return evaluate_tables(*load_coco(gt, dt))
