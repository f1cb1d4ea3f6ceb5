"""utils.boxes: parity with torchvision's recorded outputs, properties, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from utils import DATA_DIR, boxes

REF = np.load(DATA_DIR / "torchvision_reference.npz")
PAIRWISE = {
    "box_iou": boxes.box_iou,
    "generalized_box_iou": boxes.generalized_box_iou,
    "distance_box_iou": boxes.distance_box_iou,
    "complete_box_iou": boxes.complete_box_iou,
}
ELEMENTWISE = {"iou": "box_iou", "giou": "generalized_box_iou", "diou": "distance_box_iou", "ciou": "complete_box_iou"}
TOLERANCE = {"f32": 1e-6, "f64": 1e-12}


# --- parity with torchvision -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("name", list(PAIRWISE))
def test_pairwise_matches_torchvision(name, dtype):
    expected = REF[f"{name}_{dtype}"]
    got = PAIRWISE[name](REF["A"].astype(expected.dtype), REF["B"].astype(expected.dtype))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("name", ["box_iou", "generalized_box_iou", "distance_box_iou"])
def test_same_formula_as_torchvision_gives_the_same_bits(name, dtype):
    # Same operations in the same order as torchvision's _box_inter_union and friends: bit for bit. (CIoU's
    # angle is computed with arctan2 here, atan(w / h) there: last bits differ, see the tolerance test above.)
    expected = REF[f"{name}_{dtype}"]
    got = PAIRWISE[name](REF["A"].astype(expected.dtype), REF["B"].astype(expected.dtype))
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(got[finite], expected[finite])


@pytest.mark.parametrize("dtype", ["f32", "f64"])
@pytest.mark.parametrize("short", list(ELEMENTWISE))
def test_elementwise_pairs_match_torchvision(short, dtype):
    # The first 324 pairs are every combination of the 18 hand-made degenerate boxes.
    expected = REF[f"pair_{short}_{dtype}"]
    p1, p2 = REF["P1"].astype(expected.dtype), REF["P2"].astype(expected.dtype)
    got = np.array([PAIRWISE[ELEMENTWISE[short]](p1[i:i + 1], p2[i:i + 1])[0, 0] for i in range(len(p1))])
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=0, atol=TOLERANCE[dtype])


def test_where_torchvision_is_nan_we_define_values():
    # torchvision returns 0/0 = NaN for two zero-area boxes; we define IoU = 0 and never return NaN.
    for name, fn in PAIRWISE.items():
        got = fn(REF["A"].astype(np.float64), REF["B"].astype(np.float64))
        assert np.isfinite(got).all(), name
    nan_pairs = ~np.isfinite(REF["box_iou_f64"])
    assert nan_pairs.any()
    assert (boxes.box_iou(REF["A"], REF["B"])[nan_pairs] == 0).all()


def test_zero_area_conventions_pinned():
    point = np.array([[5.0, 5.0, 5.0, 5.0]])
    horizontal = np.array([[0.0, 5.0, 10.0, 5.0]])
    vertical = np.array([[5.0, 0.0, 5.0, 10.0]])
    assert boxes.box_iou(point, point)[0, 0] == 0.0
    assert boxes.generalized_box_iou(point, point)[0, 0] == 0.0  # enclosing area 0: no penalty
    assert boxes.generalized_box_iou(horizontal, vertical)[0, 0] == -1.0  # union 0, enclosing 100
    assert boxes.complete_box_iou(point, point)[0, 0] == 0.0  # arctan2(0, 0) = 0: no NaN


# --- known values ----------------------------------------------------------------------------------

def test_known_values():
    a = np.array([[0.0, 0.0, 10.0, 10.0]])
    b = np.array([[5.0, 5.0, 15.0, 15.0], [0.0, 0.0, 10.0, 5.0], [20.0, 0.0, 30.0, 10.0]])
    np.testing.assert_allclose(boxes.box_iou(a, b), [[25 / 175, 0.5, 0.0]])
    # GIoU of the disjoint pair: enclosing box 30 x 10 = 300, union 200 -> 0 - 100/300.
    assert boxes.generalized_box_iou(a, b)[0, 2] == pytest.approx(-1 / 3)
    # DIoU of the disjoint pair: centres 20 apart, enclosing diagonal^2 = 30^2 + 10^2.
    assert boxes.distance_box_iou(a, b)[0, 2] == pytest.approx(-400 / 1000, abs=1e-9)


def test_box_area_and_integer_input():
    area = boxes.box_area(np.array([[0, 0, 2, 3], [1, 1, 1, 5]]))
    assert area.dtype == np.float64
    np.testing.assert_array_equal(area, [6.0, 0.0])


def test_result_dtypes():
    a = np.array([[0, 0, 1, 1]], dtype=np.float32)
    for fn in PAIRWISE.values():
        assert fn(a, a).dtype == np.float32
        assert fn(a.astype(np.float64), a.astype(np.float64)).dtype == np.float64
        assert fn(a.astype(np.float16), a.astype(np.float16)).dtype == np.float32  # like torchvision's _upcast
        assert fn(a.astype(np.int64), a.astype(np.int64)).dtype == np.float64
        assert fn(a.astype(np.float16), a).dtype == np.float32
    assert boxes.box_area(a.astype(np.float16)).dtype == np.float32
    assert boxes.box_convert(a.astype(np.float16), "xyxy", "cxcywh").dtype == np.float16


# --- overflow: never a silent 0 or NaN --------------------------------------------------------------------

def test_float16_products_are_computed_in_float32():
    # The example: a 300 x 300 float16 box has area 90000 > 65504. Before: IoU 0 with itself, GIoU NaN.
    b = np.float16([[0, 0, 300, 300], [150, 0, 450, 300]])
    np.testing.assert_allclose(boxes.box_iou(b, b), [[1, 1 / 3], [1 / 3, 1]], rtol=1e-6)
    np.testing.assert_allclose(boxes.generalized_box_iou(b, b), [[1, 1 / 3], [1 / 3, 1]], rtol=1e-6)
    assert boxes.box_area(b).tolist() == [90000.0, 90000.0]


@pytest.mark.parametrize("dtype, scale", [(np.float32, 1e20), (np.float32, 3e37), (np.float32, 1e-30),
                                          (np.float64, 1e200), (np.float64, 1e300), (np.float64, 1e-200)])
def test_huge_and_tiny_coordinates_give_the_values_of_unit_boxes(dtype, scale):
    unit = np.array([[0, 0, 1, 1], [0.5, 0, 1.5, 1], [3, 0, 4, 2]])
    scaled = (unit * scale).astype(dtype)
    for name, fn in PAIRWISE.items():
        if name in ("distance_box_iou", "complete_box_iou") and scale < 1:
            continue  # eps = 1e-7 (squared units) dominates c^2 there, as the formula says
        got = fn(scaled, scaled)
        assert got.dtype == dtype and np.isfinite(got).all(), name
        np.testing.assert_allclose(got, fn(unit, unit), rtol=1e-5, atol=1e-6, err_msg=name)


def test_box_area_and_convert_refuse_what_does_not_fit():
    with pytest.raises(ValueError, match="boxes have areas above the largest float32"):
        boxes.box_area(np.float32([[0, 0, 1e20, 1e20]]))
    with pytest.raises(ValueError, match="boxes have areas above the largest float64"):
        boxes.box_area(np.array([[0, 0, 1e200, 1e200]]))
    with pytest.raises(ValueError, match="do not fit float16"):
        boxes.box_convert(np.float16([[60000, 0, 60000, 1]]), "xywh", "xyxy")


@pytest.mark.parametrize("eps", [None, -1.0, float("nan"), float("inf"), "1e-7"])
def test_eps_is_checked(eps):
    some = np.array([[0.0, 0.0, 1.0, 1.0]])
    for fn in (boxes.distance_box_iou, boxes.complete_box_iou):
        with pytest.raises((ValueError, TypeError), match="eps must be a finite number >= 0"):
            fn(some, some, eps=eps)


# --- box_convert ------------------------------------------------------------------------------------

def test_box_convert_known():
    xyxy = np.array([[10.0, 20.0, 30.0, 60.0]])
    np.testing.assert_allclose(boxes.box_convert(xyxy, "xyxy", "xywh"), [[10, 20, 20, 40]])
    np.testing.assert_allclose(boxes.box_convert(xyxy, "xyxy", "cxcywh"), [[20, 40, 20, 40]])
    np.testing.assert_allclose(boxes.box_convert([[20, 40, 20, 40]], "cxcywh", "xywh"), [[10, 20, 20, 40]])


# Coordinates on a 0.01 grid: shifting a box by +-500 must not round its width away (1e-66 + 1 == 1).
coordinate = st.floats(-1e3, 1e3).map(lambda v: round(v, 2))
extent = st.floats(0, 1e3).map(lambda v: round(v, 2))
finite_boxes = st.lists(st.tuples(coordinate, coordinate, extent, extent), min_size=1, max_size=8).map(
    lambda rows: np.array([[x, y, x + w, y + h] for x, y, w, h in rows])
)


@given(finite_boxes, st.sampled_from(boxes.BOX_FORMATS), st.sampled_from(boxes.BOX_FORMATS))
def test_box_convert_round_trip(b, mid, out):
    there = boxes.box_convert(b, "xyxy", mid)
    back = boxes.box_convert(boxes.box_convert(there, mid, out), out, "xyxy")
    np.testing.assert_allclose(back, b, atol=1e-9)


# --- properties ---------------------------------------------------------------------------------------

@settings(max_examples=200)
@given(finite_boxes, finite_boxes)
def test_iou_properties(a, b):
    iou = boxes.box_iou(a, b)
    giou = boxes.generalized_box_iou(a, b)
    assert iou.shape == (len(a), len(b))
    assert ((iou >= 0) & (iou <= 1 + 1e-12)).all()
    np.testing.assert_allclose(iou, boxes.box_iou(b, a).T, atol=1e-12)  # symmetric
    assert ((giou >= -1 - 1e-12) & (giou <= iou + 1e-12)).all()  # GIoU in [-1, IoU]
    for fn in (boxes.distance_box_iou, boxes.complete_box_iou):
        assert (fn(a, b) <= iou + 1e-9).all() and (fn(a, b) >= -1.5).all()


@given(finite_boxes)
def test_iou_with_itself_is_one_for_positive_area(a):
    positive = boxes.box_area(a) > 1e-6
    np.testing.assert_allclose(np.diag(boxes.box_iou(a, a))[positive], 1.0, atol=1e-9)


@given(finite_boxes, finite_boxes, st.floats(-500, 500), st.floats(-500, 500))
def test_translation_invariance(a, b, dx, dy):
    shift = np.array([dx, dy, dx, dy])
    for fn in PAIRWISE.values():
        np.testing.assert_allclose(fn(a + shift, b + shift), fn(a, b), atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(finite_boxes, finite_boxes, st.integers(-960, 960))
def test_power_of_two_scaling_keeps_every_bit(a, b, k):
    # IoU, GIoU and CIoU are ratios of areas: scaling all coordinates by 2**k changes no bit, even where the
    # products overflow or underflow float64 (k near +-960), because the functions rescale by a power of two.
    a, b = a - min(a.min(), b.min()), b - min(a.min(), b.min())  # non-negative: no sign games with the exponent
    small = max(a.max(), b.max(), 1.0)
    a, b = np.ldexp(a / small, 0), np.ldexp(b / small, 0)
    for name in ("box_iou", "generalized_box_iou"):
        fn = PAIRWISE[name]
        np.testing.assert_array_equal(fn(np.ldexp(a, k), np.ldexp(b, k)), fn(a, b), err_msg=name)


# --- bad and empty input ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn", list(PAIRWISE.values()))
def test_empty_inputs_give_empty_matrices(fn):
    some = np.array([[0.0, 0.0, 1.0, 1.0]] * 3)
    assert fn(np.zeros((0, 4)), some).shape == (0, 3)
    assert fn(some, np.zeros((0, 4))).shape == (3, 0)
    assert fn(np.zeros((0, 4)), np.zeros((0, 4))).shape == (0, 0)
    assert fn([], some).shape == (0, 3)


@pytest.mark.parametrize("bad, error, message", [
    (np.zeros((3, 3)), ValueError, r"boxes1 must have shape \(N, 4\)"),
    (np.zeros(4), ValueError, r"boxes1 must have shape \(N, 4\)"),
    (np.array([[0.0, 0.0, np.nan, 1.0]]), ValueError, "boxes1 must be finite"),
    (np.array([[0.0, 0.0, np.inf, 1.0]]), ValueError, "boxes1 must be finite"),
    (np.array([[5.0, 0.0, 1.0, 1.0]]), ValueError, "boxes1 must have x1 <= x2 and y1 <= y2"),
    (np.array([["a", "b", "c", "d"]]), TypeError, "boxes1 must hold real numbers"),
    (np.array([[0, 0, 1, 1]], dtype=bool), TypeError, "boxes1 must hold real numbers"),
    (np.array([[0, 0, 1, 1]], dtype=complex), TypeError, "boxes1 must hold real numbers"),
    ([[0, 0, 1, 1], [0, 0, 1]], TypeError, "boxes1 must be an array of numbers"),
])
def test_bad_boxes_raise_an_error_naming_the_argument(bad, error, message):
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(error, match=message):
        boxes.box_iou(bad, good)
    with pytest.raises(error, match=message.replace("boxes1", "boxes2")):
        boxes.box_iou(good, bad)


def test_as_boxes_rejects_an_unknown_format():
    with pytest.raises(ValueError, match="fmt must be one of"):
        boxes.as_boxes(np.zeros((1, 4)), fmt="bogus")
    with pytest.raises(ValueError, match="fmt must be one of"):
        boxes.as_boxes(np.zeros((1, 4)), fmt=None)


def test_box_convert_bad_input():
    with pytest.raises(ValueError, match="in_fmt must be one of"):
        boxes.box_convert(np.zeros((1, 4)), "xyzw", "xyxy")
    with pytest.raises(ValueError, match="out_fmt must be one of"):
        boxes.box_convert(np.zeros((1, 4)), "xyxy", "yxyx")
    with pytest.raises(ValueError, match=r"boxes must have w >= 0 and h >= 0 \(xywh\)"):
        boxes.box_convert(np.array([[0.0, 0.0, -1.0, 1.0]]), "xywh", "xyxy")
    assert boxes.box_convert(np.zeros((0, 4)), "xyxy", "cxcywh").shape == (0, 4)
