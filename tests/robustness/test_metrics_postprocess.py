"""The robustness contract (contract.py) for utils.metrics.postprocess."""

import numpy as np

from robustness.contract import call_unchanged, rejects
from utils.data.detections import crowded_scenes
from utils.metrics.coco import load_coco
from utils.metrics.postprocess import PostprocessingSweep, RankedMatches, evaluate_postprocessing, postprocess

COVERS = [
    "utils.metrics.postprocess.postprocess",
    "utils.metrics.postprocess.evaluate_postprocessing",
    "utils.metrics.postprocess.PostprocessingSweep",
    "utils.metrics.postprocess.RankedMatches",
]


def _tables():
    return load_coco(*crowded_scenes(n_images=4, seed=0))


def test_malformed_input_names_the_argument():
    gt, dt = _tables()
    K = len(gt.category_ids)
    for bad in (float("nan"), None, "0.5", True):
        rejects(postprocess, dt, K, bad, 0.5, argument="score_threshold")
        rejects(postprocess, dt, K, 0.1, bad, argument="nms_threshold")
    rejects(postprocess, dt, K, 0.1, -0.1, argument="nms_threshold")
    rejects(postprocess, dt, 0, 0.1, 0.5, argument="n_categories")
    rejects(postprocess, dt, 2.5, 0.1, 0.5, argument="n_categories")
    rejects(postprocess, {"score": [1.0]}, K, 0.1, 0.5, argument="dt")
    rejects(evaluate_postprocessing, "gt", dt, 0.1, 0.5, argument="gt")
    rejects(PostprocessingSweep, gt, None, argument="dt")
    rejects(PostprocessingSweep(gt, dt).evaluate, 0.1, float("inf"), argument="nms_threshold")
    rejects(RankedMatches, None, [], argument="gt")
    matches = RankedMatches(*crowded_scenes(n_images=4, seed=0))
    rejects(matches.curve, 7, 0.5, argument="category_id")
    rejects(matches.curve, 1, None, argument="iou_threshold")


def _columns(table):  # call_unchanged cannot compare dataclasses of arrays: compare their columns
    return {k: v.copy() for k, v in vars(table).items() if isinstance(v, np.ndarray)}


def test_inputs_unchanged_and_empty_input():
    gt, dt = _tables()
    before = _columns(gt), _columns(dt)
    kept = postprocess(dt, len(gt.category_ids), 0.2, 0.5)
    stats, kept2 = evaluate_postprocessing(gt, dt, 0.2, 0.5)
    PostprocessingSweep(gt, dt).evaluate(0.2, 0.5)
    for table, columns in zip((gt, dt), before):
        for name, column in columns.items():
            np.testing.assert_array_equal(getattr(table, name), column, err_msg=name)
    np.testing.assert_array_equal(kept, kept2)
    assert all(np.isfinite(v) for v in stats.values())
    empty = dt.take(np.zeros(0, dtype=np.int64))
    assert postprocess(empty, len(gt.category_ids), 0.2, 0.5).shape == (0,)
    assert PostprocessingSweep(gt, empty).evaluate(0.2, 0.5)[1].shape == (0,)
    gt_dict, dt_list = crowded_scenes(n_images=4, seed=0)
    precision, recall = call_unchanged(RankedMatches, gt_dict, []).curve(1, 0.5)
    assert precision.shape == recall.shape == (0,)
