"""utils.blocks.lffd box coding: encode_face and decode_branch invert each other, and follow the released code."""

import numpy as np
import pytest

from utils.blocks.lffd import decode_branch, encode_face
from utils.data.detector_facts import LFFD_V1_BRANCHES as B


@pytest.mark.parametrize("branch", range(8))
def test_encode_then_decode_returns_the_face_from_every_positive_unit(branch):
    rng = np.random.default_rng(branch)
    start, stride, n = B["centre_start"][branch], B["stride"][branch], B["feature_map_640"][branch]
    lo, hi = B["face_min"][branch], B["face_max"][branch]
    for _ in range(5):
        side = rng.uniform(lo, hi, size=2)
        x1, y1 = rng.uniform(0, 640 - side)
        box = np.array([x1, y1, x1 + side[0], y1 + side[1]])
        positive, targets = encode_face(box, start, stride, (n, n), hi)
        assert positive.sum() >= 1  # stride <= smallest face: some RF centre is always inside
        boxes, kept = decode_branch(positive.astype(float), targets, start, stride, hi, threshold=0.5)
        assert len(boxes) == positive.sum() and np.allclose(boxes, box) and np.all(kept == 1)


def test_positive_units_are_the_rf_centres_inside_the_box():
    positive, targets = encode_face([3, 3, 11, 7], 3, 4, (3, 4), 15)
    assert positive.tolist() == [[True, True, True, False], [True, True, True, False], [False] * 4]
    assert np.allclose(targets[:, 0, 0], [0, 0, -8 / 7.5, -4 / 7.5]) and np.all(targets[:, 2] == 0)


def test_decode_matches_the_authors_formula_and_handles_nothing():
    scores = np.array([[0.2, 0.9], [0.95, 0.1]])
    offsets = np.arange(16, dtype=float).reshape(4, 2, 2) / 10
    boxes, kept = decode_branch(scores, offsets, 7, 8, 40)
    C = 20
    expected = [[15 - 0.1 * C, 7 - 0.5 * C, 15 - 0.9 * C, 7 - 1.3 * C], [7 - 0.2 * C, 15 - 0.6 * C, 7 - 1.0 * C, 15 - 1.4 * C]]
    assert np.allclose(boxes, expected) and kept.tolist() == [0.9, 0.95]
    boxes, kept = decode_branch(np.zeros((0, 0)), np.zeros((4, 0, 0)), 3, 4, 15)
    assert boxes.shape == (0, 4) and kept.shape == (0,)


@pytest.mark.parametrize("call, argument", [
    (lambda: decode_branch(np.zeros(3), np.zeros((4, 3)), 3, 4, 15), "scores"),
    (lambda: decode_branch(np.zeros((2, 2)), np.zeros((4, 2, 3)), 3, 4, 15), "offsets"),
    (lambda: decode_branch(np.zeros((2, 2)), np.zeros((4, 2, 2)), 3, 0, 15), "stride"),
    (lambda: decode_branch(np.zeros((2, 2)), np.zeros((4, 2, 2)), 3, 4, -1), "scale"),
    (lambda: encode_face([5, 5, 1, 9], 3, 4, (2, 2), 15), "box"),
    (lambda: encode_face([1, 1, 5, 5], np.nan, 4, (2, 2), 15), "start"),
    (lambda: encode_face([1, 1, 5, 5], 3, 4, (2.5, 2), 15), "size"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()
