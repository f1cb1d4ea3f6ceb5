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

The whole algorithm is :func:`_greedy_steps` (ten lines). :func:`nms` and :func:`batched_nms` run it as it
is on small inputs; on large ones they run the same algorithm made fast (``utils/_nms_grid.py``: it
compares a box with its neighbours only and decides boxes in blocks), which gives exactly the same result.
The IoU is the one of :func:`utils.boxes.box_iou`, from the same kernel, so a pair at IoU exactly equal to
the threshold is decided the same way everywhere.
"""

import sys

import numpy as np

from utils import _nms_grid
from utils.boxes import _check_number, _iou, _real_array, _upcast, as_boxes

SOFT_NMS_METHODS = ("linear", "gaussian")

#: Up to this many boxes, :func:`nms` runs the plain loop; above, the grid is faster (benchmarks/bench_nms.py).
LOOP_MAX_BOXES = 64


# --- validation ---------------------------------------------------------------------------------------

def _check_inputs(boxes, scores, iou_threshold):
    """``boxes`` ``(N, 4)`` (see :func:`utils.boxes.as_boxes`), ``scores`` ``(N,)`` as float64 without NaN,
    ``iou_threshold`` a float in [0, 1]; a ``TypeError``/``ValueError`` naming the argument otherwise."""
    boxes = as_boxes(boxes, "boxes")
    scores = _real_array(scores, "scores")
    if scores.shape != (len(boxes),):
        raise ValueError(f"scores must have shape (N,) with N = len(boxes) = {len(boxes)}, got {scores.shape}")
    scores = scores.astype(np.float64)
    if np.isnan(scores).any():
        raise ValueError(f"scores must not contain NaN (first at index {int(np.flatnonzero(np.isnan(scores))[0])})")
    iou_threshold = _check_number(iou_threshold, "iou_threshold", "a number in [0, 1]", 0, 1)
    return boxes, scores, iou_threshold


def _check_labels(labels, n):
    """``labels`` as an ``(n,)`` integer array; ``TypeError``/``ValueError`` naming ``labels`` otherwise."""
    labels = _real_array(labels, "labels")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape (N,) with N = len(boxes) = {n}, got {labels.shape}")
    if labels.dtype.kind not in "iu" and n > 0:
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    return labels.astype(np.int64, copy=False)


# --- the algorithm ------------------------------------------------------------------------------------

def _greedy_steps(boxes, scores, labels, iou_threshold, suppress_at_threshold=False):
    """Greedy NMS, one kept box at a time: yields ``(i, suppressed, remaining)``, indices into ``boxes``.

    Rank the boxes by score; keep the best remaining box ``i``; suppress the remaining boxes of its label
    whose IoU with it is above the threshold (at or above, with ``suppress_at_threshold``); repeat.
    """
    (boxes,), dtype, _ = _upcast(boxes)  # products computed where they cannot overflow (utils.boxes)
    x1, y1, x2, y2 = boxes.T
    threshold = np.float64(iou_threshold)  # a float32 IoU is compared in float64, as torchvision does
    remaining = np.argsort(-scores, kind="stable")  # best first; ties: the lower index first
    while remaining.size:
        i, rest = remaining[0], remaining[1:]
        iou = _iou((x1[i], y1[i], x2[i], y2[i]), (x1[rest], y1[rest], x2[rest], y2[rest]), dtype)  # (R,)
        overlaps = iou >= threshold if suppress_at_threshold else iou > threshold
        overlaps &= labels[rest] == labels[i]
        remaining = rest[~overlaps]
        yield i, rest[overlaps], remaining


def _nms(boxes, scores, labels, iou_threshold):
    """The kept indices, best first: :func:`_greedy_steps` on small inputs, the grid fast path on large ones."""
    if len(boxes) <= LOOP_MAX_BOXES:
        return np.array([i for i, _, _ in _greedy_steps(boxes, scores, labels, iou_threshold)], dtype=np.int64)
    order = np.argsort(-scores, kind="stable")
    (boxes,), dtype, _ = _upcast(boxes[order])
    group = np.unique(labels[order], return_inverse=True)[1].ravel()  # labels as 0, 1, 2, ... (small grid keys)
    return order[_nms_grid.greedy(boxes, group, iou_threshold, dtype)]


# --- the public functions -----------------------------------------------------------------------------

def nms(boxes, scores, iou_threshold):
    """Greedy non-maximum suppression, as ``torchvision.ops.nms``.

    Repeatedly keep the highest-scoring remaining box and discard every remaining box whose IoU with it
    is strictly greater than ``iou_threshold``.

    Args:
        boxes: ``(N, 4)`` xyxy boxes (float32 is computed in float32, like torchvision).
        scores: ``(N,)`` real scores; NaN is rejected. Ties: the lower index ranks first (stable order).
        iou_threshold: in ``[0, 1]``. ``1.0`` keeps every box (an IoU is never above 1).

    Returns:
        ``(K,)`` int64 indices of the kept boxes, by decreasing score. Empty input -> empty array.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    return _nms(boxes, scores, np.zeros(len(boxes), dtype=np.int64), iou_threshold)


