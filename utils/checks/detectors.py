"""Checkers for ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts) and
``notebooks/07_small_objects.ipynb`` (cells covered by an object)."""

from utils.checks.core import Case, run_cases


def candidate_count_cases():
    """Cases for ``fn(input_size, strides, anchors_per_location) -> int`` (square input, one ``A`` for all levels)."""
    return [
        Case("one level, one anchor", (64, (8,), 1), 64,
             "a 64 x 64 input at stride 8 is an 8 x 8 grid: 64 cells, one prediction each."),
        Case("YOLOv8 at 640 (anchor-free)", (640, (8, 16, 32), 1), 8400,
             "sum over levels of (640 / s)^2: 6400 + 1600 + 400."),
        Case("YOLOv3 at 416", (416, (8, 16, 32), 3), 10647,
             "3 anchors per cell on 52x52, 26x26 and 13x13 grids: multiply each level by A before adding."),
        Case("RetinaNet at 640 (P3-P7, 9 anchors)", (640, (8, 16, 32, 64, 128), 9), 76725,
             "five levels: 80, 40, 20, 10 and 5 cells per side, 9 anchors at each cell."),
        Case("size not divisible by the stride", (100, (32,), 1), 16,
             "a padded conv of stride 32 maps 100 pixels to ceil(100 / 32) = 4 cells per side, not 3."),
        Case("RPN of Faster R-CNN at 640", (640, (16,), 9), 14400,
             "a single level at stride 16: 40 x 40 cells x 9 anchors."),
        Case("stride larger than the image", (16, (32,), 2), 2,
             "even an image smaller than the stride leaves one cell per side (ceil)."),
    ]


def check_candidate_count(fn):
    """Check ``fn(input_size, strides, anchors_per_location) -> int``."""
    return run_cases(fn, candidate_count_cases())


def cells_covered_cases():
    """Cases for ``fn(size, stride) -> int``: cells of the grid an ``size x size`` object overlaps when its
    top-left corner sits on a cell corner."""
    return [
        Case("object of exactly one cell", (32, 32), 1, "32 / 32 = 1 cell per side: 1 cell in 2-D."),
        Case("10-pixel face at stride 8", (10, 8), 4,
             "10 pixels reach into a second cell on each axis: ceil(10 / 8) = 2 per side, 2 x 2 = 4."),
        Case("object smaller than a cell", (5, 32), 1, "any object of nonzero size touches at least one cell."),
        Case("large object", (128, 16), 64, "128 / 16 = 8 per side: 64 cells; count in 2-D, not per side."),
        Case("not a multiple of the stride", (100, 32), 16,
             "100 / 32 = 3.1: the object reaches into a 4th cell on each axis (round up, then square)."),
        Case("zero-size object", (0, 8), 0, "an object with no extent overlaps no cell."),
    ]


def check_cells_covered(fn):
    """Check ``fn(size, stride) -> int``."""
    return run_cases(fn, cells_covered_cases())


# --- notebook 06: boxes as deltas from anchors (the whiteboard exercise) ----------------------------------------

import math  # noqa: E402 - this part was appended to the file

import numpy as np  # noqa: E402

from utils.checks.core import expect_close, to_array, to_parts  # noqa: E402

_A = np.array([[100.0, 50.0, 140.0, 70.0]])  # an anchor away from the origin: centre (120, 60), 40 x 20
_G = np.array([[110.0, 40.0, 170.0, 90.0]])  # a box: centre (140, 65), 60 x 50
_G_DELTAS = np.array([[0.5, 0.25, math.log(1.5), math.log(2.5)]])  # (20 / 40, 5 / 20, log 60/40, log 50/20)
_MANY_A = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 20.0], [50.0, 50.0, 90.0, 70.0]])
_MANY_G = np.array([[0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 15.0, 20.0], [40.0, 55.0, 80.0, 65.0]])
_MANY_DELTAS = np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [-0.25, 0.0, 0.0, math.log(0.5)]])
_UNIT = (1.0, 1.0, 1.0, 1.0)
_RCNN = (10.0, 10.0, 5.0, 5.0)


