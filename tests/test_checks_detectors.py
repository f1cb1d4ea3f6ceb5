"""The whiteboard checkers of notebooks 06 and 07: box deltas (check_encode_boxes, check_decode_boxes) and tiled
detection merged by NMS (check_tiled_detection). The notebooks' folded solutions pass; typical mistakes fail on the
case that names them."""

import math

import numpy as np
import pytest

from utils import detectors
from utils.checks import check_decode_boxes, check_encode_boxes, check_tiled_detection
from utils.checks.detectors import (decode_boxes_cases, encode_boxes_cases, reference_detect_tiled,
                                    tiled_detection_cases, whole_object_detector)


def _centres(boxes):
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + w / 2, boxes[:, 1] + h / 2, w, h


def whiteboard_encode(anchors, boxes, weights=(1.0, 1.0, 1.0, 1.0), mistake=None):
    """The notebook's folded solution, with switches for typical mistakes."""
    wx, wy, ww, wh = (1.0, 1.0, 1.0, 1.0) if mistake == "no weights" else weights
    ax, ay, aw, ah = _centres(np.asarray(anchors, float))
    gx, gy, gw, gh = _centres(np.asarray(boxes, float))
    if mistake == "corners":
        gx, gy, ax, ay = np.asarray(boxes, float)[:, 0], np.asarray(boxes, float)[:, 1], anchors[:, 0], anchors[:, 1]
    dw, dh = (gw / aw, gh / ah) if mistake == "no log" else (np.log(gw / aw), np.log(gh / ah))
    if mistake == "pixels":
        return np.stack([wx * (gx - ax), wy * (gy - ay), ww * dw, wh * dh], axis=1)
    return np.stack([wx * (gx - ax) / aw, wy * (gy - ay) / ah, ww * dw, wh * dh], axis=1)


def whiteboard_decode(anchors, deltas, weights=(1.0, 1.0, 1.0, 1.0), mistake=None):
    wx, wy, ww, wh = (1.0, 1.0, 1.0, 1.0) if mistake == "no weights" else weights
    ax, ay, aw, ah = _centres(np.asarray(anchors, float))
    deltas = np.asarray(deltas, float)
    clip = math.inf if mistake == "no clamp" else math.log(1000 / 16)
    x, y = ax + aw * deltas[:, 0] / wx, ay + ah * deltas[:, 1] / wy
    with np.errstate(over="ignore"):
        w, h = aw * np.exp(np.minimum(deltas[:, 2] / ww, clip)), ah * np.exp(np.minimum(deltas[:, 3] / wh, clip))
    if mistake == "corner anchored":  # keeps x1 where the centre should be
        return np.stack([x - aw / 2, y - ah / 2, x - aw / 2 + w, y - ah / 2 + h], axis=1)
    return np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], axis=1)


def failures(report):
    return set(report.failures)


def test_the_library_and_the_whiteboard_solutions_pass():
    assert check_encode_boxes(detectors.encode_boxes).passed
    assert check_decode_boxes(detectors.decode_boxes).passed
    assert check_encode_boxes(whiteboard_encode).passed
    assert check_decode_boxes(whiteboard_decode).passed


@pytest.mark.parametrize("mistake, case", [
    ("pixels", "centre moved right by half a width"),
    ("no log", "twice as wide, same centre"),
    ("corners", "anchor away from the origin"),
    ("no weights", "box-head weights (10, 10, 5, 5)"),
])
def test_typical_encoding_mistakes_fail_where_expected(mistake, case):
    report = check_encode_boxes(lambda a, b, w: whiteboard_encode(a, b, w, mistake))
    assert case in failures(report), str(report)


@pytest.mark.parametrize("mistake, case", [
    ("no clamp", "a huge dw is clamped"),
    ("no weights", "box-head weights (10, 10, 5, 5)"),
    ("corner anchored", "dw = log 2 doubles the width about the centre"),
])
def test_typical_decoding_mistakes_fail_where_expected(mistake, case):
    report = check_decode_boxes(lambda a, d, w: whiteboard_decode(a, d, w, mistake))
    assert case in failures(report), str(report)
    assert "hint:" in str(report)


def test_every_case_is_consistent():
    for case in encode_boxes_cases():
        np.testing.assert_allclose(detectors.encode_boxes(*case.args), case.expected, atol=1e-12)
    for case in decode_boxes_cases():
        np.testing.assert_allclose(detectors.decode_boxes(*case.args), case.expected, atol=1e-9)


# --- notebook 07: tile, detect, shift back, merge --------------------------------------------------------------------

def whiteboard_tiled(image, detect, tile, overlap, iou_threshold, mistake=None):
    """The notebook's folded solution (plain numpy), with switches for typical mistakes."""
    H, W = image.shape[:2]
    step = tile - overlap

    def starts(length):
        if length <= tile:
            return [0]
        if mistake == "no last tile":
            return list(range(0, length - tile, step))
        return sorted(set(range(0, length - tile, step)) | {length - tile})

    boxes, scores = [np.zeros((0, 4))], [np.zeros(0)]
    for y in starts(H):
        for x in starts(W):
            b, s = detect(image[y:y + tile, x:x + tile])
            shift = {"no shift": [0, 0, 0, 0], "swapped": [y, x, y, x]}.get(mistake, [x, y, x, y])
            boxes.append(np.asarray(b, float).reshape(-1, 4) + shift)
            scores.append(np.asarray(s, float))
    boxes, scores = np.concatenate(boxes), np.concatenate(scores)
    if mistake == "no nms":
        return boxes, scores
    order, keep = np.argsort(-scores, kind="stable"), []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.clip(np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0]), 0, None)
        h = np.clip(np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1]), 0, None)
        iou = w * h / (area[i] + area[rest] - w * h)
        order = rest[iou <= iou_threshold]
    return boxes[keep], scores[keep]


def test_tiled_reference_and_whiteboard_pass():
    assert check_tiled_detection(reference_detect_tiled).passed
    assert check_tiled_detection(whiteboard_tiled).passed


@pytest.mark.parametrize("mistake, case", [
    ("no shift", "object in a tile to the right"),
    ("swapped", "object in a tile below"),
    ("no nms", "object in the overlap of two tiles"),
    ("no last tile", "object at the right border"),
])
def test_typical_tiling_mistakes_fail_where_expected(mistake, case):
    report = check_tiled_detection(lambda *args: whiteboard_tiled(*args, mistake=mistake))
    assert case in failures(report), str(report)


def test_tiled_cases_see_every_object_whole_somewhere():
    # the expected answers are not vacuous: every drawn object is found exactly once
    for case in tiled_detection_cases():
        image = case.args[0]
        assert len(case.expected[0]) == len(np.unique(image[image > 0]))


def test_whole_object_detector_skips_cut_objects():
    crop = np.zeros((10, 10), np.int64)
    crop[2:5, 3:6] = 1  # whole
    crop[0:4, 7:9] = 2  # touches the top border: cut
    boxes, scores = whole_object_detector(crop)
    assert boxes.tolist() == [[3, 2, 6, 5]] and scores.tolist() == [0.95]
