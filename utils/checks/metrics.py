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


# ------------------------------------------------------------------------- whiteboard: TP/FP for one image, then AP
# The exercise of notebooks/03_map.ipynb: fn(dt_boxes, dt_scores, gt_boxes, iou_threshold) -> (is_tp, ap).

import numpy as np  # noqa: E402  (this section was appended; the checker above needs no numpy)

from utils.checks.core import Mismatch, show, to_array, to_parts  # noqa: E402


def _image_case(name, dt_boxes, dt_scores, gt_boxes, is_tp, ap, hint, iou_threshold=0.5):
    args = (np.asarray(dt_boxes, float).reshape(-1, 4), np.asarray(dt_scores, float),
            np.asarray(gt_boxes, float).reshape(-1, 4), iou_threshold)
    return Case(name, args, (np.asarray(is_tp, bool), ap), hint)


def image_ap_cases():
    """Edge cases for ``fn(dt_boxes, dt_scores, gt_boxes, iou_threshold) -> (is_tp, ap)``, worked out by hand.

    Boxes are xyxy. ``is_tp`` holds one flag per detection, in the order the detections were given; ``ap`` is the
    all-points (VOC 2010+) AP of the image's ranked list. Matching is COCO's rule: detections by decreasing score
    (ties in input order); each takes, among the ground truths not matched yet, the one with the highest IoU, if
    that IoU is ``>= iou_threshold``; otherwise it is a false positive.
    """
    a, b, c = [0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10]  # three disjoint 10 x 10 objects
    return [
        _image_case("one exact detection", [a], [0.9], [a], [True], 1.0,
                    "a detection identical to the object is a TP; precision 1 at recall 1 gives AP = 1."),
        _image_case("no detections", [], [], [a], [], 0.0,
                    "no detection finds nothing: return an empty flag list and AP 0 (do not crash on empty arrays)."),
        _image_case("no ground truth", [a, b], [0.9, 0.8], [], [False, False], math.nan,
                    "with nothing to find every detection is an FP, and recall = TP / 0 is undefined: AP is nan."),
        _image_case("a duplicate is a false positive", [a, [1, 0, 11, 10]], [0.9, 0.8], [a], [True, False], 1.0,
                    "each object can be matched once: the second detection of the same object is an FP."),
        _image_case("scores not sorted", [[2, 0, 12, 10], a], [0.5, 0.9], [a], [False, True], 1.0,
                    "visit detections by decreasing score: the 0.9 detection takes the object first; the flags "
                    "stay in the order the detections were given."),
        _image_case("IoU exactly at the threshold counts", [[0, 0, 10, 5]], [0.9], [a], [True], 1.0,
                    "IoU = 50 / 100 = 0.5: a match needs IoU >= threshold (at or above), as in VOC and COCO."),
        _image_case("tied scores keep their input order", [a, a], [0.8, 0.8], [a], [True, False], 1.0,
                    "rank with a stable sort on -score (np.argsort(-scores, kind='stable')): among tied scores "
                    "the detection given first is visited first; np.argsort(scores)[::-1] reverses them."),
        _image_case("the best object is taken: use the next free one (COCO)", [a, [1, 0, 11, 10]], [0.9, 0.8],
                    [a, [4, 0, 14, 10]], [True, True], 1.0,
                    "choose among objects not matched yet: detection 2 overlaps object 0 best (0.82), but it is "
                    "taken, and object 1 (IoU 7/13 = 0.54) is free. (VOC's devkit would call it an FP.)"),
        _image_case("the best match, not the first above the threshold", [[1.5, 0, 11.5, 10], [-2, 0, 8, 10]],
                    [0.9, 0.8], [a, [2, 0, 12, 10]], [True, True], 1.0,
                    "take the object with the highest IoU (detection 1: 0.90 with object 1, not 0.74 with object "
                    "0), so that object 0 is still free for detection 2."),
        _image_case("a disjoint detection is a false positive", [b], [0.9], [a], [False], 0.0,
                    "boxes that do not overlap have IoU 0 (clamp widths and heights at 0), so no match: an FP."),
        _image_case("objects never found", [a], [0.9], [a, b], [True], 0.5,
                    "recall = TP / number of objects: one of two found gives recall 0.5, and the curve stops there."),
        _image_case("the envelope: a later point with higher precision",
                    [a, [60, 0, 70, 10], [80, 0, 90, 10], b, c], [0.9, 0.8, 0.7, 0.6, 0.5], [a, b, c],
                    [True, False, False, True, True], 1 / 3 + 2 / 3 * 0.6,
                    "precision at recall r is the best precision at any recall >= r (a running maximum from the "
                    "end): the step from 1/3 to 2/3 then uses 3/5 = 0.6, not 2/4 = 0.5."),
    ]


def _image_ap_compare(got, case):
    is_tp, ap = to_parts(got, 2)
    want_flags, want_ap = case.expected
    flags = to_array(is_tp).reshape(-1)
    if flags.shape != want_flags.shape:
        return f"expected {len(want_flags)} TP/FP flags (one per detection), got {len(flags)}"
    if not np.all((flags == 0) | (flags == 1)):
        raise Mismatch(f"the flags must be True/False (or 1/0), got {show(flags)}")
    if not np.array_equal(flags.astype(bool), want_flags):
        return f"TP/FP flags: expected {show(want_flags)}, got {show(flags.astype(bool))}"
    problem = expect_close(ap, want_ap, case.atol, case.rtol)
    return None if problem is None else f"flags right; AP: {problem}"


def check_image_ap(fn):
    """Check ``fn(dt_boxes, dt_scores, gt_boxes, iou_threshold) -> (is_tp, ap)``: one image, one class, xyxy boxes;
    ``is_tp`` in the order the detections were given, ``ap`` the all-points AP (COCO's matching rule, see
    :func:`image_ap_cases`)."""
    return run_cases(fn, image_ap_cases(), compare=_image_ap_compare)


def reference_image_ap(dt_boxes, dt_scores, gt_boxes, iou_threshold=0.5):
    """A solution of the exercise, built from :mod:`utils.metrics` (xyxy boxes converted to COCO's xywh)."""
    from utils.boxes import box_convert
    from utils.metrics.ap import average_precision, precision_recall
    from utils.metrics.coco_matching import match_image

    dt_boxes, gt_boxes = np.asarray(dt_boxes, float).reshape(-1, 4), np.asarray(gt_boxes, float).reshape(-1, 4)
    no_flags = np.zeros(len(gt_boxes), bool)
    matched = match_image(box_convert(dt_boxes, "xyxy", "xywh"), dt_scores, box_convert(gt_boxes, "xyxy", "xywh"),
                          no_flags, no_flags, iou_threshold)
    is_tp = matched >= 0
    precision, recall = precision_recall(dt_scores, is_tp, len(gt_boxes))
    return is_tp, average_precision(recall, precision, "all_points")
