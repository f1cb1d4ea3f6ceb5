"""Tests for utils.metrics that need no pycocotools: AP by hand and against the devkits' loops, the COCO steps,
the recorded pycocotools output on the 500-image synthetic set, annotation id 0, and the readable matching loop
against the vectorised one. Live comparisons with pycocotools are in test_metrics_pycocotools.py.
"""

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import utils
from utils.data.detections import crowded_scenes, synthetic_coco
from utils.metrics import average_precision, coco_evaluate, precision_recall
from utils.metrics.ap import interpolated_precision, precision_envelope
from utils.metrics.coco import (
    AREA_RANGES,
    IOU_THRESHOLDS,
    STAT_NAMES,
    ignored_ground_truth,
    load_coco,
    match_detections,
    match_image,
    pair_ious,
    rank_detections,
)

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


# ----------------------------------------------------------------------------- the COCO steps


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


def test_coco_evaluate_on_the_recorded_500_image_reference():
    """pycocotools' output recorded on the 500-image set: equal to the last bit (JSON keeps every bit of a float)."""
    with open(utils.DATA_DIR / "coco_synth_500_stats.json") as f:
        ref = json.load(f)["pycocotools"]
    ours = coco_evaluate(utils.DATA_DIR / "coco_synth_500_gt.json", str(utils.DATA_DIR / "coco_synth_500_dt.json"))
    assert [ours.stats[name] for name in STAT_NAMES] == [ref["stats"][name] for name in STAT_NAMES]
    assert len(ref["per_category"]) == len(ours.per_category) == 80
    for cat, values in ref["per_category"].items():
        assert ours.per_category[int(cat)]["AP"] == values["AP"]
        assert ours.per_category[int(cat)]["AP50"] == values["AP50"]


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
    with pytest.raises(ValueError, match=r"dt\[\d+\] has image_id 99, which is not in gt\['images'\]"):
        coco_evaluate(gt, dt + [{"image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}])
    with pytest.raises(ValueError, match=r"dt\[0\] 'bbox' must be .*w >= 0"):
        coco_evaluate(gt, [{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1], "score": 0.5}])
    bad = copy.deepcopy(gt)
    bad["annotations"][1]["id"] = bad["annotations"][0]["id"]
    with pytest.raises(ValueError, match="unique"):
        coco_evaluate(bad, dt)
    with pytest.raises(TypeError, match="dt must be a list"):
        coco_evaluate(gt, {"image_id": 1})


def test_load_coco_names_the_record_and_key_that_are_wrong():
    gt, dt = synthetic_coco(n_images=3, seed=0)
    no_area = copy.deepcopy(gt)
    del no_area["annotations"][2]["area"]
    ann_id = no_area["annotations"][2]["id"]
    with pytest.raises(ValueError, match=rf"gt\['annotations'\]\[2\] \(id {ann_id}\) has no 'area'"):
        load_coco(no_area, dt)
    with pytest.raises(TypeError, match=r"dt\[1\] 'image_id' must be an integer, got 2.9"):
        load_coco(gt, [dt[0], {**dt[1], "image_id": 2.9}])
    with pytest.raises(ValueError, match=r"dt\[0\] 'score' must be a finite number, got nan"):
        load_coco(gt, [{**dt[0], "score": float("nan")}])
    no_crowd = copy.deepcopy(gt)
    for a in no_crowd["annotations"]:
        del a["iscrowd"]
    assert not load_coco(no_crowd, dt)[0].crowd.any()  # iscrowd defaults to 0


# ----------------------------------------------------------------------------- annotation id 0


def id_zero_case():
    """Two objects with annotation ids 0 and 1, each found exactly by one detection (the better one finds id 0)."""
    gt = {"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [
        {"id": 0, "image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 50.0, 50.0], "area": 2500.0, "iscrowd": 0},
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [100.0, 100.0, 50.0, 50.0], "area": 2500.0, "iscrowd": 0},
    ]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [10.0, 10.0, 50.0, 50.0], "score": 0.9},
          {"image_id": 1, "category_id": 1, "bbox": [100.0, 100.0, 50.0, 50.0], "score": 0.8}]
    return gt, dt


