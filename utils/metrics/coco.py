"""COCO box evaluation (AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l) with pycocotools' exact numbers.

Taught in ``notebooks/03_map.ipynb``. ``coco_evaluate(gt, dt)`` runs six named steps:

1. :func:`load_coco`: the ground-truth dict and the detection list become flat numpy tables.
2. :func:`rank_detections`: per (image, category), sort detections by score and keep the top 100.
3. :func:`pair_ious`: IoU of each detection with each ground truth of its image and category.
4. :func:`match_detections`: greedy matching in score order, for 10 IoU thresholds x 4 area ranges.
5. :func:`accumulate`: per category, TP/FP running sums -> precision at 101 recalls, final recall.
6. :func:`summarize`: the 12 standard numbers.

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
"""

import json
import pathlib
from dataclasses import dataclass

import numpy as np

from utils.boxes import as_boxes

# Built exactly as pycocotools builds them (np.arange would give slightly different floats).
IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)  # (T,) = (10,)
RECALL_THRESHOLDS = np.linspace(0.0, 1.0, int(np.round((1.0 - 0.0) / 0.01)) + 1, endpoint=True)  # (R,) = (101,)
MAX_DETS = (1, 10, 100)  # (M,)
AREA_RANGES = {"all": (0, 1e5**2), "small": (0, 32**2), "medium": (32**2, 96**2), "large": (96**2, 1e5**2)}  # (A,)
STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")


@dataclass
class GroundTruth:
    """Ground-truth boxes as columns, ``G`` rows in annotation order."""

    image: np.ndarray  # (G,) index into the sorted image ids
    category: np.ndarray  # (G,) index into the sorted category ids
    box: np.ndarray  # (G, 4) xywh
    area: np.ndarray  # (G,) the annotation's "area" field
    crowd: np.ndarray  # (G,) bool, iscrowd
    image_ids: np.ndarray  # (I,) sorted image ids
    category_ids: np.ndarray  # (K,) sorted category ids


@dataclass
class Detections:
    """Detections as columns, ``D`` rows."""

    image: np.ndarray  # (D,) index into GroundTruth.image_ids
    category: np.ndarray  # (D,) index into GroundTruth.category_ids
    box: np.ndarray  # (D, 4) xywh
    score: np.ndarray  # (D,)
    rank: np.ndarray = None  # (D,) position by score within its (image, category), set by rank_detections

    @property
    def area(self):
        return self.box[:, 2] * self.box[:, 3]  # w * h, as pycocotools' loadRes

    def take(self, idx):
        return Detections(self.image[idx], self.category[idx], self.box[idx], self.score[idx],
                          None if self.rank is None else self.rank[idx])


@dataclass
class CocoEvaluation:
    """What :func:`coco_evaluate` returns.

    ``stats``: the 12 numbers by name (:data:`STAT_NAMES`). ``per_category``: ``{category_id: {"AP": ...,
    "AP50": ...}}`` (area "all", 100 detections; -1 for a category without ground truth).
    ``precision``: ``(T, R, K, A, M)`` and ``recall``: ``(T, K, A, M)``, laid out like pycocotools'
    ``eval["precision"]`` and ``eval["recall"]`` (-1 where a category has no ground truth).
    """

    stats: dict
    per_category: dict
    precision: np.ndarray
    recall: np.ndarray
    category_ids: np.ndarray


def _read(obj, name):
    if isinstance(obj, (str, pathlib.Path)):
        with open(obj) as f:
            return json.load(f)
    return obj


