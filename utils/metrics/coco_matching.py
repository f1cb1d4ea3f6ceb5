"""COCO evaluation, steps 3-4: IoU of candidate pairs, then greedy matching at every IoU threshold and area range.

Part of :mod:`utils.metrics.coco` (read its docstring first). :func:`match_image` is the rule for one image,
written as the loop to read; :func:`match_detections` applies the same rule to every image, category, threshold
and area range at once (vectorised), and :func:`label_detections` turns matches into TP / FP / ignored.
"""

import numpy as np

from utils._ragged import concat_ranges, ranks_in_groups
from utils._validate import number
from utils.metrics._validate import (
    area_bounds,
    flag_array,
    index_array,
    instance,
    pair_table,
    real_array,
    same_length,
    same_lengths,
    xywh_boxes,
)

from utils.metrics.coco_tables import AREA_RANGES, IOU_THRESHOLDS, _TABLE, Detections, GroundTruth, _check_ranked, _check_tables


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
