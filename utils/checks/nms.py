"""Checker for the NMS exercise in ``notebooks/02_nms.ipynb``: ``fn(boxes, scores, iou_threshold) -> keep``."""

import numpy as np

from utils.boxes import box_iou
from utils.checks.core import Case, Mismatch, run_cases, show, to_array


def _case(name, boxes, scores, iou_threshold, expected, hint):
    args = (np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(scores, dtype=np.float64), iou_threshold)
    return Case(name, args, np.asarray(expected, dtype=np.int64), hint)


def nms_cases():
    """Edge cases for greedy NMS with torchvision's semantics (suppress only when IoU is strictly above).

    ``expected`` is the answer with ties broken toward the lower index (a stable sort); any other tie rule is
    accepted too: :func:`check_nms` checks that the answer is a valid greedy NMS result.
    """
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
              "identical boxes have IoU 1: keep exactly one of them (any one; a stable sort keeps index 0)."),
        _case("tied scores, no overlap: both kept", [[0, 0, 10, 10], [30, 0, 40, 10]], [0.5, 0.5], 0.5, [0, 1],
              "two tied boxes that do not overlap are both kept (in either order); do not drop or repeat one."),
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


def _indices(got, n):
    """The answer as a 1-D int array of distinct indices into ``n`` boxes; raises Mismatch otherwise."""
    is_mask = (str(getattr(got, "dtype", "")) in ("bool", "torch.bool")
               or isinstance(got, list) and len(got) > 0 and all(isinstance(v, (bool, np.bool_)) for v in got))
    if is_mask and n > 0:
        raise Mismatch("got a mask of kept boxes: return their indices instead (np.flatnonzero(mask)), "
                       "ordered by decreasing score.")
    keep = to_array(got)
    if keep.ndim != 1:
        raise Mismatch(f"expected a 1-D list of indices, got shape {keep.shape}")
    if not np.all(np.isfinite(keep) & (keep == np.round(keep))):
        raise Mismatch(f"indices must be whole numbers, got {show(keep)}")
    keep = keep.astype(np.int64)
    if np.any((keep < 0) | (keep >= n)):
        raise Mismatch(f"got index {int(keep[(keep < 0) | (keep >= n)][0])}, but there are {n} boxes (0 to {n - 1})")
    if len(set(keep.tolist())) < len(keep):
        raise Mismatch(f"an index appears twice in {show(keep)}: each kept box once.")
    return keep


def _valid_keep(got, case):
    """``None`` if ``got`` is a valid greedy NMS result, whatever the tie rule: kept boxes never overlap above
    the threshold, every dropped box overlaps a kept box of higher or equal score above it, and the kept
    boxes come by decreasing score."""
    boxes, scores, t = case.args
    keep = _indices(got, len(boxes))
    iou = box_iou(boxes, boxes)
    expected = f"expected {show(case.expected)}, got {show(keep)}"
    for a, b in zip(keep[:-1], keep[1:]):
        if scores[b] > scores[a]:
            return f"{expected}\nnot by decreasing score: box {a} (score {scores[a]:g}) before box {b} ({scores[b]:g})"
    for i, a in enumerate(keep):
        for b in keep[i + 1:]:
            if iou[a, b] > t:
                return f"{expected}\nboxes {a} and {b} are both kept but overlap with IoU {iou[a, b]:.2f} > {t:g}"
    for d in np.setdiff1d(np.arange(len(boxes)), keep):
        if not any(iou[d, k] > t and scores[k] >= scores[d] for k in keep):
            return f"{expected}\nbox {d} was dropped, but no kept box of higher or equal score overlaps it above {t:g}"
    return None


def check_nms(fn):
    """Check ``fn(boxes, scores, iou_threshold) -> keep`` (indices of kept boxes, by decreasing score; any
    consistent order among tied scores)."""
    return run_cases(fn, nms_cases(), compare=_valid_keep)
