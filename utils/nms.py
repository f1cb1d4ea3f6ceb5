"""Non-maximum suppression (NMS): greedy, per class (batched) and Soft-NMS.

Taught in ``notebooks/02_nms.ipynb``.

Semantics are those of ``torchvision.ops.nms`` / ``batched_nms``:

* boxes are ``(N, 4)`` numpy arrays in ``xyxy`` image coordinates (``(x1, y1)`` is the top-left corner),
  continuous coordinates with no ``+1`` in widths and heights (see :mod:`utils.boxes`);
* a box is suppressed only when its IoU with a kept, higher-ranked box is **strictly above**
  ``iou_threshold`` (IoU equal to the threshold survives);
* the result is an ``int64`` array of indices into ``boxes``, sorted by decreasing score;
* boxes are ranked by decreasing score, and among **tied scores the lower index ranks first** (a stable
  sort). torchvision's CPU sort is not stable, so on ties it may keep a different, equally valid box.

Why this implementation is fast although it is plain numpy
-----------------------------------------------------------
The textbook loop (sort, keep the top box, compute its IoU with *every* remaining box, drop the overlaps,
repeat) costs one round of numpy calls per kept box, and each round touches all remaining boxes, even
those on the far side of the image. But NMS is local: two boxes that do not overlap can never suppress
each other. So we

1. split the boxes into groups that provably never overlap (:func:`disjoint_groups`: a sweep along x,
   then along y, repeated; boxes of different classes go to different groups in :func:`batched_nms`), and
2. run the greedy loop in *all groups at once* (:func:`_greedy_by_group`): each round keeps the best
   remaining box of every group and compares each remaining box only with the box kept in its own group.

The number of rounds is the largest number of boxes kept in one group, not the total number kept, and
each round compares a box with one box instead of with the whole image. The result is exactly the
greedy result (the groups cannot interact). In the worst case (every box overlaps the others, one group)
it is the textbook loop again: NMS is O(N^2) in the worst case either way.
"""

import numpy as np

from utils.boxes import as_boxes, box_iou

SOFT_NMS_METHODS = ("linear", "gaussian")


# --- validation ---------------------------------------------------------------------------------------

def _check_threshold(value, name):
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def _check_inputs(boxes, scores, iou_threshold):
    boxes = as_boxes(boxes, "boxes")
    scores = np.asarray(scores)
    if scores.ndim != 1 or len(scores) != len(boxes):
        raise ValueError(f"scores must have shape (N,) with N = len(boxes) = {len(boxes)}, got {scores.shape}")
    if scores.dtype.kind not in "fiub":
        raise ValueError(f"scores must hold numbers, got dtype {scores.dtype}")
    scores = scores.astype(np.float64)
    if np.isnan(scores).any():
        raise ValueError("scores contains NaN")
    return boxes, scores, _check_threshold(iou_threshold, "iou_threshold")


def _rank_by_score(scores):
    """Indices that sort ``scores`` in decreasing order; ties keep the lower index first (stable)."""
    return np.argsort(-scores, kind="stable")


# --- the pieces -------------------------------------------------------------------------------------

def paired_box_iou(boxes1, boxes2):
    """Element-wise IoU of two ``(N, 4)`` xyxy arrays: ``iou[i] = IoU(boxes1[i], boxes2[i])``, shape ``(N,)``.

    The same arithmetic, in the same order, as :func:`utils.boxes.box_iou` (and torchvision's NMS kernel),
    so a pair at IoU exactly equal to a threshold is decided the same way by every function here.
    Two zero-area boxes have IoU 0. Inputs are not validated (internal helper).
    """
    x1a, y1a, x2a, y2a = boxes1.T
    x1b, y1b, x2b, y2b = boxes2.T
    inter = np.minimum(x2a, x2b) - np.maximum(x1a, x1b)
    np.maximum(inter, 0, out=inter)
    h = np.minimum(y2a, y2b) - np.maximum(y1a, y1b)
    np.maximum(h, 0, out=h)
    inter *= h
    union = (x2a - x1a) * (y2a - y1a) + (x2b - x1b) * (y2b - y1b) - inter
    iou = np.zeros_like(inter)
    np.divide(inter, union, out=iou, where=union > 0)
    return iou


