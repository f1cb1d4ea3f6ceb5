"""Detector arithmetic: grids, anchors and candidate counts; box deltas and anchor assignment; RetinaNet's head;
small objects on a grid; tiling an image.

Taught in ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts, anchor grids, encoding boxes as deltas,
assigning anchors, the dense head's cost) and ``notebooks/07_small_objects.ipynb`` (cells covered, IoU after a
shift, tiling, copy-paste and mosaic).

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
    values = (_validate.integer(v, name, low=0) for v, name in (
        (count, "count"), (values_per_candidate, "values_per_candidate"), (bytes_per_value, "bytes_per_value")))
    return math.prod(values)  # Python ints: no int64 overflow


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


# --- box deltas and anchor assignment ---------------------------------------------------------------------

#: Largest ``dw``, ``dh`` that :func:`decode_boxes` exponentiates: a box at most 1000/16 = 62.5 times wider or
#: taller than its anchor (torchvision's ``BoxCoder`` and detectron2's ``Box2BoxTransform`` clamp at this value).
BOX_DELTA_CLIP = math.log(1000.0 / 16)
#: Labels of :func:`assign_anchors` for anchors that match no box (torchvision's ``Matcher`` uses the same values).
BACKGROUND, IGNORED = -1, -2


def _positive_boxes(boxes, name):
    """``boxes`` as ``(N, 4)`` xyxy with a positive width and height (a box is divided by its size)."""
    boxes = as_boxes(boxes, name).astype(np.float64)
    if (boxes[:, 2:] <= boxes[:, :2]).any():
        raise ValueError(f"{name} must have x2 > x1 and y2 > y1 (a box of zero width or height has no deltas)")
    if boxes.size and np.abs(boxes).max() > MAX_PIXELS:
        raise ValueError(f"{name} must have coordinates of at most {MAX_PIXELS:g} in absolute value")
    return boxes


def _centre_size(boxes):
    """``(N, 4)`` xyxy -> four ``(N,)`` arrays: centre x, centre y, width, height."""
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return boxes[:, 0] + 0.5 * w, boxes[:, 1] + 0.5 * h, w, h


def _weights(weights):
    if not isinstance(weights, (tuple, list, np.ndarray)) or len(weights) != 4:
        raise ValueError(f"weights must be four numbers (wx, wy, ww, wh), got {weights!r}")
    return [_validate.number(w, "weights", low=0, low_open=True) for w in weights]


def encode_boxes(anchors, boxes, weights=(1.0, 1.0, 1.0, 1.0)):
    """The regression targets of ``boxes`` relative to ``anchors`` (R-CNN's box parameterisation).

    Ren et al. 2015, Eq. 2, with the weights of torchvision's ``BoxCoder``::

        dx = wx (x - x_a) / w_a     dy = wy (y - y_a) / h_a     dw = ww log(w / w_a)     dh = wh log(h / h_a)

    where ``(x, y)`` is a box centre and ``w, h`` its size. Dividing by the anchor's size makes the targets the
    same for a small and a large object; the log makes "twice as wide" and "half as wide" symmetric.

    Args:
        anchors: ``(N, 4)`` xyxy anchors (or proposals), each with a positive width and height.
        boxes: ``(N, 4)`` xyxy boxes matched to them row by row (the ground truth), positive width and height.
        weights: ``(wx, wy, ww, wh)``: ``(1, 1, 1, 1)`` for the RPN and RetinaNet, ``(10, 10, 5, 5)`` for
            Faster R-CNN's box head (torchvision's default; they scale the targets to about unit variance).

    Returns:
        ``(N, 4)`` float64 deltas ``(dx, dy, dw, dh)``. :func:`decode_boxes` inverts it.
    """
    anchors, boxes = _positive_boxes(anchors, "anchors"), _positive_boxes(boxes, "boxes")
    if anchors.shape != boxes.shape:
        raise ValueError(f"boxes must match anchors row by row: anchors {anchors.shape}, boxes {boxes.shape}")
    wx, wy, ww, wh = _weights(weights)
    ax, ay, aw, ah = _centre_size(anchors)
    gx, gy, gw, gh = _centre_size(boxes)
    return np.stack([wx * (gx - ax) / aw, wy * (gy - ay) / ah, ww * np.log(gw / aw), wh * np.log(gh / ah)], axis=1)


def decode_boxes(anchors, deltas, weights=(1.0, 1.0, 1.0, 1.0), clip=BOX_DELTA_CLIP):
    """Apply predicted ``deltas`` to ``anchors``: the inverse of :func:`encode_boxes`.

    ``x = x_a + w_a dx / wx``, ``w = w_a exp(dw / ww)`` (same for y, h). ``dw / ww`` and ``dh / wh`` are clamped
    at ``clip`` (:data:`BOX_DELTA_CLIP`, as torchvision) first: an untrained head can output a large ``dw``,
    and ``exp`` would turn it into an absurd box or an overflow.

    Args:
        anchors: ``(N, 4)`` xyxy, positive width and height.
        deltas: ``(N, 4)`` finite ``(dx, dy, dw, dh)``, one row per anchor.
        weights: as in :func:`encode_boxes` (use the same weights for both).
        clip: largest ``dw / ww`` and ``dh / wh`` used.

    Returns:
        ``(N, 4)`` float64 xyxy boxes.
    """
    anchors = _positive_boxes(anchors, "anchors")
    deltas = _validate.array(deltas, "deltas")
    if deltas.size == 0 and len(anchors) == 0:
        deltas = deltas.reshape(0, 4)
    if deltas.shape != anchors.shape:
        raise ValueError(f"deltas must have shape {anchors.shape} (one row per anchor), got {deltas.shape}")
    wx, wy, ww, wh = _weights(weights)
    clip = _validate.number(clip, "clip")
    ax, ay, aw, ah = _centre_size(anchors)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by name
        x, y = ax + aw * deltas[:, 0] / wx, ay + ah * deltas[:, 1] / wy
        w = aw * np.exp(np.minimum(deltas[:, 2] / ww, clip))
        h = ah * np.exp(np.minimum(deltas[:, 3] / wh, clip))
        out = np.stack([x - 0.5 * w, y - 0.5 * h, x + 0.5 * w, y + 0.5 * h], axis=1)
    if not np.isfinite(out).all():
        raise ValueError("deltas (or clip) are too large: the decoded boxes overflow float64")
    return out


def assign_anchors(anchors, boxes, fg_iou=0.5, bg_iou=0.4, allow_low_quality=True):
    """Match every anchor to a ground-truth box, or to the background, by IoU.

    The rule of Faster R-CNN's RPN (Ren et al. 2015, Sec. 3.1.2: positive above 0.7, negative below 0.3) and of
    RetinaNet (Lin et al. 2017, Sec. 4: positive at IoU >= 0.5, background below 0.4, ignored in between):

    * best IoU ``>= fg_iou``: the anchor is positive for the box it overlaps most;
    * best IoU ``< bg_iou``: :data:`BACKGROUND` (-1); in between: :data:`IGNORED` (-2, no loss at all);
    * ``allow_low_quality``: the anchor(s) with the highest IoU for each box are positive too, even below
      ``fg_iou`` (Ren et al.'s first condition: "in some rare cases the second condition may find no positive
      sample"); they are matched to the box they overlap most, as in torchvision's ``Matcher``. A box that no
      anchor overlaps at all gets no anchor.

    Args:
        anchors: ``(N, 4)`` xyxy. boxes: ``(M, 4)`` xyxy ground truth (may be empty: all background).
        fg_iou, bg_iou: thresholds with ``0 <= bg_iou <= fg_iou <= 1``.

    Returns:
        ``(N,)`` int64: the index of the matched box, or -1 (background), or -2 (ignored).
    """
    anchors, boxes = as_boxes(anchors, "anchors"), as_boxes(boxes, "boxes")
    fg_iou = _validate.number(fg_iou, "fg_iou", 0, 1)
    bg_iou = _validate.number(bg_iou, "bg_iou", 0, fg_iou)
    if not isinstance(allow_low_quality, (bool, np.bool_)):
        raise ValueError(f"allow_low_quality must be True or False, got {allow_low_quality!r}")
    matches = np.full(len(anchors), BACKGROUND, dtype=np.int64)
    if len(anchors) == 0 or len(boxes) == 0:
        return matches
    iou = box_iou(anchors, boxes)  # (N, M)
    best, best_box = iou.max(axis=1), iou.argmax(axis=1)  # (N,)
    matches[best >= bg_iou] = IGNORED
    matches[best >= fg_iou] = best_box[best >= fg_iou]
    if allow_low_quality:
        best_for_box = iou.max(axis=0)  # (M,): the highest IoU any anchor reaches with each box
        low = ((iou == best_for_box) & (best_for_box > 0)).any(axis=1)  # (N,)
        matches[low] = best_box[low]
    return matches


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


# --- RetinaNet's dense head (torch) -------------------------------------------------------------------------

def retinanet_head(channels=256, num_anchors=9, num_classes=80, num_convs=4):
    """RetinaNet's two subnets (Lin et al. 2017, Sec. 4 and Fig. 3), applied to every pyramid level P3-P7.

    Class subnet: ``num_convs`` 3x3 convs of ``channels`` filters, each followed by ReLU, then a 3x3 conv with
    ``num_anchors * num_classes`` filters (a sigmoid per anchor and class). Box subnet: the same, ending in
    ``num_anchors * 4`` filters (class-agnostic deltas). The two subnets do not share weights; each is shared
    by all levels. Returns an ``nn.ModuleDict`` with ``"cls"`` and ``"box"``: ``head["cls"](P)`` maps
    ``(B, channels, H, W)`` to ``(B, A K, H, W)``.
    """
    from torch import nn

    channels = _validate.integer(channels, "channels", low=1)
    num_anchors = _validate.integer(num_anchors, "num_anchors", low=1)
    num_classes = _validate.integer(num_classes, "num_classes", low=1)
    num_convs = _validate.integer(num_convs, "num_convs", low=0)

    def subnet(out_channels):
        layers = []
        for _ in range(num_convs):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU()]
        return nn.Sequential(*layers, nn.Conv2d(channels, out_channels, 3, padding=1))

    return nn.ModuleDict({"cls": subnet(num_anchors * num_classes), "box": subnet(num_anchors * 4)})
