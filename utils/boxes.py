"""Bounding-box operations: area, format conversion and the IoU family.

Taught in ``notebooks/01_iou.ipynb``.

Conventions (the same as ``torchvision.ops``):

* Boxes are numpy arrays of shape ``(N, 4)`` in ``xyxy`` format, ``(x1, y1, x2, y2)``,
  image coordinates: x grows to the right, y grows *down*, so ``(x1, y1)`` is the top-left corner.
* Coordinates are continuous: ``area = (x2 - x1) * (y2 - y1)``, with no ``+1``.
* Pairwise functions map ``(N, 4) x (M, 4) -> (N, M)``; empty inputs give an empty matrix.
* Result dtype: float64 stays float64, float32 stays float32, **float16 gives float32** (its products are
  computed in float32, as torchvision's ``_upcast`` does: a 256 x 256 box has an area above float16's
  maximum, 65504), integers give float64.

One deliberate difference from torchvision: for two zero-area boxes the union is 0 and torchvision
returns ``0/0 = NaN``. Here the IoU of such a pair is defined as **0** (they share no area), and the
GIoU/DIoU/CIoU formulas continue from that value. The tests pin this choice.

Never a silent 0 or NaN from overflow. Areas and squared lengths overflow long before coordinates do
(float32: coordinates near 1e19; float64: near 1e154), and ``inf - inf = NaN`` would then pass for IoU 0.
IoU, GIoU, DIoU and CIoU are ratios of areas, so :func:`_upcast` moves such boxes where products fit:
float32 boxes are computed in float64 (which holds every product of float32 numbers) and the result is
rounded back to float32; float64 boxes are multiplied by a power of two, which changes only exponents,
so the result is exactly the one an overflow-free float64 would give. :func:`box_area` and
:func:`box_convert` return coordinates or areas themselves: where those do not fit the dtype they raise
``ValueError``.
"""

import math
import numbers
import sys

import numpy as np

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


# --- validation (also used by utils.nms and utils.anchors) -------------------------------------------

def _real_array(values, name):
    """``values`` as a numpy array of real numbers (float or integer); ``TypeError`` naming ``name`` otherwise."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError):  # ragged nested lists
        raise TypeError(f"{name} must be an array of numbers, got a ragged {type(values).__name__}") from None
    if array.dtype.kind not in "fiu":  # bool, complex, object, str, datetime ... are not coordinates
        raise TypeError(f"{name} must hold real numbers (float or integer), got dtype {array.dtype}")
    return array


def _check_number(value, name, expected, low=-math.inf, high=math.inf, open_low=False):
    """``value`` as a float if it is a real number in ``[low, high]`` (``(low, high]`` with ``open_low``).

    Otherwise ``TypeError`` (not a number: None, a string, a list, a bool) or ``ValueError`` (NaN, out of
    range), both saying ``"{name} must be {expected}, got {value!r}"``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if not (low < value if open_low else low <= value) or not value <= high:  # NaN fails both
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return float(value)


