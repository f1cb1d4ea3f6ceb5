"""COCO evaluation, steps 5-6: precision at 101 recall points and recall per category, then the 12 numbers.

Part of :mod:`utils.metrics.coco` (read its docstring first). :func:`accumulate` pools the ranked TP/FP flags of
a category over all images, makes precision monotone and reads it at the recall thresholds; :func:`summarize`
averages over the categories with ground truth.
"""

import numpy as np

from utils.metrics._validate import flag_array, index_array, positive_ints, real_array

from utils.metrics.coco_tables import IOU_THRESHOLDS, MAX_DETS, RECALL_THRESHOLDS, STAT_NAMES, _check_ranked


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
