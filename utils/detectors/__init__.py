"""Detector arithmetic: grids, anchors and candidate counts; box deltas and anchor assignment; RetinaNet's head;
small objects on a grid; tiling an image.

Taught in ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts, anchor grids, encoding boxes as deltas,
assigning anchors, the dense head's cost) and ``notebooks/07_small_objects.ipynb`` (cells covered, IoU after a
shift, tiling, copy-paste and mosaic). One file per topic, each read top to bottom:

* ``grids.py``: feature-map sizes, candidate counts, cell centres, anchor shapes and anchor grids (notebook 06).
* ``targets.py``: what an anchor learns: :func:`assign_anchors` (a box, background or ignored), then
  :func:`encode_boxes` / :func:`decode_boxes` (the deltas ``dx, dy, dw, dh``) (notebook 06).
* ``heads.py``: RetinaNet's dense head and the memory of a head's raw output (notebook 06).
* ``small_objects.py``: cells covered, IoU after a shift, worst-case anchor IoU; tiling, copy-paste and mosaic
  (notebook 07).
* ``_inputs.py``: the input checks the files share, and :data:`MAX_PIXELS`.

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

Every public name is re-exported here: ``from utils.detectors import encode_boxes`` and
``utils.detectors.candidate_count`` work.
"""

from utils.detectors._inputs import MAX_PIXELS
from utils.detectors.grids import anchor_grid, anchor_shapes, candidate_count, cell_centres, feature_map_sizes
from utils.detectors.targets import (
    BACKGROUND, BOX_DELTA_CLIP, IGNORED, assign_anchors, decode_boxes, encode_boxes)
from utils.detectors.heads import raw_output_bytes, retinanet_head
from utils.detectors.small_objects import (
    cells_covered, copy_paste, detect_tiled, iou_after_shift, mosaic, tile_windows, worst_case_anchor_iou)

__all__ = [
    "MAX_PIXELS",
    "feature_map_sizes", "candidate_count", "cell_centres", "anchor_shapes", "anchor_grid",
    "BOX_DELTA_CLIP", "BACKGROUND", "IGNORED", "encode_boxes", "decode_boxes", "assign_anchors",
    "raw_output_bytes", "retinanet_head",
    "cells_covered", "iou_after_shift", "worst_case_anchor_iou", "tile_windows", "detect_tiled", "copy_paste",
    "mosaic",
]
