"""The robustness contract (contract.py) for every public function of utils.detectors.

Measured problems of issue 11 pinned by name: ``anchor_grid`` read a flat list ``[w, h, w, h]`` as anchors (now it
needs ``(A, 2)``), ``tile_windows(100, True, 0)`` took ``True`` for a 1-pixel tile and made 10,000 tiles (bools are
refused wherever a count is expected), and ``mosaic`` divided by zero for an image with 0 rows (refused). Sizes and
shifts in ``iou_after_shift`` are bounded by ``MAX_PIXELS`` so that box areas fit in float64 (no NaN IoU).
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import call_unchanged, rejects
from robustness.strategies import BAD_COUNTS, BAD_UNIT_INTERVAL, valid_boxes
from utils import detectors as D

#: Qualified by the file of utils/detectors/ that defines each function (the package re-exports them all).
COVERS = [f"utils.detectors.{module}.{name}" for module, names in {
    "grids": ("feature_map_sizes", "candidate_count", "cell_centres", "anchor_shapes", "anchor_grid"),
    "targets": ("encode_boxes", "decode_boxes", "assign_anchors"),
    "heads": ("raw_output_bytes", "retinanet_head"),
    "small_objects": ("cells_covered", "iou_after_shift", "worst_case_anchor_iou", "tile_windows", "detect_tiled",
                      "copy_paste", "mosaic"),
}.items() for name in names]

SETTINGS = settings(max_examples=50, deadline=None)
BAD_SIZES = (0, -1, 2.5, True, None, "640", (640,), (640, 640, 3), (640, 0), (np.nan, 640))
BAD_REALS = (np.nan, np.inf, None, "1", [1.0], True)
sizes = st.one_of(st.integers(1, 700), st.tuples(st.integers(1, 700), st.integers(1, 700)))
strides = st.lists(st.integers(1, 128), min_size=0, max_size=4)


@SETTINGS
@given(sizes, strides, st.integers(1, 9))
def test_grids_and_counts_valid(size, level_strides, anchors):
    H, W = (size, size) if isinstance(size, int) else size
    grids = call_unchanged(D.feature_map_sizes, size, level_strides)
    assert grids == [(math.ceil(H / s), math.ceil(W / s)) for s in level_strides]
    count = call_unchanged(D.candidate_count, size, level_strides, anchors)
    assert count == anchors * sum(h * w for h, w in grids)  # 0 for no levels
    assert call_unchanged(D.raw_output_bytes, count, 85) == count * 85 * 4
    for s in level_strides[:1]:
        centres = call_unchanged(D.cell_centres, size, s)
        assert centres.shape == (grids[0][0] * grids[0][1], 2) and (centres > 0).all()


def test_grids_and_counts_reject():
    for bad in BAD_SIZES:
        rejects(D.feature_map_sizes, bad, [8], argument="input_size")
        rejects(D.candidate_count, bad, [8], 1, argument="input_size")
        rejects(D.cell_centres, bad, 8, argument="input_size")
    for bad in BAD_COUNTS + ([8, 0], [8, True], [8, None]):
        rejects(D.feature_map_sizes, 640, bad, argument="strides")
        rejects(D.candidate_count, 640, [8, 16], bad, argument="anchors_per_location")
    for bad in BAD_COUNTS + ([8],):
        rejects(D.cell_centres, 640, bad, argument="stride")
    rejects(D.candidate_count, 640, [8, 16], [3, 3, 3], argument="anchors_per_location")
    for name in ("count", "values_per_candidate", "bytes_per_value"):
        for bad in (-1, 2.5, None, True, "4"):
            rejects(D.raw_output_bytes, **{"count": 1, "values_per_candidate": 1, "bytes_per_value": 4, name: bad},
                    argument=name)
    assert D.raw_output_bytes(np.int64(2**40), np.int64(2**20), 8) == 2**63  # Python ints: no int64 wrap-around


positive = st.floats(0.5, 1e4)


@SETTINGS
@given(st.lists(positive, max_size=4), st.lists(st.floats(0.1, 10), max_size=3), st.integers(1, 64),
       st.integers(1, 200))
def test_anchors_valid(anchor_sizes, ratios, stride, size):
    shapes = call_unchanged(D.anchor_shapes, anchor_sizes, ratios)
    assert shapes.shape == (len(anchor_sizes) * len(ratios), 2) and (shapes > 0).all()
    np.testing.assert_allclose(shapes.prod(axis=1), np.repeat(np.square(anchor_sizes), len(ratios)), rtol=1e-9)
    grid = call_unchanged(D.anchor_grid, size, stride, shapes)
    assert grid.shape == (math.ceil(size / stride) ** 2 * len(shapes), 4)
    assert (grid[:, 2:] >= grid[:, :2]).all()


def test_anchors_reject():
    for bad in ([32.0, 0.0], [-1.0], [np.nan], [np.inf], None, "32", [[32.0]], np.array([1 + 1j])):
        rejects(D.anchor_shapes, bad, [1.0], argument="sizes")
        rejects(D.anchor_shapes, [32.0], bad, argument="aspect_ratios")
    for bad in ([8.0, 16.0, 8.0, 16.0], [8.0, 16.0], np.zeros((2, 3)), [[8.0, 0.0]], [[8.0, np.nan]], None):
        rejects(D.anchor_grid, 64, 8, bad, argument="shapes")  # measured: a flat list was read as 2 anchors
    rejects(D.anchor_grid, 64, 0, [[8.0, 8.0]], argument="stride")
    assert D.anchor_grid(64, 8, np.zeros((0, 2))).shape == (0, 4)
    assert D.anchor_shapes([], [1.0]).shape == (0, 2)


@SETTINGS
@given(st.floats(0, 1e6), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_cells_covered_valid(size, stride, offset):
    cells = call_unchanged(D.cells_covered, size, stride, offset)
    assert isinstance(cells, int) and cells >= 0
    per_axis = math.isqrt(cells)
    assert per_axis * per_axis == cells
    if size > 0:
        assert per_axis >= math.ceil(size / stride) and per_axis <= math.ceil(size / stride) + 1


def test_cells_covered_rejects():
    for bad in BAD_REALS + (-1.0,):
        rejects(D.cells_covered, bad, 8, argument="size")
        rejects(D.cells_covered, 8, bad, argument="stride")
    for bad in BAD_REALS:
        rejects(D.cells_covered, 8, 8, bad, argument="offset")
    rejects(D.cells_covered, 8, 0, argument="stride")
    rejects(D.cells_covered, 1e300, 1e-300, argument="size")  # the cell count overflows
    assert D.cells_covered(0, 8) == 0


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 4), elements=st.floats(1e-3, D.MAX_PIXELS)),
       hnp.arrays(np.float64, st.integers(0, 4), elements=st.floats(-D.MAX_PIXELS, D.MAX_PIXELS)), st.booleans())
def test_iou_after_shift_valid(box_sizes, shifts, diagonal):
    iou = call_unchanged(D.iou_after_shift, box_sizes, shifts, diagonal)
    assert iou.shape == (len(box_sizes), len(shifts))
    assert np.isfinite(iou).all() and ((iou >= 0) & (iou <= 1)).all()  # areas up to 1e300: no overflow to NaN
    for s in box_sizes[:1]:
        value = call_unchanged(D.worst_case_anchor_iou, s, min(s, 64.0))
        assert 0 <= value <= 1


def test_iou_after_shift_rejects():
    for bad in ([0.0], [-1.0], [np.nan], [np.inf], [1e200], None, "10", [[10.0]]):
        rejects(D.iou_after_shift, bad, [1.0], argument="sizes")
    for bad in ([np.nan], [np.inf], [-1e200], None, "1", [[1.0]]):
        rejects(D.iou_after_shift, [10.0], bad, argument="shifts")
    rejects(D.iou_after_shift, [10.0], [1.0], diagonal="yes", argument="diagonal")
    for bad in BAD_REALS + (0.0, -1.0, 1e200):
        rejects(D.worst_case_anchor_iou, bad, 8, argument="size")
        rejects(D.worst_case_anchor_iou, 10, bad, argument="stride")


@SETTINGS
@given(sizes, st.integers(1, 300), st.data())
def test_tile_windows_valid(image_size, tile, data):
    overlap = data.draw(st.integers(0, tile - 1))
    windows = call_unchanged(D.tile_windows, image_size, tile, overlap)
    H, W = (image_size, image_size) if isinstance(image_size, int) else image_size
    assert windows.ndim == 2 and windows.shape[1] == 4 and len(windows) >= 1
    assert (windows[:, :2] >= 0).all() and (windows[:, 2] <= W).all() and (windows[:, 3] <= H).all()
    covered = np.zeros((H, W), bool)
    for x1, y1, x2, y2 in windows:
        covered[y1:y2, x1:x2] = True
    assert covered.all()


def test_tile_windows_rejects():
    for bad in BAD_COUNTS:
        rejects(D.tile_windows, 100, bad, 0, argument="tile")  # measured: True made 10,000 1-pixel tiles
    for bad in (-1, 32, 40, 2.5, None, True):
        rejects(D.tile_windows, 100, 32, bad, argument="overlap")
    for bad in BAD_SIZES:
        rejects(D.tile_windows, bad, 32, 0, argument="image_size")


def _detect(crop):
    h, w = crop.shape[:2]
    return np.array([[0.0, 0.0, w / 2, h / 2]]), np.array([0.5])


def test_detect_tiled_valid_and_rejects():
    image = np.arange(40 * 50 * 3, dtype=np.uint8).reshape(40, 50, 3)
    boxes, scores, ids = call_unchanged(lambda im: D.detect_tiled(im, _detect, 32, 8, 2.0), image)
    assert boxes.shape == (len(D.tile_windows((40, 50), 32, 8)), 4) and scores.shape == ids.shape == (len(boxes),)
    empty = D.detect_tiled(image, lambda crop: (np.zeros((0, 4)), np.zeros(0)), 32, 8)
    assert empty[0].shape == (0, 4) and empty[1].shape == empty[2].shape == (0,)
    for bad in (np.zeros((0, 50)), np.zeros(50), np.zeros((2, 2, 2, 2)), np.full((4, 4), np.nan), None, "image"):
        rejects(D.detect_tiled, bad, _detect, 32, 8, argument="image")
    rejects(D.detect_tiled, image, None, 32, 8, argument="detect")
    for bad in BAD_REALS + (0.0, -1.0):
        rejects(D.detect_tiled, image, _detect, 32, 8, bad, argument="upscale")
    rejects(D.detect_tiled, image, _detect, True, 0, argument="tile")
    rejects(D.detect_tiled, image, lambda crop: (np.zeros((2, 4)), np.zeros(3)), 32, 8, argument="detect")
    rejects(D.detect_tiled, image, lambda crop: (np.full((1, 4), np.nan), np.zeros(1)), 32, 8, argument="detect")


def test_copy_paste_valid_and_rejects():
    image, patch = np.zeros((20, 20, 3), np.uint8), np.full((4, 4, 3), 255, np.uint8)
    boxes = np.array([[0.0, 0.0, 10.0, 10.0]])
    out, new_boxes = call_unchanged(lambda *a: D.copy_paste(*a, np.random.default_rng(0), boxes), image, patch, 3)
    assert out.shape == image.shape and len(new_boxes) <= 4 and np.array_equal(new_boxes[:1], boxes)
    assert D.copy_paste(image, patch, 0, np.random.default_rng(0))[1].shape == (0, 4)
    rng = np.random.default_rng(0)
    rejects(D.copy_paste, image, np.zeros((30, 4, 3), np.uint8), 1, rng, argument="patch")
    rejects(D.copy_paste, image, np.zeros((4, 4)), 1, rng, argument="patch")  # channels differ
    rejects(D.copy_paste, image, np.zeros((0, 4, 3)), 1, rng, argument="patch")
    rejects(D.copy_paste, None, patch, 1, rng, argument="image")
    for bad in (-1, 2.5, None, True):
        rejects(D.copy_paste, image, patch, bad, rng, argument="n")
    for bad in (None, 0, np.random.RandomState(0)):
        rejects(D.copy_paste, image, patch, 1, bad, argument="rng")
    rejects(D.copy_paste, image, patch, 1, rng, [[5.0, 5.0, 1.0, 1.0]], argument="boxes")


def test_mosaic_valid_and_rejects():
    images = [np.full((10 + k, 12, 3), 40 * k, np.uint8) for k in range(4)]
    boxes = [np.array([[0.0, 0.0, 6.0, 5.0]])] * 4
    canvas, out = call_unchanged(D.mosaic, images, boxes, 16)
    assert canvas.shape == (16, 16, 3) and out.shape == (4, 4) and (out >= 0).all() and (out <= 16).all()
    bad_images = [np.zeros((0, 12, 3), np.uint8)] + images[1:]  # measured: divided by zero
    rejects(D.mosaic, bad_images, boxes, 16, argument="images")
    rejects(D.mosaic, images[:3], boxes, 16, argument="images")
    rejects(D.mosaic, None, boxes, 16, argument="images")
    rejects(D.mosaic, [images[0][..., 0]] + images[1:], boxes, 16, argument="images")  # channels differ
    rejects(D.mosaic, [im.astype(np.int64) for im in images], boxes, 16, argument="images")  # OpenCV cannot
    rejects(D.mosaic, [im.astype(bool) for im in images], boxes, 16, argument="images")
    for bad in (0, 1, -16, 16.0, None, True):
        rejects(D.mosaic, images, boxes, bad, argument="out_size")
    rejects(D.mosaic, images, boxes[:3], 16, argument="boxes_list")
    rejects(D.mosaic, images, [np.array([[5.0, 5.0, 1.0, 1.0]])] * 4, 16, argument="boxes_list")


# --- box deltas, anchor assignment, RetinaNet's head (issue 12) -----------------------------------------------------

@st.composite
def positive_boxes(draw, n):
    corner = draw(hnp.arrays(np.float64, (n, 2), elements=st.floats(-1e4, 1e4)))
    size = draw(hnp.arrays(np.float64, (n, 2), elements=st.floats(1e-3, 1e4)))
    return np.concatenate([corner, corner + size], axis=1)


@SETTINGS
@given(st.integers(0, 5).flatmap(lambda n: st.tuples(positive_boxes(n), positive_boxes(n))),
       st.sampled_from([(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)]))
def test_box_deltas_valid(pair, weights):
    anchors, boxes = pair
    deltas = call_unchanged(D.encode_boxes, anchors, boxes, weights)
    assert deltas.shape == anchors.shape and np.isfinite(deltas).all()
    decoded = call_unchanged(D.decode_boxes, anchors, deltas, weights)
    assert decoded.shape == anchors.shape and np.isfinite(decoded).all()


def test_box_deltas_reject():
    a = np.array([[0.0, 0.0, 10.0, 10.0]])
    for bad in (np.array([[0.0, 0.0, 0.0, 10.0]]), np.array([[5.0, 0.0, 1.0, 10.0]]), [[np.nan, 0, 1, 1]], None,
                np.zeros((1, 3)), [[0.0, 0.0, 1e200, 1.0]]):
        rejects(D.encode_boxes, bad, a, argument="anchors")  # zero width: no deltas (division by the size)
        rejects(D.encode_boxes, a, bad, argument="boxes")
        rejects(D.decode_boxes, bad, np.zeros((1, 4)), argument="anchors")
    rejects(D.encode_boxes, a, np.zeros((2, 4)) + [0, 0, 1, 1], argument="boxes")  # rows must match
    for bad in (np.zeros((2, 4)), np.zeros(4), [[np.nan, 0, 0, 0]], [[0, 0, np.inf, 0]], None, "0"):
        rejects(D.decode_boxes, a, bad, argument="deltas")
    rejects(D.decode_boxes, a, [[1e308, 0.0, 0.0, 0.0]], argument="deltas")  # overflows float64: refused
    for bad in ((1, 1, 1), (1, 1, 1, 0), (1, 1, 1, np.nan), None, "1111", (1, 1, 1, True)):
        rejects(D.encode_boxes, a, a, bad, argument="weights")
        rejects(D.decode_boxes, a, np.zeros((1, 4)), bad, argument="weights")
    for bad in (np.nan, np.inf, None, "4", True):
        rejects(D.decode_boxes, a, np.zeros((1, 4)), clip=bad, argument="clip")
    assert D.encode_boxes(np.zeros((0, 4)), np.zeros((0, 4))).shape == (0, 4)
    assert D.decode_boxes(np.zeros((0, 4)), np.zeros((0, 4))).shape == (0, 4)


@SETTINGS
@given(valid_boxes(), valid_boxes(), st.booleans())
def test_assign_anchors_valid(anchors, boxes, low_quality):
    matches = call_unchanged(D.assign_anchors, anchors, boxes, 0.5, 0.4, low_quality)
    assert matches.shape == (len(anchors),) and matches.dtype == np.int64
    assert ((matches >= -2) & (matches < max(len(boxes), 1))).all()


def test_assign_anchors_reject():
    a = np.array([[0.0, 0.0, 10.0, 10.0]])
    for bad in (None, np.zeros((1, 3)), [[np.nan, 0, 1, 1]], [[5.0, 0.0, 1.0, 1.0]]):
        rejects(D.assign_anchors, bad, a, argument="anchors")
        rejects(D.assign_anchors, a, bad, argument="boxes")
    for bad in BAD_UNIT_INTERVAL:
        rejects(D.assign_anchors, a, a, fg_iou=bad, argument="fg_iou")
    for bad in BAD_UNIT_INTERVAL + (0.6,):  # above fg_iou = 0.5
        rejects(D.assign_anchors, a, a, 0.5, bad, argument="bg_iou")
    rejects(D.assign_anchors, a, a, allow_low_quality="yes", argument="allow_low_quality")
    assert D.assign_anchors(np.zeros((0, 4)), a).shape == (0,)


def test_retinanet_head_valid_and_rejects():
    import torch

    head = call_unchanged(D.retinanet_head, 8, 2, 3, 1)
    x = torch.zeros(1, 8, 4, 5)
    assert head["cls"](x).shape == (1, 6, 4, 5) and head["box"](x).shape == (1, 8, 4, 5)
    assert len(D.retinanet_head(8, 1, 1, 0)["cls"]) == 1  # no hidden conv: the output conv only
    for name in ("channels", "num_anchors", "num_classes"):
        for bad in BAD_COUNTS:
            rejects(D.retinanet_head, **{name: bad}, argument=name)
    for bad in (-1, 2.5, None, True):
        rejects(D.retinanet_head, num_convs=bad, argument="num_convs")
