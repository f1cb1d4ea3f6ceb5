"""Tests for utils.anchors (notebooks/04_anchor_kmeans.ipynb): centre-aligned IoU, k-means anchors, YOLOv5 autoanchor.

References: utils.boxes.box_iou on boxes placed at a common centre and plain Python loops (wh_iou, avg_iou,
best possible recall, the ratio metric); the defining properties of Lloyd's algorithm (every box assigned to
its best anchor); a textbook mean-update IoU k-means for the quality comparison.
"""

import ast
import hashlib
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from utils import anchors as A
from utils.boxes import box_convert, box_iou
from utils.checks.anchors import check_wh_iou
from utils.data.sizes import YOLOV2_VOC_ANCHORS, coco_like_sizes, log_uniform_sizes, size_shares

sizes = arrays(np.float64, st.tuples(st.integers(1, 12), st.just(2)), elements=st.floats(0.01, 1000))


def centred(wh):
    """Sizes as xyxy boxes centred at the origin."""
    wh = np.asarray(wh, float)
    return box_convert(np.concatenate([np.zeros_like(wh), wh], axis=1), "cxcywh", "xyxy")


# ----------------------------------------------------------------------------- wh_iou and friends


def test_wh_iou_by_hand():
    got = A.wh_iou([[10, 10], [20, 5]], [[10, 10], [5, 20], [5, 5]])
    np.testing.assert_allclose(got, [[1, 50 / 150, 25 / 100], [50 / 150, 25 / 175, 25 / 100]])


