"""Post-processing and mAP: what a score threshold and NMS do to COCO AP, and one class's PR curve at any IoU.

Taught in ``notebooks/03_map.ipynb`` (its two widgets, :func:`utils.widgets.metrics.pr_curve_explorer` and
:func:`utils.widgets.metrics.postprocessing_explorer`, draw these numbers).

- :func:`postprocess`: the detections a detector would output (score threshold, then NMS per image and class).
- :func:`evaluate_postprocessing`: the COCO numbers of those detections.
- :class:`PostprocessingSweep`: the same numbers for many (score, NMS) threshold pairs, NMS and matching run once
  per NMS threshold.
- :class:`RankedMatches`: one evaluation's matching, read as any class's precision-recall curve at any IoU threshold.

Tables (``gt``, ``dt``) are the :class:`utils.metrics.coco.GroundTruth` and :class:`utils.metrics.coco.Detections`
from :func:`utils.metrics.coco.load_coco`; boxes in them are xywh.
"""

import numbers

import numpy as np

from utils.boxes import box_convert
from utils.metrics.ap import precision_recall
from utils.metrics.coco import (
    IOU_THRESHOLDS, Detections, GroundTruth, accumulate, evaluate_tables, load_coco, match_tables, summarize,
)
from utils.nms import batched_nms


