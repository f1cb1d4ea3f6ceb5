"""The training targets of an anchor: which ground-truth box it learns (or background), and the deltas it regresses.

Taught in ``notebooks/06_one_vs_two_stage.ipynb``: :func:`assign_anchors` matches anchors to boxes by IoU (the
RPN's and RetinaNet's thresholds), :func:`encode_boxes` turns a matched box into ``(dx, dy, dw, dh)`` and
:func:`decode_boxes` turns predicted deltas back into boxes. Boxes are numpy ``(N, 4)`` xyxy arrays, as in
:mod:`utils.boxes`.
"""

import math

import numpy as np

from utils import _validate
from utils.boxes import as_boxes, box_iou
from utils.detectors._inputs import MAX_PIXELS


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
