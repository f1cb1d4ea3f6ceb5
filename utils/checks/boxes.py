"""Checkers for the box exercises in ``notebooks/01_iou.ipynb``."""

from utils.checks.core import Case, run_cases


def iou_cases():
    """Edge cases for a single-pair IoU function ``fn(box_a, box_b) -> float`` on xyxy boxes."""
    return [
        Case("identical boxes", ([0, 0, 10, 10], [0, 0, 10, 10]), 1.0,
             "a box overlaps itself completely: intersection = union = its area."),
        Case("partial overlap", ([0, 0, 10, 10], [5, 5, 15, 15]), 25 / 175,
             "intersection 5 x 5 = 25, union 100 + 100 - 25 = 175."),
        Case("boxes of different heights", ([0, 0, 10, 10], [0, 5, 10, 25]), 50 / 250,
             "each box's area must use that box's own coordinates only: (x2 - x1) * (y2 - y1)."),
        Case("disjoint boxes", ([0, 0, 10, 10], [20, 20, 30, 30]), 0.0,
             "here both the width (10 - 20) and the height (10 - 20) of the intersection are negative, and their "
             "product is positive (+100): clamp the width and the height at 0 separately, not the product."),
        Case("touching edges", ([0, 0, 10, 10], [10, 0, 20, 10]), 0.0,
             "boxes sharing only an edge have zero intersection (width 10 - 10 = 0): no +1 in widths and heights."),
        Case("touching corners", ([0, 0, 10, 10], [10, 10, 20, 20]), 0.0,
             "boxes sharing only a corner have zero intersection (0 x 0): no +1 in widths and heights."),
        Case("overlap in x only", ([0, 0, 10, 10], [5, 20, 15, 30]), 0.0,
             "the x ranges overlap (width 5) but the y ranges do not (height 10 - 20 = -10): clamp the height at 0, "
             "or the intersection comes out negative (-50)."),
        Case("one box inside the other", ([0, 0, 10, 10], [2, 2, 6, 6]), 16 / 100,
             "the union is the larger box when one contains the other."),
        Case("IoU exactly one half", ([0, 0, 10, 10], [0, 0, 10, 5]), 0.5,
             "intersection 50, union 100."),
        Case("swapped argument order", ([5, 5, 15, 15], [0, 0, 10, 10]), 25 / 175,
             "IoU is symmetric: iou(a, b) must equal iou(b, a)."),
        Case("fractional coordinates", ([0.5, 0.5, 2.5, 1.5], [1.5, 0.5, 3.5, 1.5]), 1 / 3,
             "coordinates are continuous: no +1 in width or height, and no rounding to integers."),
        Case("zero-area box (a point)", ([5, 5, 5, 5], [5, 5, 5, 5]), 0.0,
             "two points have union 0: return 0 instead of dividing 0 by 0."),
    ]


def check_iou(fn):
    """Check ``fn(box_a, box_b) -> float``, the IoU of two xyxy boxes given as 4-sequences."""
    return run_cases(fn, iou_cases())


# --- part 2 of the exercise in notebook 01: the N x M IoU matrix ---------------------------------------------------

def pairwise_iou_cases():
    """Edge cases for ``fn(boxes1, boxes2) -> (N, M) array`` on xyxy boxes (lists or arrays of shape ``(N, 4)``);
    the expected matrices are :func:`utils.boxes.box_iou`'s (tested against torchvision bit for bit)."""
    import numpy as np

    from utils.boxes import box_iou

    cases = [
        ("2 predictions x 3 ground truths: row i is boxes1[i]", ([[0, 0, 10, 10], [5, 5, 15, 15]],
                                                               [[0, 0, 10, 10], [0, 5, 10, 25], [20, 20, 30, 30]]),
         "broadcast boxes1 as (N, 1) against boxes2 as (M,): the result is (N, M), not (M, N)."),
        ("one box against itself: a 1 x 1 matrix", ([[2, 3, 7, 9]], [[2, 3, 7, 9]]),
         "return a 2-D array even for one pair: shape (1, 1), value 1."),
        ("disjoint, touching and overlapping only in x", ([[0, 0, 10, 10]], [[20, 20, 30, 30], [10, 0, 20, 10],
                                                                            [5, 20, 15, 30]]),
         "clamp the intersection's width and height at 0 separately: two negative sides multiply to a positive area."),
        ("a box inside another, both orders", ([[0, 0, 10, 10], [2, 2, 6, 6]], [[2, 2, 6, 6], [0, 0, 10, 10]]),
         "area of each box from its own coordinates: union = area_a + area_b - intersection."),
        ("two points (zero area): 0, not NaN", ([[5, 5, 5, 5]], [[5, 5, 5, 5], [0, 0, 10, 10]]),
         "where the union is 0, return 0 instead of dividing 0 by 0 (np.divide with where=, or a mask)."),
        ("no ground truth: shape (N, 0)", ([[0, 0, 1, 1], [1, 1, 2, 2]], np.zeros((0, 4))),
         "an empty boxes2 (shape (0, 4)) gives an empty (N, 0) matrix, not an error."),
        ("fractional coordinates", ([[0.5, 0.5, 2.5, 1.5]], [[1.5, 0.5, 3.5, 1.5], [0.5, 0.5, 2.5, 1.5]]),
         "coordinates are continuous: no +1, no rounding, no integer division."),
    ]
    return [Case(name, args, box_iou(*args), hint) for name, args, hint in cases]


def check_pairwise_iou(fn):
    """Check ``fn(boxes1, boxes2) -> (N, M)`` IoU matrix of two sets of xyxy boxes (notebook 01, exercise part 2)."""
    return run_cases(fn, pairwise_iou_cases())
