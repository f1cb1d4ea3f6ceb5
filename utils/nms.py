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
The textbook loop (sort; keep the top box; compute its IoU with *every* remaining box; drop the
overlaps; repeat) runs one round of numpy calls per kept box, and each round touches all remaining
boxes, even those on the far side of the image. Two observations remove most of that work:

* NMS is local: boxes that do not overlap cannot suppress each other. A uniform grid (:class:`_Grid`)
  lists, for a box, the boxes that share a grid cell with it: the only ones it can overlap.
* Boxes can be decided in blocks: once every better box is decided, a block of the next boxes is
  decided exactly by a short greedy pass over the pairs *inside* the block that overlap above the
  threshold; then the block's kept boxes suppress the later boxes they overlap, all in one numpy call.

So :func:`_greedy` makes about a dozen vectorised rounds instead of one per kept box, and computes the
IoU of neighbours only. The result is exactly the greedy result. Worst case (all boxes on top of each
other) NMS stays O(N^2), like the textbook loop and torchvision's kernel.
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
    """Element-wise IoU of two ``(4, N)`` arrays of xyxy *columns*: ``iou[i] = IoU(boxes1[:, i], boxes2[:, i])``.

    Columns first (``boxes.T``), so each coordinate is a contiguous ``(N,)`` array: several times faster
    than strided ``boxes[:, k]`` columns. Returns ``(N,)``.

    The same arithmetic, in the same order, as :func:`utils.boxes.box_iou` (and torchvision's NMS kernel),
    so a pair at IoU exactly equal to a threshold is decided the same way by every function here.
    Two zero-area boxes have IoU 0. Inputs are not validated (internal helper).
    """
    x1a, y1a, x2a, y2a = boxes1
    x1b, y1b, x2b, y2b = boxes2
    inter = np.minimum(x2a, x2b) - np.maximum(x1a, x1b)
    np.maximum(inter, 0, out=inter)
    h = np.minimum(y2a, y2b) - np.maximum(y1a, y1b)
    np.maximum(h, 0, out=h)
    inter *= h
    union = (x2a - x1a) * (y2a - y1a) + (x2b - x1b) * (y2b - y1b) - inter
    iou = np.zeros_like(inter)
    np.divide(inter, union, out=iou, where=union > 0)
    return iou


def paired_iou_above(columns, a, b, threshold):
    """``IoU(box a[k], box b[k]) > threshold`` for each k; ``columns``: ``(4, N)`` coordinates, ``a``, ``b``: ``(P,)``."""
    return paired_box_iou(np.take(columns, a, axis=1), np.take(columns, b, axis=1)) > threshold


def _grid_cells(boxes, cell_size):
    """The cells of a uniform grid that each box touches (closed extents), one row per (box, cell) pair.

    Returns ``(box, col, row)``, three ``(P,)`` int64 arrays: box ``box[p]`` touches cell ``(col[p], row[p])``,
    where cell ``(c, r)`` covers ``[c, c + 1) x [r, r + 1)`` in units of ``cell_size``.
    """
    lo = np.floor(boxes[:, :2] / cell_size).astype(np.int64)  # (N, 2) first column and row
    hi = np.floor(boxes[:, 2:] / cell_size).astype(np.int64)  # (N, 2) last column and row
    n_cols, n_rows = (hi - lo + 1).T
    count = n_cols * n_rows  # (N,) cells per box
    box = np.repeat(np.arange(len(boxes)), count)  # (P,)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)  # (P,) 0, 1, ... within each box
    return box, lo[box, 0] + k % n_cols[box], lo[box, 1] + k // n_cols[box]


def _concat_ranges(starts, ends):
    """``np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])`` without a Python loop."""
    lengths = ends - starts
    return np.arange(lengths.sum()) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)


