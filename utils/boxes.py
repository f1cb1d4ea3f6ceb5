"""Bounding-box operations: area, format conversion and the IoU family.

Taught in ``notebooks/01_iou.ipynb``.

Conventions (the same as ``torchvision.ops``):

* Boxes are numpy arrays of shape ``(N, 4)`` in ``xyxy`` format, ``(x1, y1, x2, y2)``,
  image coordinates: x grows to the right, y grows *down*, so ``(x1, y1)`` is the top-left corner.
* Coordinates are continuous: ``area = (x2 - x1) * (y2 - y1)``, with no ``+1``.
* Pairwise functions map ``(N, 4) x (M, 4) -> (N, M)``; empty inputs give an empty matrix.
* float32 input stays float32, float64 stays float64, integer input is computed in float64.

One deliberate difference from torchvision: for two zero-area boxes the union is 0 and torchvision
returns ``0/0 = NaN``. Here the IoU of such a pair is defined as **0** (they share no area), and the
GIoU/DIoU/CIoU formulas continue from that value. The tests pin this choice.
"""

import numpy as np

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def as_boxes(boxes, name="boxes", fmt="xyxy"):
    """Validate and return ``boxes`` as a float array of shape ``(N, 4)``.

    Raises ``ValueError`` naming ``name`` for a wrong shape, NaN or inf, or a negative extent
    (``x2 < x1`` or ``y2 < y1`` in ``xyxy``; ``w < 0`` or ``h < 0`` in the other formats).
    An empty input (any array with no elements) becomes an empty ``(0, 4)`` array.
    """
    boxes = np.asarray(boxes)
    if boxes.size == 0:
        return np.zeros((0, 4), dtype=boxes.dtype if boxes.dtype.kind == "f" else np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if boxes.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got dtype {boxes.dtype}")
    if boxes.dtype.kind != "f":
        boxes = boxes.astype(np.float64)
    if not np.isfinite(boxes).all():
        raise ValueError(f"{name} contains NaN or inf")
    if fmt == "xyxy":
        extent = boxes[:, 2:] - boxes[:, :2]  # (N, 2): width, height
        what = "x2 < x1 or y2 < y1"
    else:
        extent = boxes[:, 2:]
        what = "a negative width or height"
    if (extent < 0).any():
        row = int(np.nonzero((extent < 0).any(axis=1))[0][0])
        raise ValueError(f"{name} has {what} (first at row {row}: {boxes[row].tolist()})")
    return boxes


def box_area(boxes):
    """Area of each box. ``boxes``: ``(N, 4)`` xyxy. Returns ``(N,)``."""
    boxes = as_boxes(boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_convert(boxes, in_fmt, out_fmt):
    """Convert ``(N, 4)`` boxes between ``"xyxy"``, ``"xywh"`` (top-left corner, width, height)
    and ``"cxcywh"`` (centre, width, height). Returns a new ``(N, 4)`` array."""
    for arg, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if fmt not in BOX_FORMATS:
            raise ValueError(f"{arg} must be one of {BOX_FORMATS}, got {fmt!r}")
    boxes = as_boxes(boxes, fmt=in_fmt)
    a, b, c, d = boxes.T
    # Everything goes through xyxy: two short formulas per format instead of six.
    if in_fmt == "xywh":
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        a, b, c, d = a - c / 2, b - d / 2, a + c / 2, b + d / 2
    if out_fmt == "xywh":
        a, b, c, d = a, b, c - a, d - b
    elif out_fmt == "cxcywh":
        a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
    return np.stack([a, b, c, d], axis=1)


def _pairwise_corners(boxes1, boxes2):
    """Columns of ``boxes1`` as ``(N, 1)`` and of ``boxes2`` as ``(M,)``, ready to broadcast to ``(N, M)``."""
    boxes1 = as_boxes(boxes1, "boxes1")
    boxes2 = as_boxes(boxes2, "boxes2")
    dtype = np.result_type(boxes1, boxes2)
    first = [boxes1[:, i, None].astype(dtype, copy=False) for i in range(4)]
    second = [boxes2[:, i].astype(dtype, copy=False) for i in range(4)]
    return first, second


def _inter_union(first, second):
    """Intersection and union areas, both ``(N, M)``.

    Written with one ``(N, M)`` buffer per quantity and in-place updates: the textbook version
    builds ``(N, M, 2)`` temporaries, which costs several times more memory traffic.
    """
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    inter = np.minimum(x2a, x2b)  # right edge of the intersection
    inter -= np.maximum(x1a, x1b)  # ... minus its left edge: width
    np.maximum(inter, 0, out=inter)  # no overlap -> width 0
    h = np.minimum(y2a, y2b)
    h -= np.maximum(y1a, y1b)
    np.maximum(h, 0, out=h)
    inter *= h  # width * height
    area1 = (x2a - x1a) * (y2a - y1a)  # (N, 1)
    area2 = (x2b - x1b) * (y2b - y1b)  # (M,)
    union = np.add(area1, area2, out=h)  # reuse the buffer
    union -= inter
    return inter, union


def _safe_divide(num, den):
    """``num / den``, with 0 where ``den == 0`` (the zero-area cases torchvision returns as NaN)."""
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _iou(first, second):
    inter, union = _inter_union(first, second)
    return _safe_divide(inter, union), union


def _enclosing_wh(first, second):
    """Width and height of the smallest box enclosing each pair, ``(N, M)`` each."""
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    w = np.maximum(x2a, x2b) - np.minimum(x1a, x1b)
    h = np.maximum(y2a, y2b) - np.minimum(y1a, y1b)
    return w, h


def box_iou(boxes1, boxes2):
    """Pairwise intersection over union (Jaccard index).

    Args:
        boxes1: ``(N, 4)`` xyxy boxes.
        boxes2: ``(M, 4)`` xyxy boxes.

    Returns:
        ``(N, M)`` array, ``iou[i, j] = area(b1_i ∩ b2_j) / area(b1_i ∪ b2_j)``, in [0, 1].
        Two zero-area boxes have IoU 0 (torchvision: NaN).
    """
    first, second = _pairwise_corners(boxes1, boxes2)
    iou, _ = _iou(first, second)
    return iou


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU (Rezatofighi et al., 2019), in [-1, 1].

    ``GIoU = IoU - (C - U) / C`` with ``C`` the area of the smallest enclosing box and ``U`` the union:
    for disjoint boxes it still says how far apart they are. Where ``C == 0`` (both boxes are collinear
    segments or points) the penalty is taken as 0. Shapes as in :func:`box_iou`.
    """
    first, second = _pairwise_corners(boxes1, boxes2)
    iou, union = _iou(first, second)
    w, h = _enclosing_wh(first, second)
    enclose = w * h  # C
    return iou - _safe_divide(enclose - union, enclose)


def _diou_iou(first, second, eps):
    iou, _ = _iou(first, second)
    w, h = _enclosing_wh(first, second)
    diagonal_sq = w**2 + h**2 + eps  # c^2, squared diagonal of the enclosing box
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    centre_dist_sq = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2  # rho^2
    return iou - centre_dist_sq / diagonal_sq, iou


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise distance IoU (Zheng et al., 2020), in [-1, 1].

    ``DIoU = IoU - rho^2 / c^2``: ``rho`` is the distance between the box centres and ``c`` the diagonal
    of the enclosing box, so the penalty keeps pulling centres together even when one box contains
    the other (where GIoU's penalty is 0). Shapes as in :func:`box_iou`.
    """
    first, second = _pairwise_corners(boxes1, boxes2)
    diou, _ = _diou_iou(first, second, eps)
    return diou


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise complete IoU (Zheng et al., 2020).

    ``CIoU = DIoU - alpha * v`` with ``v = 4 / pi^2 * (atan(w2 / h2) - atan(w1 / h1))^2`` measuring the
    aspect-ratio mismatch and ``alpha = v / (1 - IoU + v)`` its weight. The angle is computed with
    ``arctan2(w, h)``, which equals ``atan(w / h)`` and stays defined (0) for a point box, where
    torchvision returns NaN. Shapes as in :func:`box_iou`.
    """
    first, second = _pairwise_corners(boxes1, boxes2)
    diou, iou = _diou_iou(first, second, eps)
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    angle1 = np.arctan2(x2a - x1a, y2a - y1a)  # (N, 1)
    angle2 = np.arctan2(x2b - x1b, y2b - y1b)  # (M,)
    v = (4 / np.pi**2) * (angle1 - angle2) ** 2
    alpha = v / (1 - iou + v + eps)
    return diou - alpha * v