def load_coco(gt, dt):
    """Step 1: COCO ground truth and results -> (:class:`GroundTruth`, :class:`Detections`).

    Args:
        gt: a dict with ``images``, ``annotations`` (``image_id``, ``category_id``, ``bbox`` as
            ``[x, y, w, h]``, ``area``, ``iscrowd``, ``id``) and ``categories``, or a path to its JSON file.
        dt: a list of ``{"image_id", "category_id", "bbox", "score"}``, or a path to its JSON file.

    Annotations and detections of categories not listed in ``gt["categories"]`` are dropped (as
    pycocotools does); a detection on an image not in ``gt["images"]`` is an error.
    """
    gt, dt = _read(gt, "gt"), _read(dt, "dt")
    if not isinstance(gt, dict) or not {"images", "annotations", "categories"} <= gt.keys():
        raise ValueError("gt must be a COCO dict with 'images', 'annotations' and 'categories'")
    if not isinstance(dt, (list, tuple)):
        raise ValueError(f"dt must be a list of detection dicts, got {type(dt).__name__}")
    image_ids = np.array(sorted({im["id"] for im in gt["images"]}), dtype=np.int64)
    category_ids = np.array(sorted({c["id"] for c in gt["categories"]}), dtype=np.int64)

    anns = gt["annotations"]
    ann_ids = [a["id"] for a in anns]
    if len(set(ann_ids)) != len(ann_ids):
        raise ValueError("gt annotation ids must be unique")
    if 0 in ann_ids:
        raise ValueError("gt annotation ids must be non-zero (pycocotools reads id 0 as 'no match')")
    g_image = np.array([a["image_id"] for a in anns], dtype=np.int64)
    g_cat = np.array([a["category_id"] for a in anns], dtype=np.int64)
    keep = np.isin(g_image, image_ids) & np.isin(g_cat, category_ids)
    kept = [a for a, k in zip(anns, keep) if k]
    g_box = as_boxes(np.array([a["bbox"] for a in kept], dtype=np.float64).reshape(-1, 4), "gt bbox", fmt="xywh")
    gt_table = GroundTruth(
        image=np.searchsorted(image_ids, g_image[keep]),
        category=np.searchsorted(category_ids, g_cat[keep]),
        box=g_box,
        area=np.array([a["area"] for a in kept], dtype=np.float64),
        crowd=np.array([bool(a.get("iscrowd", 0)) for a in kept], dtype=bool),
        image_ids=image_ids,
        category_ids=category_ids,
    )

    d_image = np.array([d["image_id"] for d in dt], dtype=np.int64)
    d_cat = np.array([d["category_id"] for d in dt], dtype=np.int64)
    if not np.isin(d_image, image_ids).all():
        raise ValueError("dt has detections on images that are not in gt['images']")
    d_box = as_boxes(np.array([d["bbox"] for d in dt], dtype=np.float64).reshape(-1, 4), "dt bbox", fmt="xywh")
    d_score = np.array([d["score"] for d in dt], dtype=np.float64)
    if np.isnan(d_score).any():
        raise ValueError("dt scores contain NaN")
    keep = np.isin(d_cat, category_ids)
    dt_table = Detections(
        image=np.searchsorted(image_ids, d_image[keep]),
        category=np.searchsorted(category_ids, d_cat[keep]),
        box=d_box[keep],
        score=d_score[keep],
    )
    return gt_table, dt_table


def rank_detections(dt, max_det=100):
    """Step 2: order detections by (image, category, decreasing score) and keep the top ``max_det``
    of each (image, category). Ties keep their input order (``np.lexsort`` is stable).

    Returns a new :class:`Detections` with ``rank`` = 0, 1, ... within each (image, category).
    """
    order = np.lexsort((-dt.score, dt.category, dt.image))
    dt = dt.take(order)
    group = np.stack([dt.image, dt.category])  # (2, D)
    starts = np.flatnonzero(np.r_[True, (group[:, 1:] != group[:, :-1]).any(axis=0)])
    sizes = np.diff(np.r_[starts, len(dt.score)])
    dt.rank = np.arange(len(dt.score)) - np.repeat(starts, sizes)  # position within its group
    return dt.take(dt.rank < max_det)


