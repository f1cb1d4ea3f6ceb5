"""The robustness contract (contract.py) for every public function of utils.metrics.

For each function: malformed input raises ValueError/TypeError naming the argument; valid input gives results in
range with no NaN (except the one documented NaN: AP of a class without ground truth); empty input gives the
documented empty result; no input is modified in place. The measured problems of issue 11 are pinned by name:
recall 1.5 accepted by average_precision, a NaN flag counted as a TP, image_id 2.9 read as 2, a missing 'area'
raising KeyError, None as a threshold.
"""

import copy
import dataclasses
import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects, time_limit
from robustness.strategies import BAD_COUNTS, BAD_DTYPES, BAD_UNIT_INTERVAL, wrong_shapes
from utils.metrics import ap, coco
from utils.metrics.coco import CocoEvaluation, Detections, GroundTruth

COVERS = [f"utils.metrics.ap.{name}" for name in (
    "precision_recall", "precision_envelope", "interpolated_precision", "average_precision")] + [
    f"utils.metrics.coco_tables.{name}" for name in (
        "GroundTruth", "Detections", "CocoEvaluation", "load_coco", "rank_detections")] + [
    f"utils.metrics.coco_matching.{name}" for name in (
        "coco_box_iou", "pair_ious", "ignored_ground_truth", "match_image", "match_detections", "label_detections")] + [
    f"utils.metrics.coco_accumulate.{name}" for name in ("accumulate", "summarize")] + [
    f"utils.metrics.coco.{name}" for name in ("match_tables", "evaluate_tables", "coco_evaluate")]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Values that are not an array of real numbers.
NOT_NUMBERS = (None, "0.5", [["a"]], [0.5, None], np.array([1 + 2j]), [[1.0], [1.0, 2.0]])


# ----------------------------------------------------------------------------- strategies


@st.composite
def ranked_list(draw, max_size=30):
    """A valid (scores, is_tp, num_gt) triple, num_gt >= 1."""
    n = draw(st.integers(0, max_size))
    scores = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 1)))
    is_tp = draw(hnp.arrays(np.bool_, n))
    return scores, is_tp, int(is_tp.sum()) + draw(st.integers(0 if is_tp.any() else 1, 5))


@st.composite
def tiny_coco(draw, ann_id_start=st.sampled_from([0, 1])):
    """A valid COCO ground truth and result list on a coarse grid (exact IoU ties, crowd regions, tied scores)."""
    n_images = draw(st.integers(1, 3))
    coord = st.integers(0, 6).map(lambda v: v * 15.0)
    start = draw(ann_id_start)
    anns, dets = [], []
    for image_id in range(1, n_images + 1):
        boxes = []
        for _ in range(draw(st.integers(0, 4))):
            box = [draw(coord), draw(coord), draw(coord), draw(coord)]
            boxes.append(box)
            anns.append({"id": start + len(anns), "image_id": image_id, "category_id": draw(st.sampled_from([1, 2])),
                         "bbox": box, "area": draw(st.sampled_from([box[2] * box[3], 500.0, 5000.0, 10000.0])),
                         "iscrowd": int(draw(st.integers(0, 4)) == 0)})
        for _ in range(draw(st.integers(0, 6))):
            box = draw(st.sampled_from(boxes)) if boxes and draw(st.booleans()) else [draw(coord) for _ in range(4)]
            dets.append({"image_id": image_id, "category_id": draw(st.sampled_from([1, 2, 3])), "bbox": list(box),
                         "score": draw(st.sampled_from([0.3, 0.6, 0.9]))})
    images = [{"id": i} for i in range(1, n_images + 1)]
    return {"images": images, "annotations": anns, "categories": [{"id": 1}, {"id": 2}]}, dets


def call_unchanged_tables(fn, *args):
    """:func:`call_unchanged` that also accepts the tables (dataclasses of arrays, which it cannot compare):
    their columns are compared one by one."""
    tables = {i: a for i, a in enumerate(args) if dataclasses.is_dataclass(a)}
    before = {i: copy.deepcopy(vars(a)) for i, a in tables.items()}

    def call(*others):
        rest = iter(others)
        return fn(*[tables[i] if i in tables else next(rest) for i in range(len(args))])

    call.__qualname__ = fn.__qualname__
    result = call_unchanged(call, *[a for i, a in enumerate(args) if i not in tables])
    for i, table in tables.items():
        for name, old in before[i].items():
            assert np.array_equal(np.asarray(vars(table)[name]), np.asarray(old)), f"{fn.__qualname__} modified {name}"
    return result


def tables(data):
    return coco.load_coco(*data)