class _Grid:
    """A uniform grid over the boxes: two boxes that overlap (positive common area) share a cell.

    (The cell of any point inside their intersection is touched by both.) So the boxes a kept box can
    suppress are among the boxes registered in its own cells: no need to look at the rest of the image.
    A key combines (group, row, column) in one int64, so boxes of different groups (classes) never meet.
    """

    def __init__(self, boxes, group, cells_per_box=1.0):
        extent = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])  # (N,)
        span = float(boxes.max() - boxes.min())
        # About the size of a typical box (so a box touches a few cells), but large enough that the biggest
        # box touches at most ~17 x 17 cells and that there are at most 2**16 cells per axis (keys fit int64).
        self.cell_size = max(float(np.median(extent)) * cells_per_box, float(extent.max()) / 16, span / 2**16) or 1.0
        self.origin = boxes.min()
        self.n = int(np.floor(span / self.cell_size)) + 2  # cells per axis
        self.boxes, self.group = boxes, group
        box, key = self.cells(np.arange(len(boxes)))
        order = np.argsort(key, kind="stable")
        self.box, self.key = box[order], key[order]  # (P,) the registered boxes, sorted by key

    def cells(self, index):
        """``(box, key)``, one row per cell touched by each box of ``index``; ``key`` names (group, cell)."""
        which, col, row = _grid_cells(self.boxes[index] - self.origin, self.cell_size)
        box = index[which]
        return box, (self.group[box] * self.n + row) * self.n + col

    def retain(self, keep):
        """Unregister the boxes where the boolean ``(N,)`` mask ``keep`` is False (order stays sorted)."""
        keep = keep[self.box]
        self.box, self.key = self.box[keep], self.key[keep]

    def sorted_cells(self, index):
        """:meth:`cells` of ``index``, sorted by key: a small grid of just these boxes, for :meth:`pairs`."""
        box, key = self.cells(index)
        order = np.argsort(key, kind="stable")
        return box[order], key[order]

    def pairs(self, index, among=None):
        """Pairs ``(i, j)``: ``i`` from ``index``, ``j`` a box sharing a cell (and a group) with it, taken from
        the registered boxes, or from ``among`` (a :meth:`sorted_cells` result). ``(P,)`` int64 each; a pair
        that shares several cells appears several times."""
        i, key = self.cells(index)
        box, keys = (self.box, self.key) if among is None else among
        starts = np.searchsorted(keys, key, side="left")  # the boxes in the same cell: one run of keys
        ends = np.searchsorted(keys, key, side="right")
        return np.repeat(i, ends - starts), box[_concat_ranges(starts, ends)]


def _greedy(boxes, group, iou_threshold, block_size=64, cells_per_box=2.0):
    """Greedy NMS on ``boxes`` already sorted best first; boxes of different ``group`` never interact.

    Works through the boxes in blocks of undecided boxes, best first (64 boxes, then twice as many each
    time, so a few thousand boxes that barely overlap take a few blocks, not one round per box):

    1. inside the block, the pairs that share a grid cell (:class:`_Grid`) and overlap above the
       threshold, and a greedy pass over them in rank order, decide every box of the block exactly
       (every better box is already decided);
    2. the kept boxes of the block then suppress the later boxes they overlap, again found through the
       grid instead of comparing them with every remaining box of the image.

    Returns the positions of the kept boxes, ascending (= best first).
    """
    n = len(boxes)
    alive = np.ones(n, dtype=bool)  # not suppressed (so far)
    grid = _Grid(boxes, group, cells_per_box)
    columns = np.ascontiguousarray(boxes.T)  # (4, N): gathers give contiguous coordinate arrays
    # Compare in float64 as torchvision does (float32 IoU vs a double threshold): np.float64 is a "strong"
    # scalar, so a float32 IoU is promoted instead of the threshold being rounded to float32.
    threshold = np.float64(iou_threshold)
    start = 0
    while True:
        block = start + np.flatnonzero(alive[start:])[:block_size]  # (m,) next undecided boxes, best first
        if block.size == 0:
            break
        start, block_size = block[-1] + 1, 2 * block_size
        # 1. Inside the block: a suppresses b (a ranks above b) if a is kept. Rows with nothing to
        #    suppress never appear, so the Python loop runs only over boxes that overlap a later one.
        a, b = grid.pairs(block, among=grid.sorted_cells(block))
        a, b = a[a < b], b[a < b]
        suppresses = paired_iou_above(columns, a, b, threshold)
        a, b = a[suppresses], b[suppresses]
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
        firsts = np.flatnonzero(np.diff(a, prepend=-1))  # where each suppressor's targets begin
        for suppressor, targets in zip(a[firsts], np.split(b, firsts[1:])):
            if alive[suppressor]:  # still alive when its turn comes: kept
                alive[targets] = False
        kept = block[alive[block]]
        # 2. Later boxes: only the undecided ones that share a cell with a kept box are looked at.
        undecided = alive.copy()
        undecided[:start] = False
        grid.retain(undecided)  # the grid shrinks as boxes are decided
        i, j = grid.pairs(kept)
        alive[j[paired_iou_above(columns, i, j, threshold)]] = False
    return np.flatnonzero(alive)


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
    return _nms_sorted(boxes, scores, np.zeros(len(boxes), dtype=np.int64), iou_threshold)


