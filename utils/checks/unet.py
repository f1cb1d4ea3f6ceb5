"""Checker for the whiteboard exercise of ``notebooks/16_unet.ipynb``: a two-level U-Net as an ``nn.Module``.

The reader writes ``cls(in_channels, num_classes, base)``: two 3x3 convs (padding 1, bias, ReLU after each) per
level, ``base`` and ``2 base`` channels on the way down with a 2x2 max pool after each level, two 3x3 convs with
``4 base`` channels at the bottom, then per level up a 2x2 transposed conv (stride 2) halving the channels, a
concatenation with the map of the same level from the way down, two 3x3 convs; a 1x1 conv to ``num_classes``.

Like :mod:`utils.checks.resnet`, the checker finds the reader's convs by their weight shapes, sets every weight
itself (biases 0) and compares the output with the network computed here in plain ``torch.nn.functional``. The
first conv after each concatenation gets the same weights for both halves of its input, so the order of the two
concatenated maps does not matter; anything else (no skip, an addition, average pooling, a missing ReLU, bilinear
upsampling) changes a shape or a number and is reported with a hint.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from utils.checks.core import Case, run_cases


def _shapes(c_in, classes, c):
    """Weight shapes of the two-level U-Net: ``("conv", shape)`` for Conv2d, ``("up", shape)`` for ConvTranspose2d."""
    convs = [(c, c_in, 3, 3), (c, c, 3, 3), (2 * c, c, 3, 3), (2 * c, 2 * c, 3, 3), (4 * c, 2 * c, 3, 3),
             (4 * c, 4 * c, 3, 3), (2 * c, 4 * c, 3, 3), (c, 2 * c, 3, 3), (classes, c, 1, 1)]
    ups = [(4 * c, 2 * c, 2, 2), (2 * c, c, 2, 2)]  # ConvTranspose2d weights are (in, out, k, k)
    return [("conv", s) for s in convs] + [("up", s) for s in ups]


def _weights(c_in, classes, c, seed=2):
    """One float64 tensor per distinct weight shape; the convs after a concatenation repeat their input half."""
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for kind, shape in _shapes(c_in, classes, c):
        fan_in = np.prod(shape[1:]) if kind == "conv" else shape[0] * shape[2] * shape[3]
        w = torch.randn(shape, generator=g, dtype=torch.float64) * np.sqrt(2 / fan_in)
        if kind == "conv" and shape in ((2 * c, 4 * c, 3, 3), (c, 2 * c, 3, 3)):
            half = shape[1] // 2
            w[:, half:] = w[:, :half]  # [skip, up] and [up, skip] give the same output
        weights.setdefault((kind, shape), w)
    return weights


def _reference(x, c_in, classes, c, w):
    def double(x, s1, s2):
        x = F.relu(F.conv2d(x, w[("conv", s1)], padding=1))
        return F.relu(F.conv2d(x, w[("conv", s2)], padding=1))

    e1 = double(x, (c, c_in, 3, 3), (c, c, 3, 3))  # (B, c, H, W)
    e2 = double(F.max_pool2d(e1, 2), (2 * c, c, 3, 3), (2 * c, 2 * c, 3, 3))  # (B, 2c, H/2, W/2)
    b = double(F.max_pool2d(e2, 2), (4 * c, 2 * c, 3, 3), (4 * c, 4 * c, 3, 3))  # (B, 4c, H/4, W/4)
    u2 = F.conv_transpose2d(b, w[("up", (4 * c, 2 * c, 2, 2))], stride=2)
    d2 = double(torch.cat([e2, u2], 1), (2 * c, 4 * c, 3, 3), (2 * c, 2 * c, 3, 3))
    u1 = F.conv_transpose2d(d2, w[("up", (2 * c, c, 2, 2))], stride=2)
    d1 = double(torch.cat([e1, u1], 1), (c, 2 * c, 3, 3), (c, c, 3, 3))
    return F.conv2d(d1, w[("conv", (classes, c, 1, 1))])


def _params(c_in, classes, c):
    def double(a, b):
        return 9 * a * b + b + 9 * b * b + b  # two 3x3 convs with bias

    ups = (4 * c * 2 * c * 4 + 2 * c) + (2 * c * c * 4 + c)
    return (double(c_in, c) + double(c, 2 * c) + double(2 * c, 4 * c) + double(4 * c, 2 * c) + double(2 * c, c)
            + ups + c * classes + classes)


def _load(net, weights, description):
    net.double().eval()
    for m in net.modules():
        if isinstance(m, (nn.ConvTranspose2d, nn.Conv2d)):
            kind = "up" if isinstance(m, nn.ConvTranspose2d) else "conv"
            key = (kind, tuple(m.weight.shape))
            if key not in weights:
                known = sorted(s for k, s in weights if k == kind)
                raise ValueError(f"your net has a {type(m).__name__} with weight shape {key[1]}; a {description} "
                                 f"has {known}")
            m.weight.data.copy_(weights[key])
            if m.bias is not None:
                m.bias.data.zero_()
    return net


def _input(shape, seed=1):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _probe(cls, test, config, input_shape):
    """Build ``cls(*config)`` and run one test on it; return what is compared with the case's expected value."""
    net = cls(*config)
    if test == "params":
        return sum(p.numel() for p in net.parameters())
    if test == "shape":
        net.float().eval()
        with torch.no_grad():
            return tuple(net(_input(input_shape).float()).shape)
    _load(net, _weights(*config), f"two-level U-Net{tuple(config)}")
    with torch.no_grad():
        return np.asarray(net(_input(input_shape)).numpy(), dtype=float)


