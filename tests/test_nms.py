"""utils.nms: parity with torchvision's recorded keeps, a brute-force greedy loop, properties, bad input."""

import contextlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import DATA_DIR
from utils.boxes import box_iou
from utils import _nms_grid
from utils import nms as nms_module
from utils.nms import batched_nms, nms, nms_steps, offset_boxes, paired_box_iou, paired_iou_above, soft_nms, textbook_nms

REF = np.load(DATA_DIR / "torchvision_reference.npz")
THRESHOLDS = {"t030": 0.3, "t050": 0.5, "t070": 0.7}
TIED_SETS = (5, 6)  # see tests/data: torchvision's unstable sort may legitimately keep another tied box


# --- independent references ---------------------------------------------------------------------------

def brute_force_nms(boxes, scores, iou_threshold):
    """Greedy NMS in pure Python, one pair at a time (torchvision's CPU kernel, transcribed)."""
    boxes = [[float(v) for v in b] for b in np.asarray(boxes, dtype=np.float64)]
    order = sorted(range(len(boxes)), key=lambda k: (-float(scores[k]), k))  # stable: lower index first
    suppressed, keep = [False] * len(boxes), []
    for rank, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        x1, y1, x2, y2 = boxes[i]
        area_i = (x2 - x1) * (y2 - y1)
        for j in order[rank + 1:]:
            if suppressed[j]:
                continue
            a1, b1, a2, b2 = boxes[j]
            w = max(min(x2, a2) - max(x1, a1), 0.0)
            h = max(min(y2, b2) - max(y1, b1), 0.0)
            inter = w * h
            union = area_i + (a2 - a1) * (b2 - b1) - inter
            iou = inter / union if union > 0 else 0.0
            if iou > iou_threshold:
                suppressed[j] = True
    return np.array(keep, dtype=np.int64)


def per_class_loop(boxes, scores, labels, iou_threshold):
    """batched_nms the slow way: nms on each class, then merge by decreasing score (stable)."""
    keep = [np.flatnonzero(labels == c)[nms(boxes[labels == c], scores[labels == c], iou_threshold)]
            for c in np.unique(labels)]
    keep = np.concatenate(keep) if keep else np.zeros(0, dtype=np.int64)
    return keep[np.lexsort((keep, -scores[keep]))]


