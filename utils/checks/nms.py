"""Checker for the NMS exercise in ``notebooks/02_nms.ipynb``: ``fn(boxes, scores, iou_threshold) -> keep``."""

import numpy as np

from utils.checks.core import Case, run_cases


def _case(name, boxes, scores, iou_threshold, expected, hint):
    args = (np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(scores, dtype=np.float64), iou_threshold)
    return Case(name, args, np.asarray(expected, dtype=np.int64), hint)


def nms_cases():
    """Edge cases for greedy NMS with torchvision's semantics (strictly above; ties: lower index first)."""
    square = [0, 0, 10, 10]
    return [
        _case("empty input", [], [], 0.5, [],
              "with no boxes, return an empty list of indices (do not index into an empty array)."),
        _case("single box", [square], [0.3], 0.5, [0],
              "one box is always kept, whatever its score."),
        _case("disjoint boxes", [square, [20, 20, 30, 30], [40, 0, 50, 10]], [0.2, 0.9, 0.5], 0.5, [1, 2, 0],
              "boxes that do not overlap are all kept; return them by decreasing score."),
        _case("unsorted scores", [[0, 0, 10, 10], [1, 1, 11, 11], [30, 30, 40, 40]], [0.6, 0.9, 0.7], 0.5, [1, 2],
              "start from the highest score, not from the first box: sort by score first."),
        _case("a duplicate is suppressed", [square, [1, 0, 11, 10]], [0.9, 0.8], 0.5, [0],
              "IoU 90/110 = 0.82 > 0.5: the lower-scored box must go."),
        _case("identical boxes, tied scores", [square, square, square], [0.5, 0.5, 0.5], 0.5, [0],
              "identical boxes have IoU 1: keep one. Among tied scores keep the lowest index (a stable sort: "
              "np.argsort(-scores, kind='stable'))."),
        _case("tied scores, lower index first", [[0, 0, 10, 10], [30, 0, 40, 10]], [0.5, 0.5], 0.5, [0, 1],
              "on a tie the lower index comes first: argsort(scores)[::-1] reverses ties; use argsort(-scores, kind='stable')."),
        _case("IoU exactly equal to the threshold", [square, [0, 0, 10, 5]], [0.9, 0.8], 0.5, [0, 1],
              "IoU = 50 / 100 = 0.5: suppress only when IoU > threshold (strictly), so this box survives."),
        _case("threshold 1.0 keeps identical boxes", [square, square], [0.9, 0.8], 1.0, [0, 1],
              "an IoU is never above 1, so nothing is suppressed at threshold 1.0."),
        _case("touching boxes at threshold 0", [square, [10, 0, 20, 10]], [0.9, 0.8], 0.0, [0, 1],
              "boxes that only share an edge have IoU 0, which is not above 0."),
        _case("chain: a suppressed box suppresses nothing", [[0, 0, 10, 10], [3, 0, 13, 10], [6, 0, 16, 10]],
              [0.9, 0.8, 0.7], 0.4, [0, 2],
              "box 1 is removed by box 0, so it must not remove box 2 (IoU(0, 2) = 40/160 = 0.25 < 0.4)."),
        _case("nested box", [[0, 0, 10, 10], [2, 2, 8, 8]], [0.9, 0.8], 0.3, [0],
              "IoU = 36 / 100 = 0.36 > 0.3. The union is area_a + area_b - intersection = 100 + 36 - 36: "
              "forgetting to subtract the intersection gives 36 / 136 = 0.26 and keeps the box."),
        _case("continuous coordinates (no +1)", [[0, 0, 2, 2], [1, 0, 3, 2]], [0.9, 0.8], 0.4, [0, 1],
              "IoU = 2 / 6 = 0.33, not above 0.4. The old '+1' pixel convention computes 6 / 12 = 0.5 and "
              "suppresses: widths are x2 - x1, with no +1."),
    ]


def _same_keep(got, case):
    try:
        got = np.asarray(got, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError):
        return False
    return got.shape == case.expected.shape and bool((got == case.expected).all())


def check_nms(fn):
    """Check ``fn(boxes, scores, iou_threshold) -> keep`` (indices of kept boxes, by decreasing score)."""
    return run_cases(fn, nms_cases(), compare=_same_keep)