def steps(data):
    """Every intermediate result of one evaluation, for the step functions' tests."""
    gt, dt = tables(data)
    ranked = coco.rank_detections(dt)
    pairs = coco.pair_ious(gt, ranked)
    gt_ignore = coco.ignored_ground_truth(gt)
    matched = coco.match_detections(ranked, pairs, gt_ignore, gt.crowd)
    tp, fp = coco.label_detections(ranked, matched, gt_ignore)
    n_pos = coco.match_tables(gt, dt)[3]
    return gt, dt, ranked, pairs, gt_ignore, matched, tp, fp, n_pos


EXAMPLE = ({"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 1}, {"id": 2}], "annotations": [
    {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 40, 40], "area": 1600.0, "iscrowd": 0},
    {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 50, 20, 20], "area": 400.0, "iscrowd": 0},
    {"id": 3, "image_id": 2, "category_id": 1, "bbox": [0, 0, 100, 100], "area": 10000.0, "iscrowd": 1}]},
    [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 40, 38], "score": 0.9},
     {"image_id": 1, "category_id": 2, "bbox": [5, 5, 20, 20], "score": 0.8},
     {"image_id": 2, "category_id": 1, "bbox": [10, 10, 30, 30], "score": 0.7}])


# ----------------------------------------------------------------------------- ap.py


@SETTINGS
@given(ranked_list())
def test_precision_recall_valid(data):
    scores, is_tp, num_gt = data
    precision, recall = call_unchanged(ap.precision_recall, scores, is_tp, num_gt)
    assert precision.shape == recall.shape == scores.shape
    assert_finite(precision), assert_finite(recall)
    assert ((0 <= precision) & (precision <= 1) & (0 <= recall) & (recall <= 1)).all()


def test_precision_recall_rejects():
    rejects(ap.precision_recall, [0.9], [np.nan], 1, argument="is_tp")  # a NaN flag (NaN IoU) is not a TP
    rejects(ap.precision_recall, [0.9], [0.5], 1, argument="is_tp")
    rejects(ap.precision_recall, [0.9], ["1"], 1, argument="is_tp")
    rejects(ap.precision_recall, [0.9, 0.8], [True], 1, argument=("scores", "is_tp"))
    rejects(ap.precision_recall, [0.9, 0.8], [True, True], 1, argument=("is_tp", "num_gt"))
    for bad in NOT_NUMBERS + ([np.nan], [np.inf], [True], [[0.5]]):
        rejects(ap.precision_recall, bad, [True], 1, argument="scores")
    for bad in (c for c in BAD_COUNTS if c != 0):
        rejects(ap.precision_recall, [0.9], [True], bad, argument="num_gt")
    rejects(ap.precision_recall, [0.9], [False], -1, argument="num_gt")


def test_precision_recall_empty_and_no_ground_truth():
    precision, recall = ap.precision_recall([], [], 3)
    assert precision.shape == recall.shape == (0,)
    precision, recall = ap.precision_recall([0.9, 0.3], [False, False], 0)
    assert precision.tolist() == [0.0, 0.0] and np.isnan(recall).all()  # documented: recall 0/0 is NaN


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 30), elements=st.floats(0, 1)))
def test_precision_envelope_valid(precision):
    envelope = call_unchanged(ap.precision_envelope, precision)
    assert envelope.shape == precision.shape
    assert (envelope >= precision).all() and (np.diff(envelope) <= 0).all()
    assert ((envelope >= 0) & (envelope <= 1)).all()


def test_precision_envelope_rejects():
    for bad in NOT_NUMBERS + ([np.nan], [1.5], [-0.1], [[0.5]], np.array([True])):
        rejects(ap.precision_envelope, bad, argument="precision")
    assert ap.precision_envelope([]).shape == (0,)


@SETTINGS
@given(ranked_list(), hnp.arrays(np.float64, st.integers(0, 12), elements=st.floats(0, 1)))
def test_interpolated_precision_valid(data, points):
    precision, recall = ap.precision_recall(*data)
    q = call_unchanged(ap.interpolated_precision, recall, precision, points)
    assert q.shape == points.shape
    assert_finite(q)
    assert ((q >= 0) & (q <= 1)).all()
    if len(recall) == 0:
        assert (q == 0).all()  # documented: an empty curve reaches no recall