def assert_valid_nms(boxes, scores, keep, iou_threshold, labels=None):
    """The README's validity check: kept boxes never overlap above the threshold, and every dropped box
    overlaps, above the threshold, a kept box of higher or equal score (of the same label)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    labels = np.zeros(len(boxes), dtype=int) if labels is None else np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    iou = np.where(same, box_iou(boxes, boxes), 0.0)
    kept = np.zeros(len(boxes), dtype=bool)
    kept[keep] = True
    assert len(set(keep.tolist())) == len(keep)
    sub = iou[np.ix_(keep, keep)]
    np.fill_diagonal(sub, 0.0)
    assert (sub <= iou_threshold).all(), "two kept boxes overlap above the threshold"
    for j in np.flatnonzero(~kept):
        cover = (iou[keep, j] > iou_threshold) & (scores[keep] >= scores[j])
        assert cover.any(), f"dropped box {j} is not covered by a kept box"
    assert (np.diff(scores[keep]) <= 0).all(), "keep is not sorted by decreasing score"


# --- parity with torchvision ---------------------------------------------------------------------------

@pytest.mark.parametrize("tag", list(THRESHOLDS))
@pytest.mark.parametrize("s", range(7))
def test_nms_matches_torchvision(s, tag):
    boxes, scores = REF[f"nms{s}_boxes"], REF[f"nms{s}_scores"]
    expected = REF[f"nms{s}_keep_{tag}"]
    got = nms(boxes, scores, THRESHOLDS[tag])
    assert got.dtype == np.int64
    assert_valid_nms(boxes, scores, got, THRESHOLDS[tag])
    if s not in TIED_SETS:
        np.testing.assert_array_equal(got, expected)
    else:  # ties: validity is the contract (README); the kept count still agrees here
        assert_valid_nms(boxes, scores, expected, THRESHOLDS[tag])
        assert len(got) == len(expected)


@pytest.mark.parametrize("s", range(3))
def test_batched_nms_matches_torchvision(s):
    boxes, scores, idxs = REF[f"bnms{s}_boxes"], REF[f"bnms{s}_scores"], REF[f"bnms{s}_idxs"]
    got = batched_nms(boxes, scores, idxs, 0.5)
    np.testing.assert_array_equal(got, REF[f"bnms{s}_keep_t050"])
    assert_valid_nms(boxes, scores, got, 0.5, labels=idxs)


@pytest.mark.parametrize("s", range(7))
def test_nms_matches_brute_force_on_reference_sets(s):
    boxes, scores = REF[f"nms{s}_boxes"].astype(np.float64), REF[f"nms{s}_scores"]
    for t in THRESHOLDS.values():
        np.testing.assert_array_equal(nms(boxes, scores, t), brute_force_nms(boxes, scores, t))


def test_offset_trick_in_float64_equals_batched_nms():
    boxes, scores, idxs = REF["bnms1_boxes"], REF["bnms1_scores"], REF["bnms1_idxs"]
    via_offsets = nms(offset_boxes(boxes, idxs, np.float64), scores, 0.5)
    np.testing.assert_array_equal(via_offsets, batched_nms(boxes.astype(np.float64), scores, idxs, 0.5))


# --- known cases ---------------------------------------------------------------------------------------

def test_empty_and_single():
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).shape == (0,)
    assert nms([], [], 0.5).dtype == np.int64
    assert batched_nms(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int), 0.5).shape == (0,)
    np.testing.assert_array_equal(nms([[0, 0, 1, 1]], [0.3], 0.5), [0])


def test_strictly_above_threshold():
    boxes = np.array([[0.0, 0, 10, 10], [0, 0, 10, 5]])  # IoU exactly 0.5
    np.testing.assert_array_equal(nms(boxes, [0.9, 0.8], 0.5), [0, 1])  # equal: both kept
    np.testing.assert_array_equal(nms(boxes, [0.9, 0.8], 0.49), [0])


def test_ties_keep_the_lower_index():
    boxes = np.array([[0.0, 0, 10, 10]] * 3)
    np.testing.assert_array_equal(nms(boxes, [0.5, 0.5, 0.5], 0.5), [0])
    np.testing.assert_array_equal(nms(boxes, [0.4, 0.5, 0.5], 0.5), [1])


def test_threshold_one_keeps_identical_boxes_and_zero_keeps_touching():
    boxes = np.array([[0.0, 0, 10, 10]] * 3 + [[10, 0, 20, 10]])
    assert sorted(nms(boxes, [0.1, 0.2, 0.3, 0.4], 1.0).tolist()) == [0, 1, 2, 3]
    np.testing.assert_array_equal(nms(boxes, [0.1, 0.2, 0.3, 0.4], 0.0), [3, 2])  # touching: IoU 0


def test_float32_boxes_compare_iou_in_float64_like_torchvision():
    # IoU = 3/10 exactly. In float32 it rounds to 0.30000001 > 0.3 (torchvision compares the float32 IoU
    # with the double threshold), so torchvision suppresses; in float64 it is 0.3, not above 0.3.
    boxes = np.array([[0.0, 0, 10, 1], [0, 0, 3, 1]])
    assert nms(boxes.astype(np.float32), [0.9, 0.8], 0.3).tolist() == [0]
    assert nms(boxes.astype(np.float64), [0.9, 0.8], 0.3).tolist() == [0, 1]


def test_degenerate_and_far_apart_boxes():
    boxes = np.array([
        [5.0, 5, 5, 5],  # a point
        [0, 5, 10, 5],  # a segment
        [-1e4, -1e4, -1e4 + 1, -1e4 + 1],  # far away, negative
        [1e4, 1e4, 1e4 + 1, 1e4 + 1],
        [1e4, 1e4, 1e4 + 1, 1e4 + 0.9],
        [-50, -50, 50, 50],  # large, covers the point and segment (IoU 0 with zero-area boxes)
    ])
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    np.testing.assert_array_equal(nms(boxes, scores, 0.5), brute_force_nms(boxes, scores, 0.5))
    np.testing.assert_array_equal(nms(boxes, scores, 0.5), [5, 4, 2, 1, 0])


def test_batched_nms_classes_never_suppress_each_other():
    boxes = np.array([[0.0, 0, 10, 10]] * 4)
    labels = np.array([3, 7, 3, 7])
    np.testing.assert_array_equal(batched_nms(boxes, [0.9, 0.8, 0.7, 0.95], labels, 0.5), [3, 0])
    # Large and negative label values are only names.
    np.testing.assert_array_equal(batched_nms(boxes, [0.9, 0.8, 0.7, 0.95], labels * -10**12, 0.5), [3, 0])


def test_paired_box_iou_is_bitwise_box_iou():
    a, b = REF["A"].astype(np.float64), REF["B"].astype(np.float64)
    n = min(len(a), len(b))
    np.testing.assert_array_equal(paired_box_iou(a[:n], b[:n]), np.diag(box_iou(a[:n], b[:n])))
    f32 = paired_box_iou(a[:n].astype(np.float32), b[:n].astype(np.float32))
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, np.diag(box_iou(a[:n].astype(np.float32), b[:n].astype(np.float32))))
    i, j = np.arange(n), np.arange(n)[::-1]
    np.testing.assert_array_equal(paired_iou_above(a, i, j, 0.3), paired_box_iou(a[i], a[j]) > 0.3)


# --- never a silent 0 or NaN from overflow -------------------------------------------------------------

@pytest.mark.parametrize("dtype, scale", [(np.float16, 1.0), (np.float32, 1e20), (np.float64, 1e200),
                                          (np.float64, 1e-200)])
def test_exact_duplicates_are_suppressed_at_any_scale(dtype, scale):
    # The example: float16 [0, 0, 300, 300] twice. Its area overflowed float16, IoU came out 0 and
    # nms kept the duplicate.
    unit = np.array([[0, 0, 300, 300], [0, 0, 300, 300], [150, 0, 450, 300], [1000, 0, 1300, 300]])
    boxes = (unit * scale).astype(dtype)
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    for run in (nms, textbook_nms, lambda b, s, t: batched_nms(b, s, [0, 0, 0, 0], t)):
        assert run(boxes, scores, 0.5).tolist() == [0, 2, 3]
        assert run(boxes, scores, 0.3).tolist() == [0, 3]
    for method in ("linear", "gaussian"):
        keep, new = soft_nms(boxes, scores, method, iou_threshold=0.3)
        ref_keep, ref_new = soft_nms(unit.astype(np.float64), scores, method, iou_threshold=0.3)
        np.testing.assert_array_equal(keep, ref_keep)
        np.testing.assert_allclose(new, ref_new, rtol=1e-6)


def test_empty_input_everywhere():
    empty = np.zeros(0, dtype=np.int64)
    for keep in (nms([], [], 0.5), batched_nms([], [], [], 0.5), textbook_nms([], [], 0.5),
                 soft_nms([], [])[0], paired_iou_above([], [], [], 0.5).astype(np.int64)):
        assert keep.dtype == np.int64 and keep.shape == (0,)
    assert [step["current"] for step in nms_steps([], [], 0.5)] == [None]
    assert offset_boxes([], []).shape == (0, 4)
    assert paired_box_iou([], []).shape == (0,)


def test_none_threshold_says_what_is_expected():
    with pytest.raises(TypeError, match=r"iou_threshold must be a number in \[0, 1\], got None"):
        nms([[0, 0, 1, 1]], [0.5], None)


# --- bad input -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, argument", [
    (lambda: nms([[0, 0, 1, 1]], [0.5, 0.4], 0.5), "scores"),
    (lambda: nms([[0, 0, 1, 1]], [float("nan")], 0.5), "scores"),
    (lambda: nms([[0, 0, 1, 1]], [[0.5]], 0.5), "scores"),
    (lambda: nms([[0, 0, 1, 1]], [0.5], -0.1), "iou_threshold"),
    (lambda: nms([[0, 0, 1, 1]], [0.5], 1.5), "iou_threshold"),
    (lambda: nms([[0, 0, 1, 1]], [0.5], float("nan")), "iou_threshold"),
    (lambda: nms([[0, 0, 1]], [0.5], 0.5), "boxes"),
    (lambda: nms([[2, 0, 1, 1]], [0.5], 0.5), "boxes"),
    (lambda: batched_nms([[0, 0, 1, 1]], [0.5], [1, 2], 0.5), "labels"),
    (lambda: batched_nms([[0, 0, 1, 1]], [0.5], [0.5], 0.5), "labels"),
    (lambda: batched_nms([[0, 0, 1, 1]], [0.5], [True], 0.5), "labels"),
    (lambda: nms([[0, 0, 1, 1]], [True], 0.5), "scores"),
    (lambda: nms([[0, 0, 1, 1]], [0.5], "0.5"), "iou_threshold"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], score_threshold=float("nan")), "score_threshold"),
    (lambda: offset_boxes([[0, 0, 1, 1]], [1], dtype=np.int64), "dtype"),
    (lambda: offset_boxes([[0, 0, 1, 1], [0, 0, 1e300, 1]], [0, 10**10]), "labels"),
    (lambda: paired_box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]] * 2), "boxes1 and boxes2"),
    (lambda: paired_iou_above([[0, 0, 1, 1]], [0], [1], 0.5), "b must hold indices"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], method="cubic"), "method"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], sigma=0), "sigma"),
    (lambda: soft_nms([[0, 0, 1, 1]], [0.5], iou_threshold=2), "iou_threshold"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises((ValueError, TypeError), match=argument):
        call()


# --- Soft-NMS ------------------------------------------------------------------------------------------

def brute_force_soft_nms(boxes, scores, method, sigma, nt, score_threshold):
    """Soft-NMS as in Bodla et al.'s reference code (one box at a time, pure Python)."""
    s = [float(v) for v in scores]
    remaining = [k for k in range(len(s)) if s[k] >= score_threshold]
    keep, new = [], []
    while remaining:
        m = max(remaining, key=lambda k: (s[k], -k))
        keep.append(m)
        new.append(s[m])
        remaining.remove(m)
        for k in remaining:
            iou = float(box_iou(boxes[m:m + 1], boxes[k:k + 1])[0, 0])
            if method == "linear":
                s[k] *= (1 - iou) if iou > nt else 1.0
            else:
                s[k] *= math.exp(-iou * iou / sigma)
        remaining = [k for k in remaining if s[k] >= score_threshold]
    return keep, new