def batched_nms(boxes, scores, labels, iou_threshold):
    """Per-class NMS, as ``torchvision.ops.batched_nms``: boxes with different labels never suppress each other.

    Args:
        boxes: ``(N, 4)`` xyxy boxes.
        scores: ``(N,)`` scores (NaN rejected; ties: lower index first).
        labels: ``(N,)`` integer class (or image, or (image, class) pair encoded as one integer) of each box.
        iou_threshold: in ``[0, 1]``.

    Returns:
        ``(K,)`` int64 indices of the kept boxes, by decreasing score. Empty input -> empty array.

    Labels are handled exactly, inside the algorithm (no coordinate offsets, so no rounding): see
    :func:`offset_boxes` for torchvision's coordinate-offset trick and why it needs care.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    labels = _check_labels(labels, len(boxes))
    return _nms(boxes, scores, labels, iou_threshold)


def textbook_nms(boxes, scores, iou_threshold, plus_one=False, suppress_at_threshold=False):
    """The classic loop: sort by score; keep the top box; drop the remaining boxes that overlap it; repeat.

    One round of numpy calls per kept box, each over all remaining boxes (:func:`_greedy_steps`). With the
    defaults the result equals :func:`nms`. Two switches reproduce conventions still found in old code
    (``notebooks/02_nms.ipynb`` measures them):

    * ``plus_one=True``: widths and heights ``x2 - x1 + 1`` (integer pixel indices, Pascal VOC era);
    * ``suppress_at_threshold=True``: keep only ``IoU < threshold``, so an IoU *equal* to the threshold
      suppresses (torchvision keeps it: it suppresses only IoU strictly above the threshold).
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    if plus_one:  # x2 + 1 and y2 + 1: every width, height and intersection grows by one pixel
        boxes = boxes + np.array([0, 0, 1, 1], dtype=boxes.dtype)
    labels = np.zeros(len(boxes), dtype=np.int64)
    steps = _greedy_steps(boxes, scores, labels, iou_threshold, suppress_at_threshold)
    return np.array([i for i, _, _ in steps], dtype=np.int64)


def nms_steps(boxes, scores, iou_threshold):
    """Greedy NMS one kept box at a time, for drawing each step (``notebooks/02_nms.ipynb``).

    Returns a list of ``K + 1`` dicts (``K`` = boxes kept). Step 0 is the input; step ``k`` has just kept
    its ``current`` box and suppressed ``newly_suppressed`` with it. Each step holds int64 index arrays
    ``kept`` (best first), ``suppressed``, ``newly_suppressed``, ``remaining`` (best first) and ``current``
    (an int, or ``None`` at step 0). The last step's ``kept`` equals :func:`nms`.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    empty = np.zeros(0, dtype=np.int64)
    remaining = np.argsort(-scores, kind="stable")
    kept, suppressed = [], empty
    steps = [dict(current=None, kept=empty, suppressed=empty, newly_suppressed=empty, remaining=remaining)]
    for i, newly, remaining in _greedy_steps(boxes, scores, np.zeros(len(boxes), dtype=np.int64), iou_threshold):
        kept.append(int(i))
        suppressed = np.concatenate([suppressed, newly])
        steps.append(dict(current=int(i), kept=np.array(kept, dtype=np.int64), suppressed=suppressed,
                          newly_suppressed=newly, remaining=remaining))
    return steps


def offset_boxes(boxes, labels, dtype=np.float64):
    """torchvision's coordinate-offset trick for per-class NMS: shift each class to its own region.

    Returns ``(N, 4)`` boxes in the float ``dtype``, moved by ``label * (span + 1)`` along both axes, where
    ``span`` is the coordinate range; boxes of different labels then cannot overlap, and one class-agnostic
    :func:`nms` does per-class NMS. (torchvision uses ``max_coordinate + 1``, which assumes coordinates
    >= -1; the span works for any coordinates.) The shift adds large numbers to small ones: in float32
    (24-bit mantissa) a coordinate of a high label is rounded to a step of several pixels or more, the IoU
    changes and so can the result. ``notebooks/02_nms.ipynb`` shows such a failure; float64 is safe
    while ``label * span`` stays far below 2**53. Raises ``ValueError`` if a shifted coordinate does not
    fit ``dtype`` at all.
    """
    try:
        float_dtype = np.dtype(dtype) if dtype is not None else None  # np.dtype(None) would be float64
    except TypeError:
        float_dtype = None
    if float_dtype is None or float_dtype.kind != "f":
        raise TypeError(f"dtype must be a float dtype such as np.float64, got {dtype!r}")
    dtype = float_dtype
    boxes = as_boxes(boxes, "boxes")
    labels = _check_labels(labels, len(boxes))
    if len(boxes) == 0:
        return boxes.astype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        boxes = boxes.astype(dtype)
        span = boxes.max() - boxes.min()
        offsets = labels.astype(dtype) * (span + dtype.type(1))  # (N,)
        shifted = boxes - boxes.min() + offsets[:, None]
    if not np.isfinite(shifted).all():
        raise ValueError(f"labels * (span + 1) does not fit {dtype} (labels up to {np.abs(labels).max()}, "
                         f"span {float(span):.3g}); use float64 or smaller labels")
    return shifted


def soft_nms(boxes, scores, method="gaussian", sigma=0.5, iou_threshold=0.3, score_threshold=0.001):
    """Soft-NMS (Bodla et al., ICCV 2017): decay the scores of overlapping boxes instead of removing them.

    Repeatedly pick the box with the highest *current* score ``s_m``, keep it, and rescale every remaining
    score ``s_i`` by a factor of its IoU with the picked box ``M``:

    * ``"linear"``:   ``s_i <- s_i * (1 - IoU(M, b_i))`` if ``IoU(M, b_i) > iou_threshold`` (``N_t``), else unchanged;
    * ``"gaussian"``: ``s_i <- s_i * exp(-IoU(M, b_i)**2 / sigma)`` for every remaining box (``sigma > 0``).

    Boxes whose score falls below ``score_threshold`` (any number but NaN) are dropped. Ties: the lower
    index first. Each pick costs one IoU row against the remaining boxes: O(N^2) in all.

    Returns:
        ``(keep, new_scores)``: ``(K,)`` int64 indices in the order picked (decreasing decayed score)
        and ``(K,)`` float64 decayed scores of those boxes.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    if not (isinstance(method, str) and method in SOFT_NMS_METHODS):
        raise ValueError(f"method must be one of {SOFT_NMS_METHODS}, got {method!r}")
    sigma = _check_number(sigma, "sigma", "a finite number > 0", 0, sys.float_info.max, open_low=True)
    score_threshold = _check_number(score_threshold, "score_threshold", "a number (not NaN)")
    (boxes,), dtype, _ = _upcast(boxes)
    x1, y1, x2, y2 = boxes.T
    threshold = np.float64(iou_threshold)
    s = scores.copy()  # current (decayed) scores
    remaining = np.flatnonzero(s >= score_threshold)
    keep, new_scores = [], []
    while remaining.size:
        m = remaining[np.argmax(s[remaining])]  # argmax returns the first maximum: lower index on ties
        keep.append(m)
        new_scores.append(s[m])
        remaining = remaining[remaining != m]
        iou = _iou((x1[m], y1[m], x2[m], y2[m]), (x1[remaining], y1[remaining], x2[remaining], y2[remaining]), dtype)
        if method == "linear":
            s[remaining] *= np.where(iou > threshold, 1.0 - iou, 1.0)
        else:
            s[remaining] *= np.exp(-(iou**2) / sigma)
        remaining = remaining[s[remaining] >= score_threshold]
    return np.array(keep, dtype=np.int64), np.array(new_scores, dtype=np.float64)


