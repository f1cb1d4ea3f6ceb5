"""Detector arithmetic: grids, anchors and candidate counts; small objects on a grid; tiling an image.

Taught in ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts, anchor grids) and
``notebooks/07_small_objects.ipynb`` (cells covered, IoU after a shift, tiling, copy-paste and mosaic).

Conventions:

* Sizes are ``(height, width)`` in pixels; a single int means a square.
* A feature map of stride ``s`` over an ``H x W`` input has ``ceil(H / s) x ceil(W / s)`` cells (what
  padded convolutions give; YOLOv8 at 640 x 640 with strides 8/16/32: 80x80 + 40x40 + 20x20 = 8400).
* Cell ``(i, j)`` of stride ``s`` has its centre at ``((j + 0.5) s, (i + 0.5) s)`` in image pixels
  (Ultralytics' ``make_anchors`` offset 0.5; torchvision's ``AnchorGenerator`` uses ``j s`` instead:
  the count is the same, the grid is shifted by half a cell).
* Boxes are numpy ``(N, 4)`` xyxy arrays, as in :mod:`utils.boxes`.
* Bad input (a bool or a float where an int count is expected, NaN, a non-positive size, ...) raises
  ``ValueError`` naming the argument.
"""

import math

import numpy as np

from utils import _validate
from utils.boxes import as_boxes, box_iou

#: Largest size or shift in pixels that :func:`iou_after_shift` accepts: its box areas must fit in float64.
MAX_PIXELS = 1e150


def _as_size(size, name):
    """``size`` as a ``(height, width)`` pair of positive ints."""
    return _validate.int_pair(size, name, low=1)


def _as_positive_ints(values, name):
    if not isinstance(values, (tuple, list, np.ndarray)):
        values = [values]
    return [_validate.integer(v, name, low=1) for v in values]


def _as_image(image, name):
    image = np.asarray(image)
    if image.dtype.kind not in "uif" or image.ndim not in (2, 3) or 0 in image.shape[:2]:
        raise ValueError(f"{name} must be a non-empty (H, W) or (H, W, C) array of numbers, "
                         f"got shape {image.shape} and dtype {image.dtype}")
    if image.dtype.kind == "f" and not np.isfinite(image).all():
        raise ValueError(f"{name} contains NaN or inf")
    return image


# --- grids and candidate counts ------------------------------------------------------------------------

def feature_map_sizes(input_size, strides):
    """``[(H_l, W_l), ...]``: the grid of each level, ``ceil(H / s_l) x ceil(W / s_l)``."""
    H, W = _as_size(input_size, "input_size")
    return [(math.ceil(H / s), math.ceil(W / s)) for s in _as_positive_ints(strides, "strides")]


def candidate_count(input_size, strides, anchors_per_location):
    """Number of boxes a dense (one-stage) head scores: ``sum_l H_l W_l A_l``.

    Args:
        input_size: ``H`` or ``(H, W)`` in pixels.
        strides: one stride per level, e.g. ``(8, 16, 32)``.
        anchors_per_location: ``A`` (the same on every level) or one value per level;
            1 for an anchor-free head (one prediction per cell).

    Returns:
        An int. RetinaNet at 640: strides 8..128, ``A = 9`` -> 76,725; YOLOv8 at 640: 8,400.
    """
    strides = _as_positive_ints(strides, "strides")
    A = _as_positive_ints(anchors_per_location, "anchors_per_location")
    if len(A) == 1:
        A = A * len(strides)
    if len(A) != len(strides):
        raise ValueError(f"anchors_per_location needs 1 or {len(strides)} values, got {len(A)}")
    return sum(h * w * a for (h, w), a in zip(feature_map_sizes(input_size, strides), A))


def raw_output_bytes(count, values_per_candidate, bytes_per_value=4):
    """Memory of a head's raw output: ``count x values_per_candidate`` numbers (float32: 4 bytes each).

    ``values_per_candidate`` is e.g. ``4 + 1 + C`` for YOLOv3 (box, objectness, classes), ``4 + C`` for
    RetinaNet and YOLOv8.
    """
    return (_validate.integer(count, "count", low=0) * _validate.integer(values_per_candidate, "values_per_candidate", low=0)
            * _validate.integer(bytes_per_value, "bytes_per_value", low=0))