def test_soft_nms_known_values():
    boxes = np.array([[0.0, 0, 10, 10], [0, 0, 10, 5], [20, 20, 30, 30]])  # IoU(0, 1) = 0.5
    keep, new = soft_nms(boxes, [0.9, 0.8, 0.7], method="gaussian", sigma=0.5)
    np.testing.assert_array_equal(keep, [0, 2, 1])
    np.testing.assert_allclose(new, [0.9, 0.7, 0.8 * math.exp(-0.25 / 0.5)])
    keep, new = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear", iou_threshold=0.3)
    np.testing.assert_array_equal(keep, [0, 2, 1])
    np.testing.assert_allclose(new, [0.9, 0.7, 0.4])
    keep, new = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear", iou_threshold=0.5)  # IoU not above: no decay
    np.testing.assert_allclose(new, [0.9, 0.8, 0.7])
    keep, _ = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear", iou_threshold=0.3, score_threshold=0.5)
    np.testing.assert_array_equal(keep, [0, 2])  # 0.4 < 0.5: dropped
    empty_keep, empty_scores = soft_nms(np.zeros((0, 4)), [])
    assert empty_keep.shape == (0,) and empty_scores.shape == (0,)


# --- properties ----------------------------------------------------------------------------------------

# Integer-grid boxes: many exact ties in IoU (IoU exactly equal to a threshold happens), touching edges.
grid_box = st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 8), st.integers(0, 8))
box_lists = st.lists(grid_box, min_size=0, max_size=40).map(
    lambda rows: np.array([[x, y, x + w, y + h] for x, y, w, h in rows], dtype=np.float64).reshape(-1, 4))
