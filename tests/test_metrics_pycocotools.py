"""utils.metrics against pycocotools, live: COCO's 101-point AP, the IoU kernel and coco_evaluate on generated sets
(seeded generators and hypothesis), and where the two differ (annotation id 0).

The comparisons are exact (equal floats). pycocotools' recorded output on the 500-image synthetic set is compared in
test_metrics.py (no pycocotools needed); benchmarks/bench_metrics.py compares it live. The hand-computed tests,
which need no pycocotools, are in test_metrics.py too.
"""

import contextlib
import copy
import io

import numpy as np
import pytest

pycocotools = pytest.importorskip("pycocotools")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from pycocotools import mask as mask_utils  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

from test_metrics import id_zero_case, ranked_lists  # noqa: E402
from utils.data.detections import crowded_scenes, synthetic_coco  # noqa: E402
from utils.metrics import average_precision, coco_evaluate, precision_recall  # noqa: E402
from utils.metrics.coco import STAT_NAMES, coco_box_iou  # noqa: E402


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


# ----------------------------------------------------------------------------- COCO 101-point AP


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


# ----------------------------------------------------------------------------- coco_evaluate


def test_coco_box_iou_is_bitwise_pycocotools():
    rng = np.random.default_rng(0)
    d = np.round(rng.uniform(0, 50, (300, 4)), 1)
    g = np.round(rng.uniform(0, 50, (300, 4)), 1)
    d[:20, 2:] = 0  # zero-area detections
    g[20:30] = d[20:30]  # identical boxes
    crowd = rng.random(300) < 0.3
    ref = np.array([mask_utils.iou([list(a)], [list(b)], [int(c)])[0, 0] for a, b, c in zip(d, g, crowd)])
    np.testing.assert_array_equal(coco_box_iou(d, g, crowd), ref)


@pytest.mark.parametrize("seed", range(8))
def test_coco_evaluate_equals_pycocotools_on_synthetic_sets(seed):
    gt, dt = synthetic_coco(n_images=25, n_categories=4, seed=seed, crowd_fraction=0.1, crowded_images=1,
                            unused_categories=2, score_decimals=1 + seed % 2)
    assert_same_as_pycocotools(gt, dt)


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


def test_detections_of_unlisted_categories_are_dropped_like_pycocotools():
    gt, dt = synthetic_coco(n_images=6, n_categories=2, seed=4)
    extra = dt + [{"image_id": 1, "category_id": 99, "bbox": [0, 0, 20, 20], "score": 0.99}]
    assert coco_evaluate(gt, extra).stats == coco_evaluate(gt, dt).stats
    assert_same_as_pycocotools(gt, extra)


def test_the_broadcast_iou_matrix_is_pycocotools_matrix():
    rng = np.random.default_rng(1)
    d = np.round(rng.uniform(0, 40, (7, 4)), 1)
    g = np.round(rng.uniform(0, 40, (5, 4)), 1)
    crowd = np.array([0, 1, 0, 0, 1], bool)
    np.testing.assert_array_equal(coco_box_iou(d[:, None], g[None], crowd[None]),
                                  mask_utils.iou(d.tolist(), g.tolist(), crowd.astype(int).tolist()))


# ----------------------------------------------------------------------------- annotation id 0


def test_annotation_id_zero_pycocotools_counts_the_match_as_a_false_positive():
    """The case of test_metrics.test_annotation_id_zero_is_evaluated_correctly, where ours is right (by hand).

    pycocotools stores the matched annotation's id in dtMatches, 0 meaning "unmatched": the 0.9 detection, matched
    to annotation 0, becomes a false positive, yet annotation 0 is used up. Its curve is FP then TP: precision
    0 then 1/2, recall 0 then 1/2, so the envelope is 1/2 up to recall 1/2 (51 of the 101 recall points) and 0
    after: AP = 51 / 101 / 2 at every IoU threshold, and AR100 = 1/2. Numbered from 1, both agree exactly.
    """
    gt, dt = id_zero_case()
    ours, ref = coco_evaluate(gt, dt), pycoco_eval(gt, dt)
    assert ours.stats["AP"] == 1.0 and ours.stats["AR100"] == 1.0
    assert ref.stats[0] == pytest.approx(51 / 101 / 2, abs=1e-15) and ref.stats[8] == 0.5
    renumbered = copy.deepcopy(gt)
    for a in renumbered["annotations"]:
        a["id"] += 1
    assert_same_as_pycocotools(renumbered, dt)
    assert coco_evaluate(renumbered, dt).stats == ours.stats