def test_interpolated_precision_rejects():
    for bad in NOT_NUMBERS + ([np.nan, 0.5], [1.5], [0.6, 0.5]):
        rejects(ap.interpolated_precision, bad, [1.0, 1.0], [0.5], argument="recall")
    rejects(ap.interpolated_precision, [0.5], [1.2], [0.5], argument="precision")
    rejects(ap.interpolated_precision, [0.5, 1.0], [1.0], [0.5], argument=("recall", "precision"))
    for bad in (None, [np.nan], [1.5], [-0.1], "0.5", [[0.5]]):
        rejects(ap.interpolated_precision, [0.5], [1.0], bad, argument="recall_points")
    assert np.isnan(ap.interpolated_precision([np.nan], [0.0], [0.0, 1.0])).all()  # no ground truth: undefined


@SETTINGS
@given(ranked_list(), st.sampled_from(ap.AP_METHODS))
def test_average_precision_valid(data, method):
    precision, recall = ap.precision_recall(*data)
    value = call_unchanged(ap.average_precision, recall, precision, method)
    assert isinstance(value, float) and 0.0 <= value <= 1.0


def test_average_precision_rejects():
    rejects(ap.average_precision, [0.5, 1.5], [1, 1], argument="recall")  # measured: gave 1.5
    rejects(ap.average_precision, [0.5, 1.0], [1, 1.5], argument="precision")
    rejects(ap.average_precision, [0.5, 1.0], [1, -0.5], argument="precision")
    rejects(ap.average_precision, [0.5, np.nan], [1, 1], argument="recall")  # NaN mixed with numbers
    rejects(ap.average_precision, [0.5, 0.2], [1, 1], argument="recall")  # decreasing
    rejects(ap.average_precision, [0.5, 0.7], [1.0], argument=("recall", "precision"))
    for bad in NOT_NUMBERS:
        rejects(ap.average_precision, bad, [1.0], argument="recall")
        rejects(ap.average_precision, [1.0], bad, argument="precision")
    for bad in (None, "voc12", ["voc11"], np.array(["coco101"]), 11):
        rejects(ap.average_precision, [1.0], [1.0], bad, argument="method")


def test_average_precision_over_nothing_is_documented():
    for method in ap.AP_METHODS:
        assert ap.average_precision([], [], method) == 0.0  # no detections: nothing found
        precision, recall = ap.precision_recall([0.9], [False], 0)
        assert np.isnan(ap.average_precision(recall, precision, method))  # no ground truth: undefined, NaN


# ----------------------------------------------------------------------------- the tables


def test_tables_check_their_columns():
    G = dict(image=[0], category=[0], box=[[0, 0, 1, 1]], area=[1.0], crowd=[False], image_ids=[5], category_ids=[1])
    D = dict(image=[0], category=[0], box=[[0, 0, 1, 1]], score=[0.5])
    assert GroundTruth(**G).box.dtype == np.float64 and Detections(**D).rank is None
    for field, bad in [("image", [1]), ("image", [0.5]), ("category", [-1]), ("box", [[0, 0, -1, 1]]),
                       ("box", [[0, 0, 1]]), ("box", [[np.nan, 0, 1, 1]]), ("area", [np.nan]), ("area", [-1.0]),
                       ("crowd", [0.5]), ("crowd", [np.nan]), ("image_ids", [5, 5]), ("image_ids", [2.5]),
                       ("category_ids", None), ("image", [0, 0])]:
        rejects(GroundTruth, **{**G, field: bad}, argument=(field, "image"))
    for field, bad in [("image", [-1]), ("category", ["0"]), ("box", [[0, 0, 1, np.inf]]), ("score", [np.nan]),
                       ("score", None), ("score", [True]), ("rank", [-1]), ("rank", [0, 1]), ("box", np.zeros((2, 4)))]:
        rejects(Detections, **{**D, field: bad}, argument=(field, "image"))
    empty = Detections([], [], [], [])
    assert empty.box.shape == (0, 4) and empty.take(np.array([], int)).score.shape == (0,)


def test_coco_evaluation_checks_its_shapes():
    P, R = -np.ones((10, 101, 2, 4, 3)), -np.ones((10, 2, 4, 3))
    CocoEvaluation({}, {}, P, R, [1, 2])
    rejects(CocoEvaluation, {}, {}, P, R[:, :1], [1, 2], argument=("precision", "recall"))
    rejects(CocoEvaluation, {}, {}, P, R, [1], argument="category_ids")
    rejects(CocoEvaluation, {}, {}, np.full(P.shape, np.nan), R, [1, 2], argument="precision")
    rejects(CocoEvaluation, None, {}, P, R, [1, 2], argument="stats")
    rejects(CocoEvaluation, {}, [], P, R, [1, 2], argument="per_category")


# ----------------------------------------------------------------------------- load_coco


