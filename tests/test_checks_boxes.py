"""check_pairwise_iou (notebook 01, exercise part 2): the reference passes, typical wrong solutions fail where expected."""

import numpy as np
import pytest

from utils.checks import check_pairwise_iou


def reference(boxes1, boxes2):
    # the notebook's folded solution: plain numpy, no utils
    a = np.asarray(boxes1, float).reshape(-1, 4)[:, None, :]  # (N, 1, 4)
    b = np.asarray(boxes2, float).reshape(-1, 4)[None, :, :]  # (1, M, 4)
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def transposed(boxes1, boxes2):
    return reference(boxes2, boxes1) if len(boxes1) != len(boxes2) else reference(boxes1, boxes2).T


def clamp_product(boxes1, boxes2):
    a = np.asarray(boxes1, float).reshape(-1, 4)[:, None, :]
    b = np.asarray(boxes2, float).reshape(-1, 4)[None, :, :]
    w = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    inter = np.clip(w * h, 0, None)  # the product clamped, not the sides
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nan_on_points(boxes1, boxes2):
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.asarray(boxes1, float).reshape(-1, 4)[:, None, :]
        b = np.asarray(boxes2, float).reshape(-1, 4)[None, :, :]
        w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
        h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
        inter = w * h
        return inter / ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
                        + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter)


def python_lists(boxes1, boxes2):
    return [[float(v) for v in row] for row in reference(boxes1, boxes2)]


def test_reference_passes():
    report = check_pairwise_iou(reference)
    assert report.passed, str(report)


def test_nested_lists_pass():
    assert check_pairwise_iou(python_lists).passed


@pytest.mark.parametrize("fn, failing", [
    (transposed, "2 predictions x 3 ground truths: row i is boxes1[i]"),
    (clamp_product, "disjoint, touching and overlapping only in x"),
    (nan_on_points, "two points (zero area): 0, not NaN"),
])
def test_typical_bugs_fail_where_expected(fn, failing):
    report = check_pairwise_iou(fn)
    assert not report.passed and failing in report.failures


def test_stub_reports_not_implemented():
    def stub(boxes1, boxes2):
        raise NotImplementedError

    assert "not implemented yet" in str(check_pairwise_iou(stub))
