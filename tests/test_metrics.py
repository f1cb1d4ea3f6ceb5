"""Tests for utils.metrics: AP by hand, brute-force references, and COCO evaluation against pycocotools.

pycocotools is the reference for ``coco_evaluate``: it runs live on generated data sets (seeded generators and
hypothesis), and its recorded output on the 500-image synthetic set (tests/data/coco_synth_500_*.json) is
compared too. The comparison is exact (equal floats), stricter than the 1e-9 the course promises.
"""

import contextlib
import copy
import io
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import utils
from utils.data.detections import crowded_scenes, synthetic_coco
from utils.metrics import average_precision, coco_evaluate, precision_recall
from utils.metrics.ap import interpolated_precision, precision_envelope
from utils.metrics.coco import STAT_NAMES, coco_box_iou, load_coco, rank_detections

pycocotools = pytest.importorskip("pycocotools")
from pycocotools import mask as mask_utils  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402


def pycoco_eval(gt, dt):
    """pycocotools' COCOeval (bbox) on deep copies (loadRes edits its input), its printing captured."""
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = copy.deepcopy(gt)
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(copy.deepcopy(dt))
        E = COCOeval(coco_gt, coco_dt, "bbox")
        E.evaluate()
        E.accumulate()
        E.summarize()
    return E


def assert_same_as_pycocotools(gt, dt):
    ours = coco_evaluate(gt, dt)
    ref = pycoco_eval(gt, dt)
    np.testing.assert_array_equal(ours.precision, ref.eval["precision"])
    np.testing.assert_array_equal(ours.recall, ref.eval["recall"])
    np.testing.assert_array_equal([ours.stats[k] for k in STAT_NAMES], ref.stats)
    for k, cat in enumerate(ours.category_ids):
        p = ref.eval["precision"][:, :, k, 0, 2]
        expected = float(np.mean(p[p > -1])) if (p > -1).any() else -1.0
        assert ours.per_category[int(cat)]["AP"] == expected
    return ours


# ----------------------------------------------------------------------------- precision_recall


def test_precision_recall_by_hand():
    # ranked: TP, FP, TP, FP, FP with 3 objects
    precision, recall = precision_recall([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0], num_gt=3)
    np.testing.assert_allclose(precision, [1, 1 / 2, 2 / 3, 2 / 4, 2 / 5])
    np.testing.assert_allclose(recall, [1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3])


def test_precision_recall_sorts_by_score_and_keeps_tie_order():
    precision, recall = precision_recall([0.5, 0.9, 0.5], [0, 1, 1], num_gt=2)
    np.testing.assert_allclose(precision, [1, 1 / 2, 2 / 3])  # 0.9 first, then the ties in input order
    precision, _ = precision_recall([0.5, 0.9, 0.5], [1, 1, 0], num_gt=2)
    np.testing.assert_allclose(precision, [1, 1, 2 / 3])


def test_precision_recall_edge_cases():
    precision, recall = precision_recall([], [], num_gt=4)
    assert precision.shape == recall.shape == (0,)
    precision, recall = precision_recall([0.3, 0.2], [0, 0], num_gt=0)
    np.testing.assert_allclose(precision, [0, 0])
    assert np.isnan(recall).all()
    for args in [([0.1], [1, 0], 1), ([[0.1]], [1], 1), ([np.nan], [1], 1), ([0.1], [1], -1), ([0.1, 0.2], [1, 1], 1)]:
        with pytest.raises(ValueError):
            precision_recall(*args)


# ----------------------------------------------------------------------------- average_precision


def voc07_ap_loop(recall, precision):
    """The VOC 2007 devkit's 11-point AP, as a loop (thresholds 0, 0.1, ..., 1 built exactly)."""
    ap = 0.0
    for t in np.linspace(0, 1, 11):
        ap += (np.max(precision[recall >= t]) if np.sum(recall >= t) > 0 else 0.0) / 11
    return ap


