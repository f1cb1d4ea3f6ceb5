"""A dense head: RetinaNet's class and box subnets (torch), and the memory of a head's raw output.

Taught in ``notebooks/06_one_vs_two_stage.ipynb`` (what a one-stage head costs per candidate). torch is imported
inside :func:`retinanet_head`, so ``import utils.detectors`` does not load it (the rest is numpy).
"""

import math

from utils import _validate


def raw_output_bytes(count, values_per_candidate, bytes_per_value=4):
    """Memory of a head's raw output: ``count x values_per_candidate`` numbers (float32: 4 bytes each).

    ``values_per_candidate`` is e.g. ``4 + 1 + C`` for YOLOv3 (box, objectness, classes), ``4 + C`` for
    RetinaNet and YOLOv8.
    """
    values = (_validate.integer(v, name, low=0) for v, name in (
        (count, "count"), (values_per_candidate, "values_per_candidate"), (bytes_per_value, "bytes_per_value")))
    return math.prod(values)  # Python ints: no int64 overflow


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