@SETTINGS
@given(tiny_coco())
def test_load_coco_valid(data):
    gt, dt = call_unchanged(coco.load_coco, *data)
    assert len(gt.box) == sum(a["category_id"] in (1, 2) for a in data[0]["annotations"])
    assert len(dt.score) == sum(d["category_id"] in (1, 2) for d in data[1])


FLAWS = [  # (section, key, bad value, argument the message names, text it contains)
    ("annotations", "image_id", 2.9, "gt", "'image_id' must be an integer, got 2.9"),  # measured: read as 2
    ("annotations", "id", "7", "gt", "'id' must be an integer"),
    ("annotations", "category_id", None, "gt", "'category_id' must be an integer"),
    ("annotations", "category_id", True, "gt", "'category_id' must be an integer"),
    ("annotations", "area", np.nan, "gt", "'area' must be a finite number"),
    ("annotations", "area", "big", "gt", "'area' must be a finite number"),
    ("annotations", "bbox", [0, 0, 1], "gt", "'bbox' must be [x, y, w, h]"),
    ("annotations", "bbox", [0, 0, -1, 1], "gt", "w >= 0"),
    ("annotations", "bbox", [0, 0, "1", 1], "gt", "'bbox' must be [x, y, w, h]"),
    ("annotations", "bbox", None, "gt", "'bbox' must be [x, y, w, h]"),
    ("annotations", "iscrowd", 0.5, "gt", "'iscrowd' must be 0 or 1"),
    ("images", "id", 1.5, "gt", "'id' must be an integer"),
    ("categories", "id", None, "gt", "'id' must be an integer"),
    ("dt", "image_id", 2.9, "dt", "'image_id' must be an integer, got 2.9"),
    ("dt", "image_id", 99, "dt", "not in gt['images']"),
    ("dt", "score", np.nan, "dt", "'score' must be a finite number"),
    ("dt", "score", None, "dt", "'score' must be a finite number"),
    ("dt", "score", True, "dt", "'score' must be a finite number"),
    ("dt", "bbox", [0, 0, np.inf, 1], "dt", "'bbox' must be [x, y, w, h]"),
]


@pytest.mark.parametrize("section, key, value, argument, text", FLAWS)
def test_load_coco_rejects_a_bad_field(section, key, value, argument, text):
    gt, dt = copy.deepcopy(EXAMPLE)
    records = dt if section == "dt" else gt[section]
    records[-1][key] = value
    message = rejects(coco.load_coco, gt, dt, argument=argument)
    assert text in message and f"[{len(records) - 1}]" in message  # the record's index


@pytest.mark.parametrize("section, key", [("annotations", "area"), ("annotations", "bbox"), ("annotations", "id"),
                                          ("images", "id"), ("dt", "score"), ("dt", "category_id")])
def test_load_coco_names_a_missing_key(section, key):
    gt, dt = copy.deepcopy(EXAMPLE)
    records = dt if section == "dt" else gt[section]
    del records[1][key]
    message = rejects(coco.load_coco, gt, dt, argument="dt" if section == "dt" else "gt", exc=ValueError)
    assert f"[1]" in message and f"has no '{key}'" in message  # measured: a missing 'area' raised KeyError('area')


def test_load_coco_rejects_malformed_containers():
    gt, dt = EXAMPLE
    for bad in (None, [], {"images": []}, "not/a/file/but/a/string".split()):
        rejects(coco.load_coco, bad, dt, argument="gt")
    for bad in (None, {"image_id": 1}, 3):
        rejects(coco.load_coco, gt, bad, argument="dt")
    rejects(coco.load_coco, {**gt, "annotations": {"id": 1}}, dt, argument="gt")
    rejects(coco.load_coco, gt, [dict(dt[0]), [1, 2]], argument="dt")
    duplicate = copy.deepcopy(gt)
    duplicate["annotations"][1]["id"] = 1
    assert "unique" in rejects(coco.load_coco, duplicate, dt, argument="gt")


def test_load_coco_empty():
    gt, dt = coco.load_coco({"images": [], "annotations": [], "categories": []}, [])
    assert gt.box.shape == dt.box.shape == (0, 4) and len(gt.image_ids) == len(gt.category_ids) == 0


# ----------------------------------------------------------------------------- the steps


@SETTINGS
@given(tiny_coco(), st.integers(1, 5))
def test_rank_detections_valid(data, max_det):
    _, dt = tables(data)
    ranked = call_unchanged_tables(coco.rank_detections, dt, max_det)
    assert (ranked.rank < max_det).all() and len(ranked.score) <= len(dt.score)