def _check_int(value, name, expected, low, high=math.inf):
    """``value`` as an int if it is an integer (not a bool) in ``[low, high]``, else ``TypeError``/``ValueError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def as_boxes(boxes, name="boxes", fmt="xyxy"):
    """Validate ``boxes`` and return them as a float array of shape ``(N, 4)``.

    Floats keep their dtype (the input array itself is returned, not a copy); integers become float64.
    Empty input (shape ``(0,)``, ``(0, 0)`` or ``(0, 4)``) becomes an empty ``(0, 4)`` array.

    Raises ``TypeError`` for a dtype that is not a real number (bool, complex, object, str), and
    ``ValueError`` naming ``name`` for a wrong shape, NaN or inf, or a negative extent (``x2 < x1`` or
    ``y2 < y1`` in ``xyxy``; ``w < 0`` or ``h < 0`` in ``xywh`` and ``cxcywh``), or naming ``fmt`` for a
    format other than ``"xyxy"``, ``"xywh"``, ``"cxcywh"``.
    """
    if not (isinstance(fmt, str) and fmt in BOX_FORMATS):
        raise ValueError(f"fmt must be one of {BOX_FORMATS}, got {fmt!r}")
    boxes = _real_array(boxes, name)
    if boxes.size == 0 and boxes.shape in ((0,), (0, 0), (0, 4)):
        return np.zeros((0, 4), dtype=boxes.dtype if boxes.dtype.kind == "f" else np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {boxes.shape}")
    if boxes.dtype.kind != "f":
        boxes = boxes.astype(np.float64)
    if not np.isfinite(boxes).all():
        row = int(np.flatnonzero(~np.isfinite(boxes).all(axis=1))[0])
        raise ValueError(f"{name} must be finite, but row {row} is {boxes[row].tolist()}")
    extent = boxes[:, 2:] - boxes[:, :2] if fmt == "xyxy" else boxes[:, 2:]  # (N, 2): width, height
    if (extent < 0).any():
        row = int(np.flatnonzero((extent < 0).any(axis=1))[0])
        rule = "x1 <= x2 and y1 <= y2" if fmt == "xyxy" else "w >= 0 and h >= 0"
        raise ValueError(f"{name} must have {rule} ({fmt}), but row {row} is {boxes[row].tolist()}")
    return boxes


def _upcast(*arrays):
    """The arrays in the dtype and at the scale their products are computed at: ``(arrays, dtype, e)``.

    ``dtype`` is the result dtype (float16 -> float32, like torchvision's ``_upcast``). The products of
    coordinates up to ``M`` in absolute value reach ``8 M**2`` (a squared diagonal ``w**2 + h**2``), so ``M``
    must stay below ``sqrt(max) / 4``; and the square of the smallest step at that scale (``M * eps``) must
    not underflow. Outside that range:

    * float32 is computed in float64, which holds every product of float32 numbers;
    * float64 is multiplied by ``2**-e`` so that ``M`` is in ``[0.5, 1)``. A power of two changes only the
      exponent: every ratio of areas keeps every bit. (A box whose sides are below about ``1e-154 * M``
      still loses its area to underflow: one common scale cannot serve both it and the largest box.)

    Returns the arrays (copies only where converted or scaled), the result dtype, and ``e`` (0 when not
    rescaled), so that a length ``eps`` added to squared lengths can be scaled by ``2**(-2 e)``.
    """
    dtype = np.result_type(*arrays, np.float32)
    largest = max((max(float(a.max()), -float(a.min())) for a in arrays if a.size), default=0.0)
    info = np.finfo(dtype)
    low, high = math.sqrt(info.tiny) / info.eps, math.sqrt(info.max) / 4
    if largest == 0 or low <= largest <= high:
        return [a.astype(dtype, copy=False) for a in arrays], dtype, 0
    if dtype == np.float32:
        return [a.astype(np.float64) for a in arrays], dtype, 0
    e = math.frexp(largest)[1]
    return [np.ldexp(a.astype(dtype, copy=False), -e) for a in arrays], dtype, e


# --- the kernel: every IoU in the course goes through these two functions ------------------------------

def _inter_union(first, second):
    """Intersection and union areas of boxes given as corner columns that broadcast against each other.

    ``first`` and ``second`` are ``(x1, y1, x2, y2)`` tuples of arrays (or scalars): ``(N, 1)`` against
    ``(M,)`` gives the ``(N, M)`` pairwise matrices of :func:`box_iou`; ``(P,)`` against ``(P,)`` gives ``P``
    pairs (:func:`utils.nms.paired_box_iou`); ``x1 = y1 = 0`` gives the box sizes of :mod:`utils.anchors`.
    One formula in one order everywhere, so a pair at IoU exactly equal to a threshold is decided the same
    way by every function (and as torchvision's NMS kernel decides it).

    One buffer per quantity, updated in place: the textbook version builds ``(N, M, 2)`` temporaries,
    which costs several times more memory traffic.
    """
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    inter = np.minimum(x2a, x2b)  # right edge of the intersection, (N, M)
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
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[den == 0] = 0  # (areas are >= 0: den is never negative)
    return out


def _iou(first, second, dtype):
    """IoU of corner columns (see :func:`_inter_union`), rounded to the result ``dtype`` (see :func:`_upcast`)."""
    inter, union = _inter_union(first, second)
    return _safe_divide(inter, union).astype(dtype, copy=False)


# --- the public functions ---------------------------------------------------------------------------

def box_area(boxes):
    """Area of each box. ``boxes``: ``(N, 4)`` xyxy. Returns ``(N,)`` (float16 boxes: float32 areas).

    Raises ``ValueError`` if an area is too large for the dtype (float32 above 3.4e38: pass float64 boxes).
    """
    boxes = as_boxes(boxes)
    dtype = np.result_type(boxes, np.float32)
    x1, y1, x2, y2 = boxes.astype(dtype, copy=False).T
    with np.errstate(over="ignore", invalid="ignore"):
        area = (x2 - x1) * (y2 - y1)
    if not np.isfinite(area).all():
        raise ValueError(f"boxes have areas above the largest {dtype.name} ({np.finfo(dtype).max:.3g})"
                         + ("; pass float64 boxes" if dtype != np.float64 else ""))
    return area


def box_convert(boxes, in_fmt, out_fmt):
    """Convert ``(N, 4)`` boxes between ``"xyxy"``, ``"xywh"`` (top-left corner, width, height)
    and ``"cxcywh"`` (centre, width, height). Returns a new ``(N, 4)`` array of the same float dtype
    (integers: float64). Raises ``ValueError`` if a converted coordinate does not fit the dtype."""
    for arg, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if not (isinstance(fmt, str) and fmt in BOX_FORMATS):
            raise ValueError(f"{arg} must be one of {BOX_FORMATS}, got {fmt!r}")
    boxes = as_boxes(boxes, fmt=in_fmt)
    a, b, c, d = boxes.T
    with np.errstate(over="ignore", invalid="ignore"):
        # Everything goes through xyxy: two short formulas per format instead of six.
        if in_fmt == "xywh":
            a, b, c, d = a, b, a + c, b + d
        elif in_fmt == "cxcywh":
            a, b, c, d = a - c / 2, b - d / 2, a + c / 2, b + d / 2
        if out_fmt == "xywh":
            a, b, c, d = a, b, c - a, d - b
        elif out_fmt == "cxcywh":
            a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
        out = np.stack([a, b, c, d], axis=1)
    if not np.isfinite(out).all():
        raise ValueError(f"boxes converted from {in_fmt} to {out_fmt} do not fit {boxes.dtype.name}; pass float64 boxes")
    return out


def _pairwise_corners(boxes1, boxes2):
    """Validated columns, ``boxes1``'s as ``(N, 1)`` and ``boxes2``'s as ``(M,)`` (they broadcast to ``(N, M)``),
    at a safe scale (:func:`_upcast`); and the result dtype and scale exponent."""
    (boxes1, boxes2), dtype, e = _upcast(as_boxes(boxes1, "boxes1"), as_boxes(boxes2, "boxes2"))
    first = tuple(boxes1[:, i, None] for i in range(4))
    second = tuple(boxes2[:, i] for i in range(4))
    return first, second, dtype, e


def box_iou(boxes1, boxes2):
    """Pairwise intersection over union (Jaccard index).

    Args:
        boxes1: ``(N, 4)`` xyxy boxes.
        boxes2: ``(M, 4)`` xyxy boxes.

    Returns:
        ``(N, M)`` array, ``iou[i, j] = area(b1_i ∩ b2_j) / area(b1_i ∪ b2_j)``, in [0, 1].
        Two zero-area boxes have IoU 0 (torchvision: NaN).
    """
    first, second, dtype, _ = _pairwise_corners(boxes1, boxes2)
    return _iou(first, second, dtype)


def _enclosing_wh(first, second):
    """Width and height of the smallest box enclosing each pair, ``(N, M)`` each."""
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    w = np.maximum(x2a, x2b) - np.minimum(x1a, x1b)
    h = np.maximum(y2a, y2b) - np.minimum(y1a, y1b)
    return w, h


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU (Rezatofighi et al., 2019), in [-1, 1].

    ``GIoU = IoU - (C - U) / C`` with ``C`` the area of the smallest enclosing box and ``U`` the union:
    for disjoint boxes it still says how far apart they are. Where ``C == 0`` (both boxes are collinear
    segments or points) the penalty is taken as 0. Shapes as in :func:`box_iou`.
    """
    first, second, dtype, _ = _pairwise_corners(boxes1, boxes2)
    inter, union = _inter_union(first, second)
    iou = _safe_divide(inter, union)
    w, h = _enclosing_wh(first, second)
    enclose = w * h  # C
    return (iou - _safe_divide(enclose - union, enclose)).astype(dtype, copy=False)


def _scaled_eps(eps, e):
    """``eps * 2**(-2 e)``: a term in squared coordinate units, rescaled with the boxes (see :func:`_upcast`)."""
    try:
        return math.ldexp(eps, -2 * e)
    except OverflowError:  # tiny boxes scaled up: eps dwarfs every c^2, as it did before scaling
        return sys.float_info.max


def _diou_iou(first, second, eps):
    """DIoU and IoU, ``(N, M)`` each, in the working dtype."""
    inter, union = _inter_union(first, second)
    iou = _safe_divide(inter, union)
    w, h = _enclosing_wh(first, second)
    diagonal_sq = w**2 + h**2 + eps  # c^2, squared diagonal of the enclosing box
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    centre_dist_sq = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2  # rho^2
    return iou - _safe_divide(centre_dist_sq, diagonal_sq), iou  # c^2 = 0 (eps = 0, one point): no penalty


def distance_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise distance IoU (Zheng et al., 2020), in [-1, 1].

    ``DIoU = IoU - rho^2 / c^2``: ``rho`` is the distance between the box centres and ``c`` the diagonal
    of the enclosing box, so the penalty keeps pulling centres together even when one box contains
    the other (where GIoU's penalty is 0). ``eps`` (>= 0, in squared coordinate units, as torchvision's)
    is added to ``c^2``. Shapes as in :func:`box_iou`.
    """
    eps = _check_number(eps, "eps", "a finite number >= 0", low=0, high=sys.float_info.max)
    first, second, dtype, e = _pairwise_corners(boxes1, boxes2)
    diou, _ = _diou_iou(first, second, _scaled_eps(eps, e))
    return diou.astype(dtype, copy=False)


def complete_box_iou(boxes1, boxes2, eps=1e-7):
    """Pairwise complete IoU (Zheng et al., 2020).

    ``CIoU = DIoU - alpha * v`` with ``v = 4 / pi^2 * (atan(w2 / h2) - atan(w1 / h1))^2`` measuring the
    aspect-ratio mismatch and ``alpha = v / (1 - IoU + v)`` its weight. The angle is computed with
    ``arctan2(w, h)``, which equals ``atan(w / h)`` and stays defined (0) for a point box, where
    torchvision returns NaN. ``eps`` (>= 0) as in :func:`distance_box_iou`, and also added to the
    denominator of ``alpha``. Shapes as in :func:`box_iou`.
    """
    eps = _check_number(eps, "eps", "a finite number >= 0", low=0, high=sys.float_info.max)
    first, second, dtype, e = _pairwise_corners(boxes1, boxes2)
    diou, iou = _diou_iou(first, second, _scaled_eps(eps, e))
    x1a, y1a, x2a, y2a = first
    x1b, y1b, x2b, y2b = second
    angle1 = np.arctan2(x2a - x1a, y2a - y1a)  # (N, 1)
    angle2 = np.arctan2(x2b - x1b, y2b - y1b)  # (M,)
    v = (4 / np.pi**2) * (angle1 - angle2) ** 2
    alpha = _safe_divide(v, 1 - iou + v + eps)  # 0 / 0 only for identical boxes with eps = 0: no penalty
    return (diou - alpha * v).astype(dtype, copy=False)