def _split_along(lo, hi, group):
    """Refine integer ``group`` ids so that, along one axis, different groups have disjoint extents.

    ``lo``, ``hi``: ``(N,)`` integer ranks of the box edges on that axis (ranks keep order and ties,
    and make the per-group running maximum below exact). Sorted by (group, lo), a new group starts
    wherever a box begins at or after the furthest end of every earlier box of its group: a gap.
    Boxes that only touch (``lo == hi``) share no area, so they may be split too.
    """
    n_ranks = int(hi.max()) + 1
    order = np.argsort(group * n_ranks + lo, kind="stable")  # by group, then by left edge
    g, lo, hi = group[order], lo[order], hi[order]
    # Running max of hi restarted in each group: the group offset makes every group's keys exceed the last's.
    reach = np.maximum.accumulate(g * n_ranks + hi) - g * n_ranks  # (N,) furthest end so far, same group
    starts = np.ones(len(g), dtype=bool)
    starts[1:] = (g[1:] != g[:-1]) | (lo[1:] >= reach[:-1])
    new_group = np.empty_like(group)
    new_group[order] = np.cumsum(starts) - 1
    return new_group


def disjoint_groups(boxes, labels=None):
    """Group ids ``(N,)`` (int64, from 0) such that boxes in different groups have no common area.

    Alternate sweeps along x and y until neither splits any group further (an XY cut). With ``labels``,
    boxes of different labels start in different groups. Groups are a speed-up for NMS only: boxes of
    one group need not overlap each other (a chain of overlapping boxes is one group).
    """
    boxes = as_boxes(boxes, "boxes")
    n = len(boxes)
    group = np.zeros(n, dtype=np.int64) if labels is None else np.unique(labels, return_inverse=True)[1].ravel()
    if n == 0:
        return group.astype(np.int64)
    # Integer ranks of the edges per axis: exact comparisons, and no float offsets that could round.
    edges = []
    for axis in (0, 1):
        _, ranks = np.unique(np.concatenate([boxes[:, axis], boxes[:, axis + 2]]), return_inverse=True)
        edges.append((ranks[:n], ranks[n:]))
    n_groups, still = group.max() + 1, 0
    axis = 0
    while still < 2:  # stop after one sweep along each axis changed nothing
        group = _split_along(*edges[axis], group)
        still = still + 1 if group.max() + 1 == n_groups else 0
        n_groups = group.max() + 1
        axis = 1 - axis
    return group.astype(np.int64)


def _greedy_by_group(boxes, rank, group, iou_threshold):
    """Greedy NMS run independently, and simultaneously, inside every group.

    ``rank``: ``(N,)`` position of each box in the score order (0 = best). Each round keeps the best
    remaining box of every group (its "head") and drops the boxes of that group overlapping the head
    above the threshold. Returns the kept indices sorted by rank.
    """
    n = len(boxes)
    remaining = np.argsort(group * n + rank, kind="stable")  # (R,) by group, then best first
    kept = []
    # Compare in float64 as torchvision does (float32 IoU vs a double threshold): np.float64 is a "strong"
    # scalar, so a float32 IoU is promoted instead of the threshold being rounded to float32.
    threshold = np.float64(iou_threshold)
    while remaining.size:
        g = group[remaining]
        is_head = np.ones(len(g), dtype=bool)
        is_head[1:] = g[1:] != g[:-1]  # the first remaining box of each group is kept
        heads = remaining[is_head]
        kept.append(heads)
        head_of = heads[np.cumsum(is_head) - 1]  # (R,) the head of each box's group
        iou = paired_box_iou(boxes[head_of], boxes[remaining])  # (R,) one pair per remaining box
        remaining = remaining[~is_head & ~(iou > threshold)]
    kept = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    return kept[np.argsort(rank[kept], kind="stable")]


# --- the public functions ---------------------------------------------------------------------------

def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression, as ``torchvision.ops.nms``.

    Repeatedly keep the highest-scoring remaining box and discard every remaining box whose IoU with it
    is strictly greater than ``iou_threshold``.

    Args:
        boxes: ``(N, 4)`` xyxy boxes (float32 is computed in float32, like torchvision).
        scores: ``(N,)`` scores; NaN is rejected. Ties: the lower index ranks first (stable order).
        iou_threshold: in ``[0, 1]``. ``1.0`` keeps every box (an IoU is never above 1).

    Returns:
        ``(K,)`` int64 indices of the kept boxes, by decreasing score. Empty input -> empty array.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    rank = np.empty(len(boxes), dtype=np.int64)
    rank[_rank_by_score(scores)] = np.arange(len(boxes))
    return _greedy_by_group(boxes, rank, disjoint_groups(boxes), iou_threshold)


