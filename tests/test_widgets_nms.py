"""NMS widgets, step-by-step helper, textbook loop, offset trick and the exercise checker."""

import numpy as np

from utils.checks.nms import check_nms
from utils.data import grace_hopper, haar_face_candidates
from utils.data.nms import clustered_boxes, two_overlapping_objects
from utils.nms import batched_nms, nms, nms_steps, offset_boxes, soft_nms, textbook_nms
from utils.widgets.nms import nms_steps_explorer, nms_threshold_explorer, soft_nms_explorer


def test_steps_explorer_walks_to_the_nms_result():
    explorer = nms_steps_explorer(iou_threshold=0.3)
    boxes, scores = haar_face_candidates(grace_hopper())
    last = explorer.controls["step"].max
    explorer.controls["step"].value = last
    assert explorer.values["kept"] == len(nms(boxes, scores, 0.3)) == last
    assert explorer.values["remaining"] == 0
    assert explorer.values["kept"] + explorer.values["suppressed"] == len(boxes)
    explorer.controls["step"].value = 0
    assert explorer.values["remaining"] == len(boxes) and explorer.values["current score"] == "-"


def test_threshold_explorer_score_threshold_leaves_the_face():
    explorer = nms_threshold_explorer()
    assert explorer.values["candidates"] == 66
    explorer.controls["score_threshold"].value = 6.0
    explorer.controls["iou_threshold"].value = 0.3
    assert explorer.values["kept"] == 1
    explorer.controls["score_threshold"].value = -3.0
    explorer.controls["iou_threshold"].value = 1.0
    assert explorer.values["kept"] == 66 and explorer.values["suppressed"] == 0


def test_soft_nms_explorer_keeps_the_second_person():
    explorer = soft_nms_explorer()
    assert explorer.values["greedy NMS: 2nd person"] == 0.0
    assert explorer.values["Gaussian: 2nd person"] > 0.3
    explorer.controls["sigma"].value = 0.05  # a narrow Gaussian is close to hard NMS
    assert explorer.values["Gaussian: 2nd person"] < 0.01


def test_nms_steps_agree_with_nms():
    boxes, scores, _ = clustered_boxes(300, 5, seed=3)
    steps = nms_steps(boxes, scores, 0.5)
    np.testing.assert_array_equal(steps[-1]["kept"], nms(boxes, scores, 0.5))
    for step in steps:
        together = np.concatenate([step["kept"], step["suppressed"], step["remaining"]])
        assert sorted(together.tolist()) == list(range(len(boxes)))


def test_textbook_nms_and_its_old_conventions():
    boxes, scores, _ = clustered_boxes(2000, 20, seed=1)
    for t in (0.3, 0.5, 0.7):
        np.testing.assert_array_equal(textbook_nms(boxes, scores, t), nms(boxes, scores, t))
    pair = np.array([[0.0, 0, 10, 10], [0, 0, 10, 5]])  # IoU exactly 0.5
    assert textbook_nms(pair, [0.9, 0.8], 0.5).tolist() == [0, 1]
    assert textbook_nms(pair, [0.9, 0.8], 0.5, suppress_at_threshold=True).tolist() == [0]
    small = np.array([[0.0, 0, 2, 2], [1, 0, 3, 2]])  # IoU 1/3; with +1: 6/12
    assert textbook_nms(small, [0.9, 0.8], 0.4).tolist() == [0, 1]
    assert textbook_nms(small, [0.9, 0.8], 0.4, plus_one=True).tolist() == [0]


def test_offset_trick_float32_rounds_large_labels():
    pair = np.array([[100.3, 200.6, 130.7, 260.2], [110.1, 205.9, 142.4, 262.8], [0, 0, 1000, 1000]])
    labels = np.array([8000, 8000, 0])
    scores = np.array([0.9, 0.8, 0.1])
    exact = batched_nms(pair, scores, labels, 0.44)  # true IoU 0.4419 > 0.44: suppressed
    assert exact.tolist() == [0, 2]
    assert nms(offset_boxes(pair, labels, np.float64), scores, 0.44).tolist() == [0, 2]
    assert nms(offset_boxes(pair, labels, np.float32), scores, 0.44).tolist() == [0, 1, 2]  # rounded IoU 0.4375


def test_two_overlapping_objects_greedy_drops_a_person():
    gt, boxes, scores, owner = two_overlapping_objects()
    assert set(owner[nms(boxes, scores, 0.5)]) == {0}
    keep, _ = soft_nms(boxes, scores, "gaussian", sigma=0.5)
    assert owner[keep[1]] == 1


def test_checker_passes_nms_and_flags_bugs():
    assert check_nms(nms).passed
    assert not check_nms(lambda b, s, t: textbook_nms(b, s, t, suppress_at_threshold=True)).passed
    assert not check_nms(lambda b, s, t: textbook_nms(b, s, t, plus_one=True)).passed

    def stub(boxes, scores, iou_threshold):
        raise NotImplementedError

    report = check_nms(stub)
    assert report.not_implemented and "not implemented yet" in str(report)


def test_portrait_candidates_are_sorted_and_complete():
    from utils.data.nms import portrait_face_candidates

    image, boxes, scores = portrait_face_candidates()
    raw_boxes, raw_scores = haar_face_candidates(grace_hopper())
    assert image.shape == (600, 512, 3)
    assert (np.diff(scores) <= 0).all()
    as_set = lambda b, s: sorted(map(tuple, np.c_[b, s].round(9).tolist()))
    assert as_set(boxes, scores) == as_set(raw_boxes, raw_scores)