def test_rank_detections_rejects():
    _, dt = tables(EXAMPLE)
    for bad in BAD_COUNTS:
        rejects(coco.rank_detections, dt, bad, argument="max_det")
    for bad in (None, EXAMPLE[1], dt.box):
        rejects(coco.rank_detections, bad, argument="dt")
    assert coco.rank_detections(Detections([], [], [], [])).rank.shape == (0,)


HALVES = st.integers(0, 200).map(lambda v: v / 2)  # exact sums and products: an IoU of at most 1, exactly


@SETTINGS
@given(hnp.arrays(np.float64, (st.integers(0, 8).map(lambda n: (n, 4))), elements=HALVES), st.data())
def test_coco_box_iou_valid(boxes, data):
    other = data.draw(hnp.arrays(np.float64, boxes.shape, elements=HALVES))
    crowd = data.draw(hnp.arrays(np.bool_, len(boxes)))
    iou = call_unchanged(coco.coco_box_iou, boxes, other, crowd)
    assert iou.shape == (len(boxes),)
    assert_finite(iou)
    assert ((iou >= 0) & (iou <= 1)).all()  # zero-area boxes give 0, never NaN
    matrix = coco.coco_box_iou(boxes[:, None], other[None], crowd[None])
    assert matrix.shape == (len(boxes), len(boxes))
    np.testing.assert_array_equal(np.diagonal(matrix), iou)


@SETTINGS
@given(hnp.arrays(np.float64, (st.integers(1, 6).map(lambda n: (n, 4))), elements=st.floats(0, 1e3)), st.data())
def test_coco_box_iou_never_nan(boxes, data):
    """Any finite boxes, tiny and degenerate ones included: no NaN (pycocotools gives 0/0 = NaN on underflow)."""
    other = data.draw(hnp.arrays(np.float64, boxes.shape, elements=st.floats(0, 1e3)))
    crowd = data.draw(hnp.arrays(np.bool_, len(boxes)))
    iou = coco.coco_box_iou(boxes, other, crowd)
    assert_finite(iou)
    assert (iou >= 0).all()
    tiny = np.full((1, 4), 5e-234)  # w * h underflows to 0
    assert coco.coco_box_iou(tiny, tiny, [False]).tolist() == [0.0]


@SETTINGS
@given(wrong_shapes(last=4))
def test_coco_box_iou_rejects_wrong_shapes(shape):
    assume(shape[-1] != 4)
    rejects(coco.coco_box_iou, np.ones(shape), np.ones((1, 4)), [False], argument="dt_box")
    rejects(coco.coco_box_iou, np.ones((1, 4)), np.ones(shape), [False], argument="gt_box")


def test_coco_box_iou_rejects():
    box = [[0.0, 0.0, 1.0, 1.0]]
    for bad in NOT_NUMBERS + ([[np.nan, 0, 1, 1]], [[0, 0, -1, 1]], [[0, 0, 1, np.inf]]):
        rejects(coco.coco_box_iou, bad, box, [False], argument="dt_box")
        rejects(coco.coco_box_iou, box, bad, [False], argument="gt_box")
    for bad in (None, [np.nan], [0.5], ["1"]):
        rejects(coco.coco_box_iou, box, box, bad, argument="crowd")
    for dtype in BAD_DTYPES:
        rejects(coco.coco_box_iou, np.ones((1, 4), dtype=dtype), box, [False], argument="dt_box")
    rejects(coco.coco_box_iou, np.ones((2, 4)), np.ones((3, 4)), [False], argument="dt_box")  # do not broadcast
    assert coco.coco_box_iou(np.zeros((0, 4)), np.zeros((0, 4)), np.zeros(0, bool)).shape == (0,)


@SETTINGS
@given(tiny_coco())
def test_step_functions_valid(data):
    """pair_ious, ignored_ground_truth, match_detections, label_detections, accumulate, summarize on valid input:
    results in range, no NaN, inputs unchanged."""
    gt, dt, ranked, pairs, gt_ignore, matched, tp, fp, n_pos = steps(data)
    det, gt_index, iou = call_unchanged_tables(coco.pair_ious, gt, ranked)
    assert len(det) == len(gt_index) == len(iou) and ((iou >= 0) & (iou <= 1 + 1e-12)).all()
    assert call_unchanged_tables(coco.ignored_ground_truth, gt).shape == (4, len(gt.box))
    m = call_unchanged_tables(coco.match_detections, ranked, pairs, gt_ignore, gt.crowd)
    assert m.shape == (4, 10, len(ranked.score)) and ((m >= -1) & (m < len(gt.box))).all()
    t, f = call_unchanged_tables(coco.label_detections, ranked, m, gt_ignore)
    assert not (t & f).any()
    precision, recall = call_unchanged_tables(coco.accumulate, ranked, tp, fp, n_pos)
    assert_finite(precision), assert_finite(recall)
    assert (((precision >= 0) & (precision <= 1)) | (precision == -1)).all()
    stats = call_unchanged(coco.summarize, precision, recall)
    assert all(np.isfinite(v) and (0 <= v <= 1 or v == -1) for v in stats.values())


