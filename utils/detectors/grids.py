"""Grids, anchors and candidate counts: how many boxes a dense head scores, and where its anchors sit.

Taught in ``notebooks/06_one_vs_two_stage.ipynb``. Conventions:

* Sizes are ``(height, width)`` in pixels; a single int means a square.
* A feature map of stride ``s`` over an ``H x W`` input has ``ceil(H / s) x ceil(W / s)`` cells (what
  padded convolutions give; YOLOv8 at 640 x 640 with strides 8/16/32: 80x80 + 40x40 + 20x20 = 8400).
* Cell ``(i, j)`` of stride ``s`` has its centre at ``((j + 0.5) s, (i + 0.5) s)`` in image pixels
  (Ultralytics' ``make_anchors`` offset 0.5; torchvision's ``AnchorGenerator`` uses ``j s`` instead:
  the count is the same, the grid is shifted by half a cell).
"""

import math

import numpy as np

from utils import _validate
from utils.detectors._inputs import _as_positive_ints, _as_size


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
