"""Precision, recall and average precision (AP) of one ranked list of detections.

Taught in ``notebooks/03_map.ipynb``.

A detector's output for one class, sorted by decreasing score, is a ranked list. Each detection is a
true positive (TP: it matched a ground-truth object not matched before) or a false positive (FP).
After the first ``n`` detections,

    precision_n = TP_n / n            recall_n = TP_n / num_gt

AP summarises the precision-recall curve in one number. Every common definition first makes the
curve monotone, replacing precision at recall ``r`` by the best precision at any recall ``>= r``:

    p_interp(r) = max_{r' >= r} p(r')

and then differs in where it reads ``p_interp``:

* ``"voc11"``: PASCAL VOC 2007, the mean of ``p_interp`` at the 11 recalls 0, 0.1, ..., 1.
* ``"all_points"``: PASCAL VOC 2010 and later, the exact area under the step curve ``p_interp``.
* ``"coco101"``: COCO, the mean of ``p_interp`` at the 101 recalls 0, 0.01, ..., 1
  (read at the first detection whose recall reaches ``r``, as pycocotools does).

None of them is the raw area under the zig-zag curve; scikit-learn's ``average_precision_score``
(``sum (R_n - R_{n-1}) P_n``, no interpolation) is yet another number.
"""

import numpy as np

AP_METHODS = ("voc11", "all_points", "coco101")


def _as_vector(x, name, dtype=float):
    x = np.asarray(x, dtype=dtype)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    return x


def precision_recall(scores, is_tp, num_gt):
    """Precision and recall after each detection of a ranked list.

    Args:
        scores: ``(N,)`` confidences of the detections of one class.
        is_tp: ``(N,)`` bools, True where the detection is a true positive.
        num_gt: the number of ground-truth objects of that class (an integer ``>= 0``).

    Returns:
        ``precision, recall``: two ``(N,)`` arrays in order of decreasing score. Tied scores keep
        their input order (a stable sort, like pycocotools' mergesort), so the order of ties is the
        caller's choice and it can change the curve. With ``num_gt == 0`` recall is undefined (NaN).
    """
    scores = _as_vector(scores, "scores")
    is_tp = _as_vector(is_tp, "is_tp", dtype=bool)
    if scores.shape != is_tp.shape:
        raise ValueError(f"scores and is_tp must have the same length, got {scores.shape} and {is_tp.shape}")
    if np.isnan(scores).any():
        raise ValueError("scores contains NaN")
    if int(num_gt) != num_gt or num_gt < 0:
        raise ValueError(f"num_gt must be a non-negative integer, got {num_gt}")
    if is_tp.sum() > num_gt:
        raise ValueError(f"is_tp has {is_tp.sum()} true positives but num_gt is {num_gt}")
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(is_tp[order])  # TP_n
    n = np.arange(1, len(tp) + 1)  # detections so far
    precision = tp / n
    recall = tp / num_gt if num_gt > 0 else np.full(len(tp), np.nan)
    return precision, recall


def precision_envelope(precision):
    """``p_interp`` at each point of the curve: the best precision at this point or any later one.

    ``(N,)`` -> ``(N,)``, a non-increasing array (the "monotone" PR curve every AP definition uses).
    """
    precision = _as_vector(precision, "precision")
    return np.maximum.accumulate(precision[::-1])[::-1]


def interpolated_precision(recall, precision, recall_points):
    """``p_interp(r)`` at each ``r`` of ``recall_points``, 0 where the curve never reaches ``r``.

    ``recall`` must be non-decreasing (it is, along a ranked list). Reads the envelope at the first
    detection whose recall is ``>= r`` (``np.searchsorted(..., side="left")``, as pycocotools does).
    """
    envelope = precision_envelope(precision)
    idx = np.searchsorted(recall, recall_points, side="left")
    reached = idx < len(recall)
    return np.where(reached, envelope[np.minimum(idx, len(recall) - 1)] if len(recall) else 0.0, 0.0)


def average_precision(recall, precision, method="all_points"):
    """Average precision of one PR curve.

    Args:
        recall: ``(N,)`` non-decreasing recalls along the ranked list (from :func:`precision_recall`).
        precision: ``(N,)`` precisions along the same list.
        method: ``"voc11"`` (VOC 2007, 11 points), ``"all_points"`` (VOC 2010+, area under the
            interpolated curve) or ``"coco101"`` (COCO, 101 points). See the module docstring.

    Returns:
        AP as a float in [0, 1]. No detections gives 0; NaN recall (no ground truth) gives NaN.
    """
    if method not in AP_METHODS:
        raise ValueError(f"method must be one of {AP_METHODS}, got {method!r}")
    recall = _as_vector(recall, "recall")
    precision = _as_vector(precision, "precision")
    if recall.shape != precision.shape:
        raise ValueError(f"recall and precision must have the same length, got {recall.shape} and {precision.shape}")
    if np.isnan(recall).any():
        return float("nan")  # no ground truth: AP is undefined (pycocotools marks it -1 and skips it)
    if len(recall) == 0:
        return 0.0
    if (np.diff(recall) < 0).any():
        raise ValueError("recall must be non-decreasing (a ranked list, highest score first)")
    if method == "voc11":
        return float(np.mean(interpolated_precision(recall, precision, np.linspace(0, 1, 11))))
    if method == "coco101":
        return float(np.mean(interpolated_precision(recall, precision, np.linspace(0, 1, 101))))
    # all_points (VOC 2010 devkit): pad the curve to recall 0 and 1, take the envelope, sum the rectangles
    # under it wherever recall steps up.
    r = np.concatenate([[0.0], recall, [1.0]])
    p = precision_envelope(np.concatenate([[0.0], precision, [0.0]]))
    step = np.flatnonzero(r[1:] != r[:-1])
    return float(np.sum((r[step + 1] - r[step]) * p[step + 1]))
