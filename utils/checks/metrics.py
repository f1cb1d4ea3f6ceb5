"""Checker for the AP exercise in ``notebooks/03_map.ipynb``.

The reader writes ``fn(scores, is_tp, num_gt) -> float``: the all-points average precision (PASCAL VOC
2010+, the area under the interpolated precision-recall curve) of one class's detections.
"""

import math

from utils.checks.core import Case, expect_close, run_cases, to_number


def average_precision_cases():
    """Edge cases for ``fn(scores, is_tp, num_gt)``; the expected values are worked out by hand."""
    return [
        Case("perfect ranking", ([0.9, 0.8, 0.7], [True, True, True], 3), 1.0,
             "every detection is a TP and every object is found: precision is 1 at every recall, AP = 1."),
        Case("only false positives", ([0.9, 0.8], [False, False], 2), 0.0,
             "no TP means recall never rises above 0: there is no area under the curve."),
        Case("no detections", ([], [], 3), 0.0,
             "an empty list finds nothing: return 0 (and do not crash on empty arrays)."),
        Case("TP, FP, TP, FP, FP with 3 objects", ([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0], 3), 1 / 3 + 2 / 9,
             "recall steps up by 1/3 at detections 1 and 3, where precision is 1 and 2/3: AP = 1/3 + 2/9. "
             "Divide TP by num_gt for recall, not by the number of TPs."),
        Case("objects never found", ([0.9, 0.8], [True, True], 4), 0.5,
             "recall is TP / num_gt: two of four objects found gives recall 0.5, and the curve stops there."),
        Case("a later point with higher precision", ([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 0, 1, 1], 3),
             1 / 3 + 2 / 3 * 0.6,
             "interpolate: precision at recall r is the best precision at any recall >= r (a running maximum "
             "taken from the end of the list). Without it the second step would use 0.5 instead of 0.6."),
        Case("first detection is a false positive", ([0.9, 0.8], [False, True], 1), 0.5,
             "recall reaches 1 at the second detection, where precision is 1/2."),
        Case("scores not sorted", ([0.2, 0.9, 0.5], [False, True, True], 2), 1.0,
             "rank the detections by decreasing score before accumulating TP and FP."),
        Case("tied scores keep their order", ([0.9, 0.5, 0.5], [True, False, True], 2), 0.5 + 0.5 * 2 / 3,
             "sort with a stable sort on -score (np.argsort(-scores, kind='stable')): "
             "np.argsort(scores)[::-1] reverses the order of tied detections and changes AP."),
        Case("duplicate detections of one object", ([0.9, 0.85, 0.8], [True, False, True], 2), 0.5 + 0.5 * 2 / 3,
             "a duplicate of an already matched object is a false positive: it lowers precision, not recall."),
        Case("no ground truth", ([0.9], [False], 0), math.nan,
             "with num_gt = 0 recall is 0/0: AP is undefined. Return nan (or -1, COCO's marker for such a class, "
             "which it leaves out of the mean), never 0 or 1."),
    ]


def _compare(got, case):
    if isinstance(case.expected, float) and math.isnan(case.expected):
        # Undefined AP: nan, or COCO's -1 marker, are both documented answers.
        number = to_number(got)
        return None if number == -1 or math.isnan(number) else f"expected nan (undefined), got {number:.4f}"
    return expect_close(got, case.expected, case.atol, case.rtol)


def check_average_precision(fn):
    """Check ``fn(scores, is_tp, num_gt) -> float``, the all-points (VOC 2010+) AP of a list of detections."""
    return run_cases(fn, average_precision_cases(), compare=_compare)


def reference_average_precision(scores, is_tp, num_gt):
    """A solution of the exercise, built from :mod:`utils.metrics.ap`."""
    from utils.metrics.ap import average_precision, precision_recall

    precision, recall = precision_recall(scores, is_tp, num_gt)
    return average_precision(recall, precision, "all_points")
