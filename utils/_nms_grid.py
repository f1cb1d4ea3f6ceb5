"""The fast path of :func:`utils.nms.nms` and :func:`utils.nms.batched_nms`: exact greedy NMS with a grid and blocks.

Read ``utils/nms.py`` first: its readable loop defines the result; this module gives the same result faster
on large inputs (the tests compare the two on random scenes, including exact ties at the threshold).

Why this is fast although it is plain numpy
-------------------------------------------
The textbook loop (sort; keep the top box; compute its IoU with *every* remaining box; drop the
overlaps; repeat) runs one round of numpy calls per kept box, and each round touches all remaining
boxes, even those on the far side of the image. Two observations remove most of that work:

* NMS is local: boxes that do not overlap cannot suppress each other. A uniform grid (:class:`Grid`)
  lists, for a box, the boxes that share a grid cell with it: the only ones it can overlap.
* Boxes can be decided in blocks: once every better box is decided, a block of the next boxes is
  decided exactly by a short greedy pass over the pairs *inside* the block that overlap above the
  threshold; then the block's kept boxes suppress the later boxes they overlap, all in one numpy call.

So :func:`greedy` makes about a dozen vectorised rounds instead of one per kept box, and computes the
IoU of neighbours only. The result is exactly the greedy result. Worst case (all boxes on top of each
other) NMS stays O(N^2), like the textbook loop and torchvision's kernel.
"""

import numpy as np

from utils._ragged import concat_ranges, ranks_in_groups
from utils.boxes import _iou


def grid_cells(boxes, cell_size):
    """The cells of a uniform grid that each box touches (closed extents), one row per (box, cell) pair.

    Returns ``(box, col, row)``, three ``(P,)`` int64 arrays: box ``box[p]`` touches cell ``(col[p], row[p])``,
    where cell ``(c, r)`` covers ``[c, c + 1) x [r, r + 1)`` in units of ``cell_size``.
    """
    lo = np.floor(boxes[:, :2] / cell_size).astype(np.int64)  # (N, 2) first column and row
    hi = np.floor(boxes[:, 2:] / cell_size).astype(np.int64)  # (N, 2) last column and row
    n_cols, n_rows = (hi - lo + 1).T
    count = n_cols * n_rows  # (N,) cells per box
    box = np.repeat(np.arange(len(boxes)), count)  # (P,)
    k = ranks_in_groups(count)  # (P,) 0, 1, ... within each box
    return box, lo[box, 0] + k % n_cols[box], lo[box, 1] + k // n_cols[box]


class Grid:
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
        which, col, row = grid_cells(self.boxes[index] - self.origin, self.cell_size)
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
        return np.repeat(i, ends - starts), box[concat_ranges(starts, ends)]


def iou_above(columns, a, b, threshold, dtype):
    """``IoU(box a[k], box b[k]) > threshold`` for each k. ``columns``: ``(4, N)`` coordinates (contiguous rows:
    gathers give contiguous arrays), ``a``, ``b``: ``(P,)`` indices; the IoU is rounded to ``dtype`` first."""
    return _iou(np.take(columns, a, axis=1), np.take(columns, b, axis=1), dtype) > threshold


def greedy(boxes, group, iou_threshold, dtype, block_size=64, cells_per_box=2.0):
    """Greedy NMS on ``boxes`` already sorted best first; boxes of different ``group`` never interact.

    ``dtype`` is the dtype the IoU is rounded to before the comparison (as :func:`utils.boxes.box_iou` returns it).
    Works through the boxes in blocks of undecided boxes, best first (64 boxes, then twice as many each
    time, so a few thousand boxes that barely overlap take a few blocks, not one round per box):

    1. inside the block, the pairs that share a grid cell (:class:`Grid`) and overlap above the
       threshold, and a greedy pass over them in rank order, decide every box of the block exactly
       (every better box is already decided);
    2. the kept boxes of the block then suppress the later boxes they overlap, again found through the
       grid instead of comparing them with every remaining box of the image.

    Returns the positions of the kept boxes, ascending (= best first).
    """
    n = len(boxes)
    alive = np.ones(n, dtype=bool)  # not suppressed (so far)
    grid = Grid(boxes, group, cells_per_box)
    columns = np.ascontiguousarray(boxes.T)  # (4, N)
    threshold = np.float64(iou_threshold)  # a float32 IoU is compared in float64, as torchvision does
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
        suppresses = iou_above(columns, a, b, threshold, dtype)
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
        alive[j[iou_above(columns, i, j, threshold, dtype)]] = False
    return np.flatnonzero(alive)