def test_annotation_id_zero_is_evaluated_correctly():
    """Both detections are exact matches, so by hand: AP = 1 (precision 1 at every recall up to 1) at every IoU
    threshold; AR10 = AR100 = 1 (both objects found), AR1 = 1/2 (one detection per image and class); both objects
    are medium (32^2 <= 2500 <= 96^2), so APm = ARm = 1 and small and large, without objects, are -1."""
    gt, dt = id_zero_case()
    result = coco_evaluate(gt, dt)
    expected = {"AP": 1.0, "AP50": 1.0, "AP75": 1.0, "APs": -1.0, "APm": 1.0, "APl": -1.0,
                "AR1": 0.5, "AR10": 1.0, "AR100": 1.0, "ARs": -1.0, "ARm": 1.0, "ARl": -1.0}
    assert result.stats == expected
    renumbered = copy.deepcopy(gt)
    for a in renumbered["annotations"]:
        a["id"] += 7
    assert coco_evaluate(renumbered, dt).stats == expected  # ids name annotations, they never change a number


def test_annotation_id_zero_on_a_synthetic_set_changes_nothing():
    gt, dt = synthetic_coco(n_images=12, n_categories=3, seed=6, crowd_fraction=0.1)
    from_zero = copy.deepcopy(gt)
    for i, a in enumerate(from_zero["annotations"]):
        a["id"] = i  # what many converters write
    ours, shifted = coco_evaluate(gt, dt), coco_evaluate(from_zero, dt)
    np.testing.assert_array_equal(ours.precision, shifted.precision)
    assert ours.stats == shifted.stats


# ----------------------------------------------------------------------------- the readable matching loop


@pytest.mark.parametrize("data", [
    synthetic_coco(n_images=20, n_categories=3, seed=7, crowd_fraction=0.15, crowded_images=1, unused_categories=1),
    crowded_scenes(n_images=6, seed=2),
], ids=["synthetic_coco", "crowded_scenes"])
def test_match_image_equals_match_detections(data):
    """The loop a learner reads gives the vectorised path's matches: every image, category, area range, threshold."""
    gt, dt = load_coco(*data)
    ranked = rank_detections(dt)
    gt_ignore = ignored_ground_truth(gt)  # (A, G)
    matched = match_detections(ranked, pair_ious(gt, ranked), gt_ignore, gt.crowd)  # (A, T, D)
    groups = {(i, k) for i, k in zip(ranked.image, ranked.category)}
    kinds = {"counted": 0, "ignored": 0, "crowd": 0}  # what the matched ground truths were
    for i, k in sorted(groups):
        d = np.flatnonzero((ranked.image == i) & (ranked.category == k))  # best score first
        g = np.flatnonzero((gt.image == i) & (gt.category == k))  # annotation order
        for a in range(len(AREA_RANGES)):
            for t, threshold in enumerate(IOU_THRESHOLDS):
                local = match_image(ranked.box[d], ranked.score[d], gt.box[g], gt.crowd[g], gt_ignore[a, g], threshold)
                expected = matched[a, t, d]
                np.testing.assert_array_equal(np.r_[g, -1][local], expected)  # local -1 -> -1
                for m in expected[expected >= 0]:
                    kinds["crowd" if gt.crowd[m] else "ignored" if gt_ignore[a, m] else "counted"] += 1
    assert kinds["counted"] > 300 and kinds["ignored"] > 30  # every kind of match happens many times
    assert kinds["crowd"] > 30 or not gt.crowd.any()


