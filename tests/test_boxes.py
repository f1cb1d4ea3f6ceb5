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


def test_dtype_is_preserved():
    a = np.array([[0, 0, 1, 1]], dtype=np.float32)
    assert boxes.box_iou(a, a).dtype == np.float32
    assert boxes.box_iou(a.astype(np.float64), a.astype(np.float64)).dtype == np.float64


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


# --- bad and empty input ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn", list(PAIRWISE.values()))
def test_empty_inputs_give_empty_matrices(fn):
    some = np.array([[0.0, 0.0, 1.0, 1.0]] * 3)
    assert fn(np.zeros((0, 4)), some).shape == (0, 3)
    assert fn(some, np.zeros((0, 4))).shape == (3, 0)
    assert fn(np.zeros((0, 4)), np.zeros((0, 4))).shape == (0, 0)
    assert fn([], some).shape == (0, 3)


@pytest.mark.parametrize("bad, message", [
    (np.zeros((3, 3)), r"boxes1 must have shape \(N, 4\)"),
    (np.zeros(4), r"boxes1 must have shape \(N, 4\)"),
    (np.array([[0.0, 0.0, np.nan, 1.0]]), "boxes1 contains NaN or inf"),
    (np.array([[0.0, 0.0, np.inf, 1.0]]), "boxes1 contains NaN or inf"),
    (np.array([[5.0, 0.0, 1.0, 1.0]]), "boxes1 has x2 < x1 or y2 < y1"),
    (np.array([["a", "b", "c", "d"]]), "boxes1 must hold numbers"),
])
def test_bad_boxes_raise_value_error_naming_the_argument(bad, message):
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=message):
        boxes.box_iou(bad, good)
    with pytest.raises(ValueError, match=message.replace("boxes1", "boxes2")):
        boxes.box_iou(good, bad)


def test_box_convert_bad_input():
    with pytest.raises(ValueError, match="in_fmt must be one of"):
        boxes.box_convert(np.zeros((1, 4)), "xyzw", "xyxy")
    with pytest.raises(ValueError, match="out_fmt must be one of"):
        boxes.box_convert(np.zeros((1, 4)), "xyxy", "yxyx")
    with pytest.raises(ValueError, match="negative width or height"):
        boxes.box_convert(np.array([[0.0, 0.0, -1.0, 1.0]]), "xywh", "xyxy")
    assert boxes.box_convert(np.zeros((0, 4)), "xyxy", "cxcywh").shape == (0, 4)