@settings(max_examples=200, deadline=None)
@given(sizes, sizes)
def test_wh_iou_equals_box_iou_of_centred_boxes(wh, anchors):
    np.testing.assert_allclose(A.wh_iou(wh, anchors), box_iou(centred(wh), centred(anchors)), rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(sizes, sizes, st.floats(0.01, 100))
def test_wh_iou_properties(wh, anchors, scale):
    iou = A.wh_iou(wh, anchors)
    assert iou.shape == (len(wh), len(anchors))
    assert ((iou > 0) & (iou <= 1 + 1e-12)).all()
    np.testing.assert_allclose(iou, A.wh_iou(anchors, wh).T)  # symmetric
    np.testing.assert_allclose(iou, A.wh_iou(wh * scale, anchors * scale), rtol=1e-9)  # no unit
    np.testing.assert_allclose(np.diag(A.wh_iou(wh, wh)), 1.0)


def test_avg_iou_and_recall_against_loops():
    wh, anchors = coco_like_sizes(300, seed=3), coco_like_sizes(5, seed=4)
    best = [max(box_iou(centred([b]), centred([a]))[0, 0] for a in anchors) for b in wh]
    assert A.avg_iou(wh, anchors) == pytest.approx(np.mean(best), abs=1e-12)
    for t in (0.3, 0.5, 0.7):
        assert A.best_possible_recall(wh, anchors, t) == pytest.approx(np.mean(np.array(best) >= t))


def test_ratio_metric_and_bpr_like_yolov5():
    wh, anchors = coco_like_sizes(200, seed=5), coco_like_sizes(9, seed=6)
    loop = np.array([[min(w / a, a / w, h / b, b / h) for a, b in anchors] for w, h in wh])
    np.testing.assert_allclose(A.ratio_metric(wh, anchors), loop)
    assert A.best_possible_recall(wh, anchors, 4.0, "ratio") == pytest.approx(np.mean(loop.max(1) > 0.25))
    fitness = np.mean(np.where(loop.max(1) > 0.25, loop.max(1), 0))
    assert A._ratio_fitness(wh, anchors, 4.0) == pytest.approx(fitness)


def test_empty_inputs():
    assert A.wh_iou(np.zeros((0, 2)), [[1, 1]]).shape == (0, 1)
    assert A.wh_iou([[1, 1]], np.zeros((0, 2))).shape == (1, 0)
    assert np.isnan(A.avg_iou(np.zeros((0, 2)), [[1, 1]]))
    assert A.avg_iou([[1, 1]], np.zeros((0, 2))) == 0.0
    assert np.isnan(A.best_possible_recall([], [[1, 1]]))


@pytest.mark.parametrize("bad", [[[1, 2, 3]], [1, 2], [[0, 1]], [[-1, 1]], [[np.nan, 1]], [[np.inf, 1]], [["a", "b"]]])
def test_bad_sizes_raise(bad):
    with pytest.raises((ValueError, TypeError), match="wh"):
        A.wh_iou(bad, [[1, 1]])
    with pytest.raises((ValueError, TypeError), match="anchors"):
        A.avg_iou([[1, 1]], bad)


def test_bad_arguments_raise():
    wh = coco_like_sizes(20)
    for k in (0, -1, 21, 2.5, True, None):
        with pytest.raises((ValueError, TypeError), match="k must be"):
            A.kmeans_anchors(wh, k)
    with pytest.raises(ValueError, match="distance"):
        A.kmeans_anchors(wh, 3, distance="manhattan")
    with pytest.raises(ValueError, match="max_iter"):
        A.kmeans_anchors(wh, 3, max_iter=0)
    with pytest.raises(ValueError, match="metric"):
        A.best_possible_recall(wh, wh[:3], 0.5, metric="giou")
    with pytest.raises(ValueError, match="threshold"):
        A.best_possible_recall(wh, wh[:3], 1.5)
    with pytest.raises(ValueError, match="thr"):
        A.genetic_refine(wh, wh[:3], thr=1.0)
    # These looped forever before (YOLOv5's "mutate until something changes" with nothing that can change).
    with pytest.raises(ValueError, match=r"sigma must be a finite number > 0"):
        A.genetic_refine(wh, wh[:3], generations=1, sigma=0.0)
    with pytest.raises(ValueError, match=r"mutation_prob must be a number in \(0, 1\]"):
        A.genetic_refine(wh, wh[:3], generations=1, mutation_prob=0.0)
    with pytest.raises(TypeError, match="threshold must be a number in \\(0, 1\\] for metric='iou', got None"):
        A.best_possible_recall(wh, wh[:3], None)


def test_genetic_refine_with_mutations_that_almost_never_happen_returns():
    # 1e-12: every draw leaves every anchor unchanged; at most MAX_DRAWS draws per generation, then move on.
    wh = coco_like_sizes(50, seed=3)
    anchors, history = A.genetic_refine(wh, wh[:3], generations=20, mutation_prob=1e-12)
    assert len(history) == 21 and (history == history[0]).all()
    np.testing.assert_array_equal(anchors, wh[:3][np.argsort(wh[:3].prod(axis=1), kind="stable")])  # unchanged
    anchors, history = A.genetic_refine(wh, wh[:3], generations=20, sigma=1e-300)  # 1 + tiny == 1
    assert (history == history[0]).all()


# ----------------------------------------------------------------------------- k-means


@pytest.mark.parametrize("distance", A.DISTANCES)
def test_kmeans_is_deterministic_sorted_and_consistent(distance):
    wh = coco_like_sizes(2000, seed=1)
    anchors, assignment, history = A.kmeans_anchors(wh, 6, distance=distance, seed=3)
    again = A.kmeans_anchors(wh, 6, distance=distance, seed=3)
    np.testing.assert_array_equal(anchors, again[0])
    np.testing.assert_array_equal(assignment, again[1])
    assert anchors.shape == (6, 2) and np.isfinite(anchors).all() and (anchors > 0).all()
    assert (np.diff(anchors.prod(axis=1)) >= 0).all()  # sorted by area
    assert assignment.shape == (2000,) and set(np.unique(assignment)) <= set(range(6))
    assert history.ndim == 1 and len(history) >= 1
    if distance == "iou":  # every box sits with its best anchor
        np.testing.assert_array_equal(assignment, A.wh_iou(wh, anchors).argmax(axis=1))
        assert history[-1] == pytest.approx(A.avg_iou(wh, anchors))


def test_kmeans_edge_cases():
    wh = coco_like_sizes(50, seed=2)
    anchors, assignment, _ = A.kmeans_anchors(wh, 1)
    assert anchors.shape == (1, 2) and (assignment == 0).all()
    anchors, _, _ = A.kmeans_anchors(wh, 50)  # k = N: every box its own anchor
    assert A.avg_iou(wh, anchors) == pytest.approx(1.0)


@pytest.mark.parametrize("distance", A.DISTANCES)
def test_kmeans_with_duplicates_has_no_nan(distance):
    # 3 distinct sizes, k = 5: some clusters must end up empty or duplicated, never NaN.
    wh = np.repeat([[10.0, 10.0], [20.0, 40.0], [80.0, 30.0]], [30, 20, 10], axis=0)
    anchors, assignment, history = A.kmeans_anchors(wh, 5, distance=distance)
    assert np.isfinite(anchors).all() and np.isfinite(history).all()
    assert A.avg_iou(wh, anchors) == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.just(2)), elements=st.floats(1, 500)),
       st.integers(1, 6), st.sampled_from(A.DISTANCES), st.integers(0, 3))
