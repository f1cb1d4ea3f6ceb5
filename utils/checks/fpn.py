"""Checker for the whiteboard exercise of ``notebooks/14_fpn.ipynb``: FPN's top-down pathway as an ``nn.Module``.

The reader writes a class ``cls(in_channels_list, d)`` whose ``forward(features)`` takes a list of maps
``[C2, C3, ...]`` (finest first, each half the size of the one before, rounded up) and returns the list
``[P2, P3, ...]``: one lateral 1x1 conv per level, nearest-neighbour upsampling of the coarser sum to the finer
map's size, element-wise addition, one 3x3 conv per level (Lin et al. 2017, Sec. 3 and Fig. 3).

Each case builds the module and sets every weight itself: convolutions are recognised by their weight shape
(a 1x1 conv from ``c`` channels is the lateral conv of the level with ``c`` channels, every ``(d, d, 3, 3)`` conv
is a smoothing conv; equal shapes get equal weights, so their order cannot matter) and every bias is set to zero
(with or without ``bias=`` the module computes the same). The answer is compared with the pathway computed here
in plain ``torch.nn.functional`` (not with :mod:`utils.blocks.fpn`); when it differs, the checker tries the usual
mistakes (bilinear upsampling, the top-down path built from the smoothed maps, no 3x3 conv, the list reversed, a
ReLU) and names the one that matches.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from utils.checks.core import Case, Mismatch, run_cases, show


def _weights(in_channels, d, seed=0):
    """Lateral 1x1 weights per input channel count and one 3x3 smoothing weight, float64."""
    g = torch.Generator().manual_seed(seed)
    lateral = {c: torch.randn(d, c, 1, 1, generator=g, dtype=torch.float64) / np.sqrt(c)
               for c in sorted(set(in_channels))}
    smooth = torch.randn(d, d, 3, 3, generator=g, dtype=torch.float64) / np.sqrt(9 * d)
    return lateral, smooth


def _features(in_channels, sizes, batch=2, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, c, h, w, generator=g, dtype=torch.float64) for c, (h, w) in zip(in_channels, sizes)]


def _top_down(features, lateral, smooth, mode="nearest", from_p=False, no_smooth=False, relu=False):
    """FPN's top-down pathway in plain functional code; the keyword arguments build the usual mistakes."""
    act = F.relu if relu else (lambda t: t)
    conv3 = (lambda t: t) if no_smooth else (lambda t: act(F.conv2d(t, smooth, padding=1)))
    m = F.conv2d(features[-1], lateral[features[-1].shape[1]])  # M_top = lateral(C_top)
    outs = [conv3(m)]
    for c in reversed(features[:-1]):
        above = outs[0] if from_p else m
        kw = {} if mode == "nearest" else {"align_corners": False}
        m = F.conv2d(c, lateral[c.shape[1]]) + F.interpolate(above, size=c.shape[-2:], mode=mode, **kw)
        outs.insert(0, conv3(m))
    return outs


_MISTAKES = [
    ("bilinear upsampling", dict(mode="bilinear"),
     "use nearest-neighbour upsampling (F.interpolate(..., mode='nearest')), as the paper does."),
    ("the top-down path built from the smoothed maps P", dict(from_p=True),
     "upsample the running sum M (before its 3x3 conv), not the smoothed output P: the 3x3 convs sit outside the "
     "top-down path."),
    ("no 3x3 conv on the merged maps", dict(no_smooth=True),
     "apply a 3x3 conv (padding 1) to every merged map M to get P."),
    ("a ReLU after the 3x3 convs", dict(relu=True),
     "the paper's extra layers have no non-linearity: no ReLU after the lateral or the 3x3 convs."),
]


def _load(module, in_channels, d):
    """Put the checker's weights into the reader's module (float64, eval); refuse convs FPN does not have."""
    lateral, smooth = _weights(in_channels, d)
    module.double().eval()
    for m in module.modules():
        if not isinstance(m, nn.Conv2d):
            continue
        shape = tuple(m.weight.shape)
        if shape[2:] == (1, 1) and shape[0] == d and shape[1] in lateral:
            m.weight.data.copy_(lateral[shape[1]])
        elif shape == (d, d, 3, 3):
            m.weight.data.copy_(smooth)
        elif shape[1] == 2 * d:
            raise ValueError(f"your module has a conv over {2 * d} channels {shape}: FPN adds the upsampled map to "
                             "the lateral map (element-wise), it does not concatenate them")
        else:
            raise ValueError(f"your module has a conv with weight shape {shape}; FPN with d = {d} has 1x1 convs "
                             f"{[(d, c, 1, 1) for c in sorted(lateral)]} and 3x3 convs {(d, d, 3, 3)}")
        if m.bias is not None:
            m.bias.data.zero_()
    return module