def encode_boxes_cases():
    """Cases for ``fn(anchors, boxes, weights) -> (N, 4)`` deltas ``(dx, dy, dw, dh)`` (xyxy inputs)."""
    return [
        Case("box equal to its anchor", (np.array([[0.0, 0.0, 10.0, 20.0]]),) * 2 + (_UNIT,), np.zeros((1, 4)),
             "a box that is its anchor needs no correction: all four deltas are 0 (dw = log(1) = 0)."),
        Case("centre moved right by half a width", (np.array([[0.0, 0.0, 10.0, 20.0]]),
                                                    np.array([[5.0, 0.0, 15.0, 20.0]]), _UNIT),
             np.array([[0.5, 0.0, 0.0, 0.0]]),
             "dx is the shift of the centre divided by the anchor's width: 5 px / 10 px = 0.5 (not 5 pixels)."),
        Case("twice as wide, same centre", (np.array([[0.0, 0.0, 10.0, 10.0]]), np.array([[-5.0, 0.0, 15.0, 10.0]]),
                                            _UNIT), np.array([[0.0, 0.0, math.log(2.0), 0.0]]),
             "dw = log(w / w_a) = log(2) = 0.693 for a box twice as wide (not 2, not w - w_a)."),
        Case("anchor away from the origin", (_A, _G, _UNIT), _G_DELTAS,
             "work with centres, x = (x1 + x2) / 2; divide the x shift by the anchor's width and the y shift by its "
             "height."),
        Case("box-head weights (10, 10, 5, 5)", (_A, _G, _RCNN), _G_DELTAS * np.array(_RCNN),
             "multiply dx, dy by wx, wy and dw, dh by ww, wh (Faster R-CNN's box head: targets near unit variance)."),
        Case("three anchors at once", (_MANY_A, _MANY_G, _UNIT), _MANY_DELTAS,
             "one row of deltas per (anchor, box) row, shape (N, 4); use the columns, not the first row only."),
    ]


def decode_boxes_cases():
    """Cases for ``fn(anchors, deltas, weights) -> (N, 4)`` xyxy boxes; ``dw / ww`` and ``dh / wh`` clamped at
    ``log(1000 / 16)`` before the exponential (torchvision's ``BoxCoder``)."""
    square = np.array([[0.0, 0.0, 16.0, 16.0]])
    big = 16.0 * 1000.0 / 16  # the widest box the clamp allows: 62.5 anchor widths = 1000 px
    return [
        Case("zero deltas give the anchor back", (_A, np.zeros((1, 4)), _UNIT), _A,
             "x = x_a + w_a dx and w = w_a exp(dw): with all deltas 0 the box is the anchor."),
        Case("dx = 0.5 moves by half a width", (np.array([[0.0, 0.0, 10.0, 20.0]]), np.array([[0.5, 0.0, 0.0, 0.0]]),
                                                _UNIT), np.array([[5.0, 0.0, 15.0, 20.0]]),
             "dx is in anchor widths: move the centre by dx * w_a = 5 px."),
        Case("dw = log 2 doubles the width about the centre", (np.array([[0.0, 0.0, 10.0, 10.0]]),
                                                               np.array([[0.0, 0.0, math.log(2.0), 0.0]]), _UNIT),
             np.array([[-5.0, 0.0, 15.0, 10.0]]),
             "w = w_a exp(dw) = 20, and the box stays centred: x1 = x - w / 2, x2 = x + w / 2."),
        Case("the inverse of encoding", (_A, _G_DELTAS, _UNIT), _G,
             "decode(anchor, encode(anchor, box)) must give the box back: undo each step of the encoding."),
        Case("box-head weights (10, 10, 5, 5)", (_A, _G_DELTAS * np.array(_RCNN), _RCNN), _G,
             "divide dx, dy by wx, wy and dw, dh by ww, wh before using them."),
        Case("three anchors at once", (_MANY_A, _MANY_DELTAS, _UNIT), _MANY_G,
             "decode every row: the result has one box per anchor, shape (N, 4)."),
        Case("a huge dw is clamped", (square, np.array([[0.0, 0.0, 20.0, 0.0]]), _UNIT),
             np.array([[8.0 - big / 2, 0.0, 8.0 + big / 2, 16.0]]),
             "clamp dw / ww and dh / wh at log(1000 / 16) before exp, as torchvision does: exp(20) would make the box "
             "485 million times wider than its anchor."),
    ]


def check_encode_boxes(fn):
    """Check ``fn(anchors, boxes, weights) -> (N, 4)`` deltas (Ren et al. 2015, Eq. 2, weighted)."""
    return run_cases(fn, encode_boxes_cases())


def check_decode_boxes(fn):
    """Check ``fn(anchors, deltas, weights) -> (N, 4)`` xyxy boxes (the inverse, with torchvision's clamp)."""
    return run_cases(fn, decode_boxes_cases())


# --- notebook 07: tile, detect, shift back, merge with NMS (the whiteboard exercise) ----------------------------------

def _scene(shape, rects):
    """An int image of ``shape`` (H, W) with rectangle ``k`` (xyxy) drawn in the value ``k + 1`` on 0."""
    image = np.zeros(shape, np.int64)
    for k, (x1, y1, x2, y2) in enumerate(rects):
        image[y1:y2, x1:x2] = k + 1
    return image