def test_kmeans_property(wh, k, distance, seed):
    k = min(k, len(wh))
    anchors, assignment, history = A.kmeans_anchors(wh, k, distance=distance, seed=seed)
    assert anchors.shape == (k, 2) and np.isfinite(anchors).all() and (anchors > 0).all()
    assert np.isfinite(history).all()
    # Anchors stay inside the range of the data.
    assert (anchors >= wh.min(axis=0) * (1 - 1e-9) / 1.2).all() and (anchors <= wh.max(axis=0) * 1.2).all()


def textbook_iou_kmeans(wh, k, seed=0, max_iter=300):
    """YOLOv2-style k-means as usually written: random boxes as seeds, 1 - IoU, mean update."""
    rng = np.random.default_rng(seed)
    centres = wh[rng.choice(len(wh), k, replace=False)]
    assignment = None
    for _ in range(max_iter):
        new = A.wh_iou(wh, centres).argmax(axis=1)
        if assignment is not None and (new == assignment).all():
            break
        assignment = new
        centres = np.array([wh[assignment == j].mean(axis=0) if (assignment == j).any() else centres[j] for j in range(k)])
    return centres


def test_iou_kmeans_beats_mean_update_and_the_genetic_refinement():
    wh = log_uniform_sizes(100_000, seed=0)
    anchors, _, _ = A.kmeans_anchors(wh, 9)
    ours = A.avg_iou(wh, anchors)
    assert ours >= 0.662  # the genetic refinement's result on this set (see bench_anchors.py)
    plain = A.avg_iou(wh, textbook_iou_kmeans(wh[:20_000], 9))
    assert ours > plain + 0.01
    euclid, _, _ = A.kmeans_anchors(wh, 9, distance="euclidean")
    assert A.avg_iou(wh, euclid) < ours - 0.05


# ----------------------------------------------------------------------------- YOLOv5 autoanchor


def test_genetic_refine_improves_fitness_monotonically():
    wh = log_uniform_sizes(3000, seed=1)
    start = A.whitened_kmeans(wh, 9)
    anchors, history = A.genetic_refine(wh, start, generations=200, seed=0)
    assert history.shape == (201,)
    assert (np.diff(history) >= 0).all() and history[-1] > history[0]
    assert history[-1] == pytest.approx(A._ratio_fitness(wh, anchors, 4.0))
    assert (anchors >= 2.0).all() and (np.diff(anchors.prod(axis=1)) >= 0).all()
    np.testing.assert_array_equal(anchors, A.genetic_refine(wh, start, generations=200, seed=0)[0])


def test_whitened_kmeans_is_kmeans_in_whitened_units():
    wh = coco_like_sizes(1000, seed=2) * [3.0, 1.0]
    s = wh.std(axis=0)
    direct, _, _ = A.kmeans_anchors(wh / s, 4, distance="euclidean", seed=0)
    np.testing.assert_allclose(A.whitened_kmeans(wh, 4, seed=0), direct * s)


# ----------------------------------------------------------------------------- data and checker


def test_coco_like_sizes_match_the_published_mix():
    shares = size_shares(coco_like_sizes(50_000, seed=0))
    assert shares["small"] == pytest.approx(0.41, abs=0.01)
    assert shares["medium"] == pytest.approx(0.34, abs=0.01)
    assert shares["large"] == pytest.approx(0.25, abs=0.01)
    np.testing.assert_array_equal(coco_like_sizes(10, seed=4), coco_like_sizes(10, seed=4))


def test_yolov2_anchors_constant():
    assert YOLOV2_VOC_ANCHORS.shape == (5, 2)
    assert YOLOV2_VOC_ANCHORS[0].tolist() == [1.3221, 1.73145] and YOLOV2_VOC_ANCHORS[-1].tolist() == [11.2364, 10.0071]


def test_checker():
    assert check_wh_iou(A.wh_iou).passed

    def not_yet(wh, anchors):
        raise NotImplementedError

    assert check_wh_iou(not_yet).not_implemented

    def swapped(wh, anchors):  # width of one against height of the other
        wh, anchors = np.asarray(wh, float), np.asarray(anchors, float)
        inter = np.minimum(wh[:, None, 0], anchors[None, :, 1]) * np.minimum(wh[:, None, 1], anchors[None, :, 0])
        return inter / (wh.prod(1)[:, None] + anchors.prod(1)[None] - inter)

    report = check_wh_iou(swapped)
    assert not report.passed and "a wide box and a tall box" in report.failures


