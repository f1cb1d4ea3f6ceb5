"""The whiteboard checker of notebooks/03_map.ipynb: TP/FP for one image, then AP (check_image_ap)."""

import numpy as np
import pytest

from utils.checks import check_image_ap
from utils.checks.metrics import image_ap_cases, reference_image_ap


def whiteboard(dt_boxes, dt_scores, gt_boxes, iou_threshold=0.5, rule="coco", order="stable", envelope=True,
               at_threshold=True):
    """The notebook's folded solution, with switches that reproduce typical mistakes."""
    dt, gt = np.asarray(dt_boxes, float).reshape(-1, 4), np.asarray(gt_boxes, float).reshape(-1, 4)
    scores = np.asarray(dt_scores, float)
    rank = np.argsort(-scores, kind="stable") if order == "stable" else np.argsort(scores)[::-1]
    is_tp, taken = np.zeros(len(dt), bool), np.zeros(len(gt), bool)
    area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
    for d in rank:
        w = np.clip(np.minimum(dt[d, 2], gt[:, 2]) - np.maximum(dt[d, 0], gt[:, 0]), 0, None)
        h = np.clip(np.minimum(dt[d, 3], gt[:, 3]) - np.maximum(dt[d, 1], gt[:, 1]), 0, None)
        iou = w * h / (area(dt[d:d + 1]) + area(gt) - w * h)
        if rule == "coco":
            iou[taken] = -1  # only objects not matched yet
        if len(gt) == 0:
            continue
        g = iou.argmax()
        good = iou[g] >= iou_threshold if at_threshold else iou[g] > iou_threshold
        if good and not taken[g]:
            is_tp[d], taken[g] = True, True
    if len(gt) == 0:
        return is_tp, float("nan")
    tp = np.cumsum(is_tp[rank])
    precision = tp / np.arange(1, len(tp) + 1)
    if envelope:
        precision = np.maximum.accumulate(precision[::-1])[::-1]
    return is_tp, float(np.sum(precision[is_tp[rank]]) / len(gt))


def test_reference_solutions_pass():
    assert check_image_ap(whiteboard).passed
    assert check_image_ap(reference_image_ap).passed  # built from utils.metrics: the hand-worked cases agree


def test_cases_agree_with_the_library_rule():
    for case in image_ap_cases():
        is_tp, ap = reference_image_ap(*case.args)
        np.testing.assert_array_equal(is_tp, case.expected[0], err_msg=case.name)
        assert ap == pytest.approx(case.expected[1], nan_ok=True), case.name


@pytest.mark.parametrize("mistake, case", [
    (dict(rule="voc"), "the best object is taken: use the next free one (COCO)"),
    (dict(order="reversed"), "tied scores keep their input order"),
    (dict(envelope=False), "the envelope: a later point with higher precision"),
    (dict(at_threshold=False), "IoU exactly at the threshold counts"),
])
def test_typical_mistakes_fail_where_expected(mistake, case):
    report = check_image_ap(lambda *args: whiteboard(*args, **mistake))
    assert not report.passed
    assert case in report.failures


def test_first_above_threshold_fails():
    def first_above(dt_boxes, dt_scores, gt_boxes, iou_threshold=0.5):
        is_tp, ap = reference_image_ap(dt_boxes, dt_scores, gt_boxes, iou_threshold)
        dt, gt = np.asarray(dt_boxes, float).reshape(-1, 4), np.asarray(gt_boxes, float).reshape(-1, 4)
        flags, taken = np.zeros(len(dt), bool), np.zeros(len(gt), bool)
        for d in np.argsort(-np.asarray(dt_scores, float), kind="stable"):
            for g in range(len(gt)):
                w = max(0.0, min(dt[d, 2], gt[g, 2]) - max(dt[d, 0], gt[g, 0]))
                h = max(0.0, min(dt[d, 3], gt[g, 3]) - max(dt[d, 1], gt[g, 1]))
                union = (dt[d, 2] - dt[d, 0]) * (dt[d, 3] - dt[d, 1]) + (gt[g, 2] - gt[g, 0]) * (gt[g, 3] - gt[g, 1])
                if not taken[g] and w * h / (union - w * h) >= iou_threshold:
                    flags[d], taken[g] = True, True
                    break
        return flags, ap
    assert "the best match, not the first above the threshold" in check_image_ap(first_above).failures


def test_shipped_stub_says_not_implemented():
    def my_image_ap(dt_boxes, dt_scores, gt_boxes, iou_threshold=0.5):
        raise NotImplementedError
    assert "not implemented yet" in str(check_image_ap(my_image_ap))


def test_wrong_answer_kinds_are_reported_not_raised():
    assert "flags" in str(check_image_ap(lambda *a: ([True], 1.0)))
    assert not check_image_ap(lambda *a: 0.5).passed  # AP alone, without the flags
    assert not check_image_ap(lambda *a: None).passed
