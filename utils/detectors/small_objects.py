"""Small objects: why a strided grid loses them, and three remedies (tiling, copy-paste, mosaic).

Taught in ``notebooks/07_small_objects.ipynb``: how many cells an object covers, how much IoU a one-pixel shift
costs, the worst-case IoU of a perfectly shaped anchor; then tiled inference and two augmentations.
Sizes are ``(height, width)`` in pixels (a single int: a square); boxes are numpy ``(N, 4)`` xyxy arrays;
images are ``(H, W)`` or ``(H, W, C)`` arrays. OpenCV (``cv2``) is imported only by the functions that resize.
"""

import math

import numpy as np

from utils import _validate
from utils.boxes import as_boxes, box_iou
from utils.detectors._inputs import MAX_PIXELS, _as_image, _as_size


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
