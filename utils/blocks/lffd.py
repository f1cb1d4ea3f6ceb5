"""LFFD (He et al. 2019, "LFFD: A Light and Fast Face Detector for Edge Devices", arXiv:1904.10633).

Taught in ``notebooks/17_face_detection.ipynb``. A small, readable torch version of the paper's v1
network (25 convolutions, 8 detection branches), following the authors' released MXNet symbol
``symbol_10_560_25L_8scales_v1.py``:

* only 3x3 convolutions and ReLU, **no batch normalisation**; the five down-sampling convolutions have
  stride 2 and no padding (640 -> 319 -> 159 -> 79 -> 39 -> 19), all others stride 1 and padding 1;
* residual units ``x + conv(relu(conv(relu(x))))`` on the pre-activation ``x``;
* a branch after 8 of the units: ``relu`` then a head of 1x1 convolutions, 2 scores (face / background)
  and 4 box offsets per location. There are no anchors: each location's receptive field plays the anchor.

:func:`encode_face` and :func:`decode_branch` are the box coding of the authors' data iterator and
``predict.py``: a location is positive when its RF centre lies inside the face box, and it regresses the four
distances from its centre to the box sides divided by ``C = scale / 2``, where ``scale`` is the branch's largest
face (the released configuration sets ``param_receptive_field_list = param_bbox_large_list``: not the true RF).

Branch ``b`` has receptive field 55, 71, 111, 143, 223, 383, 511, 639 pixels, stride 4, 4, 8, 8, 16, 32,
32, 32, and is trained on faces of 10-15, 15-20, 20-40, 40-70, 70-110, 110-250, 250-400, 400-560 pixels
(the released configuration; ``utils.receptive_field`` recomputes the first two columns).
"""

import numpy as np
import torch
import torch.nn as nn

# The v1 backbone as a list of steps: ("down", channels) = [relu] + 3x3 stride-2 conv without padding,
# ("res",) = residual unit of two 3x3 convs, ("branch",) = a detection branch reads the current map.
LFFD_V1 = [
    ("down", 64), ("down", 64),
    ("res",), ("res",), ("res",), ("branch",),  # conv3-conv8: branch 1, faces 10-15 px
    ("res",), ("branch",),                      # conv9-conv10: branch 2, 15-20 px
    ("down", 64), ("res",), ("branch",),        # conv11-conv13: branch 3, 20-40 px
    ("res",), ("branch",),                      # conv14-conv15: branch 4, 40-70 px
    ("down", 128), ("res",), ("branch",),       # conv16-conv18: branch 5, 70-110 px
    ("down", 128), ("res",), ("branch",),       # conv19-conv21: branch 6, 110-250 px
    ("res",), ("branch",),                      # conv22-conv23: branch 7, 250-400 px
    ("res",), ("branch",),                      # conv24-conv25: branch 8, 400-560 px
]


def chain_specs(config=LFFD_V1):
    """The longest path through the backbone, for :func:`utils.receptive_field.receptive_fields`.

    Returns ``(kernels, strides, paddings, branch_layers)``: one entry per convolution (25 for v1) and,
    for each branch, the index of the last convolution before it.
    """
    kernels, strides, paddings, branch_layers = [], [], [], []
    for step in config:
        if step[0] == "down":
            kernels.append(3), strides.append(2), paddings.append(0)
        elif step[0] == "res":
            kernels += [3, 3]
            strides += [1, 1]
            paddings += [1, 1]
        else:
            branch_layers.append(len(kernels) - 1)
    return kernels, strides, paddings, branch_layers


class ResidualUnit(nn.Module):
    """``x + conv3x3(relu(conv3x3(relu(x))))``; ``(N, C, H, W) -> (N, C, H, W)``."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(torch.relu(self.conv1(torch.relu(x))))


class LFFDHead(nn.Module):
    """One detection branch: ``(N, C, h, w) -> (scores (N, 2, h, w), boxes (N, 4, h, w))``, 1x1 convs only."""

    def __init__(self, in_channels, width=128):
        super().__init__()
        self.shared = nn.Conv2d(in_channels, width, 1)
        self.score = nn.Sequential(nn.Conv2d(width, width, 1), nn.ReLU(), nn.Conv2d(width, 2, 1))
        self.box = nn.Sequential(nn.Conv2d(width, width, 1), nn.ReLU(), nn.Conv2d(width, 4, 1))

    def forward(self, x):
        x = torch.relu(self.shared(x))
        return self.score(x), self.box(x)


class LFFDBackbone(nn.Module):
    """The backbone: ``(N, 3, H, W)`` -> list of 8 maps (``relu`` applied), one per branch.

    ``width`` scales every channel count (``width=1/32`` gives 2-4 channels: same receptive fields, a
    fraction of the cost; used to measure receptive fields quickly).
    """

    def __init__(self, config=LFFD_V1, in_channels=3, width=1.0):
        super().__init__()
        self.config = list(config)
        layers, c = nn.ModuleList(), in_channels
        self.branch_channels = []
        for step in self.config:
            if step[0] == "down":
                out = max(1, round(step[1] * width))
                layers.append(nn.Conv2d(c, out, 3, stride=2, padding=0))
                c = out
            elif step[0] == "res":
                layers.append(ResidualUnit(c))
            else:
                self.branch_channels.append(c)
        self.layers = layers

    def forward(self, x):
        features, i, first = [], 0, True
        for step in self.config:
            if step[0] == "branch":
                features.append(torch.relu(x))
                continue
            layer = self.layers[i]
            i += 1
            if step[0] == "down":
                # The image goes into conv1 as it is; every later down-sampling conv reads relu(x).
                x = layer(x if first else torch.relu(x))
                first = False
            else:
                x = layer(x)
        return features


class LFFD(nn.Module):
    """Backbone + one head per branch: ``(N, 3, H, W)`` -> list of 8 ``(scores, boxes)`` pairs."""

    def __init__(self, config=LFFD_V1, width=1.0, head_width=128):
        super().__init__()
        self.backbone = LFFDBackbone(config, width=width)
        self.heads = nn.ModuleList(
            LFFDHead(c, max(1, round(head_width * width))) for c in self.backbone.branch_channels)

    def forward(self, x):
        return [head(f) for head, f in zip(self.heads, self.backbone(x))]


class BranchOutput(nn.Module):
    """``LFFDBackbone`` truncated to return only branch ``index``'s map (for gradient measurements)."""

    def __init__(self, backbone, index):
        super().__init__()
        self.backbone, self.index = backbone, index

    def forward(self, x):
        return self.backbone(x)[self.index]