# --- element-wise IoU, the comparison NMS makes -----------------------------------------------------------

def paired_box_iou(boxes1, boxes2):
    """Element-wise IoU: ``iou[k] = IoU(boxes1[k], boxes2[k])``. ``boxes1``, ``boxes2``: ``(N, 4)`` xyxy; returns ``(N,)``.

    The diagonal of :func:`utils.boxes.box_iou` without the rest of the matrix: the same kernel, the same
    bits. Two zero-area boxes have IoU 0.
    """
    boxes1, boxes2 = as_boxes(boxes1, "boxes1"), as_boxes(boxes2, "boxes2")
    if len(boxes1) != len(boxes2):
        raise ValueError(f"boxes1 and boxes2 must have the same length, got {len(boxes1)} and {len(boxes2)}")
    (boxes1, boxes2), dtype, _ = _upcast(boxes1, boxes2)
    return _iou(boxes1.T, boxes2.T, dtype)


def paired_iou_above(boxes, a, b, iou_threshold):
    """``IoU(boxes[a[k]], boxes[b[k]]) > iou_threshold`` for each k: the test NMS makes, for index pairs.

    ``boxes``: ``(N, 4)`` xyxy; ``a``, ``b``: ``(P,)`` integer indices in ``[0, N)``; returns ``(P,)`` bool.
    """
    boxes = as_boxes(boxes, "boxes")
    iou_threshold = _check_number(iou_threshold, "iou_threshold", "a number in [0, 1]", 0, 1)
    pairs = []
    for name, index in (("a", a), ("b", b)):
        index = _real_array(index, name)
        if index.ndim != 1 or (index.dtype.kind not in "iu" and index.size):
            raise TypeError(f"{name} must be a 1-D array of integer indices, got dtype {index.dtype} and shape {index.shape}")
        if index.size and (index.min() < 0 or index.max() >= len(boxes)):
            raise ValueError(f"{name} must hold indices in [0, {len(boxes)}), got values from {index.min()} to {index.max()}")
        pairs.append(index.astype(np.int64, copy=False))
    if len(pairs[0]) != len(pairs[1]):
        raise ValueError(f"a and b must have the same length, got {len(pairs[0])} and {len(pairs[1])}")
    (boxes,), dtype, _ = _upcast(boxes)
    return _nms_grid.iou_above(np.ascontiguousarray(boxes.T), *pairs, np.float64(iou_threshold), dtype)