def coco_box_iou(dt_box, gt_box, crowd):
    """Element-wise IoU of ``(P, 4)`` xywh detection and ground-truth boxes, ``crowd``: ``(P,)`` bools.

    Computed with the same floating-point operations as pycocotools' C code (``maskApi.c``, ``bbIou``),
    so the comparisons with the thresholds agree bit for bit. For a crowd region the denominator is the
    detection's area: a detection covering part of a crowd is not punished for the rest of it.
    """
    dx, dy, dw, dh = dt_box.T
    gx, gy, gw, gh = gt_box.T
    w = np.minimum(dw + dx, gw + gx) - np.maximum(dx, gx)
    h = np.minimum(dh + dy, gh + gy) - np.maximum(dy, gy)
    inter = w * h
    union = np.where(crowd, dw * dh, dw * dh + gw * gh - inter)
    overlap = (w > 0) & (h > 0)
    return np.divide(inter, union, out=np.zeros_like(inter), where=overlap)


def pair_ious(gt, dt):
    """Step 3: every (detection, ground truth) pair of the same image and category, with its IoU.

    Returns ``(det, gt_index, iou)``, three ``(P,)`` arrays sorted by detection, then by annotation
    order within the group.
    """
    n_cat = len(gt.category_ids)
    g_key = gt.image * n_cat + gt.category  # (G,) one key per (image, category)
    d_key = dt.image * n_cat + dt.category  # (D,)
    g_order = np.argsort(g_key, kind="stable")
    start = np.searchsorted(g_key[g_order], d_key, side="left")
    count = np.searchsorted(g_key[g_order], d_key, side="right") - start  # (D,) ground truths per detection
    det = np.repeat(np.arange(len(d_key)), count)  # (P,)
    offset = np.arange(len(det)) - np.repeat(np.cumsum(count) - count, count)  # 0, 1, ... within a detection
    gt_index = g_order[start[det] + offset]  # (P,)
    iou = coco_box_iou(dt.box[det], gt.box[gt_index], gt.crowd[gt_index])
    return det, gt_index, iou


def ignored_ground_truth(gt, area_ranges=AREA_RANGES):
    """``(A, G)`` bools: crowd regions, and ground truth whose ``area`` is outside the range."""
    lo, hi = np.array(list(area_ranges.values()), dtype=np.float64).T[..., None]  # (A, 1) each
    return gt.crowd | (gt.area < lo) | (gt.area > hi)


def match_detections(dt, pairs, gt_ignore, gt_crowd, iou_thresholds=IOU_THRESHOLDS):
    """Step 4: greedy matching, for every IoU threshold and area range at once.

    Within an (image, category), detections are visited in score order; each takes the best still
    unmatched ground truth with IoU ``>= t`` (non-ignored first; ties: the later annotation). Crowd
    regions stay available after a match. Detections of the same rank belong to different groups and
    never compete, so the loop runs over ranks (at most 100), with all groups of a rank in one step.

    Args:
        dt: ranked :class:`Detections` (``D`` rows). pairs: ``(det, gt_index, iou)`` from :func:`pair_ious`.
        gt_ignore: ``(A, G)`` from :func:`ignored_ground_truth`. gt_crowd: ``(G,)`` bools.

    Returns:
        ``(A, T, D)`` ints: the matched ground-truth index, -1 for none.
    """
    A, G = gt_ignore.shape
    T, D = len(iou_thresholds), len(dt.score)
    thr = np.minimum(iou_thresholds, 1 - 1e-10)[None, :, None, None]  # (1, T, 1, 1), as pycocotools
    matched = np.full((A, T, D), -1)
    det, gt_index, iou = pairs
    close = iou >= thr.min()  # the other pairs can never match
    det, gt_index, iou = det[close], gt_index[close], iou[close]
    if len(det) == 0:
        return matched
    # Candidates of each detection in a padded (n, C) table, in annotation order.
    cand_det, first, count = np.unique(det, return_index=True, return_counts=True)
    col = np.arange(len(det)) - np.repeat(first, count)
    cand_gt = np.full((len(cand_det), count.max()), -1)  # (n, C)
    cand_iou = np.full(cand_gt.shape, -1.0)
    row = np.repeat(np.arange(len(cand_det)), count)
    cand_gt[row, col], cand_iou[row, col] = gt_index, iou
    C = cand_gt.shape[1]

    taken = np.zeros((A, T, G), dtype=bool)  # ground truth already matched
    cand_rank = dt.rank[cand_det]
    for r in np.unique(cand_rank):
        rows = np.flatnonzero(cand_rank == r)
        g, o = cand_gt[rows], cand_iou[rows]  # (n, C)
        eligible = (o >= thr) & (g >= 0) & (~taken[:, :, g] | gt_crowd[g])  # (A, T, n, C)
        regular = eligible & ~gt_ignore[:, None, g]
        eligible = np.where(regular.any(axis=-1, keepdims=True), regular, eligible)  # non-ignored first
        # Highest IoU wins; on a tie the later candidate wins, as pycocotools' `if iou < best: continue`.
        best = C - 1 - np.argmax(np.where(eligible, o, -1.0)[..., ::-1], axis=-1)  # (A, T, n)
        m = np.where(eligible.any(axis=-1), g[np.arange(len(rows)), best], -1)  # (A, T, n)
        matched[:, :, cand_det[rows]] = m
        a, t, i = np.nonzero(m >= 0)
        taken[a, t, m[a, t, i]] = True
    return matched