def _probe(cls, test, in_channels, d, sizes):
    """Build ``cls(in_channels, d)`` and answer one test about it."""
    torch.manual_seed(0)
    module = cls(list(in_channels), d)
    if test == "convs":
        kinds = [tuple(m.kernel_size) for m in module.modules() if isinstance(m, nn.Conv2d)]
        return kinds.count((1, 1)), kinds.count((3, 3))
    _load(module, in_channels, d)
    with torch.no_grad():
        out = module(_features(in_channels, sizes))
    if isinstance(out, torch.Tensor) or not isinstance(out, (list, tuple)):
        raise Mismatch(f"expected a list of {len(in_channels)} maps [P2, P3, ...], got {show(out)}")
    if test == "shapes":
        return [tuple(t.shape) for t in out]
    if test == "top":
        return np.asarray(out[-1], dtype=float)
    return [np.asarray(t, dtype=float) for t in out]


def _expected(test, in_channels, d, sizes):
    if test == "convs":
        return len(in_channels), len(in_channels)
    if test == "shapes":
        return [(2, d, h, w) for h, w in sizes]
    outs = [t.numpy() for t in _top_down(_features(in_channels, sizes), *_weights(in_channels, d))]
    return outs[-1] if test == "top" else outs


def _close(got, expected):
    return (len(got) == len(expected) and all(np.shape(g) == np.shape(e) for g, e in zip(got, expected))
            and all(np.allclose(g, e, atol=1e-6, rtol=1e-6) for g, e in zip(got, expected)))


def _compare(got, case):
    test, in_channels, d, sizes = case.args
    if test in ("convs", "shapes"):
        if tuple(got) == tuple(case.expected) or list(got) == list(case.expected):
            return None
        return f"expected {show(case.expected)}, got {show(got)}"
    if test == "top":
        if np.shape(got) == np.shape(case.expected) and np.allclose(got, case.expected, atol=1e-6, rtol=1e-6):
            return None
        return "the coarsest output differs from conv3x3(conv1x1(C_top))"
    got = list(got)
    if _close(got, case.expected):
        return None
    if len(got) != len(case.expected):
        return f"expected {len(case.expected)} maps, got {len(got)}"
    if _close(got[::-1], case.expected):
        return "your maps are right but in the wrong order: return them finest first, [P2, P3, ...]."
    features, (lateral, smooth) = _features(in_channels, sizes), _weights(in_channels, d)
    for name, kw, fix in _MISTAKES:
        if _close(got, [t.numpy() for t in _top_down(features, lateral, smooth, **kw)]):
            return f"your output matches FPN with {name}: {fix}"
    wrong = [f"P{2 + i}" for i, (g, e) in enumerate(zip(got, case.expected))
             if np.shape(g) != np.shape(e) or not np.allclose(g, e, atol=1e-6, rtol=1e-6)]
    return f"the values differ at {', '.join(wrong)}"


def fpn_top_down_cases():
    """Cases for ``cls(in_channels_list, d)``; ``args = (test, in_channels, d, sizes)``."""
    specs = [
        ("one 1x1 and one 3x3 conv per level", ("convs", (4, 8, 16), 6, None),
         "each level has its own lateral 1x1 conv and its own 3x3 conv (torchvision: inner_blocks, layer_blocks). "
         "The heads that run on the pyramid share weights across levels; the FPN layers do not."),
        ("output: one d-channel map per level, finest first", ("shapes", (4, 8, 16), 6, [(16, 16), (8, 8), (4, 4)]),
         "every P_l has d channels and the size of its C_l: a 1x1 lateral conv to d, a 3x3 conv with padding=1."),
        ("the coarsest level: P = conv3x3(conv1x1(C))", ("top", (4, 8, 16), 6, [(16, 16), (8, 8), (4, 4)]),
         "nothing comes from above the top level: M_top = lateral(C_top), P_top = conv3x3(M_top)."),
        ("three levels, sizes 16, 8, 4", ("values", (4, 8, 16), 6, [(16, 16), (8, 8), (4, 4)]),
         "M_l = lateral(C_l) + upsample_nearest(M_{l+1}), then P_l = conv3x3(M_l)."),
        ("four levels as in the paper (C2..C5)", ("values", (8, 16, 32, 64), 8, [(32, 24), (16, 12), (8, 6), (4, 3)]),
         "loop from the top down over any number of levels; do not hard-code three."),
        ("odd sizes: 25x19 -> 13x10 -> 7x5 -> 4x3", ("values", (4, 6, 8, 10), 5, [(25, 19), (13, 10), (7, 5), (4, 3)]),
         "a stride-2 backbone rounds sizes up, so 2 x 7 = 14 is not 13: upsample to the finer map's exact size, "
         "F.interpolate(m, size=lateral.shape[-2:], mode='nearest'), not scale_factor=2."),
        ("a single level", ("values", (8,), 4, [(6, 6)]),
         "with one level there is no top-down step: P = conv3x3(conv1x1(C))."),
    ]
    return [Case(name, args, _expected(*args), hint) for name, args, hint in specs]


def check_fpn_top_down(cls):
    """Check a class ``cls(in_channels_list, d)``: FPN's lateral 1x1 convs, nearest-neighbour top-down pathway,
    element-wise addition and 3x3 convs; ``forward([C2, ...]) -> [P2, ...]`` (notebook 14)."""

    def built(test, in_channels, d, sizes):
        return _probe(cls, test, in_channels, d, sizes)

    built.__name__ = getattr(cls, "__name__", "your class")
    return run_cases(built, fpn_top_down_cases(), compare=_compare)