def cell_centres(input_size, stride):
    """``(H_l W_l, 2)`` array of ``(x, y)`` cell centres of one level, row by row."""
    stride = _validate.integer(stride, "stride", low=1)
    (h, w), = feature_map_sizes(input_size, [stride])
    ys, xs = np.meshgrid((np.arange(h) + 0.5) * stride, (np.arange(w) + 0.5) * stride, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)  # (h*w, 2)


def anchor_shapes(sizes, aspect_ratios):
    """``(len(sizes) * len(aspect_ratios), 2)`` anchor ``(w, h)``: area ``size**2``, ``h / w = ratio``
    (torchvision's ``AnchorGenerator``: ``h = size sqrt(r)``, ``w = size / sqrt(r)``)."""
    sizes = _validate.array(sizes, "sizes", ndim=(0, 1), low=0, low_open=True).reshape(-1)
    ratios = _validate.array(aspect_ratios, "aspect_ratios", ndim=(0, 1), low=0, low_open=True).reshape(-1)
    w = (sizes[:, None] / np.sqrt(ratios)).ravel()  # (S * R,)
    h = (sizes[:, None] * np.sqrt(ratios)).ravel()
    return np.stack([w, h], axis=1)


def anchor_grid(input_size, stride, shapes):
    """Every anchor of one level: each ``(w, h)`` of ``shapes`` centred on every cell centre.

    ``shapes``: ``(A, 2)`` positive ``(w, h)``, as :func:`anchor_shapes` returns them.
    Returns ``(H_l W_l A, 4)`` xyxy boxes, cell by cell (the ``A`` anchors of a cell are consecutive).
    """
    shapes = _validate.array(shapes, "shapes", low=0, low_open=True)
    if shapes.size == 0:
        shapes = shapes.reshape(0, 2)
    if shapes.ndim != 2 or shapes.shape[1] != 2:
        raise ValueError(f"shapes must be an (A, 2) array of (w, h), got shape {shapes.shape}")
    centres = cell_centres(input_size, stride)  # (HW, 2)
    half = shapes / 2  # (A, 2)
    x1y1 = centres[:, None, :] - half[None]  # (HW, A, 2)
    x2y2 = centres[:, None, :] + half[None]
    return np.concatenate([x1y1, x2y2], axis=2).reshape(-1, 4)


# --- small objects on a grid -----------------------------------------------------------------------------

def cells_covered(size, stride, offset=0.0):
    """Feature-map cells that an ``size x size`` object overlaps, at a stride of ``stride`` pixels.

    The object starts ``offset`` pixels after a cell border on both axes. Per axis it overlaps
    ``ceil((offset + size) / stride) - floor(offset / stride)`` cells; the result is that squared.
    A 10-pixel face on a stride-32 map: 1 cell (at most 2 x 2 if it straddles a border). Size 0: 0 cells.
    """
    size, offset = _validate.number(size, "size", low=0), _validate.number(offset, "offset")
    stride = _validate.number(stride, "stride", low=0, low_open=True)
    if size == 0:
        return 0
    if not math.isfinite((abs(offset) + size) / stride):
        raise ValueError(f"size and offset are too large for stride {stride}: the cell count overflows")
    # at least 1: offset + size rounds to offset for a size far below offset's precision
    per_axis = max(1, math.ceil((offset + size) / stride) - math.floor(offset / stride))
    return int(per_axis) ** 2


