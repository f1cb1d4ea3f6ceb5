"""utils.checks.faces: LFFD's decoding passes (the library's and the notebook's), the usual slips fail."""

import numpy as np

from utils.blocks.lffd import decode_branch
from utils.checks.faces import check_decode_branch, decode_cases


def reference(scores, offsets, start, stride, scale, threshold):  # the notebook's folded reference solution
    rows, cols = np.nonzero(scores > threshold)
    cx, cy = start + stride * cols, start + stride * rows
    C = scale / 2
    t = offsets[:, rows, cols]
    boxes = np.stack([cx - t[0] * C, cy - t[1] * C, cx - t[2] * C, cy - t[3] * C], axis=1)
    return boxes.reshape(-1, 4), scores[rows, cols]


def test_reference_and_library_pass():
    assert check_decode_branch(reference).passed
    assert check_decode_branch(decode_branch).passed
    assert len(decode_cases()) == 8


def test_rows_and_columns_swapped_fail():
    def swapped(scores, offsets, start, stride, scale, threshold):
        rows, cols = np.nonzero(scores > threshold)
        cx, cy = start + stride * rows, start + stride * cols  # the slip: x taken from the row
        t, C = offsets[:, rows, cols], scale / 2
        return np.stack([cx - t[0] * C, cy - t[1] * C, cx - t[2] * C, cy - t[3] * C], axis=1), scores[rows, cols]

    report = check_decode_branch(swapped)
    assert "unit (row 1, col 2): x from the column, y from the row" in report.failures


def test_forgetting_half_the_scale_fails():
    def full_scale(scores, offsets, start, stride, scale, threshold):
        return reference(scores, offsets, start, stride, 2 * scale, threshold)

    report = check_decode_branch(full_scale)
    assert "offsets of +-1 span the normalisation size" in report.failures
    assert "the threshold is strict" in [c.name for c in decode_cases()] and not report.passed


def test_non_strict_threshold_fails_only_where_it_matters():
    def at_least(scores, offsets, start, stride, scale, threshold):
        return reference(scores, offsets, start, stride, scale, threshold - 1e-12)

    assert check_decode_branch(at_least).failures == ["the threshold is strict"]


def test_stub_is_not_implemented():
    def stub(scores, offsets, start, stride, scale, threshold):
        raise NotImplementedError

    assert "not implemented yet" in str(check_decode_branch(stub))
