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

Edge cases: no detections gives AP 0 (nothing found); a class without ground truth (``num_gt == 0``) has
no recall and no AP: NaN, the only NaN these functions return. Malformed input (NaN scores, precision
above 1, an unknown method, ...) raises a ``ValueError`` or ``TypeError`` naming the argument.
"""

import numpy as np

from utils._validate import choice, integer
from utils.metrics._validate import flag_array, real_array, same_length

AP_METHODS = ("voc11", "all_points", "coco101")


def precision_recall(scores, is_tp, num_gt):
    """Precision and recall after each detection of a ranked list.

    Args:
        scores: ``(N,)`` finite confidences of the detections of one class.
        is_tp: ``(N,)`` bools (or 0/1), True where the detection is a true positive.
        num_gt: the number of ground-truth objects of that class (an integer ``>= 0``, at least the
            number of true positives).

    Returns:
        ``precision, recall``: two ``(N,)`` arrays in order of decreasing score, values in [0, 1]. Tied
        scores keep their input order (a stable sort, like pycocotools' mergesort), so the order of ties
        is the caller's choice and it can change the curve. No detections gives two empty arrays. With
        ``num_gt == 0`` recall is 0/0, undefined: it is NaN, the one NaN this module returns on purpose.
    """
    scores = real_array(scores, "scores")
    is_tp = flag_array(is_tp, "is_tp")
    same_length("scores", scores, "is_tp", is_tp)
    num_gt = integer(num_gt, "num_gt", low=0)
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

    ``(N,)`` precisions in [0, 1] -> ``(N,)``, a non-increasing array (the "monotone" PR curve every AP
    definition uses). Empty in, empty out.
    """
    precision = real_array(precision, "precision", lo=0.0, hi=1.0)
    return np.maximum.accumulate(precision[::-1])[::-1]


def _no_ground_truth(recall):
    """True for the recall :func:`precision_recall` returns when ``num_gt == 0``: ``(N,)`` floats, all NaN
    (N > 0). Anything else is checked as a real recall by :func:`_curve`."""
    try:
        recall = np.asarray(recall)
    except (ValueError, TypeError):  # ragged: _curve says what is wrong
        return False
    return recall.dtype.kind == "f" and recall.ndim == 1 and recall.size > 0 and bool(np.isnan(recall).all())


def _curve(recall, precision):
    """Check one PR curve: ``(N,)`` recall (non-decreasing, in [0, 1], or all NaN for "no ground truth")
    and ``(N,)`` precision in [0, 1]. Returns both as float arrays and whether the class has ground truth."""
    has_gt = not _no_ground_truth(recall)
    if has_gt:
        recall = real_array(recall, "recall", lo=0.0, hi=1.0)
        if (np.diff(recall) < 0).any():
            raise ValueError("recall must be non-decreasing (a ranked list, highest score first)")
    precision = real_array(precision, "precision", lo=0.0, hi=1.0)
    same_length("recall", recall, "precision", precision)
    return np.asarray(recall, dtype=float), precision, has_gt


def interpolated_precision(recall, precision, recall_points):
    """``p_interp(r)`` at each ``r`` of ``recall_points``, 0 where the curve never reaches ``r``.

    Args:
        recall, precision: ``(N,)`` one PR curve (from :func:`precision_recall`; recall non-decreasing).
        recall_points: ``(R,)`` recalls in [0, 1] to read the curve at.

    Returns:
        ``(R,)`` floats. Reads the envelope at the first detection whose recall is ``>= r``
        (``np.searchsorted(..., side="left")``, as pycocotools does). An empty curve gives zeros; a curve
        without ground truth (NaN recall) gives NaN, like its AP.
    """
    recall, precision, has_gt = _curve(recall, precision)
    recall_points = real_array(recall_points, "recall_points", lo=0.0, hi=1.0)
    if not has_gt:
        return np.full(len(recall_points), np.nan)
    if len(recall) == 0:
        return np.zeros(len(recall_points))
    envelope = precision_envelope(precision)
    idx = np.searchsorted(recall, recall_points, side="left")
    reached = idx < len(recall)
    return np.where(reached, envelope[np.minimum(idx, len(recall) - 1)], 0.0)


def average_precision(recall, precision, method="all_points"):
    """Average precision of one PR curve.

    Args:
        recall: ``(N,)`` non-decreasing recalls in [0, 1] along the ranked list (from
            :func:`precision_recall`).
        precision: ``(N,)`` precisions in [0, 1] along the same list.
        method: ``"voc11"`` (VOC 2007, 11 points), ``"all_points"`` (VOC 2010+, area under the
            interpolated curve) or ``"coco101"`` (COCO, 101 points). See the module docstring.

    Returns:
        AP as a float in [0, 1]. No detections (empty arrays) gives 0.0: nothing was found. A class without
        ground truth (recall all NaN, from ``num_gt == 0``) has no AP: it gives NaN, so that a mean over
        classes that forgets to leave it out is NaN, not silently lower (COCO marks such a class -1 in its
        arrays and leaves it out; see :mod:`utils.metrics.coco`).
    """
    choice(method, "method", AP_METHODS)
    recall, precision, has_gt = _curve(recall, precision)
    if not has_gt:
        return float("nan")
    if len(recall) == 0:
        return 0.0
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