def iou_after_shift(sizes, shifts, diagonal=False):
    """IoU of a square box of side ``s`` with a copy of itself shifted by ``d`` pixels.

    Args:
        sizes: ``(S,)`` box sides in pixels (> 0, at most :data:`MAX_PIXELS`).
        shifts: ``(D,)`` shifts in pixels (absolute value at most :data:`MAX_PIXELS`).
        diagonal: shift along x and y at once (``d`` on both axes) instead of along x only.

    Returns:
        ``(S, D)`` IoU, computed with :func:`utils.boxes.box_iou`. Along x it is ``(s - d) / (s + d)``:
        a 1-pixel shift costs a 10-pixel box 0.18 of IoU and a 100-pixel box 0.02.
    """
    sizes = _validate.array(sizes, "sizes", (0, 1), 0, MAX_PIXELS, low_open=True).reshape(-1)
    shifts = _validate.array(shifts, "shifts", (0, 1), -MAX_PIXELS, MAX_PIXELS).reshape(-1)
    if not isinstance(diagonal, (bool, np.bool_)):
        raise ValueError(f"diagonal must be True or False, got {diagonal!r}")
    out = np.empty((len(sizes), len(shifts)))
    for i, s in enumerate(sizes):
        box = np.array([[0.0, 0.0, s, s]])
        dy = shifts if diagonal else np.zeros_like(shifts)
        moved = np.stack([shifts, dy, shifts + s, dy + s], axis=1)  # (D, 4)
        out[i] = box_iou(box, moved)[0]
    return out


def worst_case_anchor_iou(size, stride):
    """Best IoU an anchor of exactly the right shape can reach with an ``size x size`` object in the
    worst position: the object's centre half a stride from the nearest anchor centre on both axes."""
    size = _validate.number(size, "size", 0, MAX_PIXELS, low_open=True)
    stride = _validate.number(stride, "stride", 0, MAX_PIXELS, low_open=True)
    return float(iou_after_shift([size], [stride / 2], diagonal=True)[0, 0])


# --- tiling ------------------------------------------------------------------------------------------------

def tile_windows(image_size, tile, overlap):
    """Windows that cover an image with square tiles overlapping by ``overlap`` pixels.

    Returns ``(N, 4)`` int xyxy windows, row by row. The last tile of a row or column is moved back to end
    at the border (every tile has the full size unless the image is smaller than a tile).
    """
    H, W = _as_size(image_size, "image_size")
    tile = _validate.integer(tile, "tile", low=1)
    overlap = _validate.integer(overlap, "overlap", 0, tile - 1)
    step = tile - overlap

    def starts(length):
        if length <= tile:
            return [0]
        last = length - tile
        return sorted(set(list(range(0, last, step)) + [last]))

    ys, xs = starts(H), starts(W)
    return np.array([[x, y, min(x + tile, W), min(y + tile, H)] for y in ys for x in xs], dtype=np.int64)


def detect_tiled(image, detect, tile, overlap, upscale=1.0):
    """Run ``detect`` on overlapping tiles (each resized by ``upscale``) and map the boxes back.

    Args:
        image: ``(H, W)`` or ``(H, W, 3)`` uint8 image.
        detect: ``detect(crop) -> (boxes, scores)``, xyxy in the crop's pixels.
        tile, overlap: see :func:`tile_windows` (in the original image's pixels).
        upscale: factor applied to each crop before ``detect`` (small objects become larger).

    Returns:
        ``(boxes, scores, tile_ids)``: ``(N, 4)`` xyxy in the image's pixels, ``(N,)``, ``(N,)`` ints.
        Duplicates from overlapping tiles are kept: merge them with ``utils.nms``.
    """
    import cv2

    image = _as_image(image, "image")
    if not callable(detect):
        raise ValueError(f"detect must be callable, got {type(detect).__name__}")
    upscale = _validate.number(upscale, "upscale", low=0, low_open=True)
    all_boxes, all_scores, ids = [], [], []
    for t, (x1, y1, x2, y2) in enumerate(tile_windows(image.shape[:2], tile, overlap)):
        crop = np.ascontiguousarray(image[y1:y2, x1:x2])
        if upscale != 1.0:
            crop = cv2.resize(crop, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_LINEAR)
        boxes, scores = detect(crop)
        boxes = as_boxes(boxes, "detect's boxes") / upscale + np.array([x1, y1, x1, y1], float)
        scores = _validate.array(scores, "detect's scores").reshape(-1)
        if len(scores) != len(boxes):
            raise ValueError(f"detect returned {len(boxes)} boxes but {len(scores)} scores")
        all_boxes.append(boxes)
        all_scores.append(scores)
        ids.append(np.full(len(boxes), t))
    return np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(ids).astype(np.int64)


