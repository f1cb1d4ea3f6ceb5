"""COCO box evaluation (AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l) with pycocotools' exact numbers.

Taught in ``notebooks/03_map.ipynb``. ``coco_evaluate(gt, dt)`` runs six named steps:

1. :func:`load_coco`: the ground-truth dict and the detection list become flat numpy tables.
2. :func:`rank_detections`: per (image, category), sort detections by score and keep the top 100.
3. :func:`pair_ious`: IoU of each detection with each ground truth of its image and category.
4. :func:`match_detections`: greedy matching in score order, for 10 IoU thresholds x 4 area ranges
   (:func:`match_image` is the same rule for one image, written as the loop to read).
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

import json
import pathlib
from dataclasses import dataclass

import numpy as np

from utils._ragged import concat_ranges, ranks_in_groups
from utils._validate import integer, number
from utils.metrics._validate import (
    area_bounds,
    flag_array,
    index_array,
    instance,
    pair_table,
    positive_ints,
    real_array,
    record_boxes,
    record_flags,
    record_ids,
    record_numbers,
    same_length,
    same_lengths,
    sorted_ids,
    xywh_boxes,
)

# Built exactly as pycocotools builds them (np.arange would give slightly different floats).
IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)  # (T,) = (10,)
RECALL_THRESHOLDS = np.linspace(0.0, 1.0, int(np.round((1.0 - 0.0) / 0.01)) + 1, endpoint=True)  # (R,) = (101,)
MAX_DETS = (1, 10, 100)  # (M,)
AREA_RANGES = {"all": (0, 1e5**2), "small": (0, 32**2), "medium": (32**2, 96**2), "large": (96**2, 1e5**2)}  # (A,)
STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
_TABLE = " (a table from load_coco)"


@dataclass
class GroundTruth:
    """Ground-truth boxes as columns, ``G`` rows in annotation order (checked when built)."""

    image: np.ndarray  # (G,) index into the sorted image ids
    category: np.ndarray  # (G,) index into the sorted category ids
    box: np.ndarray  # (G, 4) xywh
    area: np.ndarray  # (G,) the annotation's "area" field
    crowd: np.ndarray  # (G,) bool, iscrowd
    image_ids: np.ndarray  # (I,) sorted image ids
    category_ids: np.ndarray  # (K,) sorted category ids

    def __post_init__(self):
        self.image_ids = sorted_ids(self.image_ids, "image_ids")
        self.category_ids = sorted_ids(self.category_ids, "category_ids")
        self.image, self.category = index_array(self.image, "image"), index_array(self.category, "category")
        for column, ids in (("image", self.image_ids), ("category", self.category_ids)):
            if getattr(self, column).max(initial=-1) >= len(ids):
                raise ValueError(f"{column} holds index {getattr(self, column).max()}, "
                                 f"but {column}_ids has only {len(ids)} ids")
        self.box, self.area = xywh_boxes(self.box, "box"), real_array(self.area, "area", lo=0.0)
        self.crowd = flag_array(self.crowd, "crowd")
        same_lengths(image=self.image, category=self.category, box=self.box, area=self.area, crowd=self.crowd)


@dataclass
class Detections:
    """Detections as columns, ``D`` rows (checked when built)."""

    image: np.ndarray  # (D,) index into GroundTruth.image_ids
    category: np.ndarray  # (D,) index into GroundTruth.category_ids
    box: np.ndarray  # (D, 4) xywh
    score: np.ndarray  # (D,)
    rank: np.ndarray = None  # (D,) position by score within its (image, category), set by rank_detections

    def __post_init__(self):
        self.image, self.category = index_array(self.image, "image"), index_array(self.category, "category")
        self.box, self.score = xywh_boxes(self.box, "box"), real_array(self.score, "score")
        ranks = {} if self.rank is None else {"rank": index_array(self.rank, "rank")}
        self.rank = ranks.get("rank")
        same_lengths(image=self.image, category=self.category, box=self.box, score=self.score, **ranks)

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

    def __post_init__(self):
        instance(self.stats, "stats", dict), instance(self.per_category, "per_category", dict)
        self.precision = real_array(self.precision, "precision", ndim=5, lo=-1.0, hi=1.0)
        self.recall = real_array(self.recall, "recall", ndim=4, lo=-1.0, hi=1.0)
        self.category_ids = sorted_ids(self.category_ids, "category_ids")
        T, R, K, A, M = self.precision.shape
        if self.recall.shape != (T, K, A, M) or len(self.category_ids) != K:
            raise ValueError(f"precision (T, R, K, A, M) = {self.precision.shape}, recall (T, K, A, M) = "
                             f"{self.recall.shape} and category_ids (K,) = {self.category_ids.shape} must agree")


def _read(obj, name):
    """A COCO dict or list, or the path of the JSON file that holds it."""
    if not isinstance(obj, (str, pathlib.Path)):
        return obj
    try:
        with open(obj) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise ValueError(f"{name}: cannot read a COCO JSON file at {str(obj)!r} ({error})") from None


def load_coco(gt, dt):
    """Step 1: COCO ground truth and results -> (:class:`GroundTruth`, :class:`Detections`).

    Args:
        gt: a dict with ``images``, ``annotations`` (``id``, ``image_id``, ``category_id``, ``bbox`` as
            ``[x, y, w, h]``, ``area``, ``iscrowd``) and ``categories``, or a path to its JSON file.
        dt: a list of ``{"image_id", "category_id", "bbox", "score"}``, or a path to its JSON file.

    Ids must be integers (2.9 or "3" are refused, never rounded); annotation ids must be unique, and 0 is
    allowed (see the module docstring). ``area`` is required: COCO's area is the object's segment area,
    which pycocotools reads and never computes from the box (it fails with a KeyError without it).
    A missing ``iscrowd`` counts as 0. Annotations and detections of categories not listed in
    ``gt["categories"]`` are dropped (as pycocotools does); a detection on an image not in ``gt["images"]``
    is an error (pycocotools refuses it too).
    """
    gt, dt = _read(gt, "gt"), _read(dt, "dt")
    if not isinstance(gt, dict) or not {"images", "annotations", "categories"} <= gt.keys():
        raise ValueError("gt must be a COCO dict with 'images', 'annotations' and 'categories' (or a path to one), "
                         f"got {type(gt).__name__}" + (f" with keys {sorted(gt)}" if isinstance(gt, dict) else ""))
    if not isinstance(dt, (list, tuple)):
        raise TypeError(f"dt must be a list of detection dicts (or a path to one), got {type(dt).__name__}")
    image_ids = np.unique(record_ids(gt["images"], "id", "gt['images']"))
    category_ids = np.unique(record_ids(gt["categories"], "id", "gt['categories']"))

    anns, where = gt["annotations"], "gt['annotations']"
    ann_ids = record_ids(anns, "id", where)
    unique_ids, counts = np.unique(ann_ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{where} ids must be unique, but id {unique_ids[counts > 1][0]} appears {counts.max()} times")
    g_image, g_cat = record_ids(anns, "image_id", where), record_ids(anns, "category_id", where)
    g_box, g_area = record_boxes(anns, "bbox", where), record_numbers(anns, "area", where, lo=0.0)
    g_crowd = record_flags(anns, "iscrowd", where)
    keep = np.isin(g_image, image_ids) & np.isin(g_cat, category_ids)
    gt_table = GroundTruth(np.searchsorted(image_ids, g_image[keep]), np.searchsorted(category_ids, g_cat[keep]),
                           g_box[keep], g_area[keep], g_crowd[keep], image_ids, category_ids)

    d_image, d_cat = record_ids(dt, "image_id", "dt"), record_ids(dt, "category_id", "dt")
    d_box, d_score = record_boxes(dt, "bbox", "dt"), record_numbers(dt, "score", "dt")
    unknown = np.flatnonzero(~np.isin(d_image, image_ids))
    if len(unknown):
        raise ValueError(f"dt[{unknown[0]}] has image_id {d_image[unknown[0]]}, which is not in gt['images']")
    keep = np.isin(d_cat, category_ids)
    dt_table = Detections(np.searchsorted(image_ids, d_image[keep]), np.searchsorted(category_ids, d_cat[keep]),
                          d_box[keep], d_score[keep])
    return gt_table, dt_table


def _rank_within_groups(*keys):
    """Position of each row within its run of equal ``keys`` (the rows are sorted by the keys).
    Shapes: key columns ``(D,)`` each -> ``(D,)`` ints 0, 1, ... restarting at every new key.
    Why: sorted by (image, category, -score), it is the rank by score that ``maxDets`` caps."""
    keys = np.stack(keys)  # (k, D)
    starts = np.flatnonzero(np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)])  # first row of each run
    return ranks_in_groups(np.diff(np.r_[starts, keys.shape[1]]))


def rank_detections(dt, max_det=100):
    """Step 2: order detections by (image, category, decreasing score) and keep the top ``max_det``
    (an integer >= 1) of each (image, category). Ties keep their input order (``np.lexsort`` is stable).

    Returns a new :class:`Detections` with ``rank`` = 0, 1, ... within each (image, category).
    """
    instance(dt, "dt", Detections, _TABLE)
    max_det = integer(max_det, "max_det", low=1)
    order = np.lexsort((-dt.score, dt.category, dt.image))
    dt = dt.take(order)
    dt.rank = _rank_within_groups(dt.image, dt.category)
    return dt.take(dt.rank < max_det)


def coco_box_iou(dt_box, gt_box, crowd):
    """IoU of xywh detection and ground-truth boxes, element by element (numpy broadcasting).

    Args:
        dt_box, gt_box: ``(..., 4)`` ``[x, y, w, h]`` boxes. crowd: ``(...)`` bools, True where the ground
            truth is a crowd region. ``(P, 4), (P, 4), (P,)`` give ``(P,)`` pairs;
            ``dt_box[:, None], gt_box[None], crowd[None]`` give the ``(D, G)`` matrix.

    Returns IoUs of the broadcast shape, computed with the same floating-point operations as pycocotools'
    C code (``maskApi.c``, ``bbIou``), so the comparisons with the thresholds agree bit for bit. That
    formula subtracts coordinates, so an IoU can exceed 1 by rounding (1 + 2e-16 for a box inside a crowd
    region; more for a box whose width is tiny next to its x): kept, for the same bits. For a crowd region
    the denominator is the detection's area: a detection covering part of a crowd is not punished for the
    rest of it. Boxes that do not overlap give 0; so do boxes so small that ``w * h`` underflows to 0
    (sides below 1e-154), where pycocotools divides 0 by 0 and its NaN then matches at every threshold.
    """
    dt_box, gt_box = xywh_boxes(dt_box, "dt_box", ndim=None), xywh_boxes(gt_box, "gt_box", ndim=None)
    crowd = flag_array(crowd, "crowd", ndim=None)
    try:
        np.broadcast_shapes(dt_box.shape[:-1], gt_box.shape[:-1], crowd.shape)
    except ValueError:
        raise ValueError(f"dt_box {dt_box.shape}, gt_box {gt_box.shape} and crowd {crowd.shape} do not broadcast "
                         "together (use (P, 4), (P, 4), (P,), or [:, None] and [None] for all pairs)") from None
    dx, dy, dw, dh = np.moveaxis(dt_box, -1, 0)
    gx, gy, gw, gh = np.moveaxis(gt_box, -1, 0)
    w = np.minimum(dw + dx, gw + gx) - np.maximum(dx, gx)
    h = np.minimum(dh + dy, gh + gy) - np.maximum(dy, gy)
    inter = w * h
    union = np.where(crowd, dw * dh, dw * dh + gw * gh - inter)
    overlap = (w > 0) & (h > 0) & (union > 0)
    return np.divide(inter, union, out=np.zeros_like(inter), where=overlap)


def _check_tables(gt, dt):
    """Both tables from :func:`load_coco`, and ``dt``'s image and category indices point into ``gt``."""
    instance(gt, "gt", GroundTruth, _TABLE), instance(dt, "dt", Detections, _TABLE)
    for column, ids in (("image", gt.image_ids), ("category", gt.category_ids)):
        if len(dt.score) and getattr(dt, column).max() >= len(ids):
            raise ValueError(f"dt.{column} holds index {getattr(dt, column).max()}, but gt has only {len(ids)} "
                             f"{column} ids: dt and gt must come from the same load_coco call")