thresholds = st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 1.0])


@st.composite
def scenes(draw, tied=True):
    boxes = draw(box_lists)
    n = len(boxes)
    if tied:
        scores = np.array(draw(st.lists(st.sampled_from([0.1, 0.5, 0.9]), min_size=n, max_size=n)))
    else:
        scores = np.array(draw(st.permutations(range(n)))) / max(n, 1)
    return boxes, scores.astype(np.float64).reshape(n)


@contextlib.contextmanager
def loop_up_to(n):
    """Run nms and batched_nms with the plain loop up to ``n`` boxes (0: always the grid fast path)."""
    saved = nms_module.LOOP_MAX_BOXES
    nms_module.LOOP_MAX_BOXES = n
    try:
        yield
    finally:
        nms_module.LOOP_MAX_BOXES = saved


PATHS = {"loop": 10**9, "grid": 0}


@settings(max_examples=300, deadline=None)
@given(scenes(), thresholds, st.sampled_from(list(PATHS)))
def test_nms_equals_brute_force_and_is_valid(scene, t, path):
    boxes, scores = scene
    with loop_up_to(PATHS[path]):
        keep = nms(boxes, scores, t)
    np.testing.assert_array_equal(keep, brute_force_nms(boxes, scores, t))
    assert_valid_nms(boxes, scores, keep, t)