def test_pair_ious_rejects():
    gt, dt = tables(EXAMPLE)
    rejects(coco.pair_ious, dt, dt, argument="gt")
    rejects(coco.pair_ious, gt, gt, argument="dt")
    rejects(coco.pair_ious, gt, EXAMPLE[1], argument="dt")
    foreign = Detections([5], [0], [[0, 0, 1, 1]], [0.5])  # image index 5: not one of gt's 2 images
    rejects(coco.pair_ious, gt, foreign, argument="dt")
    det, gt_index, iou = coco.pair_ious(gt, Detections([], [], [], []))
    assert len(det) == len(gt_index) == len(iou) == 0


def test_ignored_ground_truth_rejects():
    gt, _ = tables(EXAMPLE)
    for bad in (None, [(0, 1)], {"all": (1, 0)}, {"all": (np.nan, 1)}, {"all": (0, 1, 2)}, {"all": "big"}):
        rejects(coco.ignored_ground_truth, gt, bad, argument="area_ranges")
    rejects(coco.ignored_ground_truth, EXAMPLE[0], argument="gt")
    assert coco.ignored_ground_truth(gt, {}).shape == (0, len(gt.box))


def test_match_detections_rejects():
    gt, dt, ranked, pairs, gt_ignore, *_ = steps(EXAMPLE)
    rejects(coco.match_detections, dt, pairs, gt_ignore, gt.crowd, argument="dt")  # not ranked
    for bad in BAD_UNIT_INTERVAL[:2] + ([0.5, np.nan], [1.5], "0.5", [[0.5]]):  # None: measured float() error
        rejects(coco.match_detections, ranked, pairs, gt_ignore, gt.crowd, bad, argument="iou_thresholds")
    det, gt_index, iou = pairs
    for bad in (None, (det, gt_index), (det, gt_index, iou - 2), (det + 10, gt_index, iou), (det, gt_index + 10, iou),
                (det, gt_index, np.full(len(iou), np.nan)), (det[::-1], gt_index, iou) if len(det) > 1 else None):
        rejects(coco.match_detections, ranked, bad, gt_ignore, gt.crowd, argument="pairs")
    rejects(coco.match_detections, ranked, pairs, gt_ignore[0], gt.crowd, argument="gt_ignore")
    rejects(coco.match_detections, ranked, pairs, gt_ignore, gt.crowd[:1], argument="gt_crowd")
    empty = coco.match_detections(ranked, pairs, gt_ignore, gt.crowd, [])
    assert empty.shape == (4, 0, len(ranked.score))


def test_label_detections_rejects():
    gt, dt, ranked, pairs, gt_ignore, matched, *_ = steps(EXAMPLE)
    rejects(coco.label_detections, ranked, matched + 5, gt_ignore, argument="matched")
    rejects(coco.label_detections, ranked, matched[..., :1], gt_ignore, argument="matched")
    rejects(coco.label_detections, ranked, matched.astype(float) + 0.5, gt_ignore, argument="matched")
    rejects(coco.label_detections, ranked, matched, gt_ignore, {"all": (0, 1e10)}, argument="area_ranges")
    rejects(coco.label_detections, ranked, matched, gt_ignore, None, argument="area_ranges")
    rejects(coco.label_detections, None, matched, gt_ignore, argument="dt")


def test_accumulate_rejects():
    gt, dt, ranked, pairs, gt_ignore, matched, tp, fp, n_pos = steps(EXAMPLE)
    rejects(coco.accumulate, ranked, tp, tp | fp, n_pos, argument=("tp", "fp"))  # both TP and FP
    rejects(coco.accumulate, ranked, tp.astype(float) * np.nan, fp, n_pos, argument="tp")
    rejects(coco.accumulate, ranked, tp, fp, n_pos - 5, argument="n_pos")
    rejects(coco.accumulate, ranked, tp, fp, np.zeros_like(n_pos), argument=("tp", "n_pos"))  # more TP than objects
    rejects(coco.accumulate, ranked, tp, fp, n_pos[:1], argument=("n_pos", "tp"))
    for bad in (None, [], [0], [1, 2.5], [True], 100):
        rejects(coco.accumulate, ranked, tp, fp, n_pos, bad, argument="max_dets")
    for bad in BAD_UNIT_INTERVAL[:5]:
        rejects(coco.accumulate, ranked, tp, fp, n_pos, (1, 10, 100), bad, argument="rec_thresholds")
    rejects(coco.accumulate, dt, tp, fp, n_pos, argument="dt")  # not ranked