def pair_ious(gt, dt):
    """Step 3: every (detection, ground truth) pair of the same image and category, with its IoU.

    Returns ``(det, gt_index, iou)``, three ``(P,)`` arrays sorted by detection, then by annotation
    order within the group.
    """
    _check_tables(gt, dt)
    n_cat = len(gt.category_ids)
    g_key = gt.image * n_cat + gt.category  # (G,) one key per (image, category)
    d_key = dt.image * n_cat + dt.category  # (D,)
    g_order = np.argsort(g_key, kind="stable")  # ground truth grouped by key, annotation order within a group
    start = np.searchsorted(g_key[g_order], d_key, side="left")  # (D,) where each detection's group begins
    end = np.searchsorted(g_key[g_order], d_key, side="right")
    det = np.repeat(np.arange(len(d_key)), end - start)  # (P,)
    gt_index = g_order[concat_ranges(start, end)]  # (P,) each detection's group of ground truths
    iou = coco_box_iou(dt.box[det], gt.box[gt_index], gt.crowd[gt_index])
    return det, gt_index, iou


def _outside(area, area_ranges):
    """Where each area lies outside each range (pycocotools' ends are inclusive: ``lo <= area <= hi`` is in).
    Shapes: ``(N,)`` areas and ``A`` ranges -> ``(A, N)`` bools.
    Why: ground truth outside the range is ignored, and so is an unmatched detection outside it."""
    lo, hi = area_bounds(area_ranges)  # (A, 1) each
    return (area < lo) | (area > hi)