@settings(max_examples=100, deadline=None)
@given(scenes(), thresholds, st.sampled_from([np.float16, np.float32]))
def test_loop_and_grid_agree_in_low_precision(scene, t, dtype):
    # float32 IoU compared with the float64 threshold: exact ties fall the same way on both paths.
    boxes, scores = scene
    boxes = boxes.astype(dtype)
    with loop_up_to(0):
        grid = nms(boxes, scores, t)
    np.testing.assert_array_equal(textbook_nms(boxes, scores, t), grid)
    np.testing.assert_array_equal(nms_steps(boxes, scores, t)[-1]["kept"], grid)


@settings(max_examples=100, deadline=None)
@given(scenes())
def test_threshold_one_keeps_everything(scene):
    boxes, scores = scene
    assert sorted(nms(boxes, scores, 1.0).tolist()) == list(range(len(boxes)))


@settings(max_examples=150, deadline=None)
@given(scenes(tied=False), thresholds, st.randoms(use_true_random=False))
def test_kept_set_is_permutation_invariant_for_distinct_scores(scene, t, random):
    boxes, scores = scene
    perm = list(range(len(boxes)))
    random.shuffle(perm)
    perm = np.array(perm, dtype=np.int64)
    kept = nms(boxes, scores, t)
    kept_permuted = perm[nms(boxes[perm], scores[perm], t)]  # back to the original indices
    np.testing.assert_array_equal(kept_permuted, kept)


@settings(max_examples=200, deadline=None)
@given(scenes(), thresholds, st.data(), st.sampled_from(list(PATHS)))
def test_batched_nms_equals_per_class_loop(scene, t, data, path):
    boxes, scores = scene
    labels = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(boxes), max_size=len(boxes))),
                      dtype=np.int64)
    with loop_up_to(PATHS[path]):
        keep = batched_nms(boxes, scores, labels, t)
    np.testing.assert_array_equal(keep, per_class_loop(boxes, scores, labels, t))
    assert_valid_nms(boxes, scores, keep, t, labels=labels)


@settings(max_examples=100, deadline=None)
@given(scenes(), st.sampled_from(["linear", "gaussian"]), st.sampled_from([0.1, 0.5, 1.0]),
       st.sampled_from([0.3, 0.5]), st.sampled_from([0.0, 0.001, 0.3]))
def test_soft_nms_equals_reference_loop(scene, method, sigma, nt, score_threshold):
    boxes, scores = scene
    keep, new = soft_nms(boxes, scores, method, sigma, nt, score_threshold)
    ref_keep, ref_new = brute_force_soft_nms(boxes, scores, method, sigma, nt, score_threshold)
    np.testing.assert_array_equal(keep, ref_keep)
    np.testing.assert_allclose(new, ref_new, rtol=1e-12)
    assert (np.diff(new) <= 1e-12).all()  # picked in decreasing (decayed) score
    assert (new <= scores[keep] + 1e-12).all()  # scores only decay