def test_accumulate_and_summarize_over_nothing():
    """No detections: 0 where a category has ground truth; no ground truth: -1 everywhere, and -1 as a mean."""
    gt, dt = tables((EXAMPLE[0], []))
    ranked, tp, fp, n_pos = coco.match_tables(gt, dt)
    precision, recall = coco.accumulate(ranked, tp, fp, n_pos)
    assert (precision[:, :, :, 0] == 0).all() and (recall[:, :, 0] == 0).all()
    nothing = coco.summarize(-np.ones((10, 101, 2, 4, 3)), -np.ones((10, 2, 4, 3)))
    assert set(nothing.values()) == {-1.0}


def test_summarize_rejects():
    P, R = np.zeros((10, 101, 2, 4, 3)), np.zeros((10, 2, 4, 3))
    coco.summarize(P, R)
    for bad in (None, P[..., :2], np.full(P.shape, np.nan), np.full(P.shape, -0.5), np.full(P.shape, 1.5), P[0]):
        rejects(coco.summarize, bad, R, argument="precision")
    rejects(coco.summarize, P, R[:, :1], argument=("precision", "recall"))
    rejects(coco.summarize, P, np.full(R.shape, np.nan), argument="recall")
    for bad in BAD_UNIT_INTERVAL[:5] + (np.linspace(0.5, 0.95, 9),):
        rejects(coco.summarize, P, R, bad, argument="iou_thresholds")
    assert coco.summarize(P[:1], R[:1], [0.6])["AP50"] == -1.0  # documented: no 0.5 threshold, AP50 over nothing


def test_match_tables_and_evaluate_tables_reject():
    gt, dt = tables(EXAMPLE)
    for bad in (None, np.nan, [0.5, 1.5], "0.5"):  # None: measured "float() argument must be ..."
        rejects(coco.match_tables, gt, dt, 100, bad, argument="iou_thresholds")
    for bad in BAD_COUNTS:
        rejects(coco.match_tables, gt, dt, bad, argument="max_det")
    for fn in (coco.match_tables, coco.evaluate_tables):
        rejects(fn, EXAMPLE[0], dt, argument="gt")
        rejects(fn, gt, EXAMPLE[1], argument="dt")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_coco())
def test_evaluate_valid(data):
    """coco_evaluate and evaluate_tables: no NaN, every number in [0, 1] or -1, inputs unchanged (pycocotools'
    loadRes writes into its input; ours must not), and annotation ids from 0 give the same numbers as from 1."""
    result = call_unchanged(coco.coco_evaluate, *data)
    assert all(np.isfinite(v) and (0 <= v <= 1 or v == -1) for v in result.stats.values())
    assert_finite(result.precision)
    assert call_unchanged_tables(coco.evaluate_tables, *tables(data)).stats == result.stats
    shifted = copy.deepcopy(data[0])
    for a in shifted["annotations"]:
        a["id"] += 1
    assert coco.coco_evaluate(shifted, data[1]).stats == result.stats


def test_coco_evaluate_rejects_and_empty():
    gt, dt = EXAMPLE
    for bad in (None, "segm", ["bbox"], np.array(["bbox"])):
        rejects(coco.coco_evaluate, gt, dt, bad, argument="iou_type")
    rejects(coco.coco_evaluate, None, dt, argument="gt")
    rejects(coco.coco_evaluate, gt, None, argument="dt")
    assert coco.coco_evaluate(gt, []).stats["AP"] == 0.0  # ground truth, no detections: 0
    nothing = coco.coco_evaluate({**gt, "annotations": []}, dt)
    assert set(nothing.stats.values()) == {-1.0}  # no ground truth: -1 (pycocotools' convention)


@SETTINGS
@given(tiny_coco(), st.sampled_from([0.0, 0.5, 0.75, 1.0]))
def test_match_image_valid(data, threshold):
    gt, dt = tables(data)
    on = dt.image == 0
    g = gt.image == 0
    matched = call_unchanged(coco.match_image, dt.box[on], dt.score[on], gt.box[g], gt.crowd[g], gt.crowd[g], threshold)
    assert matched.shape == (on.sum(),) and ((matched >= -1) & (matched < g.sum())).all()
    once = matched[(matched >= 0)]
    once = once[~gt.crowd[g][once]]
    assert len(set(once.tolist())) == len(once)  # a non-crowd ground truth is matched at most once