def ignored_ground_truth(gt, area_ranges=AREA_RANGES):
    """``(A, G)`` bools: crowd regions, and ground truth whose ``area`` is outside the range.

    ``area_ranges``: ``{name: (lo, hi)}`` (``A`` ranges, ends inclusive). No range gives ``(0, G)``.
    """
    instance(gt, "gt", GroundTruth, _TABLE)
    return gt.crowd | _outside(gt.area, area_ranges)


def match_image(dt_box, dt_score, gt_box, gt_crowd, gt_ignore, iou_threshold=0.5):
    """COCO's matching rule on one image and category, one detection at a time: the version to read.

    Detections are visited by decreasing score (ties in input order). Each takes, among the ground truths
    still free with IoU ``>= iou_threshold``, the one with the highest IoU (the later one on a tie); a crowd
    region is never used up, and a ground truth that counts beats an ignored one whatever their IoUs.
    :func:`match_detections` applies the same rule to every image, threshold and area range at once (a test
    checks that the two agree); :func:`coco_evaluate` runs that one.

    Args:
        dt_box: ``(D, 4)`` xywh detections (the top ``maxDets`` by score). dt_score: ``(D,)`` their scores.
        gt_box: ``(G, 4)`` xywh ground truth. gt_crowd: ``(G,)`` bools, iscrowd. gt_ignore: ``(G,)`` bools,
            ignored ground truth: crowd regions, and areas outside the range evaluated (:func:`ignored_ground_truth`).
        iou_threshold: the IoU a match needs, in [0, 1].

    Returns:
        ``(D,)`` ints in input order: the index of the ground truth each detection matched, -1 for none.
        Matched to a counted ground truth: TP; to an ignored one: neither TP nor FP; unmatched: FP (unless
        its box area is outside the range, see :func:`label_detections`).
    """
    dt_box, gt_box = xywh_boxes(dt_box, "dt_box"), xywh_boxes(gt_box, "gt_box")
    dt_score, t = real_array(dt_score, "dt_score"), number(iou_threshold, "iou_threshold", 0.0, 1.0)
    gt_crowd, gt_ignore = flag_array(gt_crowd, "gt_crowd"), flag_array(gt_ignore, "gt_ignore")
    same_length("dt_box", dt_box, "dt_score", dt_score)
    same_lengths(gt_box=gt_box, gt_crowd=gt_crowd, gt_ignore=gt_ignore)

    iou = coco_box_iou(dt_box[:, None], gt_box[None], gt_crowd[None])  # (D, G)
    t = min(t, 1 - 1e-10)  # as pycocotools: at t = 1 an IoU that rounds to just below 1 still matches
    matched = np.full(len(dt_score), -1)
    taken = np.zeros(len(gt_box), dtype=bool)
    for d in np.argsort(-dt_score, kind="stable"):  # best score first, ties in input order
        candidates = (iou[d] >= t) & (~taken | gt_crowd)  # (G,) a crowd region absorbs any number of detections
        counted = candidates & ~gt_ignore
        if counted.any():
            candidates = counted  # a ground truth that counts beats an ignored one
        if candidates.any():
            g = _last_argmax(np.where(candidates, iou[d], -1.0))  # highest IoU, the later one on a tie
            matched[d], taken[g] = g, True
    return matched