# --- augmentation for small objects ---------------------------------------------------------------------

def copy_paste(image, patch, n, rng, boxes=None):
    """Paste ``n`` copies of ``patch`` at random places that do not overlap each other or ``boxes``.

    Copy-paste augmentation (Kisantal et al. 2019, "Augmentation for small object detection") gives a
    detector more small objects per image. Returns ``(new_image, new_boxes)`` where ``new_boxes`` holds the
    ``boxes`` given plus one xyxy box per pasted copy (fewer than ``n`` if no free place was found).
    ``image`` ``(H, W)`` or ``(H, W, C)`` and ``patch`` ``(h, w)`` or ``(h, w, C)`` with the same channels;
    ``rng`` a ``numpy.random.Generator`` (it advances).
    """
    image, patch = _as_image(image, "image").copy(), _as_image(patch, "patch")
    n = _validate.integer(n, "n", low=0)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    ph, pw = patch.shape[:2]
    H, W = image.shape[:2]
    if ph > H or pw > W or patch.shape[2:] != image.shape[2:]:
        raise ValueError(f"patch {patch.shape} does not fit in image {image.shape}")
    taken = as_boxes(np.zeros((0, 4)) if boxes is None else boxes, "boxes")
    placed = []
    for _ in range(50 * n):
        if len(placed) == n:
            break
        x, y = int(rng.integers(0, W - pw + 1)), int(rng.integers(0, H - ph + 1))
        box = np.array([[x, y, x + pw, y + ph]], float)
        if len(taken) and box_iou(box, taken).max() > 0:
            continue
        image[y:y + ph, x:x + pw] = patch
        taken = np.concatenate([taken, box])
        placed.append(box[0])
    return image, taken


_CV2_DTYPES = ("uint8", "uint16", "int16", "float32", "float64")


def mosaic(images, boxes_list, out_size):
    """YOLOv4's mosaic: four images, each resized to one quadrant of an ``out_size x out_size`` canvas.

    (YOLOv4 also picks a random centre and crops; a fixed centre keeps this function deterministic.)
    Returns ``(canvas, boxes)``: every object appears at half its size or less, i.e. smaller objects.
    ``images``: four non-empty images of one dtype (uint8, uint16, int16, float32 or float64, what OpenCV
    resizes) and one channel layout; ``out_size`` an int >= 2.
    """
    import cv2

    if not isinstance(images, (list, tuple)) or not isinstance(boxes_list, (list, tuple)) \
            or len(images) != 4 or len(boxes_list) != 4:
        raise ValueError("mosaic needs exactly 4 images and 4 box arrays (lists images and boxes_list)")
    images = [_as_image(img, f"images[{k}]") for k, img in enumerate(images)]
    if len({(img.dtype, img.shape[2:]) for img in images}) != 1 or images[0].dtype.name not in _CV2_DTYPES:
        raise ValueError(f"images must share one dtype (one of {_CV2_DTYPES}) and one channel layout, "
                         f"got {[(img.dtype.name, img.shape) for img in images]}")
    half = _validate.integer(out_size, "out_size", low=2) // 2
    canvas = np.zeros((out_size, out_size) + images[0].shape[2:], dtype=images[0].dtype)
    out = []
    for k, (img, b) in enumerate(zip(images, boxes_list)):
        oy, ox = (k // 2) * half, (k % 2) * half
        sy, sx = half / img.shape[0], half / img.shape[1]
        canvas[oy:oy + half, ox:ox + half] = cv2.resize(img, (half, half), interpolation=cv2.INTER_AREA)
        b = as_boxes(b, f"boxes_list[{k}]") * np.array([sx, sy, sx, sy]) + np.array([ox, oy, ox, oy])
        out.append(b)
    return canvas, np.concatenate(out)