def whole_object_detector(crop):
    """The checker's detector: the box of every object (pixel value ``v > 0``) seen *whole* in ``crop`` -- not
    touching its border -- with the score ``1 - 0.05 v``. Returns ``(boxes (N, 4) xyxy in the crop's pixels,
    scores (N,))``. A real detector also reports the cut part of an object; this one does not, so that every
    answer is exact."""
    crop = np.asarray(crop)
    h, w = crop.shape[:2]
    boxes, scores = [], []
    for v in np.unique(crop[crop > 0]):
        ys, xs = np.nonzero(crop == v)
        x1, y1, x2, y2 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
        if x1 > 0 and y1 > 0 and x2 < w and y2 < h:
            boxes.append([x1, y1, x2, y2])
            scores.append(1.0 - 0.05 * v)
    return np.array(boxes, float).reshape(-1, 4), np.array(scores, float)


def reference_detect_tiled(image, detect, tile, overlap, iou_threshold=0.5):
    """A solution of the exercise built from the library: :func:`utils.detectors.detect_tiled` (tiles, detect,
    shift back), then :func:`utils.nms.nms` across all tiles. Returns ``(boxes, scores)`` by decreasing score."""
    from utils.detectors import detect_tiled
    from utils.nms import nms

    boxes, scores, _ = detect_tiled(image, detect, tile, overlap)
    keep = nms(boxes, scores, iou_threshold)
    return boxes[keep], scores[keep]


def _sorted_detections(boxes, scores):
    # by decreasing score; ties by the box, so that two correct answers in another order compare equal
    order = np.lexsort((boxes[:, 3], boxes[:, 2], boxes[:, 1], boxes[:, 0], -scores))
    return boxes[order], scores[order]


def _tiled_compare(got, case):
    boxes, scores = to_parts(got, 2)
    boxes, scores = to_array(boxes), to_array(scores).reshape(-1)
    if boxes.size == 0:
        boxes = boxes.reshape(0, 4)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or len(boxes) != len(scores):
        return f"expected boxes of shape (N, 4) and N scores, got {boxes.shape} and {scores.shape}"
    want_boxes, want_scores = case.expected
    if len(boxes) != len(want_boxes):
        return f"expected {len(want_boxes)} box(es) after merging, got {len(boxes)}"
    got_boxes, got_scores = _sorted_detections(boxes, scores)
    problem = expect_close(got_boxes, want_boxes) or expect_close(got_scores, want_scores)
    return None if problem is None else f"boxes (sorted by score): {problem}"


def tiled_detection_cases():
    """Cases for ``fn(image, detect, tile, overlap, iou_threshold) -> (boxes, scores)``: every object the tiles see
    whole, in the image's pixels, duplicates merged by NMS. ``detect`` is :func:`whole_object_detector`; tiles
    start every ``tile - overlap`` pixels and the last one of a row or column is moved back to end at the border."""
    setups = [
        ("image smaller than one tile", (40, 50), [(10, 12, 20, 22)], 64, 16,
         "an image smaller than a tile is one tile: detect on the whole image (crop sizes are min(tile, image))."),
        ("object in a tile to the right", (40, 150), [(125, 10, 135, 20)], 64, 16,
         "boxes come back in the tile's pixels: add the tile's left edge x1 to x1 and x2."),
        ("object in a tile below", (150, 40), [(10, 125, 20, 135)], 64, 16,
         "add the tile's top edge y1 to the y coordinates (and x1 to the x ones: do not swap them)."),
        ("object in the overlap of two tiles", (40, 150), [(100, 10, 108, 20)], 64, 16,
         "both tiles see it whole: the two boxes are duplicates. Merge them with NMS over the boxes of all tiles."),
        ("object at the right border", (40, 150), [(140, 10, 148, 20)], 64, 16,
         "the tiles must reach the border: add a last tile that ends at the image's edge (start W - tile)."),
        ("no object", (64, 128), [], 64, 16,
         "no detection at all: return an empty (0, 4) array of boxes and an empty array of scores."),
        ("several objects, several tiles", (150, 150), [(10, 10, 20, 20), (60, 70, 72, 80), (120, 125, 130, 135),
                                                       (100, 30, 108, 42), (30, 100, 40, 110), (40, 100, 50, 110)],
         64, 16, "collect the boxes of every tile first, then run one NMS on all of them (and keep the scores)."),
    ]
    cases = []
    for name, shape, rects, tile, overlap, hint in setups:
        image = _scene(shape, rects)
        boxes, scores = reference_detect_tiled(image, whole_object_detector, tile, overlap, 0.5)
        cases.append(Case(name, (image, whole_object_detector, tile, overlap, 0.5), _sorted_detections(boxes, scores),
                          hint))
    return cases


def check_tiled_detection(fn):
    """Check ``fn(image, detect, tile, overlap, iou_threshold) -> (boxes, scores)`` (see
    :func:`tiled_detection_cases`)."""
    return run_cases(fn, tiled_detection_cases(), compare=_tiled_compare)