def _centres(start, stride, n):
    """RF centres ``start + i * stride`` of ``n`` units along one axis (input pixel indices)."""
    return start + stride * np.arange(n, dtype=np.float64)


def _check_branch(start, stride, scale):
    for name, value, low in (("start", start, None), ("stride", stride, 0), ("scale", scale, 0)):
        if isinstance(value, (bool, np.bool_)) or not np.isscalar(value) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        if low is not None and value <= low:
            raise ValueError(f"{name} must be > {low}, got {value!r}")


def encode_face(box, start, stride, size, scale):
    """LFFD's targets for one face on one branch (the authors' data iterator, v1).

    Args:
        box: ``(4,)`` xyxy face box in input pixels.
        start, stride: centre of unit 0 and RF stride of the branch (e.g. 3 and 4 for branch 1).
        size: ``(h, w)`` of the branch's map.
        scale: the normalisation size, the branch's largest face (15 for branch 1); ``C = scale / 2``.

    Returns:
        ``(positive, targets)``: ``(h, w)`` bool, True where the unit's RF centre ``(cx, cy)`` lies inside the box
        (borders included), and ``(4, h, w)`` float64 ``((cx - x1) / C, (cy - y1) / C, (cx - x2) / C, (cy - y2) / C)``
        at the positive units, 0 elsewhere.
    """
    box = np.asarray(box, dtype=np.float64)
    if box.shape != (4,) or not np.isfinite(box).all() or box[2] < box[0] or box[3] < box[1]:
        raise ValueError(f"box must be a finite xyxy (4,) array with x2 >= x1 and y2 >= y1, got {box.tolist()}")
    _check_branch(start, stride, scale)
    h, w = (int(v) for v in size)
    if h < 0 or w < 0 or (h, w) != tuple(size):
        raise ValueError(f"size must be (h, w) of non-negative ints, got {size!r}")
    cx, cy = np.meshgrid(_centres(start, stride, w), _centres(start, stride, h))  # (h, w) each
    positive = (cx >= box[0]) & (cx <= box[2]) & (cy >= box[1]) & (cy <= box[3])
    C = scale / 2
    targets = np.stack([cx - box[0], cy - box[1], cx - box[2], cy - box[3]]) / C  # (4, h, w)
    return positive, np.where(positive, targets, 0.0)


def decode_branch(scores, offsets, start, stride, scale, threshold=0.5):
    """Boxes from one LFFD branch, as the authors' ``predict.py`` computes them (before NMS, without clipping).

    Args:
        scores: ``(h, w)`` face probabilities of the branch.
        offsets: ``(4, h, w)`` regressed ``(t1, t2, t3, t4)`` per unit.
        start, stride, scale: as in :func:`encode_face`; ``C = scale / 2``.
        threshold: keep the units with ``score > threshold`` (strictly).

    Returns:
        ``(boxes, kept)``: ``(N, 4)`` float64 xyxy ``(cx - t1 C, cy - t2 C, cx - t3 C, cy - t4 C)`` and their
        ``(N,)`` scores, in row-major order of the units; ``(0, 4)`` and ``(0,)`` when none passes.
    """
    scores = np.asarray(scores, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"scores must be an (h, w) map, got shape {scores.shape}")
    if offsets.shape != (4,) + scores.shape:
        raise ValueError(f"offsets must have shape (4, h, w) = {(4,) + scores.shape}, got {offsets.shape}")
    _check_branch(start, stride, scale)
    rows, cols = np.nonzero(scores > threshold)  # row-major
    cx, cy = start + stride * cols, start + stride * rows
    t = offsets[:, rows, cols]  # (4, N)
    C = scale / 2
    boxes = np.stack([cx - t[0] * C, cy - t[1] * C, cx - t[2] * C, cy - t[3] * C], axis=1).reshape(-1, 4)
    return boxes, scores[rows, cols]