def test_widget_sets_values():
    from utils.widgets import anchor_kmeans_explorer

    explorer = anchor_kmeans_explorer(coco_like_sizes(500, seed=1), k=3)
    explorer.controls["k"].value = 6
    iou_6 = explorer.values["avg IoU"]
    wh = coco_like_sizes(500, seed=1)
    assert iou_6 == pytest.approx(A.avg_iou(wh, A.kmeans_anchors(wh, 6)[0]))
    explorer.controls["distance"].value = "euclidean"
    assert explorer.values["avg IoU"] < iou_6


# ----------------------------------------------------------------------------- same results as before the refactor

BEFORE = np.load(pathlib.Path(__file__).parent / "data" / "anchors_before_refactor.npz")
GENERATED = {  # the recorded sets that are generated, not stored (their sha256 is stored)
    "coco2000": lambda: coco_like_sizes(2000, seed=1), "log100k": lambda: log_uniform_sizes(100_000, seed=0),
    "coco50": lambda: coco_like_sizes(50, seed=2), "log20k_k5": lambda: log_uniform_sizes(20_000, seed=4),
    "log20k_k7": lambda: log_uniform_sizes(20_000, seed=5),
}
RECORDED = sorted(key[: -len("__kwargs")] for key in BEFORE.files if key.endswith("__kwargs"))


@pytest.mark.parametrize("name", RECORDED)
def test_kmeans_gives_the_recorded_results_of_the_version_before_the_split(name):
    """kmeans_anchors before it was split into steps (commit 35c4f8e's recording): bit for bit, same seed."""
    kwargs = ast.literal_eval(str(BEFORE[f"{name}__kwargs"]))
    if f"{name}__wh" in BEFORE.files:
        wh = BEFORE[f"{name}__wh"]
    else:
        wh = next(make() for prefix, make in GENERATED.items() if name.startswith(prefix))
        assert hashlib.sha256(wh.astype(np.float64).tobytes()).hexdigest() == str(BEFORE[f"{name}__wh_sha256"])
    anchors, assignment, history = A.kmeans_anchors(wh, **kwargs)
    np.testing.assert_array_equal(anchors, BEFORE[f"{name}__anchors"])
    np.testing.assert_array_equal(assignment, BEFORE[f"{name}__assignment"])
    np.testing.assert_array_equal(history, BEFORE[f"{name}__history"])


def test_yolov5_steps_give_the_recorded_results():
    wh = log_uniform_sizes(3000, seed=1)
    whitened = A.whitened_kmeans(wh, 9, seed=0)
    np.testing.assert_array_equal(whitened, BEFORE["whitened_k9__anchors"])
    for key, kwargs in (("genetic_200", dict(generations=200, seed=0)),
                        ("genetic_50_p03", dict(generations=50, seed=3, mutation_prob=0.3, sigma=0.2, thr=3.0))):
        anchors, history = A.genetic_refine(wh, whitened, **kwargs)
        np.testing.assert_array_equal(anchors, BEFORE[f"{key}__anchors"])
        np.testing.assert_array_equal(history, BEFORE[f"{key}__history"])


# ----------------------------------------------------------------------------- overflow


@pytest.mark.parametrize("scale", [2.0**500, 2.0**-600])
def test_huge_and_tiny_sizes_give_the_results_of_scaled_sizes(scale):
    # A power of two: the results are exactly the scaled ones (before: w * h overflowed, IoU 0 or NaN).
    wh, anchors = coco_like_sizes(300, seed=3), coco_like_sizes(5, seed=4)
    np.testing.assert_array_equal(A.wh_iou(wh * scale, anchors * scale), A.wh_iou(wh, anchors))
    assert A.avg_iou(wh * scale, anchors * scale) == A.avg_iou(wh, anchors)
    assert A.best_possible_recall(wh * scale, anchors * scale) == A.best_possible_recall(wh, anchors)
    for distance in A.DISTANCES:
        got, assignment, history = A.kmeans_anchors(wh * scale, 4, distance=distance)
        ref = A.kmeans_anchors(wh, 4, distance=distance)
        np.testing.assert_array_equal(got, ref[0] * scale)
        np.testing.assert_array_equal(assignment, ref[1])
    np.testing.assert_array_equal(A.whitened_kmeans(wh * scale, 4), A.whitened_kmeans(wh, 4) * scale)