def unet_cases():
    """Cases for a class ``cls(in_channels, num_classes, base)``: the two-level U-Net described above."""
    specs = [
        ("one channel in, two classes out: 16x16 stays 16x16", "shape", (1, 2, 4), (1, 1, 16, 16),
         "padding=1 in every 3x3 conv keeps the size; each 2x2 transposed conv with stride 2 doubles it back."),
        ("an RGB batch, non-square 8x12", "shape", (3, 1, 4), (2, 3, 8, 12),
         "the first conv takes in_channels; H and W only need to be divisible by 4 (two poolings)."),
        ("parameters (1 channel, 2 classes, base 4)", "params", (1, 2, 4), None,
         "every conv has a bias; after each concatenation the first 3x3 conv reads 2x the channels (skip + up); "
         "the up-convolution is nn.ConvTranspose2d(2c, c, kernel_size=2, stride=2)."),
        ("same numbers as the reference (1 -> 1 class, base 2, 8x8)", "numbers", (1, 1, 2), (1, 1, 8, 8),
         "two 3x3 conv + ReLU per level, 2x2 MAX pooling, transposed conv (no ReLU after it), concatenate the map "
         "of the same level from the way down, two 3x3 conv + ReLU; the 1x1 head has no ReLU."),
        ("same numbers: RGB, base 4, a batch of 2, 12x16", "numbers", (3, 2, 4), (2, 3, 12, 16),
         "concatenate along the channels (dim=1) the encoder map of the SAME resolution."),
        ("the smallest input: 4x4, a 1x1 bottom map", "numbers", (1, 1, 2), (1, 1, 4, 4),
         "two poolings take 4x4 to 1x1; both up-convolutions bring it back to 4x4."),
    ]
    cases = []
    for name, test, config, input_shape, hint in specs:
        if test == "shape":
            b, _, h, w = input_shape
            expected = (b, config[1], h, w)
        elif test == "params":
            expected = _params(*config)
        else:
            expected = _reference(_input(input_shape), *config, _weights(*config)).numpy()
        cases.append(Case(name, (test, config, input_shape), expected, hint, atol=1e-8, rtol=1e-8))
    return cases


def check_unet(cls):
    """Check ``cls(in_channels, num_classes, base)``, a two-level U-Net (see the module docstring)."""
    def run(test, config, input_shape):
        return _probe(cls, test, config, input_shape)

    run.__name__ = getattr(cls, "__name__", "your class")
    return run_cases(run, unet_cases())