def _nms_sorted(boxes, scores, group, iou_threshold):
    """Sort best first (stable), run :func:`_greedy`, map the kept positions back to input indices."""
    if len(boxes) == 0:
        return np.zeros(0, dtype=np.int64)
    order = _rank_by_score(scores)  # (N,) input index of the box ranked 0, 1, ...
    return order[_greedy(boxes[order], group[order], iou_threshold)].astype(np.int64)


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
    group = np.unique(labels, return_inverse=True)[1].ravel()  # (N,) labels as 0, 1, 2, ...
    return _nms_sorted(boxes, scores, group, iou_threshold)


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


def textbook_nms(boxes, scores, iou_threshold, plus_one=False, suppress_at_threshold=False):
    """The classic numpy loop, kept as the reference that :func:`nms` is checked and timed against.

    Sort by score; keep the top box; compute its IoU with every remaining box (vectorised); drop the
    overlapping ones; repeat. One round of numpy calls per kept box, each over all remaining boxes.

    Two switches reproduce conventions still found in old code (``notebooks/02_nms.ipynb`` measures them):

    * ``plus_one=True``: widths and heights ``x2 - x1 + 1`` (integer pixel indices, Pascal VOC era);
    * ``suppress_at_threshold=True``: keep only ``IoU < threshold``, so an IoU *equal* to the threshold
      suppresses (torchvision keeps it: it suppresses only IoU strictly above the threshold).

    With both ``False`` (the default) the result equals :func:`nms`.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    x1, y1, x2, y2 = boxes.T
    extra = 1.0 if plus_one else 0.0
    area = (x2 - x1 + extra) * (y2 - y1 + extra)
    order = _rank_by_score(scores)
    keep = []
    while order.size > 0:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + extra)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + extra)
        inter = w * h
        union = area[i] + area[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        survives = iou < iou_threshold if suppress_at_threshold else iou <= np.float64(iou_threshold)
        order = rest[survives]
    return np.array(keep, dtype=np.int64)


def nms_steps(boxes, scores, iou_threshold):
    """Greedy NMS one kept box at a time, for drawing each step (``notebooks/02_nms.ipynb``).

    Returns a list of ``K + 1`` dicts (``K`` = boxes kept). Step 0 is the input; step ``k`` has just kept
    its ``current`` box and suppressed ``newly_suppressed`` with it. Each step holds int64 index arrays
    ``kept`` (best first), ``suppressed``, ``newly_suppressed``, ``remaining`` (best first) and ``current``
    (an int, or ``None`` at step 0). The last step's ``kept`` equals :func:`nms`.
    """
    boxes, scores, iou_threshold = _check_inputs(boxes, scores, iou_threshold)
    empty = np.zeros(0, dtype=np.int64)
    remaining, kept, suppressed = _rank_by_score(scores), [], empty
    steps = [dict(current=None, kept=empty, suppressed=empty, newly_suppressed=empty, remaining=remaining)]
    while remaining.size:
        i, rest = remaining[0], remaining[1:]
        kept.append(int(i))
        iou = box_iou(boxes[i:i + 1], boxes[rest])[0]  # (R,)
        newly = rest[iou > np.float64(iou_threshold)]
        suppressed = np.concatenate([suppressed, newly])
        remaining = rest[~(iou > np.float64(iou_threshold))]
        steps.append(dict(current=int(i), kept=np.array(kept, dtype=np.int64), suppressed=suppressed,
                          newly_suppressed=newly, remaining=remaining))
    return steps
