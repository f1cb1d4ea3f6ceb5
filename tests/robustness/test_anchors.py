"""The robustness contract (contract.py) for every public function of utils.anchors.

Malformed sizes (wrong shape, a dtype that is not a real number, NaN/inf, a width or height <= 0), a bad k,
distance, metric, seed, threshold, tolerance, sample size, generation count, mutation probability, sigma or
minimum size raise ValueError/TypeError naming the argument; valid input gives finite results in range without
modifying the input; empty input gives the documented result (empty matrices, NaN for a mean over no boxes, an
error naming k or wh where anchors cannot be fitted to nothing); sizes whose products overflow give the results
of the same sizes at a safe scale; nothing loops forever. Measured in issue 11: ``genetic_refine(wh, anchors,
generations=1, sigma=0.0)`` and ``mutation_prob=0.0`` never returned.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_COUNTS, BAD_DTYPES, BAD_UNIT_INTERVAL, wrong_shapes
from utils import anchors as A

COVERS = [f"utils.anchors.{name}" for name in (
    "as_sizes", "wh_iou", "avg_iou", "ratio_metric", "best_possible_recall", "kmeans_anchors", "whitened_kmeans",
    "genetic_refine", "yolov5_autoanchor")]

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WH = np.array([[10.0, 20.0], [30.0, 15.0], [50.0, 60.0], [12.0, 11.0], [80.0, 40.0]])
ANCHORS = np.array([[10.0, 10.0], [40.0, 40.0]])

#: Every function with a sizes argument, as ``fn(sizes)``, and the name its message must contain.
WITH_SIZES = {
    "as_sizes": (lambda s: A.as_sizes(s), "wh"),
    "wh_iou(s, anchors)": (lambda s: A.wh_iou(s, ANCHORS), "wh"),
    "wh_iou(wh, s)": (lambda s: A.wh_iou(WH, s), "anchors"),
    "avg_iou(s, anchors)": (lambda s: A.avg_iou(s, ANCHORS), "wh"),
    "avg_iou(wh, s)": (lambda s: A.avg_iou(WH, s), "anchors"),
    "ratio_metric(s, anchors)": (lambda s: A.ratio_metric(s, ANCHORS), "wh"),
    "ratio_metric(wh, s)": (lambda s: A.ratio_metric(WH, s), "anchors"),
    "best_possible_recall(s, anchors)": (lambda s: A.best_possible_recall(s, ANCHORS), "wh"),
    "best_possible_recall(wh, s)": (lambda s: A.best_possible_recall(WH, s, 4.0, "ratio"), "anchors"),
    "kmeans_anchors": (lambda s: A.kmeans_anchors(s, 1), "wh"),
    "whitened_kmeans": (lambda s: A.whitened_kmeans(s, 1), "wh"),
    "genetic_refine(s, anchors)": (lambda s: A.genetic_refine(s, ANCHORS, generations=2), "wh"),
    "genetic_refine(wh, s)": (lambda s: A.genetic_refine(WH, s, generations=2), "anchors"),
    "yolov5_autoanchor": (lambda s: A.yolov5_autoanchor(s, 1, generations=2), "wh"),
}


@st.composite
def sizes(draw, n=st.integers(1, 25), low=0.5, high=500.0):
    """``(N, 2)`` positive sizes on a coarse grid (duplicates and ties happen)."""
    count = draw(n)
    return draw(hnp.arrays(np.float64, (count, 2), elements=st.floats(low, high).map(lambda v: round(v, 1))))


@st.composite
def sizes_with_a_flaw(draw):
    wh = draw(sizes()).copy()
    row, col = draw(st.integers(0, len(wh) - 1)), draw(st.integers(0, 1))
    wh[row, col] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -1.0, -1e-300]))
    return wh


# ----------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("call", list(WITH_SIZES))
@SETTINGS
@given(shape=wrong_shapes(last=2))
def test_wrong_shapes_are_rejected(call, shape):
    fn, name = WITH_SIZES[call]
    assert "(N, 2)" in rejects(fn, np.ones(shape), argument=name)


@pytest.mark.parametrize("call", list(WITH_SIZES))
@pytest.mark.parametrize("dtype", BAD_DTYPES)
def test_dtypes_that_are_not_real_numbers_are_rejected(call, dtype):
    fn, name = WITH_SIZES[call]
    rejects(fn, np.ones((2, 2), dtype=dtype), argument=name, exc=TypeError)


@pytest.mark.parametrize("call", list(WITH_SIZES))
@SETTINGS
@given(wh=sizes_with_a_flaw())
def test_nan_inf_and_non_positive_sizes_are_rejected(call, wh):
    fn, name = WITH_SIZES[call]
    rejects(fn, wh, argument=name)


@pytest.mark.parametrize("k", [*BAD_COUNTS, 6, 10**9])
def test_bad_k_is_rejected(k):
    for fn in (A.kmeans_anchors, A.whitened_kmeans, A.yolov5_autoanchor):
        rejects(fn, WH, k, argument="k")


@pytest.mark.parametrize("fn", [A.kmeans_anchors, A.whitened_kmeans, A.yolov5_autoanchor])
def test_no_boxes_cannot_make_anchors(fn):
    rejects(fn, np.zeros((0, 2)), 1, argument="k")  # k must be at most the number of boxes in wh (0)


@pytest.mark.parametrize("kwargs, argument", [
    (dict(distance="manhattan"), "distance"), (dict(distance=None), "distance"), (dict(distance=["iou"]), "distance"),
    (dict(seed=-1), "seed"), (dict(seed=2.5), "seed"), (dict(seed="0"), "seed"), (dict(seed=True), "seed"),
    *[(dict(max_iter=v), "max_iter") for v in BAD_COUNTS],
    *[(dict(tol=v), "tol") for v in (None, float("nan"), -0.1, 1.0, 1.5, "0.1", [0.1])],
    *[(dict(sample_size=v), "sample_size") for v in (0, -1, 2.5, "100", True, float("nan"))],
], ids=repr)
def test_bad_kmeans_parameters_are_rejected(kwargs, argument):
    rejects(A.kmeans_anchors, WH, 2, argument=argument, **kwargs)


@pytest.mark.parametrize("kwargs, argument", [
    *[(dict(thr=v), "thr") for v in (None, 1.0, 0.5, -4.0, float("nan"), float("inf"), "4")],
    *[(dict(generations=v), "generations") for v in (None, -1, 2.5, "10", True, float("nan"))],
    *[(dict(mutation_prob=v), "mutation_prob") for v in (*BAD_UNIT_INTERVAL, 0.0)],
    *[(dict(sigma=v), "sigma") for v in (None, 0.0, -0.1, float("nan"), float("inf"), "0.1")],
    *[(dict(seed=v), "seed") for v in (-1, 2.5, "0", True)],
    *[(dict(min_size=v), "min_size") for v in (None, -1.0, float("nan"), float("inf"), "2")],
], ids=repr)
def test_bad_genetic_parameters_are_rejected(kwargs, argument):
    rejects(A.genetic_refine, WH, ANCHORS, argument=argument, **kwargs)


def test_genetic_refine_that_looped_forever_now_refuses():  # issue 11
    assert "sigma must be a finite number > 0" in rejects(A.genetic_refine, WH, ANCHORS, generations=1, sigma=0.0,
                                                           argument="sigma")
    assert "mutation_prob must be a number in (0, 1]" in rejects(A.genetic_refine, WH, ANCHORS, generations=1,
                                                                 mutation_prob=0.0, argument="mutation_prob")


def test_genetic_refine_without_boxes_or_anchors_says_so():
    rejects(A.genetic_refine, np.zeros((0, 2)), ANCHORS, argument="wh")
    rejects(A.genetic_refine, WH, np.zeros((0, 2)), argument="anchors")


@pytest.mark.parametrize("kwargs, argument", [
    (dict(metric="giou"), "metric"), (dict(metric=None), "metric"),
    *[(dict(threshold=v), "threshold") for v in (*BAD_UNIT_INTERVAL, 0.0)],
    *[(dict(threshold=v, metric="ratio"), "threshold") for v in (None, 0.0, -4.0, float("nan"), float("inf"), "4")],
], ids=repr)
def test_bad_recall_parameters_are_rejected(kwargs, argument):
    rejects(A.best_possible_recall, WH, ANCHORS, argument=argument, **kwargs)


@pytest.mark.parametrize("k", [None, 2.5, "3", True, -1])
def test_yolov5_autoanchor_names_its_arguments(k):
    rejects(A.yolov5_autoanchor, WH, k, argument="k")
    rejects(A.yolov5_autoanchor, WH, 2, thr=None, argument="thr")
    rejects(A.yolov5_autoanchor, WH, 2, generations=-1, argument="generations")
    rejects(A.yolov5_autoanchor, WH, 2, seed="x", argument="seed")


# ----------------------------------------------------------------------------- valid input


@SETTINGS
@given(wh=sizes(), anchors=sizes(n=st.integers(1, 6)), dtype=st.sampled_from([np.float16, np.float32, np.float64]))
def test_measures_on_valid_sizes(wh, anchors, dtype):
    wh = wh.astype(dtype)
    wh = np.maximum(wh, np.float16(0.5)).astype(dtype)  # float16 keeps them > 0
    assert call_unchanged(A.as_sizes, wh).dtype == np.float64
    iou = call_unchanged(A.wh_iou, wh, anchors)
    assert iou.shape == (len(wh), len(anchors)) and ((iou > 0) & (iou <= 1)).all()
    ratio = call_unchanged(A.ratio_metric, wh, anchors)
    assert ratio.shape == iou.shape and ((ratio > 0) & (ratio <= 1)).all()
    assert 0 < call_unchanged(A.avg_iou, wh, anchors) <= 1
    for threshold, metric in ((0.5, "iou"), (1.0, "iou"), (4.0, "ratio"), (0.5, "ratio")):
        assert 0 <= call_unchanged(A.best_possible_recall, wh, anchors, threshold, metric) <= 1


@SETTINGS
@given(wh=sizes(), k=st.integers(1, 5), distance=st.sampled_from(A.DISTANCES), seed=st.integers(0, 3),
       sample_size=st.sampled_from([None, 3, 8192]), max_iter=st.integers(1, 5), tol=st.sampled_from([0.0, 1e-4, 0.5]))
def test_kmeans_on_valid_sizes(wh, k, distance, seed, sample_size, max_iter, tol):
    k = min(k, len(wh))
    anchors, assignment, history = call_unchanged(A.kmeans_anchors, wh, k, distance, seed, max_iter, tol, sample_size)
    assert anchors.shape == (k, 2) and (anchors > 0).all() and assignment.shape == (len(wh),)
    assert set(assignment.tolist()) <= set(range(k)) and (np.diff(anchors.prod(axis=1)) >= 0).all()
    assert_finite(anchors)
    assert_finite(history)
    whitened = call_unchanged(A.whitened_kmeans, wh, k, seed)
    assert whitened.shape == (k, 2) and (whitened > 0).all()


@SETTINGS
@given(wh=sizes(), anchors=sizes(n=st.integers(1, 4)), generations=st.integers(0, 20),
       mutation_prob=st.sampled_from([1e-12, 0.1, 0.9, 1.0]), sigma=st.sampled_from([1e-300, 0.1, 2.0]),
       min_size=st.sampled_from([0.0, 2.0]))
def test_genetic_refine_on_valid_input_returns(wh, anchors, generations, mutation_prob, sigma, min_size):
    # mutation_prob 1e-12 or sigma 1e-300: YOLOv5's "draw until something changes" would (almost) never end.
    evolved, history = call_unchanged(A.genetic_refine, wh, anchors, 4.0, generations, mutation_prob, sigma, 0,
                                      min_size)
    assert evolved.shape == anchors.shape and (evolved > 0).all() and history.shape == (generations + 1,)
    assert (np.diff(history) >= 0).all()
    assert_finite(history)


@SETTINGS
@given(wh=sizes(n=st.integers(2, 20)), k=st.integers(1, 2))
def test_yolov5_autoanchor_on_valid_input(wh, k):
    anchors = call_unchanged(A.yolov5_autoanchor, wh, k, 4.0, 5, 0)
    assert anchors.shape == (k, 2) and (anchors > 0).all()
    assert_finite(anchors)


def test_empty_input_gives_the_documented_results():
    for empty in ([], np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros((0, 0))):
        assert A.as_sizes(empty).shape == (0, 2)
        assert A.wh_iou(empty, ANCHORS).shape == (0, 2) and A.wh_iou(WH, empty).shape == (5, 0)
        assert A.ratio_metric(empty, ANCHORS).shape == (0, 2)
        assert np.isnan(A.avg_iou(empty, ANCHORS)) and A.avg_iou(WH, empty) == 0.0  # a mean over no boxes: NaN
        assert np.isnan(A.best_possible_recall(empty, ANCHORS)) and A.best_possible_recall(WH, empty) == 0.0


# ----------------------------------------------------------------------------- overflow


@st.composite
def huge_sizes(draw, n=st.integers(1, 10)):
    """Sizes near 1e200: ``w * h`` overflows float64 (and near 1e-200: it underflows)."""
    wh = draw(sizes(n=n, low=1.0, high=1000.0))
    return np.ldexp(wh, draw(st.sampled_from([-700, 600, 660])))


@SETTINGS
@given(wh=huge_sizes(), anchors=sizes(n=st.integers(1, 4), low=1.0, high=1000.0))
def test_huge_and_tiny_sizes_give_the_results_of_scaled_sizes(wh, anchors):
    e = int(np.frexp(wh.max())[1])
    anchors = np.ldexp(anchors, e - 10)
    unit_wh, unit_anchors = np.ldexp(wh, -e), np.ldexp(anchors, -e)  # exact: powers of two
    np.testing.assert_array_equal(A.wh_iou(wh, anchors), A.wh_iou(unit_wh, unit_anchors))
    assert A.avg_iou(wh, anchors) == A.avg_iou(unit_wh, unit_anchors)
    assert A.best_possible_recall(wh, anchors) == A.best_possible_recall(unit_wh, unit_anchors)
    np.testing.assert_array_equal(A.ratio_metric(wh, anchors), A.ratio_metric(unit_wh, unit_anchors))
    for distance in A.DISTANCES:
        k = min(3, len(wh))
        got = A.kmeans_anchors(wh, k, distance=distance)
        ref = A.kmeans_anchors(unit_wh, k, distance=distance)
        np.testing.assert_array_equal(got[0], np.ldexp(ref[0], e))
        np.testing.assert_array_equal(got[1], ref[1])
    evolved, history = A.genetic_refine(wh, anchors, generations=5, min_size=0.0)
    assert_finite(evolved)
    assert_finite(history)