def batched_nms(boxes, scores, labels, iou_threshold):
    """Per-class NMS, as ``torchvision.ops.batched_nms``: boxes with different labels never suppress each other.

    Args:
        boxes: ``(N, 4)`` xyxy boxes.
        scores: ``(N,)`` scores (NaN rejected; ties: lower index first).
        labels: ``(N,)`` integer class (or image, or (image, class) pair encoded as one integer) of each box.
        iou_threshold: in ``[0, 1]``.

    Returns:
        ``(K,)`` int64 indices of the kept boxes, by decreasing score.

    Labels are handled exactly, by grouping (no coordinate offsets, so no rounding): see
    :func:`offset_boxes` for torchvision's coordinate-offset trick and why it needs care.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(boxes):
        raise ValueError(f"labels must have shape (N,) with N = len(boxes) = {len(boxes)}, got {labels.shape}")
    if labels.dtype.kind not in "iub":
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    rank = np.empty(len(boxes), dtype=np.int64)
    rank[_rank_by_score(scores)] = np.arange(len(boxes))
    return _greedy_by_group(boxes, rank, disjoint_groups(boxes, labels), iou_threshold)


def offset_boxes(boxes, labels, dtype=np.float64):
    """torchvision's coordinate-offset trick for per-class NMS: shift each class to its own region.

    Returns ``(N, 4)`` boxes in ``dtype``, moved by ``label * (span + 1)`` along both axes, where ``span``
    is the coordinate range; boxes of different labels then cannot overlap, and one class-agnostic
    :func:`nms` does per-class NMS. (torchvision uses ``max_coordinate + 1``, which assumes coordinates
    >= -1; the span works for any coordinates.) The shift adds large numbers to small ones: in float32
    (24-bit mantissa) a coordinate of a high label is rounded to a step of several pixels or more, the IoU
    changes and so can the result. ``notebooks/02_nms.ipynb`` shows such a failure; float64 is safe
    while ``label * span`` stays far below 2**53.
    """
    boxes = as_boxes(boxes, "boxes").astype(dtype)
    labels = np.asarray(labels)
    if len(boxes) == 0:
        return boxes
    span = boxes.max() - boxes.min()
    offsets = labels.astype(dtype) * (span + dtype(1))  # (N,)
    return boxes - boxes.min() + offsets[:, None]


def soft_nms(boxes, scores, method="gaussian", sigma=0.5, iou_threshold=0.3, score_threshold=0.001):
    """Soft-NMS (Bodla et al., ICCV 2017): decay the scores of overlapping boxes instead of removing them.

    Repeatedly pick the box with the highest *current* score ``s_m``, keep it, and rescale every remaining
    score ``s_i`` by a factor of its IoU with the picked box ``M``:

    * ``"linear"``:   ``s_i <- s_i * (1 - IoU(M, b_i))`` if ``IoU(M, b_i) > iou_threshold`` (``N_t``), else unchanged;
    * ``"gaussian"``: ``s_i <- s_i * exp(-IoU(M, b_i)**2 / sigma)`` for every remaining box.

    Boxes whose score falls below ``score_threshold`` are dropped. Ties: the lower index first.

    Returns:
        ``(keep, new_scores)``: ``(K,)`` int64 indices in the order picked (decreasing decayed score)
        and ``(K,)`` float64 decayed scores of those boxes.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    if method not in SOFT_NMS_METHODS:
        raise ValueError(f"method must be one of {SOFT_NMS_METHODS}, got {method!r}")
    if not float(sigma) > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    if np.isnan(float(score_threshold)):
        raise ValueError("score_threshold must not be NaN")
    s = scores.copy()  # current (decayed) scores
    remaining = np.flatnonzero(s >= score_threshold)
    keep, new_scores = [], []
    while remaining.size:
        m = remaining[np.argmax(s[remaining])]  # argmax returns the first maximum: lower index on ties
        keep.append(m)
        new_scores.append(s[m])
        remaining = remaining[remaining != m]
        iou = box_iou(boxes[m:m + 1], boxes[remaining])[0]  # (R,)
        if method == "linear":
            s[remaining] *= np.where(iou > iou_threshold, 1.0 - iou, 1.0)
        else:
            s[remaining] *= np.exp(-(iou**2) / sigma)
        remaining = remaining[s[remaining] >= score_threshold]
    return np.array(keep, dtype=np.int64), np.array(new_scores, dtype=np.float64)