def _last_argmax(x):
    """Index of the largest value along the last axis; among equal largest values, the last one.
    Shapes: ``(..., C)`` -> ``(...)`` ints.
    Why: pycocotools replaces its best match on an equal IoU (``if iou < best: continue``): the later wins."""
    return x.shape[-1] - 1 - np.argmax(x[..., ::-1], axis=-1)


def _candidate_table(det, gt_index, iou):
    """The candidate ground truths of each detection as one padded row, in annotation order.
    Shapes: ``(P,)`` pairs sorted by detection -> ``(n,)`` detections, ``(n, C)`` indices and IoUs (-1 pads).
    Why: the detections of one rank then take their matches in one vectorised step, row by row."""
    cand_det, count = np.unique(det, return_counts=True)
    row, col = np.repeat(np.arange(len(cand_det)), count), ranks_in_groups(count)
    cand_gt = np.full((len(cand_det), count.max(initial=0)), -1)
    cand_iou = np.full(cand_gt.shape, -1.0)
    cand_gt[row, col], cand_iou[row, col] = gt_index, iou
    return cand_det, cand_gt, cand_iou


def _check_ranked(dt):
    instance(dt, "dt", Detections, _TABLE)
    if dt.rank is None:
        raise ValueError("dt must be ranked: pass it through rank_detections first (dt.rank is None)")