def voc10_ap_loop(recall, precision):
    """The VOC 2010 devkit's all-points AP, written with explicit loops."""
    mrec = [0.0] + list(recall) + [1.0]
    mpre = [0.0] + list(precision) + [0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum((mrec[i] - mrec[i - 1]) * mpre[i] for i in range(1, len(mrec)) if mrec[i] != mrec[i - 1])


def coco101_loop(recall, precision):
    """COCO's 101-point AP from its definition: p_interp(r) = max precision at recall >= r, 0 if none."""
    total = 0.0
    for r in np.linspace(0, 1, 101):
        reached = [p for rc, p in zip(recall, precision) if rc >= r]
        total += max(reached) if reached else 0.0
    return total / 101


def test_average_precision_by_hand():
    precision, recall = precision_recall([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0], num_gt=3)
    # envelope: 1 up to recall 1/3, then 2/3 up to recall 2/3, then nothing
    assert average_precision(recall, precision, "all_points") == pytest.approx(1 / 3 * 1 + 1 / 3 * 2 / 3)
    assert average_precision(recall, precision, "voc11") == pytest.approx((4 * 1 + 3 * 2 / 3) / 11)
    # 101 points: r = 0 .. 0.33 -> 1 (34 points), r = 0.34 .. 0.66 -> 2/3 (33 points), rest 0
    assert average_precision(recall, precision, "coco101") == pytest.approx((34 + 33 * 2 / 3) / 101)


def test_average_precision_edge_cases():
    assert average_precision([], [], "all_points") == 0.0
    assert np.isnan(average_precision([np.nan], [0.0], "coco101"))
    precision, recall = precision_recall([0.9, 0.8], [1, 1], num_gt=2)
    for method in ("voc11", "all_points", "coco101"):
        assert average_precision(recall, precision, method) == pytest.approx(1.0)
    precision, recall = precision_recall([0.9, 0.8], [0, 0], num_gt=2)
    for method in ("voc11", "all_points", "coco101"):
        assert average_precision(recall, precision, method) == 0.0
    with pytest.raises(ValueError, match="method"):
        average_precision([0.5], [1.0], "voc12")
    with pytest.raises(ValueError, match="non-decreasing"):
        average_precision([0.5, 0.2], [1.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        average_precision([0.5, 0.7], [1.0])


ranked_lists = st.integers(0, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.integers(0, 10),
    )
)


@settings(max_examples=200, deadline=None)
@given(ranked_lists)
def test_average_precision_matches_the_devkit_loops(data):
    scores, is_tp, extra = data
    num_gt = sum(is_tp) + extra
    if num_gt == 0:
        return
    precision, recall = precision_recall(scores, is_tp, num_gt)
    assert average_precision(recall, precision, "voc11") == pytest.approx(voc07_ap_loop(recall, precision), abs=1e-12)
    assert average_precision(recall, precision, "all_points") == pytest.approx(voc10_ap_loop(recall, precision), abs=1e-12)
    assert average_precision(recall, precision, "coco101") == pytest.approx(coco101_loop(recall, precision), abs=1e-12)
    for method in ("voc11", "all_points", "coco101"):
        ap = average_precision(recall, precision, method)
        assert 0.0 <= ap <= 1.0 + 1e-12
        # appending a false positive after the last detection never changes AP
        p2, r2 = precision_recall(list(scores) + [0.0], list(is_tp) + [False], num_gt)
        assert average_precision(r2, p2, method) == pytest.approx(ap, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(ranked_lists)
def test_all_points_ap_is_at_least_the_uninterpolated_ap(data):
    """scikit-learn's average_precision_score has no interpolation: VOC's envelope can only raise it."""
    from sklearn.metrics import average_precision_score

    scores, is_tp, _ = data
    if not any(is_tp):
        return
    # distinct scores so that sklearn (which groups ties) and the ranked list agree on the order
    scores = np.arange(len(is_tp), 0, -1) / len(is_tp)
    precision, recall = precision_recall(scores, is_tp, sum(is_tp))
    assert average_precision(recall, precision, "all_points") >= average_precision_score(is_tp, scores) - 1e-12


def test_envelope_and_interpolated_precision():
    np.testing.assert_allclose(precision_envelope([1.0, 0.5, 0.67, 0.5, 0.4]), [1.0, 0.67, 0.67, 0.5, 0.4])
    q = interpolated_precision(np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 0.67]), [0.0, 0.5, 0.6, 1.0])
    np.testing.assert_allclose(q, [1.0, 1.0, 0.67, 0.67])
    np.testing.assert_allclose(interpolated_precision(np.array([]), np.array([]), [0.0, 1.0]), [0.0, 0.0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ranked_lists)
def test_coco101_equals_pycocotools_on_a_list_with_known_tp_flags(data):
    """One image per detection: a TP is an exact copy of its own ground truth, an FP lies far away."""
    scores, is_tp, extra = data
    num_gt = sum(is_tp) + extra
    if num_gt == 0 or not scores:
        return
    images = [{"id": i + 1} for i in range(max(len(scores), num_gt))]
    anns, dets, next_gt = [], [], 0
    for i in range(num_gt):
        anns.append({"id": i + 1, "image_id": i + 1, "category_id": 1, "bbox": [10, 10, 50, 50], "area": 2500.0, "iscrowd": 0})
    for i, (s, tp) in enumerate(zip(scores, is_tp)):
        if tp:
            dets.append({"image_id": next_gt + 1, "category_id": 1, "bbox": [10, 10, 50, 50], "score": s})
            next_gt += 1
        else:
            dets.append({"image_id": i + 1, "category_id": 1, "bbox": [200, 200, 50, 50], "score": s})
    gt = {"images": images, "annotations": anns, "categories": [{"id": 1}]}
    E = pycoco_eval(gt, dets)
    # pycocotools pools images in id order before its stable sort: rebuild the same tie order
    order = np.argsort([d["image_id"] for d in dets], kind="stable")
    precision, recall = precision_recall(np.array(scores)[order], np.array(is_tp)[order], num_gt)
    assert average_precision(recall, precision, "coco101") == pytest.approx(E.eval["precision"][0, :, 0, 0, 2].mean(), abs=1e-12)


# ----------------------------------------------------------------------------- the COCO steps


def test_coco_box_iou_is_bitwise_pycocotools():
    rng = np.random.default_rng(0)
    d = np.round(rng.uniform(0, 50, (300, 4)), 1)
    g = np.round(rng.uniform(0, 50, (300, 4)), 1)
    d[:20, 2:] = 0  # zero-area detections
    g[20:30] = d[20:30]  # identical boxes
    crowd = rng.random(300) < 0.3
    ref = np.array([mask_utils.iou([list(a)], [list(b)], [int(c)])[0, 0] for a, b, c in zip(d, g, crowd)])
    np.testing.assert_array_equal(coco_box_iou(d, g, crowd), ref)


def test_rank_detections_is_stable_and_caps_per_image_and_category():
    gt, dt = load_coco(
        {"images": [{"id": 1}, {"id": 2}], "annotations": [], "categories": [{"id": 1}, {"id": 2}]},
        [{"image_id": i, "category_id": c, "bbox": [0, 0, 1, 1], "score": s}
         for i, c, s in [(2, 1, 0.5), (1, 1, 0.5), (1, 1, 0.9), (1, 2, 0.1), (1, 1, 0.5), (1, 2, 0.3)]],
    )
    ranked = rank_detections(dt, max_det=2)
    # image 1 class 1: 0.9, then the first 0.5 (input row 1); the second 0.5 is the third: dropped
    assert ranked.score.tolist() == [0.9, 0.5, 0.3, 0.1, 0.5]
    assert ranked.rank.tolist() == [0, 1, 0, 1, 0]
    assert ranked.image.tolist() == [0, 0, 0, 0, 1]


# ----------------------------------------------------------------------------- coco_evaluate vs pycocotools


@pytest.mark.parametrize("seed", range(8))
def test_coco_evaluate_equals_pycocotools_on_synthetic_sets(seed):
    gt, dt = synthetic_coco(n_images=25, n_categories=4, seed=seed, crowd_fraction=0.1, crowded_images=1,
                            unused_categories=2, score_decimals=1 + seed % 2)
    assert_same_as_pycocotools(gt, dt)


def test_generated_sets_cover_the_hard_cases():
    gt, dt = synthetic_coco(n_images=25, n_categories=4, seed=0, crowd_fraction=0.1, crowded_images=1, unused_categories=2)
    anns = gt["annotations"]
    assert any(a["iscrowd"] for a in anns)
    per_image = np.bincount([d["image_id"] for d in dt])
    assert per_image.max() > 100  # more than maxDets detections on an image
    assert {im["id"] for im in gt["images"]} - {a["image_id"] for a in anns}  # images without ground truth
    assert {im["id"] for im in gt["images"]} - {d["image_id"] for d in dt}  # images without detections
    assert {c["id"] for c in gt["categories"]} - {a["category_id"] for a in anns}  # categories without ground truth
    scores = [d["score"] for d in dt]
    assert len(set(scores)) < len(scores) / 2  # many ties
    assert min(a["bbox"][2] * a["bbox"][3] for a in anns) < 32**2 < 96**2 < max(a["area"] for a in anns)
    assert any(d["bbox"][2] == 0 for d in dt)  # zero-area detections


def test_coco_evaluate_equals_pycocotools_on_crowded_scenes():
    gt, dt = crowded_scenes(n_images=15, seed=3)
    assert_same_as_pycocotools(gt, dt)


@st.composite
def tiny_coco(draw):
    """Boxes on a coarse grid (so exact IoU ties and IoU = 0.5 happen), crowd and ignore flags, tied scores."""
    n_images = draw(st.integers(1, 3))
    cats = [{"id": c} for c in (1, 2, 5)]
    coord = st.integers(0, 8).map(lambda v: v * 12.0)
    size = st.integers(0, 8).map(lambda v: v * 12.0)
    anns, dets = [], []
    for image_id in range(1, n_images + 1):
        boxes = []
        for _ in range(draw(st.integers(0, 5))):
            box = [draw(coord), draw(coord), draw(size), draw(size)]
            boxes.append(box)
            ann = {"id": len(anns) + 1, "image_id": image_id, "category_id": draw(st.sampled_from([1, 2])),
                   "bbox": box, "area": draw(st.sampled_from([box[2] * box[3], 500.0, 2000.0, 10000.0])),
                   "iscrowd": int(draw(st.integers(0, 5)) == 0)}
            if draw(st.booleans()):
                ann["ignore"] = draw(st.integers(0, 1))  # pycocotools overwrites it with iscrowd
            anns.append(ann)
        for _ in range(draw(st.integers(0, 8))):
            if boxes and draw(st.booleans()):
                x, y, w, h = draw(st.sampled_from(boxes))
                box = [x + draw(st.integers(-1, 1)) * 6.0, y + draw(st.integers(-1, 1)) * 6.0, w, h]
            else:
                box = [draw(coord), draw(coord), draw(size), draw(size)]
            dets.append({"image_id": image_id, "category_id": draw(st.sampled_from([1, 2, 5])), "bbox": box,
                         "score": draw(st.sampled_from([0.2, 0.5, 0.9]))})
    if not dets:  # pycocotools' loadRes cannot take an empty list
        dets.append({"image_id": 1, "category_id": 1, "bbox": [0.0, 0.0, 12.0, 12.0], "score": 0.5})
    return {"images": [{"id": i} for i in range(1, n_images + 1)], "annotations": anns, "categories": cats}, dets


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_coco())
def test_coco_evaluate_equals_pycocotools_on_hypothesis_sets(data):
    assert_same_as_pycocotools(*data)


def test_coco_evaluate_on_the_recorded_500_image_reference():
    with open(utils.DATA_DIR / "coco_synth_500_stats.json") as f:
        ref = json.load(f)["pycocotools"]
    ours = coco_evaluate(utils.DATA_DIR / "coco_synth_500_gt.json", str(utils.DATA_DIR / "coco_synth_500_dt.json"))
    for name in STAT_NAMES:
        assert abs(ours.stats[name] - ref["stats"][name]) <= 1e-9, name
    assert len(ref["per_category"]) == len(ours.per_category) == 80
    for cat, values in ref["per_category"].items():
        assert abs(ours.per_category[int(cat)]["AP"] - values["AP"]) <= 1e-9
        assert abs(ours.per_category[int(cat)]["AP50"] - values["AP50"]) <= 1e-9


def test_coco_evaluate_without_detections_or_ground_truth():
    gt, _ = synthetic_coco(n_images=5, n_categories=2, seed=1)
    result = coco_evaluate(gt, [])
    assert all(result.stats[k] == 0.0 for k in ("AP", "AP50", "AR100"))
    empty = {"images": gt["images"], "annotations": [], "categories": gt["categories"]}
    result = coco_evaluate(empty, [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.9}])
    assert all(v == -1.0 for v in result.stats.values())
    assert all(v["AP"] == -1.0 for v in result.per_category.values())


