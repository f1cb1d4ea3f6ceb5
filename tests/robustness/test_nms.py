"""The robustness contract (contract.py) for every public function of utils.nms.

Malformed boxes, scores, labels, thresholds, methods, sigma, dtypes and index arrays raise ValueError/TypeError
naming the argument; valid input gives valid NMS results (kept boxes never overlap above the threshold, every
dropped box is covered by a kept box of higher or equal score) without modifying the input; empty input gives
empty int64 results; boxes whose products overflow give the same decisions as the same boxes at a safe scale.
The measured problems of issue 11 are pinned by name: ``batched_nms([], [], [], .5)`` said "labels must be
integers", ``None`` as a threshold said "float() argument must be...", a float16 duplicate survived NMS.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_DTYPES, BAD_UNIT_INTERVAL, boxes_with_a_flaw, huge_boxes, valid_boxes, wrong_shapes
from utils import nms as N
from utils.boxes import box_iou

COVERS = [f"utils.nms.{name}" for name in (
    "nms", "batched_nms", "textbook_nms", "nms_steps", "offset_boxes", "soft_nms", "paired_box_iou",
    "paired_iou_above")]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GOOD_BOXES = np.array([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [20.0, 0.0, 30.0, 10.0]])
GOOD_SCORES = np.array([0.9, 0.8, 0.7])
GOOD_LABELS = np.array([0, 0, 1])

#: Every function taking (boxes, scores, iou_threshold), as ``fn(boxes, scores, iou_threshold)``.
WITH_SCORES = {
    "nms": N.nms,
    "batched_nms": lambda b, s, t: N.batched_nms(b, s, np.zeros(len(np.asarray(s).reshape(-1)), np.int64)
                                                 if np.asarray(s).ndim <= 1 else GOOD_LABELS, t),
    "textbook_nms": N.textbook_nms,
    "nms_steps": N.nms_steps,
    "soft_nms": lambda b, s, t: N.soft_nms(b, s, iou_threshold=t),
}
#: Every function with a box argument: ``fn(boxes)`` and the name its message must contain.
WITH_BOXES = {
    **{name: ((lambda fn: lambda b: fn(b, np.full(len(b) if np.ndim(b) == 2 else 1, 0.5), 0.5))(fn), "boxes")
       for name, fn in WITH_SCORES.items()},
    "offset_boxes": (lambda b: N.offset_boxes(b, np.zeros(len(b) if np.ndim(b) == 2 else 1, np.int64)), "boxes"),
    "paired_box_iou(b, good)": (lambda b: N.paired_box_iou(b, np.zeros((len(b) if np.ndim(b) == 2 else 1, 4))), "boxes1"),
    "paired_box_iou(good, b)": (lambda b: N.paired_box_iou(np.zeros((len(b) if np.ndim(b) == 2 else 1, 4)), b), "boxes2"),
    "paired_iou_above": (lambda b: N.paired_iou_above(b, [0], [0], 0.5), "boxes"),
}


# ----------------------------------------------------------------------------- strategies


@st.composite
def scenes(draw, dtype=np.float64, max_n=30):
    """(boxes, scores, labels): clustered integer boxes (exact IoU ties), tied scores, a few labels."""
    n = draw(st.integers(0, max_n))
    corner = draw(hnp.arrays(np.int64, (n, 2), elements=st.integers(0, 12)))
    size = draw(hnp.arrays(np.int64, (n, 2), elements=st.integers(0, 6)))
    boxes = np.concatenate([corner, corner + size], axis=1).astype(dtype)
    scores = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.1, 0.5, 0.9, 1.0])))
    labels = draw(hnp.arrays(np.int64, n, elements=st.integers(-2, 2)))
    return boxes, scores, labels


def assert_valid_nms(boxes, scores, keep, iou_threshold, labels=None):
    """Kept boxes never overlap above the threshold; every dropped box overlaps, above the threshold, a kept box of
    higher or equal score and the same label; keep is sorted by decreasing score, int64, without repeats."""
    labels = np.zeros(len(boxes), np.int64) if labels is None else labels
    assert keep.dtype == np.int64 and len(set(keep.tolist())) == len(keep)
    iou = np.where(labels[:, None] == labels[None, :], box_iou(boxes, boxes), 0.0)
    sub = iou[np.ix_(keep, keep)]
    np.fill_diagonal(sub, 0.0)
    assert (sub <= np.float64(iou_threshold)).all(), "two kept boxes overlap above the threshold"
    dropped = np.setdiff1d(np.arange(len(boxes)), keep)
    for j in dropped:
        assert ((iou[keep, j] > np.float64(iou_threshold)) & (scores[keep] >= scores[j])).any(), f"box {j} not covered"
    assert (np.diff(scores[keep]) <= 0).all()


# ----------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("call", list(WITH_BOXES))
@SETTINGS
@given(shape=wrong_shapes(last=4))
def test_wrong_box_shapes_are_rejected(call, shape):
    fn, name = WITH_BOXES[call]
    rejects(fn, np.zeros(shape), argument=name)


@pytest.mark.parametrize("call", list(WITH_BOXES))
@pytest.mark.parametrize("dtype", BAD_DTYPES)
def test_box_dtypes_that_are_not_real_numbers_are_rejected(call, dtype):
    fn, name = WITH_BOXES[call]
    rejects(fn, np.zeros((1, 4), dtype=dtype), argument=name, exc=TypeError)


@pytest.mark.parametrize("call", list(WITH_BOXES))
@SETTINGS
@given(flawed=boxes_with_a_flaw())
def test_nan_inf_and_negative_extents_are_rejected(call, flawed):
    fn, name = WITH_BOXES[call]
    rejects(fn, flawed[0], argument=name)


@pytest.mark.parametrize("call", list(WITH_SCORES))
@pytest.mark.parametrize("scores", [
    [0.9, 0.8], [0.9, 0.8, 0.7, 0.6], [[0.9, 0.8, 0.7]], 0.5, [0.9, np.nan, 0.7], None, ["a", "b", "c"],
    np.array([True, False, True]), np.array([1j, 2j, 3j]), [0.9, None, 0.7]], ids=repr)
def test_bad_scores_are_rejected(call, scores):
    rejects(WITH_SCORES[call], GOOD_BOXES, scores, 0.5, argument="scores")


@pytest.mark.parametrize("call", list(WITH_SCORES))
@pytest.mark.parametrize("value", BAD_UNIT_INTERVAL, ids=repr)
def test_bad_iou_thresholds_are_rejected(call, value):
    message = rejects(WITH_SCORES[call], GOOD_BOXES, GOOD_SCORES, value, argument="iou_threshold")
    assert "iou_threshold must be a number in [0, 1]" in message


def test_none_threshold_says_what_is_expected():  # issue 11: "float() argument must be ..."
    message = rejects(N.nms, GOOD_BOXES, GOOD_SCORES, None, argument="iou_threshold")
    assert message == "iou_threshold must be a number in [0, 1], got None"


@pytest.mark.parametrize("fn", [N.batched_nms, lambda b, s, labels, t: N.offset_boxes(b, labels)])
@pytest.mark.parametrize("labels", [
    [0, 1], [0, 1, 2, 3], [[0, 1, 2]], [0.0, 1.0, 2.0], [0.5, 1, 2], np.array([True, False, True]), None,
    ["a", "b", "c"], np.array([1j, 2j, 3j])], ids=repr)
def test_bad_labels_are_rejected(fn, labels):
    rejects(fn, GOOD_BOXES, GOOD_SCORES, labels, 0.5, argument="labels")


@pytest.mark.parametrize("kwargs, argument", [
    (dict(method="cubic"), "method"), (dict(method=None), "method"), (dict(method=["linear"]), "method"),
    (dict(sigma=0.0), "sigma"), (dict(sigma=-0.5), "sigma"), (dict(sigma=None), "sigma"),
    (dict(sigma=float("nan")), "sigma"), (dict(sigma=float("inf")), "sigma"), (dict(sigma="0.5"), "sigma"),
    (dict(score_threshold=None), "score_threshold"), (dict(score_threshold=float("nan")), "score_threshold"),
    (dict(score_threshold="0.1"), "score_threshold"), (dict(score_threshold=[0.1]), "score_threshold"),
], ids=repr)
def test_bad_soft_nms_parameters_are_rejected(kwargs, argument):
    rejects(N.soft_nms, GOOD_BOXES, GOOD_SCORES, argument=argument, **kwargs)


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, "int32", "not a dtype", None, 3])
def test_offset_boxes_rejects_non_float_dtypes(dtype):
    rejects(N.offset_boxes, GOOD_BOXES, GOOD_LABELS, dtype, argument="dtype")


def test_offset_boxes_refuses_offsets_that_do_not_fit():
    message = rejects(N.offset_boxes, np.array([[0, 0, 1e30, 1]]) * [1, 1, 1, 1], [10**10], np.float32,
                      argument="labels")
    assert "float32" in message


@pytest.mark.parametrize("a, b, argument", [
    ([0, 3], [0, 1], "a"), ([0, 1], [-1, 0], "b"), ([0.0, 1.0], [0, 1], "a"), ([True, False], [0, 1], "a"),
    ([[0, 1]], [0, 1], "a"), (None, [0], "a"), ([0, 1], [0], ("a and b", "a", "b")),
], ids=repr)
def test_paired_iou_above_rejects_bad_indices(a, b, argument):
    rejects(N.paired_iou_above, GOOD_BOXES, a, b, 0.5, argument=argument)


@pytest.mark.parametrize("value", BAD_UNIT_INTERVAL, ids=repr)
def test_paired_iou_above_rejects_bad_thresholds(value):
    rejects(N.paired_iou_above, GOOD_BOXES, [0], [1], value, argument="iou_threshold")


def test_paired_box_iou_rejects_different_lengths():
    rejects(N.paired_box_iou, GOOD_BOXES, GOOD_BOXES[:2], argument=("boxes1", "boxes2"))


# ----------------------------------------------------------------------------- valid input


@SETTINGS
@given(scene=scenes(), t=st.sampled_from([0.0, 0.3, 0.5, 1.0]), dtype=st.sampled_from([np.float16, np.float32, np.float64]))
def test_nms_family_on_valid_input(scene, t, dtype):
    boxes, scores, labels = scene
    boxes = boxes.astype(dtype)
    keep = call_unchanged(N.nms, boxes, scores, t)
    assert_valid_nms(boxes, scores, keep, t)
    np.testing.assert_array_equal(call_unchanged(N.textbook_nms, boxes, scores, t), keep)
    steps = call_unchanged(N.nms_steps, boxes, scores, t)
    np.testing.assert_array_equal(steps[-1]["kept"], keep)
    per_class = call_unchanged(N.batched_nms, boxes, scores, labels, t)
    assert_valid_nms(boxes, scores, per_class, t, labels)
    shifted = call_unchanged(N.offset_boxes, boxes, labels)
    assert shifted.shape == boxes.shape and shifted.dtype == np.float64
    assert_finite(shifted)


@SETTINGS
@given(scene=scenes(), method=st.sampled_from(N.SOFT_NMS_METHODS), sigma=st.floats(0.01, 2.0),
       t=st.sampled_from([0.0, 0.3, 0.5, 1.0]), score_threshold=st.sampled_from([-np.inf, 0.0, 0.001, 0.5, 2.0]))
def test_soft_nms_on_valid_input(scene, method, sigma, t, score_threshold):
    boxes, scores, _ = scene
    keep, new = call_unchanged(N.soft_nms, boxes, scores, method, sigma, t, score_threshold)
    assert keep.dtype == np.int64 and new.dtype == np.float64 and keep.shape == new.shape
    assert len(set(keep.tolist())) == len(keep)
    assert_finite(new)
    assert (new >= score_threshold).all() and (new <= scores[keep] + 1e-12).all()


@SETTINGS
@given(a=valid_boxes(n=st.just(5)), b=valid_boxes(n=st.just(5)), t=st.floats(0, 1))
def test_paired_functions_on_valid_input(a, b, t):
    iou = call_unchanged(N.paired_box_iou, a, b)
    np.testing.assert_array_equal(iou, np.diag(box_iou(a, b)))
    both = np.concatenate([a, b])
    above = call_unchanged(N.paired_iou_above, both, np.arange(5), np.arange(5, 10), t)
    np.testing.assert_array_equal(above, iou > t)


def test_empty_input_gives_empty_int64_results():  # issue 11: batched_nms([], [], [], .5) said "labels must be integers"
    for keep in (N.nms([], [], 0.5), N.batched_nms([], [], [], 0.5), N.textbook_nms([], [], 0.5),
                 N.soft_nms([], [])[0], N.batched_nms(np.zeros((0, 4)), np.zeros(0), np.zeros(0, np.int64), 0.5)):
        assert keep.dtype == np.int64 and keep.shape == (0,)
    assert N.soft_nms([], [])[1].shape == (0,)
    steps = N.nms_steps([], [], 0.5)
    assert len(steps) == 1 and steps[0]["current"] is None
    assert N.offset_boxes([], []).shape == (0, 4)
    assert N.paired_box_iou([], []).shape == (0,)
    assert N.paired_iou_above(GOOD_BOXES, [], [], 0.5).shape == (0,)


# ----------------------------------------------------------------------------- overflow


def test_float16_duplicate_is_suppressed():  # issue 11: the area overflowed, IoU 0, the duplicate was kept
    boxes = np.float16([[0, 0, 300, 300], [0, 0, 300, 300]])
    assert N.nms(boxes, [0.9, 0.8], 0.5).tolist() == [0]
    assert N.batched_nms(boxes, [0.9, 0.8], [1, 1], 0.5).tolist() == [0]
    assert N.paired_box_iou(boxes[:1], boxes[1:]).tolist() == [1.0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@SETTINGS
@given(data=st.data(), t=st.sampled_from([0.0, 0.3, 0.5, 0.7]))
def test_huge_boxes_are_decided_as_at_a_safe_scale(dtype, data, t):
    boxes = data.draw(huge_boxes(dtype=dtype, n=st.integers(1, 8)))
    boxes = np.concatenate([boxes, boxes[:1]])  # an exact duplicate of the first box: always suppressed
    scores = data.draw(hnp.arrays(np.float64, len(boxes), elements=st.floats(0, 1)))
    keep = N.nms(boxes, scores, t)
    assert not {0, len(boxes) - 1} <= set(keep.tolist())
    assert_valid_nms(boxes, scores, keep, t)
    np.testing.assert_array_equal(N.textbook_nms(boxes, scores, t), keep)
    keep_soft, new = N.soft_nms(boxes, scores, "linear", iou_threshold=t)
    assert_finite(new)
    if dtype == np.float64:  # a power of two changes no IoU bit: the same decisions on the scaled boxes
        np.testing.assert_array_equal(N.nms(np.ldexp(boxes, -600), scores, t), keep)