def match_detections(dt, pairs, gt_ignore, gt_crowd, iou_thresholds=IOU_THRESHOLDS):
    """Step 4: greedy matching, for every IoU threshold and area range at once.

    The rule of :func:`match_image`: within an (image, category), detections are visited in score order;
    each takes the best still unmatched ground truth with IoU ``>= t`` (non-ignored first; ties: the later
    annotation). Crowd regions stay available after a match. Detections of the same rank belong to
    different groups and never compete, so the loop runs over ranks (at most 100), with all groups of a
    rank in one step.

    Args:
        dt: ranked :class:`Detections` (``D`` rows). pairs: ``(det, gt_index, iou)`` from :func:`pair_ious`.
        gt_ignore: ``(A, G)`` from :func:`ignored_ground_truth`. gt_crowd: ``(G,)`` bools.
        iou_thresholds: ``(T,)`` in [0, 1].

    Returns:
        ``(A, T, D)`` ints: the matched ground-truth index, -1 for none.
    """
    _check_ranked(dt)
    gt_ignore, gt_crowd = flag_array(gt_ignore, "gt_ignore", ndim=2), flag_array(gt_crowd, "gt_crowd")
    same_length("gt_crowd", gt_crowd, "gt_ignore's rows", gt_ignore.T)
    A, G = gt_ignore.shape
    det, gt_index, iou = pair_table(pairs, len(dt.score), G)
    iou_thresholds = real_array(iou_thresholds, "iou_thresholds", lo=0.0, hi=1.0)
    T, D = len(iou_thresholds), len(dt.score)
    matched = np.full((A, T, D), -1)
    thr = np.minimum(iou_thresholds, 1 - 1e-10)[None, :, None, None]  # (1, T, 1, 1), as pycocotools
    close = iou >= thr.min(initial=1.0)  # the other pairs can never match
    if not close.any():
        return matched
    cand_det, cand_gt, cand_iou = _candidate_table(det[close], gt_index[close], iou[close])  # (n,), (n, C), (n, C)

    taken = np.zeros((A, T, G), dtype=bool)  # ground truth already matched
    cand_rank = dt.rank[cand_det]
    for r in np.unique(cand_rank):
        rows = np.flatnonzero(cand_rank == r)
        g, o = cand_gt[rows], cand_iou[rows]  # (n, C)
        eligible = (o >= thr) & (g >= 0) & (~taken[:, :, g] | gt_crowd[g])  # (A, T, n, C)
        regular = eligible & ~gt_ignore[:, None, g]
        eligible = np.where(regular.any(axis=-1, keepdims=True), regular, eligible)  # non-ignored first
        best = _last_argmax(np.where(eligible, o, -1.0))  # (A, T, n): highest IoU, the later one on a tie
        m = np.where(eligible.any(axis=-1), g[np.arange(len(rows)), best], -1)  # (A, T, n)
        matched[:, :, cand_det[rows]] = m
        a, t, i = np.nonzero(m >= 0)
        taken[a, t, m[a, t, i]] = True
    return matched