def label_detections(dt, matched, gt_ignore, area_ranges=AREA_RANGES):
    """TP and FP flags, ``(A, T, D)`` bools each.

    A detection matched to an ignored ground truth, or unmatched with a box area outside the range, is
    ignored: neither TP nor FP.
    """
    lo, hi = np.array(list(area_ranges.values()), dtype=np.float64).T[..., None]  # (A, 1)
    dt_outside = (dt.area < lo) | (dt.area > hi)  # (A, D)
    padded = np.concatenate([gt_ignore, np.zeros((len(gt_ignore), 1), bool)], axis=1)  # index -1 -> padding
    is_matched = matched >= 0
    ignore = np.where(is_matched, np.take_along_axis(padded[:, None, :], matched, axis=2), dt_outside[:, None, :])
    return is_matched & ~ignore, ~is_matched & ~ignore


def _searchsorted_rows(a, v):
    """``np.searchsorted(a[i], v[i], side="left")`` for every row ``i`` of non-negative integer arrays,
    in one call: shifting row ``i`` by ``i * step`` (``step`` above every value) keeps the rows apart."""
    rows, n = a.shape
    step = max(a.max(initial=0), v.max(initial=0)) + 1
    shift = np.arange(rows)[:, None] * step
    flat = np.searchsorted((a + shift).ravel(), (v + shift).ravel(), side="left").reshape(v.shape)
    return flat - np.arange(rows)[:, None] * n  # position within the row; n = past its end


