"""Checker for the whiteboard exercise of ``notebooks/17_face_detection.ipynb``: decode one anchor-free branch.

The reader writes ``fn(scores, offsets, start, stride, scale, threshold) -> (boxes, kept)``, LFFD's decoding
(the authors' ``predict.py``): unit ``(row, col)`` has its RF centre at ``cx = start + col * stride``,
``cy = start + row * stride``; a unit with ``score > threshold`` gives the box
``(cx - t1 C, cy - t2 C, cx - t3 C, cy - t4 C)`` with ``C = scale / 2``; boxes ``(N, 4)`` and scores ``(N,)`` in
row-major order of the units, ``(0, 4)`` and ``(0,)`` when no unit passes.
"""

import numpy as np

from utils.checks.core import Case, run_cases


def _decode(scores, offsets, start, stride, scale, threshold):
    # The reference, written out here (not imported from utils.blocks.lffd) so the check is independent of it.
    boxes, kept = [], []
    for row in range(scores.shape[0]):
        for col in range(scores.shape[1]):
            if scores[row, col] > threshold:
                cx, cy, C = start + col * stride, start + row * stride, scale / 2
                t = offsets[:, row, col]
                boxes.append([cx - t[0] * C, cy - t[1] * C, cx - t[2] * C, cy - t[3] * C])
                kept.append(scores[row, col])
    return np.array(boxes, dtype=float).reshape(-1, 4), np.array(kept, dtype=float)


def _case(name, scores, offsets, start, stride, scale, threshold, hint):
    scores, offsets = np.asarray(scores, float), np.asarray(offsets, float)
    args = (scores, offsets, start, stride, scale, threshold)
    return Case(name, args, _decode(*args), hint)


def decode_cases():
    """Cases for ``fn(scores, offsets, start, stride, scale, threshold) -> (boxes, kept)``."""
    one = np.array([0.5, 0.5, -0.5, -0.5]).reshape(4, 1, 1)
    grid = np.zeros((2, 3))
    grid[1, 2] = 0.9
    offsets23 = np.tile(np.array([0.2, 0.4, -0.6, -0.8]).reshape(4, 1, 1), (1, 2, 3))
    rng = np.random.default_rng(0)
    return [
        _case("one unit: a box centred on the RF centre", [[0.9]], one, 3, 4, 20, 0.5,
              "cx = cy = start for unit (0, 0); C = scale / 2 = 10, so offsets of +-0.5 reach 5 px from the centre."),
        _case("unit (row 1, col 2): x from the column, y from the row", grid, offsets23, 7, 8, 40, 0.5,
              "cx = start + col * stride and cy = start + row * stride: rows are y, columns are x."),
        _case("offsets of +-1 span the normalisation size", [[0.7]], np.array([1.0, 1, -1, -1]).reshape(4, 1, 1),
              15, 16, 110, 0.5, "C is scale / 2, not scale: t = +-1 puts the sides at cx -+ 55 for scale 110."),
        _case("right and bottom sides: x2 = cx - t3 * C", [[0.8]], np.array([0.1, 0.3, -0.9, -0.2]).reshape(4, 1, 1),
              3, 4, 15, 0.5, "every side is cx (or cy) MINUS t * C; t3 and t4 are negative for a box around the centre."),
        _case("the threshold is strict", [[0.5, 0.6]], np.zeros((4, 1, 2)), 3, 4, 15, 0.5,
              "keep score > threshold: a score equal to the threshold is dropped."),
        _case("no unit above the threshold: empty (0, 4) and (0,)", np.full((2, 2), 0.1), np.zeros((4, 2, 2)),
              3, 4, 15, 0.5, "return np.zeros((0, 4)) and np.zeros(0) when nothing passes."),
        _case("several units, in row-major order", [[0.9, 0.8], [0.7, 0.95]], rng.normal(size=(4, 2, 2)),
              31, 32, 250, 0.5, "visit the units row by row (np.nonzero order) and return each unit's own score."),
        _case("LFFD branch 1 on a 5x6 map", rng.uniform(size=(5, 6)), rng.normal(size=(4, 5, 6)), 3, 4, 15, 0.6,
              "branch 1: start 3, stride 4, scale 15 (its largest face)."),
    ]


def check_decode_branch(fn):
    """Check ``fn(scores, offsets, start, stride, scale, threshold) -> (boxes, kept)`` (see the module docstring)."""
    return run_cases(fn, decode_cases())
