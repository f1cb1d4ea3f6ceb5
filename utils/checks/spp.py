"""Checker for the whiteboard exercise of ``notebooks/15_spp.ipynb``: YOLOv5's SPPF block as an ``nn.Module``.

The reader writes a class ``cls(c_in, c_out, k=5)``: a 1x1 conv to ``c_ = c_in // 2`` channels (no bias) + BN +
SiLU; one ``k x k`` max pool with stride 1 and padding ``k // 2`` applied three times in a row
(``y1 = pool(x), y2 = pool(y1), y3 = pool(y2)``); the concatenation ``[x, y1, y2, y3]`` (``4 c_`` channels); a
1x1 conv to ``c_out`` + BN + SiLU (ultralytics/yolov5 ``models/common.py``, ``SPPF``).

Each case builds the module, recognises its convolutions and BatchNorms by their shapes, sets every weight and
running statistic itself, and compares the output with the block computed here in plain
``torch.nn.functional`` (not with :mod:`utils.blocks.spp`). When the output differs, the checker tries the usual
mistakes (three pools in parallel instead of in sequence, the concatenation reversed, zero padding, ReLU) and
names the one that matches.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from utils.checks.core import Case, run_cases, show

_EPS = 1e-5  # nn.BatchNorm2d's default


def _params(c_in, c_out, seed=0):
    """Weights of the two 1x1 convs and the statistics of the two BatchNorms, float64."""
    c_ = c_in // 2
    g = torch.Generator().manual_seed(seed)

    def bn(c):
        return (torch.rand(c, generator=g, dtype=torch.float64) + 0.5,  # gamma
                torch.randn(c, generator=g, dtype=torch.float64) * 0.5,  # beta
                torch.randn(c, generator=g, dtype=torch.float64) * 0.5,  # running mean
                torch.rand(c, generator=g, dtype=torch.float64) + 0.5)  # running var

    w1 = torch.randn(c_, c_in, 1, 1, generator=g, dtype=torch.float64) / np.sqrt(c_in)
    w2 = torch.randn(c_out, 4 * c_, 1, 1, generator=g, dtype=torch.float64) / np.sqrt(4 * c_)
    return w1, bn(c_), w2, bn(c_out)


def _input(c_in, size, seed=1):
    return torch.randn(2, c_in, *size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _negative(bn):
    """BN parameters that put every activation after the first conv below zero: a small gamma and beta = -3.5
    keep the BN output within about -5..-2, where SiLU is negative (and still varies)."""
    gamma, beta, mean, var = bn
    return torch.full_like(gamma, 0.3), torch.full_like(beta, -3.5), mean, var


def _bn(x, p):
    gamma, beta, mean, var = (t[None, :, None, None] for t in p)
    return (x - mean) / torch.sqrt(var + _EPS) * gamma + beta


def _sppf(x, w1, bn1, w2, bn2, k=5, act=F.silu, parallel=False, reverse=False, zero_pad=False):
    """SPPF in plain functional code; the keyword arguments build the usual mistakes."""
    if zero_pad:
        def pool(t):
            return F.max_pool2d(F.pad(t, [k // 2] * 4, value=0.0), k, stride=1)
    else:
        def pool(t):
            return F.max_pool2d(t, k, stride=1, padding=k // 2)
    h = act(_bn(F.conv2d(x, w1), bn1))
    ys = [h]
    for _ in range(3):
        ys.append(pool(h if parallel else ys[-1]))
    if reverse:
        ys = ys[::-1]
    return act(_bn(F.conv2d(torch.cat(ys, dim=1), w2), bn2))


_MISTAKES = [
    ("the three pools applied in parallel to x", dict(parallel=True),
     "chain them: y1 = pool(x), y2 = pool(y1), y3 = pool(y2). Three 5x5 pools of x are three copies of one 5x5 "
     "pool; the chain gives the 5x5, 9x9 and 13x13 windows."),
    ("the concatenation in reverse order", dict(reverse=True),
     "concatenate [x, y1, y2, y3] in that order (the second conv's weights are tied to the order)."),
    ("zero padding", dict(zero_pad=True),
     "pad with -inf, as nn.MaxPool2d(k, stride=1, padding=k // 2) does: with zero padding the padding wins "
     "wherever every value near the border is negative (SiLU outputs can be)."),
    ("ReLU instead of SiLU (that is YOLOv6's SimSPPF)", dict(act=F.relu),
     "YOLOv5's Conv is Conv2d(bias=False) + BatchNorm2d + SiLU."),
]


def _load(module, c_in, c_out, negative=False):
    """Put the checker's numbers into the reader's module (float64, eval); refuse layers SPPF does not have."""
    c_ = c_in // 2
    w1, bn1, w2, bn2 = _params(c_in, c_out)
    if negative:
        bn1 = _negative(bn1)
    convs = {(c_, c_in, 1, 1): w1, (c_out, 4 * c_, 1, 1): w2}
    bns = {c_: bn1, c_out: bn2} if c_ != c_out else None
    module.double().eval()
    n_bn = 0
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            shape = tuple(m.weight.shape)
            if shape not in convs:
                raise ValueError(f"your module has a conv with weight shape {shape}; SPPF({c_in}, {c_out}) has "
                                 f"{sorted(convs)}: a 1x1 conv to c_in // 2 = {c_}, and one from 4 * {c_} "
                                 f"(x and three pools) to {c_out}")
            m.weight.data.copy_(convs[shape])
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d):
            if bns is None:  # equal widths: the first BatchNorm met is the first in the block
                p = bn1 if n_bn == 0 else bn2
            elif m.num_features in bns:
                p = bns[m.num_features]
            else:
                raise ValueError(f"your module has a BatchNorm over {m.num_features} channels; SPPF({c_in}, "
                                 f"{c_out}) normalises {c_} and {c_out}")
            n_bn += 1
            for t, v in zip((m.weight.data, m.bias.data, m.running_mean, m.running_var), p):
                t.copy_(v)
            m.eps = _EPS
    return module


def _probe(cls, test, c_in, c_out, k, size):
    torch.manual_seed(0)
    module = cls(c_in, c_out) if k is None else cls(c_in, c_out, k=k)
    if test == "params":
        return sum(p.numel() for p in module.parameters())
    if test == "shape":
        module.float().eval()
        with torch.no_grad():
            return tuple(module(_input(c_in, size).float()).shape)
    _load(module, c_in, c_out, negative=test == "negative")
    with torch.no_grad():
        return np.asarray(module(_input(c_in, size)), dtype=float)


def _reference(test, c_in, c_out, k, size, **mistake):
    w1, bn1, w2, bn2 = _params(c_in, c_out)
    if test == "negative":
        bn1 = _negative(bn1)
    return _sppf(_input(c_in, size), w1, bn1, w2, bn2, k=k or 5, **mistake).numpy()


def _expected(test, c_in, c_out, k, size):
    c_ = c_in // 2
    if test == "params":
        return c_in * c_ + 2 * c_ + 4 * c_ * c_out + 2 * c_out
    if test == "shape":
        return (2, c_out) + tuple(size)
    return _reference(test, c_in, c_out, k, size)


def _compare(got, case):
    test = case.args[0]
    if test in ("params", "shape"):
        return None if got == case.expected else f"expected {show(case.expected)}, got {show(got)}"
    if np.shape(got) == np.shape(case.expected) and np.allclose(got, case.expected, atol=1e-6, rtol=1e-6):
        return None
    if np.shape(got) != np.shape(case.expected):
        return f"expected an output of shape {np.shape(case.expected)}, got {np.shape(got)}"
    for name, kw, fix in _MISTAKES:
        if np.allclose(got, _reference(*case.args, **kw), atol=1e-6, rtol=1e-6):
            return f"your output matches SPPF with {name}: {fix}"
    gap = float(np.max(np.abs(np.asarray(got) - case.expected)))
    return f"the values differ from SPPF's (by up to {gap:.3g})"


def sppf_cases():
    """Cases for ``cls(c_in, c_out, k=5)``; ``args = (test, c_in, c_out, k, size)`` (``k=None``: the default)."""
    specs = [
        ("output shape: 16 -> 32 channels, size kept", ("shape", 16, 32, None, (20, 20)),
         "stride-1 pools with padding k // 2 keep H and W; the last 1x1 conv sets the output channels."),
        ("parameters: two 1x1 convs without bias, two BatchNorms", ("params", 16, 32, None, None),
         "cv1: c_in -> c_in // 2 (1x1, bias=False) + BN; cv2: 4 * (c_in // 2) -> c_out (1x1, bias=False) + BN; "
         "max pooling has no weights, and one pool module can be reused three times."),
        ("same numbers as SPPF on a 20x20 map", ("values", 16, 32, None, (20, 20)),
         "x = cv1(x); y1 = pool(x); y2 = pool(y1); y3 = pool(y2); return cv2(cat([x, y1, y2, y3], dim=1)), "
         "with pool = nn.MaxPool2d(5, stride=1, padding=2) and cv = Conv2d(bias=False) + BN + SiLU."),
        ("a map smaller than the window: 3x4", ("values", 8, 8, None, (3, 4)),
         "the pools must keep the size even when the map is smaller than the 5x5 window (padding k // 2)."),
        ("a non-square odd map: 13x7", ("values", 8, 12, None, (13, 7)),
         "pool with stride 1 and padding k // 2 along both axes."),
        ("negative activations near the border", ("negative", 8, 8, None, (6, 6)),
         "max pooling must ignore the padding: nn.MaxPool2d pads with -inf; padding with zeros makes 0 the max "
         "of every border window whose values are all negative."),
        ("k = 3: windows 3, 5 and 7", ("values", 8, 8, 3, (9, 9)),
         "use the argument k for the pool (kernel k, padding k // 2), not a hard-coded 5."),
    ]
    return [Case(name, args, _expected(*args), hint) for name, args, hint in specs]


def check_sppf(cls):
    """Check a class ``cls(c_in, c_out, k=5)``: YOLOv5's SPPF block (1x1 conv, three chained k x k stride-1 max
    pools, concatenation of the four maps, 1x1 conv; each conv + BN + SiLU) (notebook 15)."""

    def built(test, c_in, c_out, k, size):
        return _probe(cls, test, c_in, c_out, k, size)

    built.__name__ = getattr(cls, "__name__", "your class")
    return run_cases(built, sppf_cases(), compare=_compare)