def _threshold(value, name, lo=-np.inf, hi=np.inf):
    """``value`` as a float in ``[lo, hi]``; NaN, bools and non-numbers are refused (the message names ``name``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not lo <= value <= hi:  # False for NaN too
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value}")
    return float(value)


def _table(value, name, kind):
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} (a table from utils.metrics.coco.load_coco), "
                        f"got {type(value).__name__}")
    return value


def postprocess(dt, n_categories, score_threshold, nms_threshold):
    """Indices of the detections a detector would output: score ``>= score_threshold``, then NMS per image and
    class at ``nms_threshold`` (:func:`utils.nms.batched_nms` with the (image, class) pair as its label).

    Args:
        dt: :class:`utils.metrics.coco.Detections` with ``D`` rows (xywh boxes).
        n_categories: ``K``, the number of categories (``len(gt.category_ids)``); ``dt.category < K``.
        score_threshold: keep scores ``>=`` it; ``-inf`` keeps every detection.
        nms_threshold: IoU in ``[0, 1]`` above which the lower-scored box of a pair is removed (1.0: no NMS).

    Returns:
        ``(D',)`` int64 indices into ``dt``, sorted ascending. The order of the two steps does not matter: a box
        below the score threshold could only have suppressed lower-scored boxes, which the threshold removes too.
    """
    dt = _table(dt, "dt", Detections)
    if isinstance(n_categories, bool) or not isinstance(n_categories, numbers.Integral) or n_categories < 1:
        raise ValueError(f"n_categories must be a positive integer, got {n_categories!r}")
    if len(dt.category) and dt.category.max() >= n_categories:
        raise ValueError(f"n_categories = {n_categories}, but dt.category holds index {dt.category.max()}")
    score_threshold = _threshold(score_threshold, "score_threshold")
    nms_threshold = _threshold(nms_threshold, "nms_threshold", 0.0, 1.0)
    idx = np.flatnonzero(dt.score >= score_threshold)  # (D_s,)
    boxes = box_convert(dt.box[idx], "xywh", "xyxy")  # (D_s, 4)
    labels = dt.image[idx] * n_categories + dt.category[idx]  # one label per (image, class) pair
    keep = batched_nms(boxes, dt.score[idx], labels, nms_threshold)
    return np.sort(idx[np.asarray(keep, dtype=np.int64)])


def evaluate_postprocessing(gt, dt, score_threshold, nms_threshold):
    """COCO numbers of the detections :func:`postprocess` keeps.

    Args:
        gt, dt: the tables from :func:`utils.metrics.coco.load_coco` (``dt`` holds raw, pre-NMS candidates).
        score_threshold, nms_threshold: as in :func:`postprocess`.

    Returns:
        ``(stats, kept)``: the 12 COCO numbers by name (``{"AP": ..., "AP50": ..., "AR100": ...}``) and the
        ``(D',)`` indices into ``dt`` that were kept.
    """
    gt = _table(gt, "gt", GroundTruth)
    kept = postprocess(dt, len(gt.category_ids), score_threshold, nms_threshold)
    return evaluate_tables(gt, dt.take(kept)).stats, kept


class PostprocessingSweep:
    """:func:`evaluate_postprocessing` for many (score threshold, NMS threshold) pairs, bit for bit, much faster.

    A score threshold only removes the lowest-scored detections, and both NMS and COCO's matching visit the
    detections best score first: the detections above a threshold are kept, matched and labelled TP or FP exactly
    as without the threshold. So NMS and the matching run once per NMS threshold (and are kept), and each score
    threshold only redoes the last steps (precision/recall and the summary) on the rows above it.

    Args:
        gt, dt: the tables from :func:`utils.metrics.coco.load_coco` (``dt``: raw, pre-NMS candidates).
    """

    def __init__(self, gt, dt):
        self.gt, self.dt = _table(gt, "gt", GroundTruth), _table(dt, "dt", Detections)
        self._matched = {}  # NMS threshold -> (kept indices, match_tables result)
        self._evaluated = {}  # (score threshold, NMS threshold) -> (stats, kept indices)

    def _matching(self, nms_threshold):
        if nms_threshold not in self._matched:
            kept = postprocess(self.dt, len(self.gt.category_ids), -np.inf, nms_threshold)  # NMS only
            self._matched[nms_threshold] = kept, match_tables(self.gt, self.dt.take(kept))
        return self._matched[nms_threshold]

    def evaluate(self, score_threshold, nms_threshold):
        """``(stats, kept)``, equal to ``evaluate_postprocessing(gt, dt, score_threshold, nms_threshold)``."""
        score_threshold = _threshold(score_threshold, "score_threshold")
        nms_threshold = _threshold(nms_threshold, "nms_threshold", 0.0, 1.0)
        key = score_threshold, nms_threshold
        if key not in self._evaluated:
            kept, (ranked, tp, fp, n_pos) = self._matching(nms_threshold)
            above = ranked.score >= score_threshold  # (D_r,) the ranked rows that pass the threshold
            stats = summarize(*accumulate(ranked.take(above), tp[..., above], fp[..., above], n_pos))
            self._evaluated[key] = stats, kept[self.dt.score[kept] >= score_threshold]
        return self._evaluated[key]

    def curves(self, score_threshold, nms_thresholds, names=("AP", "AP50", "AP75", "AR100")):
        """``{name: (len(nms_thresholds),) array}``: each COCO number against the NMS threshold, at one score
        threshold."""
        stats = [self.evaluate(score_threshold, t)[0] for t in nms_thresholds]
        return {name: np.array([s[name] for s in stats]) for name in names}


class RankedMatches:
    """One evaluation's matching, ready to give any class's PR curve at any IoU threshold (area "all").

    Built from a COCO ground-truth dict and results list (or file paths), as :func:`utils.metrics.coco.load_coco`
    takes them. Attributes: ``dt`` (the ranked detections, ``D`` rows), ``tp`` and ``fp`` (``(A, T, D)`` flags),
    ``n_pos`` (``(K, A)`` non-ignored ground truths), ``category_ids`` (``(K,)``).
    """

    def __init__(self, gt, dt):
        gt_table, dt_table = load_coco(gt, dt)
        self.dt, self.tp, self.fp, self.n_pos = match_tables(gt_table, dt_table)
        self.category_ids = gt_table.category_ids
        self.order = np.lexsort((-self.dt.score, self.dt.category))  # (D,) COCO's pooled order per class

    def _category(self, category_id):
        k = int(np.searchsorted(self.category_ids, category_id))
        if k == len(self.category_ids) or self.category_ids[k] != category_id:
            raise ValueError(f"category_id {category_id!r} is not one of the category ids {self.category_ids.tolist()}")
        return k

    def curve(self, category_id, iou_threshold):
        """``(precision, recall)``, each ``(D_k,)``: the class's curve at the COCO IoU threshold nearest
        ``iou_threshold``, pooled over images in COCO's order, ignored detections (matched to crowd regions or
        ignored ground truth) left out."""
        k = self._category(category_id)
        iou_threshold = _threshold(iou_threshold, "iou_threshold", 0.0, 1.0)
        t = int(np.argmin(np.abs(IOU_THRESHOLDS - iou_threshold)))
        rows = self.order[self.dt.category[self.order] == k]
        tp, fp = self.tp[0, t, rows], self.fp[0, t, rows]  # area "all"
        counted = tp | fp
        return precision_recall(self.dt.score[rows][counted], tp[counted], self.num_gt(category_id))

    def num_gt(self, category_id):
        """Non-crowd ground-truth objects of the class (the denominator of recall)."""
        return int(self.n_pos[self._category(category_id), 0])
