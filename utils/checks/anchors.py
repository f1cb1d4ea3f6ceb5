"""Checker for the exercise in ``notebooks/04_anchor_kmeans.ipynb``: the IoU of centre-aligned boxes."""

import numpy as np

from utils.checks.core import Case, run_cases


def wh_iou_cases():
    """Edge cases for ``fn(wh, anchors) -> (N, K)``: sizes ``(w, h)`` as ``(N, 2)`` and ``(K, 2)`` arrays."""
    sq = np.array([[10.0, 10.0]])
    return [
        Case("identical sizes", (sq, sq), [[1.0]],
             "a box aligned with an anchor of the same size overlaps it completely: IoU 1."),
        Case("one inside the other", (sq, np.array([[5.0, 5.0]])), [[0.25]],
             "boxes share their centre, so the smaller one lies inside: IoU = small area / large area = 25 / 100."),
        Case("a wide box and a tall box", (np.array([[20.0, 5.0]]), np.array([[5.0, 20.0]])), [[25 / 175]],
             "the intersection is min(w) x min(h) = 5 x 5 = 25, the union 100 + 100 - 25 = 175."),
        Case("widths and heights not swapped", (np.array([[8.0, 2.0]]), np.array([[4.0, 4.0]])), [[8 / 24]],
             "column 0 is the width, column 1 the height: inter = min(8, 4) * min(2, 4) = 8, union 16 + 16 - 8."),
        Case("N boxes against K anchors: shape (N, K)",
             (np.array([[10.0, 10.0], [20.0, 20.0], [4.0, 4.0]]), np.array([[10.0, 10.0], [20.0, 20.0]])),
             [[1.0, 0.25], [0.25, 1.0], [0.16, 0.04]],
             "broadcast boxes as (N, 1) columns against anchors as (K,): the result has one row per box."),
        Case("no position: only sizes", (np.array([[3.0, 6.0]]), np.array([[6.0, 3.0]])), [[9 / 27]],
             "the boxes are centre-aligned: there is no offset term, inter = min(w) * min(h)."),
        Case("large and tiny", (np.array([[1000.0, 1000.0]]), np.array([[1.0, 1.0]])), [[1e-6]],
             "the union is the large box's area; use floats, not integer division.", 1e-12),
        Case("fractional sizes", (np.array([[0.5, 2.0]]), np.array([[1.0, 1.0]])), [[0.5 / 1.5]],
             "sizes are continuous (grid cells or pixels): no +1 and no rounding."),
    ]


def check_wh_iou(fn):
    """Check ``fn(wh, anchors) -> (N, K)``, the IoU of every box with every anchor, both at a common centre."""
    return run_cases(fn, wh_iou_cases())