def test_match_image_by_hand():
    """Object 0 counts; box 1 is ignored (say, its area is outside the range); box 2 is a crowd region."""
    gt_box = np.array([[0, 0, 10, 10], [0, 0, 10, 9], [50, 50, 40, 40]], float)
    crowd = np.array([False, False, True])
    ignore = np.array([False, True, True])
    dt_box = np.array([[0, 0, 10, 9], [0, 0, 10, 10], [55, 55, 10, 10], [60, 60, 10, 10]], float)
    score = np.array([0.5, 0.9, 0.7, 0.6])
    # 0.9 takes object 0 (IoU 1); 0.7 and 0.6 both lie inside the crowd (IoU = inter / own area = 1): a crowd
    # region is never used up; 0.5 has IoU 0.9 with object 0, already taken, and 1 with the ignored box 1.
    assert match_image(dt_box, score, gt_box, crowd, ignore, 0.5).tolist() == [1, 0, 2, 2]
    # Alone, the 0.5 detection takes object 0 (IoU 0.9): a counted object beats an ignored one with a higher IoU.
    assert match_image(dt_box[:1], score[:1], gt_box, crowd, ignore, 0.5).tolist() == [0]
    # Above IoU 0.9 only the ignored box is left for it.
    assert match_image(dt_box[:1], score[:1], gt_box, crowd, ignore, 0.95).tolist() == [1]
    assert match_image(np.zeros((0, 4)), [], gt_box, crowd, ignore).shape == (0,)
    assert match_image(dt_box, score, np.zeros((0, 4)), [], []).tolist() == [-1, -1, -1, -1]


def test_private_helpers_by_hand():
    from utils.metrics.coco_accumulate import _recall_counts
    from utils.metrics.coco_matching import _candidate_table, _last_argmax
    from utils.metrics.coco_tables import _rank_within_groups

    assert _rank_within_groups(np.array([0, 0, 1, 1, 1]), np.array([0, 0, 0, 2, 2])).tolist() == [0, 1, 0, 0, 1]
    assert _last_argmax(np.array([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, -1.0, -1.0]])).tolist() == [2, 0]
    det, cand_gt, cand_iou = _candidate_table(np.array([1, 1, 4]), np.array([7, 8, 9]), np.array([0.5, 0.6, 0.7]))
    assert det.tolist() == [1, 4] and cand_gt.tolist() == [[7, 8], [9, -1]]
    np.testing.assert_array_equal(cand_iou, [[0.5, 0.6], [0.7, -1.0]])
    # 3 objects: recall 1/3 reaches 0.2 and 0.3 at 1 TP, 0.5 at 2 TPs, 1.0 at 3
    assert _recall_counts(np.array([3]), np.array([0.0, 0.2, 0.3, 0.5, 1.0])).tolist() == [[0, 1, 1, 2, 3]]


# ----------------------------------------------------------------------------- widgets and checker


def test_ranked_matches_curves_give_cocos_per_class_ap():
    """Dropping ignored detections (matched to crowd) leaves COCO's 101-point AP unchanged, per class and threshold."""
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


def test_generators_are_deterministic():
    assert synthetic_coco(n_images=5, seed=3) == synthetic_coco(n_images=5, seed=3)
    assert synthetic_coco(n_images=5, seed=3) != synthetic_coco(n_images=5, seed=4)
    assert crowded_scenes(n_images=3, seed=1) == crowded_scenes(n_images=3, seed=1)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(0, 12), st.data())
def test_nth_true_equals_searchsorted_of_the_running_count(rows, n, data):
    """The c-th True of a row is where its running count first reaches c (np.searchsorted, side="left")."""
    from utils.metrics.coco_accumulate import _nth_true

    flags = np.array(data.draw(st.lists(st.booleans(), min_size=rows * n, max_size=rows * n)), bool).reshape(rows, n)
    c = np.array(data.draw(st.lists(st.integers(0, n + 2), min_size=rows * 4, max_size=rows * 4))).reshape(rows, 4)
    expected = np.stack([np.searchsorted(np.cumsum(flags[i]), c[i], side="left") for i in range(rows)])
    np.testing.assert_array_equal(_nth_true(flags, c), np.minimum(expected, n))


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


