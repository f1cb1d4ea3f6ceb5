"""Checker for the whiteboard exercise of ``notebooks/10_depthwise_separable.ipynb``: a MobileNetV1 layer.

The reader writes a module class ``cls(c_in, c_out, stride=1)`` (built with ``stride`` as a keyword) with attributes ``depthwise`` and ``pointwise``
(the two convolutions). Each case builds it and measures one property against an independent route: the shape
and FLOPs of a reference built from plain ``nn.Conv2d`` layers and torch's FLOP counter, the number of weights of
real convolutions, and which output channels move when one input channel is nudged.
"""

import torch
from torch import nn

from utils.checks.core import Case, expect_close, run_cases
from utils.cost import count_flops


def _reference(c_in, c_out, stride):
    """The layer as MobileNetV1 defines it (paper, Fig. 3): dw 3x3 - BN - ReLU - 1x1 - BN - ReLU."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, groups=c_in, bias=False), nn.BatchNorm2d(c_in), nn.ReLU(),
        nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
    ).eval()


def _probe(cls, what, c_in, c_out, stride, size):
    torch.manual_seed(0)
    layer = cls(c_in, c_out, stride=stride)
    layer.eval()
    x = torch.randn(2, c_in, size, size)
    if what == "shape":
        with torch.no_grad():
            return tuple(layer(x).shape)
    if what == "flops":
        return count_flops(layer, x)
    if what == "conv weights":
        return sum(p.numel() for m in layer.modules() if isinstance(m, nn.Conv2d) for p in m.parameters())
    if what == "batchnorms":
        return sum(isinstance(m, nn.BatchNorm2d) for m in layer.modules())
    if what == "non-negative output":
        with torch.no_grad():
            return bool((layer(x) >= 0).all())
    if what == "depthwise mixing":  # output channels of the depthwise conv that move when input channel 1 moves
        nudged = x.clone()
        nudged[:, 1] += 1.0
        with torch.no_grad():
            change = (layer.depthwise(nudged) - layer.depthwise(x)).abs().amax(dim=(0, 2, 3))
        return int((change > 0).sum())
    raise ValueError(f"unknown probe {what!r}")


def depthwise_separable_cases():
    """Cases for ``cls(c_in, c_out, stride=1) -> nn.Module``; ``args = (what, c_in, c_out, stride, size)``."""
    cases = [
        ("output shape, 32 -> 64, stride 1", ("shape", 32, 64, 1, 14), (2, 64, 14, 14),
         "a 3x3 conv keeps the map size only with padding=1; the pointwise conv sets the output channels."),
        ("stride 2 halves the map", ("shape", 32, 64, 2, 14), (2, 64, 7, 7),
         "pass stride to the depthwise 3x3 conv (V1 downsamples there, not with pooling)."),
        ("odd map, stride 2: 7 -> 4", ("shape", 16, 16, 2, 7), (2, 16, 4, 4),
         "3x3, stride 2, padding 1 gives ceil(7 / 2) = 4 outputs."),
        ("conv weights: C_in * 9 + C_in * C_out", ("conv weights", 32, 64, 1, 8), 32 * 9 + 32 * 64,
         "groups=c_in makes one 3x3 filter per input channel; and no bias (BatchNorm follows and has its own)."),
        ("c_in != c_out (64 -> 16): the depthwise conv has C_in filters", ("conv weights", 64, 16, 1, 8),
         64 * 9 + 64 * 16, "the depthwise conv maps c_in -> c_in (groups=c_in); only the 1x1 conv changes channels."),
        ("the depthwise conv does not mix channels", ("depthwise mixing", 8, 16, 1, 6), 1,
         "self.depthwise must be nn.Conv2d(c_in, c_in, 3, groups=c_in, ...): with groups=1 every output channel "
         "sees every input channel."),
        ("the stride sits on the depthwise conv (FLOPs)", ("flops", 32, 64, 2, 16), None,
         "striding the 1x1 conv instead gives the same shape but runs the 3x3 filters on the full-size map."),
        ("BatchNorm after each conv", ("batchnorms", 16, 32, 1, 6), 2, "V1: conv - BN - ReLU, twice."),
        ("ends with ReLU: the output is never negative", ("non-negative output", 16, 32, 1, 6), True,
         "apply ReLU after the second BatchNorm too."),
    ]
    out = []
    for name, args, expected, hint in cases:
        if expected is None:  # FLOPs of the reference layer, counted by torch
            _, c_in, c_out, stride, size = args
            expected = count_flops(_reference(c_in, c_out, stride), torch.zeros(2, c_in, size, size))
        out.append(Case(name, args, expected, hint))
    return out


def _compare(got, case):
    # yes/no properties are answered by the checker's probe itself (a bool); numbers and shapes as usual
    if isinstance(case.expected, bool):
        return None if got is case.expected else f"expected {case.expected}, got {got}"
    return expect_close(got, case.expected, case.atol, case.rtol)


def check_depthwise_separable(cls):
    """Check a MobileNetV1 layer class ``cls(c_in, c_out, stride=1)`` with ``.depthwise`` and ``.pointwise``."""

    def built(what, c_in, c_out, stride, size):
        return _probe(cls, what, c_in, c_out, stride, size)

    built.__name__ = getattr(cls, "__name__", "your class")
    return run_cases(built, depthwise_separable_cases(), compare=_compare)