def test_match_image_rejects():
    box, score, crowd = [[0.0, 0.0, 1.0, 1.0]], [0.5], [False]
    for bad in BAD_UNIT_INTERVAL[:5]:  # None included
        rejects(coco.match_image, box, score, box, crowd, crowd, bad, argument="iou_threshold")
    rejects(coco.match_image, box, [np.nan], box, crowd, crowd, argument="dt_score")
    rejects(coco.match_image, box, [0.5, 0.4], box, crowd, crowd, argument=("dt_box", "dt_score"))
    rejects(coco.match_image, [[0, 0, -1, 1]], score, box, crowd, crowd, argument="dt_box")
    rejects(coco.match_image, box, score, [[0, 0, 1]], crowd, crowd, argument="gt_box")
    rejects(coco.match_image, box, score, box, [np.nan], crowd, argument="gt_crowd")
    rejects(coco.match_image, box, score, box, crowd, [False, True], argument=("gt_box", "gt_ignore"))
    assert coco.match_image(np.zeros((0, 4)), [], box, crowd, crowd).shape == (0,)


# ----------------------------------------------------------------------------- any argument, any garbage

GARBAGE = (None, 5, 2.5, np.nan, "x", b"x", [], [[]], [None], {}, object(), np.array(3.0), np.array([]),
           np.zeros((0, 3)), np.zeros((2, 0)), [1, [2]], [[1, 2], [3]], np.array(["a"]), True, (1, 2),
           np.array([1 + 1j]), -1, 10**30, [10**30], "no/such/file.json")


def valid_calls():
    """One valid call of every public function: ``{function: arguments}``."""
    gt, dt, ranked, pairs, gt_ignore, matched, tp, fp, n_pos = steps(EXAMPLE)
    precision, recall = coco.accumulate(ranked, tp, fp, n_pos)
    return {
        ap.precision_recall: ([0.9, 0.5], [True, False], 2),
        ap.precision_envelope: ([0.5, 1.0],),
        ap.interpolated_precision: ([0.5, 1.0], [1.0, 0.5], [0.0, 0.5]),
        ap.average_precision: ([0.5, 1.0], [1.0, 0.5], "coco101"),
        GroundTruth: (gt.image, gt.category, gt.box, gt.area, gt.crowd, gt.image_ids, gt.category_ids),
        Detections: (dt.image, dt.category, dt.box, dt.score, None),
        CocoEvaluation: ({}, {}, precision, recall, gt.category_ids),
        coco.load_coco: EXAMPLE,
        coco.rank_detections: (dt, 100),
        coco.coco_box_iou: (np.ones((2, 4)), np.ones((2, 4)), [False, True]),
        coco.pair_ious: (gt, ranked),
        coco.ignored_ground_truth: (gt, coco.AREA_RANGES),
        coco.match_image: (ranked.box, ranked.score, gt.box, gt.crowd, gt.crowd, 0.5),
        coco.match_detections: (ranked, pairs, gt_ignore, gt.crowd, coco.IOU_THRESHOLDS),
        coco.label_detections: (ranked, matched, gt_ignore, coco.AREA_RANGES),
        coco.accumulate: (ranked, tp, fp, n_pos, (1, 10, 100), coco.RECALL_THRESHOLDS),
        coco.summarize: (precision, recall, coco.IOU_THRESHOLDS),
        coco.match_tables: (gt, dt, 100, coco.IOU_THRESHOLDS),
        coco.evaluate_tables: (gt, dt),
        coco.coco_evaluate: (EXAMPLE[0], EXAMPLE[1], "bbox"),
    }


CALLS = valid_calls()


@pytest.mark.parametrize("fn", list(CALLS), ids=lambda fn: fn.__name__)
def test_any_garbage_argument_is_refused_by_name(fn):
    """Each argument in turn replaced by each garbage value: the call returns (the value happened to be valid
    there, such as [] for an empty list) or raises ValueError/TypeError naming that argument; never anything else."""
    args = CALLS[fn]
    names = list(inspect.signature(fn).parameters)
    for i in range(len(args)):
        for garbage in GARBAGE:
            call = list(copy.deepcopy(args))
            call[i] = garbage
            try:
                with time_limit():
                    fn(*call)
            except (ValueError, TypeError) as error:
                assert names[i] in str(error), f"{fn.__name__}({names[i]}={garbage!r}): {error}"
