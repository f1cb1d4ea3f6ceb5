"""Hypothesis strategies for malformed and extreme inputs, shared by the robustness tests.

Module-specific strategies live in that module's test file; the generic ones are here.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Values that are not a number in [0, 1]: what a threshold, a probability or a fraction must refuse.
BAD_UNIT_INTERVAL = (None, float("nan"), float("inf"), -0.1, 1.5, "0.5", [0.5], np.array([0.2, 0.3]))

#: Values that are not a positive count.
BAD_COUNTS = (None, 0, -1, 2.5, float("nan"), "3", True)

#: Dtypes no numeric function should accept as numbers.
BAD_DTYPES = (np.bool_, np.complex128, np.object_, np.str_)


def wrong_shapes(last=4):
    """Shapes that are not ``(N, last)``: 1-D, 3-D, and 2-D with the wrong last axis (never empty)."""
    return st.one_of(
        st.tuples(st.integers(1, 5)),
        st.tuples(st.integers(1, 4), st.integers(1, 6).filter(lambda k: k != last)),
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    )


@st.composite
def valid_boxes(draw, n=st.integers(0, 12), dtype=np.float64, scale=1000.0):
    """``(N, 4)`` xyxy boxes with ``x1 <= x2`` and ``y1 <= y2`` (zero-area boxes included)."""
    count = draw(n)
    corner = draw(hnp.arrays(dtype, (count, 2), elements=st.floats(0, scale, width=32)))
    size = draw(hnp.arrays(dtype, (count, 2), elements=st.floats(0, scale, width=32)))
    return np.concatenate([corner, corner + size], axis=1).astype(dtype)


@st.composite
def boxes_with_a_flaw(draw, n=st.integers(1, 8)):
    """Valid-shaped float boxes with one flaw: a NaN, an inf, or ``x2 < x1`` / ``y2 < y1``. Returns (boxes, flaw)."""
    boxes = draw(valid_boxes(n=n))
    row = draw(st.integers(0, len(boxes) - 1))
    flaw = draw(st.sampled_from(["nan", "inf", "-inf", "x2<x1", "y2<y1"]))
    boxes = boxes.copy()
    if flaw == "nan":
        boxes[row, draw(st.integers(0, 3))] = np.nan
    elif flaw in ("inf", "-inf"):
        boxes[row, draw(st.integers(0, 3))] = float(flaw)
    elif flaw == "x2<x1":
        boxes[row, 2] = boxes[row, 0] - 1.0
    else:
        boxes[row, 3] = boxes[row, 1] - 1.0
    return boxes, flaw


@st.composite
def huge_boxes(draw, dtype=np.float32, n=st.integers(1, 6)):
    """Valid boxes whose areas overflow ``dtype`` if multiplied in it (coordinates near sqrt(max))."""
    big = float(np.sqrt(np.finfo(dtype).max)) * 4
    count = draw(n)
    x1 = draw(hnp.arrays(np.float64, (count,), elements=st.floats(0, big / 4)))
    w = draw(hnp.arrays(np.float64, (count,), elements=st.floats(big / 2, big)))
    boxes = np.stack([x1, x1, x1 + w, x1 + w], axis=1)
    return boxes.astype(dtype)


def arrays_of(dtype, shape):
    """Any array of ``dtype`` and ``shape`` (NaN and inf included for floats)."""
    return hnp.arrays(dtype, shape)
