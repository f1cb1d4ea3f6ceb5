"""Index arithmetic for ragged arrays: groups of different lengths stored one after another in one flat array.

Group ``g`` holds ``counts[g]`` elements; in the flat array it starts at ``np.cumsum(counts)[g] - counts[g]``.
Both helpers replace a Python loop over the groups with two numpy calls. Used by the NMS fast path
(``utils/_nms_grid.py``) and by the COCO matcher (``utils/metrics/coco.py``).
"""

import numpy as np


def ranks_in_groups(counts):
    """Each element's position inside its group: ``0, 1, ..., counts[0] - 1, 0, 1, ..., counts[1] - 1, ...``.

    ``counts``: ``(G,)`` non-negative integers. Returns ``(counts.sum(),)`` int64. Example: ``[2, 0, 3]`` ->
    ``[0, 1, 0, 1, 2]``. The same as ``np.concatenate([np.arange(c) for c in counts])``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts) - counts  # (G,) where each group begins in the flat array
    return np.arange(counts.sum()) - np.repeat(starts, counts)


def concat_ranges(starts, ends):
    """``np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])``, without a Python loop.

    ``starts``, ``ends``: ``(G,)`` integers with ``starts <= ends``. Returns ``(sum(ends - starts),)`` int64.
    It is :func:`ranks_in_groups` of the lengths plus each range's start, written with one ``np.repeat``.
    """
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(ends, dtype=np.int64) - starts
    return np.arange(lengths.sum()) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
