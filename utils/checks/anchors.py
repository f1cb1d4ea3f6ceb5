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


# ---------------------------------------------------------------------------------------------------------
# The whiteboard exercise of notebooks/04_anchor_kmeans.ipynb: IoU k-means from given starting anchors.


def _group(*pairs):
    """Boxes ``(N, 2)`` from ``(size, count)`` pairs, in the order given."""
    return np.concatenate([np.tile(np.asarray(size, float), (count, 1)) for size, count in pairs])


def iou_kmeans_cases():
    """Edge cases for ``fn(wh, anchors, iters) -> (K, 2)``: Lloyd's algorithm with ``d = 1 - IoU`` from the
    starting ``anchors``. Every cluster is symmetric around its centre, so the mean and the median update give
    the same answer: the cases test the distance, the assignment and the update, not the choice between them."""
    two_groups = _group(((8, 8), 4), ((10, 10), 4), ((12, 12), 4), ((90, 45), 4), ((100, 50), 4), ((110, 55), 4))
    # Boxes of side 22 lie nearer to the 40-anchor by IoU (0.30 vs 0.21) but nearer to the 10-anchor in
    # Euclidean distance (17 vs 25): the two distances disagree on them.
    disputed = _group(((10, 10), 10), ((40, 40), 10), ((22, 22), 10))
    # From (10, 10), (16, 16): round 1 gives (10, 10), (28, 28); round 2 moves the 16s to the first anchor.
    drifting = _group(((10, 10), 10), ((16, 16), 10), ((40, 40), 10))
    shapes = _group(((8, 24), 3), ((10, 30), 3), ((12, 36), 3), ((40, 20), 3), ((50, 25), 3), ((60, 30), 3))
    return [
        Case("already at the centres: nothing moves", (two_groups, np.array([[10.0, 10], [100, 50]]), 100),
             np.array([[10.0, 10], [100, 50]]),
             "assign each box to the anchor with the highest IoU, then move each anchor to its cluster's centre."),
        Case("two clusters found from nearby starts", (two_groups, np.array([[9.0, 9], [95, 50]]), 100),
             np.array([[10.0, 10], [100, 50]]),
             "each anchor moves to the mean (w, h) of the boxes assigned to it; repeat until nothing changes."),
        Case("the distance is 1 - IoU, not Euclidean", (disputed, np.array([[10.0, 10], [40, 40]]), 100),
             np.array([[10.0, 10], [31, 31]]),
             "the 22 x 22 boxes have IoU 0.30 with the 40-anchor and 0.21 with the 10-anchor: they join the 40s "
             "(Euclidean k-means would put them with the 10s and give (16, 16), (40, 40))."),
        Case("widths and heights kept apart", (shapes, np.array([[11.0, 28], [45, 22]]), 100),
             np.array([[10.0, 30], [50, 25]]),
             "column 0 is the width, column 1 the height: intersection = min(w, w') * min(h, h')."),
        Case("an anchor no box chooses keeps its place", (two_groups, np.array([[10.0, 10], [100, 50], [900, 900]]),
                                                         100),
             np.array([[10.0, 10], [100, 50], [900, 900]]),
             "a cluster with no boxes has no mean (0 / 0 = NaN): keep that anchor where it was."),
        Case("one anchor: the centre of all boxes", (_group(((10, 20), 5), ((30, 60), 5)), np.array([[5.0, 5]]), 100),
             np.array([[20.0, 40]]),
             "with k = 1 every box belongs to the one anchor, which moves to the centre of them all."),
        Case("repeat until nothing changes", (drifting, np.array([[10.0, 10], [16, 16]]), 100),
             np.array([[13.0, 13], [40, 40]]),
             "after the first update the 16 x 16 boxes are nearer the other anchor: assign again, and keep going "
             "until no anchor moves."),
        Case("iters = 1: one assignment and one update", (drifting, np.array([[10.0, 10], [16, 16]]), 1),
             np.array([[10.0, 10], [28, 28]]),
             "do at most `iters` rounds of (assign, update): here exactly one, which moves the second anchor to "
             "the mean of the 16s and the 40s."),
        Case("result has shape (K, 2), in the order of the starting anchors",
             (two_groups, np.array([[100.0, 50], [10, 10]]), 100), np.array([[100.0, 50], [10, 10]]),
             "return one row per starting anchor, in the same order: do not sort or drop anchors."),
    ]


def check_iou_kmeans(fn):
    """Check ``fn(wh, anchors, iters) -> (K, 2)``: k-means on box sizes with ``d = 1 - IoU`` (YOLOv2), from the
    starting ``anchors`` ``(K, 2)``, at most ``iters`` rounds of (assign every box to its best anchor, move every
    anchor to the centre of its boxes)."""
    return run_cases(fn, iou_kmeans_cases())
