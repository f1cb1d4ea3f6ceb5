"""The robustness contract (contract.py) for every public function of utils.boxes.

Malformed boxes (wrong shape, a dtype that is not a real number, NaN/inf, x2 < x1), an unknown format and a bad
eps raise ValueError/TypeError naming the argument; valid boxes give finite results in range, of the documented
dtype, without modifying the input; empty input gives empty results; coordinates whose products overflow (float16
near 300, float32 near 1e19, float64 near 1e154) give the values of the same boxes at a safe scale, never a
silent 0 or NaN. The measured problems of issue 11 are pinned by name: as_boxes(fmt='bogus') and bool boxes
accepted, IoU 0 (and GIoU NaN) for a float16 300 x 300 box with itself.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_DTYPES, boxes_with_a_flaw, huge_boxes, valid_boxes, wrong_shapes
from utils import boxes as B

COVERS = [f"utils.boxes.{name}" for name in (
    "as_boxes", "box_area", "box_convert", "box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou")]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAIRWISE = [B.box_iou, B.generalized_box_iou, B.distance_box_iou, B.complete_box_iou]
#: The range each pairwise function's values lie in (DIoU/CIoU: IoU minus penalties below 1 and 1).
RANGES = {B.box_iou: (0, 1), B.generalized_box_iou: (-1, 1), B.distance_box_iou: (-1, 1),
          B.complete_box_iou: (-2, 1)}
#: Every public function, called with ``boxes`` as its one box argument (pairwise ones: as either argument).
ONE_BOX_ARGUMENT = {
    "as_boxes": (lambda b: B.as_boxes(b), "boxes"),
    "box_area": (lambda b: B.box_area(b), "boxes"),
    "box_convert": (lambda b: B.box_convert(b, "xyxy", "cxcywh"), "boxes"),
    **{f"{fn.__name__}(b, good)": ((lambda fn: lambda b: fn(b, np.zeros((1, 4))))(fn), "boxes1") for fn in PAIRWISE},
    **{f"{fn.__name__}(good, b)": ((lambda fn: lambda b: fn(np.zeros((1, 4)), b))(fn), "boxes2") for fn in PAIRWISE},
}
#: Values that are not an array of real numbers.
NOT_NUMBERS = (None, "boxes", [["a", "b", "c", "d"]], [[0, 0, 1, None]], [[0, 0, 1, 1], [0, 0, 1]])


# ----------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("call", list(ONE_BOX_ARGUMENT))
@SETTINGS
@given(shape=wrong_shapes(last=4))
def test_wrong_shapes_are_rejected(call, shape):
    fn, name = ONE_BOX_ARGUMENT[call]
    message = rejects(fn, np.zeros(shape), argument=name)
    assert "(N, 4)" in message


@pytest.mark.parametrize("call", list(ONE_BOX_ARGUMENT))
@pytest.mark.parametrize("dtype", BAD_DTYPES)
def test_dtypes_that_are_not_real_numbers_are_rejected(call, dtype):
    fn, name = ONE_BOX_ARGUMENT[call]
    message = rejects(fn, np.zeros((2, 4), dtype=dtype), argument=name, exc=TypeError)
    assert "real numbers" in message


@pytest.mark.parametrize("call", list(ONE_BOX_ARGUMENT))
@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_values_that_are_not_arrays_of_numbers_are_rejected(call, value):
    fn, name = ONE_BOX_ARGUMENT[call]
    rejects(fn, value, argument=name, exc=TypeError)


def test_bool_boxes_are_rejected():  # issue 11: accepted before, read as 0 and 1
    rejects(B.box_iou, np.ones((1, 4), bool), np.zeros((1, 4)), argument="boxes1", exc=TypeError)
    rejects(B.as_boxes, np.array([[False, False, True, True]]), argument="boxes", exc=TypeError)


@pytest.mark.parametrize("call", list(ONE_BOX_ARGUMENT))
@SETTINGS
@given(flawed=boxes_with_a_flaw())
def test_nan_inf_and_negative_extents_are_rejected(call, flawed):
    fn, name = ONE_BOX_ARGUMENT[call]
    boxes, flaw = flawed
    message = rejects(fn, boxes, argument=name)
    assert ("finite" in message) if flaw in ("nan", "inf", "-inf") else ("x1 <= x2 and y1 <= y2" in message)


@pytest.mark.parametrize("fmt", ["bogus", "XYXY", "", None, 4, ["xyxy"], np.array(["xyxy", "xywh"])], ids=repr)
def test_unknown_formats_are_rejected(fmt):
    good = np.zeros((1, 4))
    assert "one of ('xyxy', 'xywh', 'cxcywh')" in rejects(B.as_boxes, good, fmt=fmt, argument="fmt")
    rejects(B.box_convert, good, fmt, "xyxy", argument="in_fmt")
    rejects(B.box_convert, good, "xyxy", fmt, argument="out_fmt")


def test_negative_widths_in_the_other_formats_are_rejected():
    for fmt in ("xywh", "cxcywh"):
        message = rejects(B.box_convert, np.array([[5.0, 5.0, -1.0, 2.0]]), fmt, "xyxy", argument="boxes")
        assert "w >= 0 and h >= 0" in message
        rejects(B.as_boxes, np.array([[5.0, 5.0, 1.0, -2.0]]), fmt=fmt, argument="boxes")


@pytest.mark.parametrize("fn", [B.distance_box_iou, B.complete_box_iou])
@pytest.mark.parametrize("eps", [None, -1e-7, float("nan"), float("inf"), "1e-7", [1e-7], True])
def test_bad_eps_is_rejected(fn, eps):
    good = np.zeros((1, 4))
    assert "eps must be a finite number >= 0" in rejects(fn, good, good, eps=eps, argument="eps")


# ----------------------------------------------------------------------------- valid input


@SETTINGS
@given(a=valid_boxes(), b=valid_boxes(), dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int64]))
def test_pairwise_functions_on_valid_boxes(a, b, dtype):
    a, b = a.astype(dtype), b.astype(dtype)
    result_dtype = np.float32 if dtype in (np.float16, np.float32) else np.float64
    for fn in PAIRWISE:
        value = call_unchanged(fn, a, b)
        assert value.shape == (len(a), len(b)) and value.dtype == result_dtype
        assert_finite(value, fn.__name__)
        low, high = RANGES[fn]
        assert (value >= low - 1e-6).all() and (value <= high + 1e-6).all(), fn.__name__


@SETTINGS
@given(boxes=valid_boxes(), dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int32]))
def test_single_argument_functions_on_valid_boxes(boxes, dtype):
    boxes = boxes.astype(dtype)
    validated = call_unchanged(B.as_boxes, boxes)
    assert validated.shape == (len(boxes), 4) and validated.dtype == (boxes.dtype if dtype != np.int32 else np.float64)
    area = call_unchanged(B.box_area, boxes)
    assert area.shape == (len(boxes),) and (area >= 0).all()
    assert area.dtype == (np.float32 if dtype in (np.float16, np.float32) else np.float64)
    for fmt in B.BOX_FORMATS:
        converted = call_unchanged(B.box_convert, boxes, "xyxy", fmt)
        assert converted.shape == (len(boxes), 4)
        assert_finite(converted)
        back = B.box_convert(converted, fmt, "xyxy")
        # Rounding is relative to the largest coordinate (a centre far from 0 has a coarse float16 grid).
        tolerance = 4 * np.finfo(validated.dtype).eps * max(float(np.abs(validated).max(initial=0)), 1.0)
        np.testing.assert_allclose(back, validated, rtol=0, atol=tolerance)


def test_empty_input_gives_empty_results():
    some = np.zeros((3, 4))
    for empty in ([], np.zeros((0, 4)), np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros((0, 0))):
        assert B.as_boxes(empty).shape == (0, 4)
        assert B.box_area(empty).shape == (0,)
        assert B.box_convert(empty, "xyxy", "xywh").shape == (0, 4)
        for fn in PAIRWISE:
            assert fn(empty, some).shape == (0, 3)
            assert fn(some, empty).shape == (3, 0)
            assert fn(empty, empty).shape == (0, 0)


# ----------------------------------------------------------------------------- overflow: never a silent 0 or NaN


@pytest.mark.parametrize("fn", [B.distance_box_iou, B.complete_box_iou])
def test_eps_zero_gives_no_nan(fn):
    point, box = np.array([[5.0, 5.0, 5.0, 5.0]]), np.array([[0.0, 0.0, 2.0, 4.0]])
    assert fn(point, point, eps=0)[0, 0] == 0.0  # IoU 0 (zero area), no penalty (same point)
    assert fn(box, box, eps=0)[0, 0] == 1.0


def test_float16_300_box_with_itself():  # issue 11: IoU 0, GIoU NaN
    box = np.float16([[0, 0, 300, 300]])
    for fn in PAIRWISE:
        assert fn(box, box)[0, 0] == 1.0, fn.__name__
    assert B.box_area(box)[0] == 90000.0


@SETTINGS
@given(boxes=huge_boxes(dtype=np.float16))
def test_float16_products_never_overflow(boxes):
    for fn in PAIRWISE:
        value = fn(boxes, boxes)
        assert value.dtype == np.float32
        assert_finite(value, fn.__name__)
        np.testing.assert_allclose(np.diag(value), 1.0, rtol=1e-6, err_msg=fn.__name__)


@SETTINGS
@given(boxes=huge_boxes(dtype=np.float32))
def test_float32_near_1e19_is_computed_in_float64(boxes):
    exact = boxes.astype(np.float64)  # float64 holds these products: the reference
    for fn in PAIRWISE:
        value = fn(boxes, boxes)
        assert value.dtype == np.float32
        assert_finite(value, fn.__name__)
        np.testing.assert_allclose(value, fn(exact, exact), rtol=1e-6, atol=1e-7, err_msg=fn.__name__)
        np.testing.assert_allclose(np.diag(value), 1.0, rtol=1e-6, err_msg=fn.__name__)
    message = rejects(B.box_area, boxes, argument="boxes")
    assert "float32" in message and "float64" in message


@SETTINGS
@given(boxes=huge_boxes(dtype=np.float64), k=st.integers(600, 700))
def test_float64_near_1e154_gives_the_bits_of_the_rescaled_boxes(boxes, k):
    small = np.ldexp(boxes, -k)  # exact: a power of two
    for fn in (B.box_iou, B.generalized_box_iou):
        value = fn(boxes, boxes)
        assert_finite(value, fn.__name__)
        np.testing.assert_array_equal(value, fn(small, small), err_msg=fn.__name__)
        np.testing.assert_allclose(np.diag(value), 1.0, err_msg=fn.__name__)
    # DIoU's eps is in squared units: scaled with the boxes, every bit is kept.
    np.testing.assert_array_equal(B.distance_box_iou(boxes, boxes), B.distance_box_iou(small, small, eps=1e-7 * 4.0**-k))
    # CIoU also adds eps to a ratio (alpha's denominator), which does not scale: compare at unit scale.
    unit = np.ldexp(boxes, -np.frexp(boxes.max())[1])
    value = B.complete_box_iou(boxes, boxes)
    assert_finite(value)
    np.testing.assert_allclose(value, B.complete_box_iou(unit, unit), atol=1e-6)
    rejects(B.box_area, boxes, argument="boxes")


@SETTINGS
@given(boxes=valid_boxes(n=st.integers(1, 8)), k=st.integers(-1000, -600))
def test_float64_tiny_coordinates_keep_their_iou(boxes, k):
    # Areas of boxes near 1e-200 underflow to 0; the boxes are scaled up by a power of two instead.
    tiny = np.ldexp(boxes, k)
    assert np.isfinite(tiny).all()
    normal = np.ldexp(tiny, -k)  # what is left of the boxes at that scale (subnormal coordinates lose bits)
    for fn in (B.box_iou, B.generalized_box_iou):
        np.testing.assert_array_equal(fn(tiny, tiny), fn(normal, normal), err_msg=fn.__name__)


@SETTINGS
@given(boxes=hnp.arrays(np.float32, (3, 4), elements=st.floats(width=32, allow_nan=False, allow_infinity=False)))
def test_box_convert_refuses_what_does_not_fit_and_keeps_what_does(boxes):
    boxes = np.concatenate([np.minimum(boxes[:, :2], boxes[:, 2:]), np.maximum(boxes[:, :2], boxes[:, 2:])], axis=1)
    try:
        converted = B.box_convert(boxes, "xyxy", "xywh")
    except ValueError as error:
        assert "boxes" in str(error) and "float32" in str(error)
        with np.errstate(over="ignore"):
            assert not np.isfinite(boxes[:, 2:] - boxes[:, :2]).all()  # a width really is above float32's max
    else:
        assert_finite(converted)
