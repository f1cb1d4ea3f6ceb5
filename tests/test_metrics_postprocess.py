"""utils.metrics.postprocess: score threshold + NMS per image and class, its COCO numbers, and PR curves per class.

References: a plain greedy loop over IoU (no grouping trick), and coco_evaluate on the kept detections as a COCO
results list (coco_evaluate matches pycocotools; see test_metrics.py).
"""

import numpy as np
import pytest

from utils.boxes import box_convert, box_iou
from utils.data.detections import crowded_scenes, synthetic_coco
from utils.metrics.ap import average_precision
from utils.metrics.coco import IOU_THRESHOLDS, coco_evaluate, load_coco
from utils.metrics.postprocess import PostprocessingSweep, RankedMatches, evaluate_postprocessing, postprocess


@pytest.fixture(scope="module")
def scenes():
    gt, dt = crowded_scenes(n_images=12, seed=1)
    return gt, dt, *load_coco(gt, dt)


def loop_postprocess(dt_list, score_threshold, nms_threshold):
    """Indices kept by a greedy loop per (image, category), best score first (ties: lower index first)."""
    kept = []
    groups = {}
    for i, d in enumerate(dt_list):
        if d["score"] >= score_threshold:
            groups.setdefault((d["image_id"], d["category_id"]), []).append(i)
    for members in groups.values():
        members.sort(key=lambda i: (-dt_list[i]["score"], i))
        boxes = box_convert(np.array([dt_list[i]["bbox"] for i in members], float), "xywh", "xyxy")
        iou = box_iou(boxes, boxes)  # (n, n)
        alive = np.ones(len(members), bool)
        for a in range(len(members)):
            if alive[a]:
                kept.append(members[a])
                alive[a + 1:] &= ~(iou[a, a + 1:] > nms_threshold)
    return np.sort(np.array(kept, dtype=np.int64))


@pytest.mark.parametrize("score_threshold, nms_threshold", [(0.0, 0.5), (0.3, 0.3), (0.6, 0.7), (-np.inf, 1.0)])
def test_postprocess_matches_a_greedy_loop(scenes, score_threshold, nms_threshold):
    gt, dt, gt_table, dt_table = scenes
    kept = postprocess(dt_table, len(gt_table.category_ids), score_threshold, nms_threshold)
    np.testing.assert_array_equal(kept, loop_postprocess(dt, score_threshold, nms_threshold))
    assert kept.dtype == np.int64 and (np.diff(kept) > 0).all()


def test_no_nms_and_no_threshold_keep_everything(scenes):
    _, dt, gt_table, dt_table = scenes
    assert len(postprocess(dt_table, len(gt_table.category_ids), -np.inf, 1.0)) == len(dt)


def test_evaluate_postprocessing_equals_coco_evaluate_on_the_kept_results(scenes):
    gt, dt, gt_table, dt_table = scenes
    stats, kept = evaluate_postprocessing(gt_table, dt_table, 0.2, 0.5)
    reference = coco_evaluate(gt, [dt[i] for i in kept]).stats
    assert stats == reference


def test_sweep_equals_evaluate_postprocessing_bit_for_bit(scenes):
    _, _, gt_table, dt_table = scenes
    sweep = PostprocessingSweep(gt_table, dt_table)
    for score_threshold in (0.0, 0.15, 0.5, 0.9):
        for nms_threshold in (0.3, 0.55, 1.0):
            stats, kept = sweep.evaluate(score_threshold, nms_threshold)
            ref_stats, ref_kept = evaluate_postprocessing(gt_table, dt_table, score_threshold, nms_threshold)
            assert stats == ref_stats
            np.testing.assert_array_equal(kept, ref_kept)
    curves = sweep.curves(0.15, [0.3, 0.55, 1.0])
    assert set(curves) == {"AP", "AP50", "AP75", "AR100"} and curves["AP"].shape == (3,)
    assert curves["AP"][1] == evaluate_postprocessing(gt_table, dt_table, 0.15, 0.55)[0]["AP"]


def test_ranked_matches_curve_gives_cocos_per_class_ap50():
    gt, dt = synthetic_coco(n_images=30, n_categories=3, seed=2, unused_categories=0)
    matches = RankedMatches(gt, dt)
    per_category = coco_evaluate(gt, dt).per_category
    for category_id in matches.category_ids:
        precision, recall = matches.curve(category_id, 0.5)
        assert precision.shape == recall.shape
        assert average_precision(recall, precision, "coco101") == pytest.approx(per_category[int(category_id)]["AP50"],
                                                                              abs=1e-12)
        # the nearest COCO threshold is used: 0.52 reads the curve at 0.50
        np.testing.assert_array_equal(matches.curve(category_id, 0.52)[0], precision)
        assert matches.num_gt(category_id) == sum(
            1 for a in gt["annotations"] if a["category_id"] == category_id and not a.get("iscrowd", 0))
    assert len(IOU_THRESHOLDS) == 10


def test_empty_detections_give_empty_results(scenes):
    _, _, gt_table, dt_table = scenes
    empty = dt_table.take(np.zeros(0, dtype=np.int64))
    assert postprocess(empty, len(gt_table.category_ids), 0.5, 0.5).shape == (0,)
    stats, kept = evaluate_postprocessing(gt_table, empty, 0.5, 0.5)
    assert kept.shape == (0,) and stats["AP"] == 0


@pytest.mark.parametrize("kwargs, argument", [
    ({"score_threshold": float("nan")}, "score_threshold"),
    ({"score_threshold": "0.5"}, "score_threshold"),
    ({"nms_threshold": 1.5}, "nms_threshold"),
    ({"nms_threshold": None}, "nms_threshold"),
    ({"n_categories": 0}, "n_categories"),
    ({"n_categories": 1}, "n_categories"),  # the detections use category index 1
    ({"dt": [{"bbox": [0, 0, 1, 1]}]}, "dt"),
])
def test_bad_arguments_are_named(scenes, kwargs, argument):
    _, _, gt_table, dt_table = scenes
    args = {"dt": dt_table, "n_categories": len(gt_table.category_ids), "score_threshold": 0.1, "nms_threshold": 0.5}
    with pytest.raises((ValueError, TypeError), match=argument):
        postprocess(**{**args, **kwargs})


def test_ranked_matches_rejects_an_unknown_class():
    matches = RankedMatches(*synthetic_coco(n_images=5, n_categories=2, seed=0, unused_categories=0))
    with pytest.raises(ValueError, match="category_id"):
        matches.curve(99, 0.5)
    with pytest.raises(ValueError, match="iou_threshold"):
        matches.curve(1, float("nan"))