def label_detections(dt, matched, gt_ignore, area_ranges=AREA_RANGES):
    """TP and FP flags, ``(A, T, D)`` bools each.

    A detection matched to an ignored ground truth, or unmatched with a box area outside the range, is
    ignored: neither TP nor FP. ``matched``: ``(A, T, D)`` from :func:`match_detections`; ``gt_ignore``:
    ``(A, G)``; ``area_ranges``: the ``A`` ranges ``gt_ignore`` was built with.
    """
    instance(dt, "dt", Detections, _TABLE)
    gt_ignore, matched = flag_array(gt_ignore, "gt_ignore", ndim=2), index_array(matched, "matched", ndim=3, lo=-1)
    dt_outside = _outside(dt.area, area_ranges)  # (A, D)
    if matched.shape[::2] != (len(gt_ignore), len(dt.score)) or len(dt_outside) != len(gt_ignore) \
            or matched.max(initial=-1) >= gt_ignore.shape[1]:
        raise ValueError(f"matched (A, T, D) = {matched.shape} with indices up to {matched.max(initial=-1)}, "
                         f"gt_ignore (A, G) = {gt_ignore.shape}, {len(dt_outside)} area_ranges and "
                         f"{len(dt.score)} dt rows must agree")
    padded = np.concatenate([gt_ignore, np.zeros((len(gt_ignore), 1), bool)], axis=1)  # index -1 -> padding
    is_matched = matched >= 0
    ignore = np.where(is_matched, np.take_along_axis(padded[:, None, :], matched, axis=2), dt_outside[:, None, :])
    return is_matched & ~ignore, ~is_matched & ~ignore