def accumulate(dt, tp, fp, n_pos, max_dets=MAX_DETS, rec_thresholds=RECALL_THRESHOLDS):
    """Step 5: precision at each recall threshold and the final recall, per category.

    Args:
        dt: ranked :class:`Detections` (``D`` rows); tp, fp: ``(A, T, D)`` from :func:`label_detections`.
        n_pos: ``(K, A)`` number of non-ignored ground truths per category and area range.

    Returns:
        ``precision`` ``(T, R, K, A, M)`` and ``recall`` ``(T, K, A, M)``; -1 where ``n_pos == 0``.
    """
    K, A = n_pos.shape
    T, R, M = tp.shape[1], len(rec_thresholds), len(max_dets)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    # Pool each category over images: stable sort by score of the (image, rank)-ordered rows.
    order = np.lexsort((-dt.score, dt.category))
    tp, fp, rank = tp[:, :, order], fp[:, :, order], dt.rank[order]  # each category is now one slice
    bounds = np.searchsorted(dt.category[order], np.arange(K + 1))
    for k in range(K):
        has_gt = n_pos[k] > 0  # (A,)
        if not has_gt.any():
            continue
        rows = slice(bounds[k], bounds[k + 1])  # this category's detections, best score first
        n = rows.stop - rows.start
        if n == 0:
            precision[:, :, k, has_gt] = 0.0
            recall[:, k, has_gt] = 0.0
            continue
        # A detection beyond maxDets counts as neither TP nor FP: it repeats the previous point of the
        # curve, which changes no reading of it (the same holds for ignored detections).
        within = rank[rows] < np.array(max_dets)[:, None]  # (M, n): inside maxDets of its image
        tp_sum = np.cumsum(tp[:, None, :, rows] & within[None, :, None], axis=-1)  # (A, M, T, n) TP_n
        fp_sum = np.cumsum(fp[:, None, :, rows] & within[None, :, None], axis=-1)
        npos = np.maximum(n_pos[k], 1)[:, None, None, None]  # (A, 1, 1, 1); n_pos == 0 is masked below
        pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
        envelope = np.maximum.accumulate(pr[..., ::-1], axis=-1)[..., ::-1]  # p_interp, non-increasing
        # Recall TP_n / n_pos reaches r exactly when TP_n reaches c_r, the number of counts c with
        # c / n_pos < r (computed with the same division, so no rounding surprise).
        c_r = np.stack([np.searchsorted(np.arange(p + 1) / p, rec_thresholds, side="left") for p in npos.ravel()])
        first = _searchsorted_rows(tp_sum.reshape(-1, n), np.repeat(c_r, M * T, axis=0)).reshape(A, M, T, R)
        q = np.where(first < n, np.take_along_axis(envelope, np.minimum(first, n - 1), axis=-1), 0.0)  # (A, M, T, R)
        precision[:, :, k] = np.where(has_gt[:, None], q.transpose(2, 3, 0, 1), -1.0)
        recall[:, k] = np.where(has_gt[:, None], (tp_sum[..., -1] / npos[..., 0]).transpose(2, 0, 1), -1.0)
    return precision, recall


def _mean_valid(x):
    x = x[x > -1]
    return float(np.mean(x)) if x.size else -1.0


def summarize(precision, recall, iou_thresholds=IOU_THRESHOLDS):
    """Step 6: the 12 numbers: means over all entries that are not -1 (as pycocotools' summarize).

    Area index 0-3 = all, small, medium, large; maxDets index 0-2 = 1, 10, 100.
    """
    t50, t75 = np.flatnonzero(iou_thresholds == 0.5), np.flatnonzero(iou_thresholds == 0.75)
    P, Rc = precision, recall  # (T, R, K, A, M), (T, K, A, M)
    values = [
        P[:, :, :, 0, 2], P[t50][:, :, :, 0, 2], P[t75][:, :, :, 0, 2],
        P[:, :, :, 1, 2], P[:, :, :, 2, 2], P[:, :, :, 3, 2],
        Rc[:, :, 0, 0], Rc[:, :, 0, 1], Rc[:, :, 0, 2],
        Rc[:, :, 1, 2], Rc[:, :, 2, 2], Rc[:, :, 3, 2],
    ]
    return {name: _mean_valid(v) for name, v in zip(STAT_NAMES, values)}


def match_tables(gt, dt, max_det=MAX_DETS[-1], iou_thresholds=IOU_THRESHOLDS):
    """Steps 2-4 on the tables from :func:`load_coco`: rank, pair, match, then label TP and FP.

    Returns ``(dt, tp, fp, n_pos)``: the ranked :class:`Detections`, ``(A, T, D)`` TP and FP flags and the
    ``(K, A)`` number of non-ignored ground truths per category and area range.
    """
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
        ARm, ARl``), ``per_category`` AP and AP50, and the ``precision``/``recall`` arrays.
    """
    if iou_type != "bbox":
        raise ValueError(f"iou_type must be 'bbox', got {iou_type!r}")
    return evaluate_tables(*load_coco(gt, dt))