def test_coco_evaluate_input_checks():
    gt, dt = synthetic_coco(n_images=3, seed=0)
    with pytest.raises(ValueError, match="iou_type"):
        coco_evaluate(gt, dt, iou_type="segm")
    with pytest.raises(ValueError, match="gt"):
        coco_evaluate({"images": []}, dt)
    with pytest.raises(ValueError, match="images"):
        coco_evaluate(gt, dt + [{"image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}])
    with pytest.raises(ValueError, match="dt bbox"):
        coco_evaluate(gt, [{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1], "score": 0.5}])
    bad = copy.deepcopy(gt)
    bad["annotations"][1]["id"] = bad["annotations"][0]["id"]
    with pytest.raises(ValueError, match="unique"):
        coco_evaluate(bad, dt)
    with pytest.raises(ValueError, match="list"):
        coco_evaluate(gt, {"image_id": 1})


# ----------------------------------------------------------------------------- widgets and checker


def test_ranked_matches_curves_give_cocos_per_class_ap():
    """Dropping ignored detections (matched to crowd) leaves COCO's 101-point AP unchanged, per class and threshold."""
    from utils.metrics.coco import IOU_THRESHOLDS
    from utils.widgets.metrics import RankedMatches

    gt, dt = synthetic_coco(n_images=30, n_categories=3, seed=5, crowd_fraction=0.2, crowded_images=1)
    reference = coco_evaluate(gt, dt).precision  # (T, R, K, A, M)
    matches = RankedMatches(gt, dt)
    for k, cat in enumerate(matches.category_ids):
        for t, thr in enumerate(IOU_THRESHOLDS):
            precision, recall = matches.curve(cat, thr)
            expected = reference[t, :, k, 0, 2].mean()
            if matches.num_gt(cat) == 0:
                assert expected == -1
                continue
            assert average_precision(recall, precision, "coco101") == pytest.approx(expected, abs=1e-12)


def test_pr_curve_explorer_values():
    from utils.widgets.metrics import pr_curve_explorer

    gt, dt = synthetic_coco(n_images=20, n_categories=2, seed=2, unused_categories=0)
    explorer = pr_curve_explorer(gt, dt)
    explorer.controls["category"].value = 2
    explorer.controls["iou_threshold"].value = 0.75
    explorer.controls["method"].value = "all_points"
    result = coco_evaluate(gt, dt)
    assert explorer.values["AP COCO 101-point"] == pytest.approx(result.precision[5, :, 1, 0, 2].mean(), abs=1e-12)
    assert explorer.values["class AP@[.5:.95] (COCO)"] == pytest.approx(result.per_category[2]["AP"], abs=1e-12)
    assert explorer.values["ground-truth objects"] == sum(a["category_id"] == 2 and not a["iscrowd"] for a in gt["annotations"])
    assert 0 <= explorer.values["AP VOC07 11-point"] <= 1


def test_postprocessing_explorer_values():
    pytest.importorskip("utils.nms")
    from utils.widgets.metrics import postprocessing_explorer

    gt, dt = crowded_scenes(n_images=8, seed=1)
    explorer = postprocessing_explorer(gt, dt, image_id=1)
    explorer.controls["score_threshold"].value = 0.3
    explorer.controls["nms_threshold"].value = 1.0  # IoU is never above 1: nothing is suppressed
    kept = [d for d in dt if d["score"] >= 0.3]
    assert explorer.values["detections kept"] == len(kept)
    assert explorer.values["AP"] == coco_evaluate(gt, kept).stats["AP"]
    explorer.controls["nms_threshold"].value = 0.5
    assert explorer.values["detections kept"] < len(kept)


def test_check_average_precision():
    from utils.checks import check_average_precision
    from utils.checks.metrics import reference_average_precision

    assert check_average_precision(reference_average_precision).passed

    def stub(scores, is_tp, num_gt):
        raise NotImplementedError

    assert "not implemented yet" in str(check_average_precision(stub))

    def no_interpolation(scores, is_tp, num_gt):  # the raw area, scikit-learn style, with an unstable sort
        order = np.argsort(scores)[::-1]
        tp = np.cumsum(np.asarray(is_tp, bool)[order])
        precision = tp / np.arange(1, len(tp) + 1)
        recall = tp / max(num_gt, 1)
        return float(np.sum(np.diff(np.r_[0, recall]) * precision))

    report = check_average_precision(no_interpolation)
    assert not report.passed
    assert {"a later point with higher precision", "tied scores keep their order", "no ground truth"} <= set(report.failures)


def test_maxdets_caps_each_image_and_category_and_ignore_field_is_unused():
    """Two classes with 60 objects each on one image: 120 perfect detections all count (the cap of 100 is per
    image *and* class). And an annotation's own "ignore" flag is overwritten by iscrowd in pycocotools."""
    anns, dets = [], []
    for c in (1, 2):
        for j in range(60):
            box = [float(20 * j), float(100 * c), 10.0, 10.0]
            anns.append({"id": len(anns) + 1, "image_id": 1, "category_id": c, "bbox": box, "area": 100.0,
                         "iscrowd": 0, "ignore": 1})
            dets.append({"image_id": 1, "category_id": c, "bbox": box, "score": 0.5})
    gt = {"images": [{"id": 1}], "annotations": anns, "categories": [{"id": 1}, {"id": 2}]}
    ours = assert_same_as_pycocotools(gt, dets)
    assert ours.stats["AR100"] == 1.0 and ours.stats["AP"] == 1.0
    assert ours.stats["AR10"] == pytest.approx(10 / 60)


def test_generators_are_deterministic():
    assert synthetic_coco(n_images=5, seed=3) == synthetic_coco(n_images=5, seed=3)
    assert synthetic_coco(n_images=5, seed=3) != synthetic_coco(n_images=5, seed=4)
    assert crowded_scenes(n_images=3, seed=1) == crowded_scenes(n_images=3, seed=1)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(0, 12), st.data())
def test_searchsorted_rows_equals_a_loop(rows, n, data):
    from utils.metrics.coco import _searchsorted_rows

    a = np.sort(np.array(data.draw(st.lists(st.integers(0, 15), min_size=rows * n, max_size=rows * n)),
                         dtype=np.int64).reshape(rows, n), axis=1)
    v = np.array(data.draw(st.lists(st.integers(0, 20), min_size=rows * 4, max_size=rows * 4)), dtype=np.int64).reshape(rows, 4)
    expected = np.stack([np.searchsorted(a[i], v[i], side="left") for i in range(rows)])
    np.testing.assert_array_equal(_searchsorted_rows(a, v), expected)


def test_plotting_helpers_draw_and_return_the_ap():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from utils.plotting.metrics import draw_ap_per_threshold, draw_matches, draw_pr_curve

    precision, recall = precision_recall([0.9, 0.8, 0.7], [1, 0, 1], num_gt=3)
    fig, axes = plt.subplots(1, 5)
    for ax, method in zip(axes, ["voc11", "all_points", "coco101"]):
        assert draw_pr_curve(ax, recall, precision, method) == average_precision(recall, precision, method)
    draw_ap_per_threshold(axes[3], np.linspace(0.5, 0.95, 10), np.linspace(0.9, 0.1, 10), current=0.5)
    draw_matches(axes[4], [[0, 0, 10, 10], [20, 0, 60, 40]], [False, True], [[1, 1, 10, 10]], [0.9], ["TP"], (80, 50))
    assert len(axes[4].patches) == 3
    plt.close(fig)


def test_detections_of_unlisted_categories_are_dropped_like_pycocotools():
    gt, dt = synthetic_coco(n_images=6, n_categories=2, seed=4)
    extra = dt + [{"image_id": 1, "category_id": 99, "bbox": [0, 0, 20, 20], "score": 0.99}]
    assert coco_evaluate(gt, extra).stats == coco_evaluate(gt, dt).stats
    assert_same_as_pycocotools(gt, extra)