def _nth_true(flags, c):
    """Index of the ``c``-th True of each row (index 0 for ``c = 0``; ``n``, past the end, if the row has fewer).
    Shapes: ``(rows, n)`` bools and ``(rows, m)`` counts -> ``(rows, m)`` ints in [0, n].
    Why: down a ranked list, ``TP_n`` first reaches ``c`` at the c-th true positive: where recall reaches r."""
    rows, n = flags.shape
    count = flags.sum(axis=1)  # (rows,) Trues per row
    col = np.r_[np.nonzero(flags)[1], n]  # the column of every True, row after row (then one padding entry)
    start = np.cumsum(count) - count  # (rows,) where each row's Trues begin in col
    nth = col[np.clip(start[:, None] + c - 1, 0, len(col) - 1)]  # (rows, m)
    return np.where(c == 0, 0, np.where(c <= count[:, None], nth, n))


def _recall_counts(n_pos, rec_thresholds):
    """The number of true positives at which recall ``TP / n_pos`` first reaches each recall threshold.
    Shapes: ``(A,)`` positives and ``(R,)`` thresholds -> ``(A, R)`` ints (``n_pos + 1``: never reached).
    Why: integer counts are compared exactly, and computing them with pycocotools' division keeps its bits."""
    return np.stack([np.searchsorted(np.arange(p + 1) / p, rec_thresholds, side="left") for p in np.maximum(n_pos, 1)])


def _envelope(precision):
    """Precision made monotone: the best precision at each point or any later one, along the last axis.
    Shapes: ``(..., n)`` -> ``(..., n)``, non-increasing along the last axis.
    Why: every AP reads ``p_interp(r) = max_{r' >= r} p(r')`` (pycocotools' backward loop, vectorised)."""
    return np.maximum.accumulate(precision[..., ::-1], axis=-1)[..., ::-1]


