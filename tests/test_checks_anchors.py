"""The whiteboard checker of notebooks/04_anchor_kmeans.ipynb: IoU k-means from given anchors (check_iou_kmeans)."""

import numpy as np
import pytest

from utils import anchors as A
from utils.checks import check_iou_kmeans
from utils.checks.anchors import iou_kmeans_cases


def whiteboard(wh, anchors, iters=100, distance="iou", update="mean", empty="keep", swap=False, stop_after_one=False):
    """The notebook's folded solution, with switches that reproduce typical mistakes."""
    wh, anchors = np.asarray(wh, float), np.array(anchors, float)
    if swap:
        wh = wh[:, ::-1]
    for step in range(iters):
        if distance == "iou":
            inter = np.minimum(wh[:, None, 0], anchors[None, :, 0]) * np.minimum(wh[:, None, 1], anchors[None, :, 1])
            union = wh.prod(axis=1)[:, None] + anchors.prod(axis=1)[None, :] - inter
            nearest = (inter / union).argmax(axis=1)
        else:
            nearest = np.linalg.norm(wh[:, None] - anchors[None], axis=2).argmin(axis=1)
        new = anchors.copy()
        for j in range(len(anchors)):
            members = wh[nearest == j]
            if len(members):
                new[j] = members.mean(axis=0) if update == "mean" else np.median(members, axis=0)
            elif empty == "nan":
                new[j] = np.nan  # what members.mean(axis=0) gives, with a RuntimeWarning
        if np.array_equal(new, anchors) or stop_after_one:
            anchors = new
            break
        anchors = new
    return anchors[:, ::-1] if swap else anchors


def test_reference_solutions_pass():
    assert check_iou_kmeans(whiteboard).passed
    assert check_iou_kmeans(lambda wh, a, iters: whiteboard(wh, a, iters, update="median")).passed


def test_library_lloyd_agrees_on_every_case():
    # utils.anchors._lloyd with the "euclidean" switch off is the library's version of the same loop (median update).
    for case in iou_kmeans_cases():
        wh, start, iters = case.args
        if len(wh) < len(start) or case.name.startswith("an anchor no box"):
            continue  # the library re-seeds an empty cluster instead of keeping its anchor
        centres, _ = A._lloyd(wh, start.copy(), "iou", iters, 0.0, [])
        np.testing.assert_allclose(centres, case.expected, err_msg=case.name)


@pytest.mark.parametrize("mistake, case", [
    (dict(distance="euclidean"), "the distance is 1 - IoU, not Euclidean"),
    (dict(empty="nan"), "an anchor no box chooses keeps its place"),
    (dict(stop_after_one=True), "repeat until nothing changes"),
    (dict(iters=0), "iters = 1: one assignment and one update"),
])
def test_typical_mistakes_fail_where_expected(mistake, case):
    iters = mistake.pop("iters", None)
    fn = (lambda wh, a, it: whiteboard(wh, a, 0 if it == 1 else it, **mistake)) if iters == 0 else \
        (lambda wh, a, it: whiteboard(wh, a, it, **mistake))
    report = check_iou_kmeans(fn)
    assert not report.passed
    assert case in report.failures


def test_swapped_columns_fail_on_the_shape_case():
    # A solution that reads (h, w) for boxes but (w, h) for anchors mixes the two up.
    def mixed(wh, anchors, iters):
        wh = np.asarray(wh, float)[:, ::-1]
        return whiteboard(wh, anchors, iters)
    report = check_iou_kmeans(mixed)
    assert "widths and heights kept apart" in report.failures