def accumulate(dt, tp, fp, n_pos, max_dets=MAX_DETS, rec_thresholds=RECALL_THRESHOLDS):
    """Step 5: precision at each recall threshold and the final recall, per category.

    Args:
        dt: ranked :class:`Detections` (``D`` rows); tp, fp: ``(A, T, D)`` from :func:`label_detections`.
        n_pos: ``(K, A)`` number of non-ignored ground truths per category and area range.
        max_dets: ``M`` caps on detections per image and category. rec_thresholds: ``(R,)`` in [0, 1].

    Returns:
        ``precision`` ``(T, R, K, A, M)`` and ``recall`` ``(T, K, A, M)``; -1 where ``n_pos == 0``, 0 where
        a category has ground truth but no detection.
    """
    _check_ranked(dt)
    tp, fp = flag_array(tp, "tp", ndim=3), flag_array(fp, "fp", ndim=3)
    n_pos = index_array(n_pos, "n_pos", ndim=2)
    max_dets = positive_ints(max_dets, "max_dets")
    rec_thresholds = real_array(rec_thresholds, "rec_thresholds", lo=0.0, hi=1.0)
    K, A = n_pos.shape
    if tp.shape != fp.shape or tp.shape[::2] != (A, len(dt.score)) or (len(dt.score) and dt.category.max() >= K):
        raise ValueError(f"tp and fp (A, T, D) = {tp.shape} and {fp.shape}, n_pos (K, A) = {n_pos.shape} and "
                         f"{len(dt.score)} dt rows must agree")
    if (tp & fp).any():
        raise ValueError("tp and fp: a detection cannot be both a true and a false positive")
    T, R, M = tp.shape[1], len(rec_thresholds), len(max_dets)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    # Pool each category over images: stable sort by score of the (image, rank)-ordered rows.
    order = np.lexsort((-dt.score, dt.category))
    tp, fp, rank = tp[:, :, order], fp[:, :, order], dt.rank[order]  # each category is now one slice
    bounds = np.searchsorted(dt.category[order], np.arange(K + 1))
    for k in range(K):
        has_gt = n_pos[k] > 0  # (A,)
        rows = slice(bounds[k], bounds[k + 1])  # this category's detections, best score first
        if not has_gt.any():
            if tp[:, :, rows].any():
                raise ValueError(f"tp has true positives in category index {k}, but n_pos[{k}] is 0")
            continue
        n = rows.stop - rows.start
        if n == 0:
            precision[:, :, k, has_gt] = 0.0
            recall[:, k, has_gt] = 0.0
            continue
        # A detection beyond maxDets counts as neither TP nor FP: it repeats the previous point of the
        # curve, which changes no reading of it (the same holds for ignored detections).
        within = rank[rows] < np.array(max_dets)[:, None]  # (M, n): inside maxDets of its image
        is_tp = tp[:, None, :, rows] & within[None, :, None]  # (A, M, T, n)
        tp_sum = np.cumsum(is_tp, axis=-1, dtype=np.int32)  # TP_n (int32: exact, and faster than int64)
        fp_sum = np.cumsum(fp[:, None, :, rows] & within[None, :, None], axis=-1, dtype=np.int32)
        if (tp_sum[..., -1] > n_pos[k][:, None, None]).any():
            raise ValueError(f"tp has more true positives in category index {k} than n_pos[{k}] = {n_pos[k]}")
        npos = np.maximum(n_pos[k], 1)[:, None, None, None]  # (A, 1, 1, 1); n_pos == 0 is masked below
        pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
        c_r = _recall_counts(n_pos[k], rec_thresholds)  # (A, R): recall reaches r when TP_n >= c_r
        first = _nth_true(is_tp.reshape(-1, n), np.repeat(c_r, M * T, axis=0)).reshape(A, M, T, R)
        q = np.where(first < n, np.take_along_axis(_envelope(pr), np.minimum(first, n - 1), axis=-1), 0.0)
        precision[:, :, k] = np.where(has_gt[:, None], q.transpose(2, 3, 0, 1), -1.0)  # (T, R, A, M)
        recall[:, k] = np.where(has_gt[:, None], (tp_sum[..., -1] / npos[..., 0]).transpose(2, 0, 1), -1.0)
    return precision, recall


def _mean_valid(x):
    x = x[x > -1]
    return float(np.mean(x)) if x.size else -1.0


def summarize(precision, recall, iou_thresholds=IOU_THRESHOLDS):
    """Step 6: the 12 numbers: means over all entries that are not -1 (as pycocotools' summarize).

    ``precision`` ``(T, R, K, 4, 3)`` and ``recall`` ``(T, K, 4, 3)`` from :func:`accumulate`: area index
    0-3 = all, small, medium, large; maxDets index 0-2 = 1, 10, 100. A number over nothing (every entry
    -1, or ``iou_thresholds`` without 0.5 for AP50 or 0.75 for AP75) is -1, as in pycocotools.
    """
    precision = real_array(precision, "precision", ndim=5, lo=-1.0, hi=1.0)
    recall = real_array(recall, "recall", ndim=4, lo=-1.0, hi=1.0)
    iou_thresholds = real_array(iou_thresholds, "iou_thresholds", lo=0.0, hi=1.0)
    T, R, K, A, M = precision.shape
    if recall.shape != (T, K, A, M) or (A, M) != (4, 3) or len(iou_thresholds) != T:
        raise ValueError(f"precision (T, R, K, 4, 3) = {precision.shape}, recall (T, K, 4, 3) = {recall.shape} "
                         f"and iou_thresholds (T,) = {iou_thresholds.shape} must agree")
    for name, x in (("precision", precision), ("recall", recall)):
        if ((x < 0) & (x != -1)).any():
            raise ValueError(f"{name} must hold values in [0, 1], or -1 for 'no ground truth'")
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
