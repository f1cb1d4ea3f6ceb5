"""Checkers for the whiteboard exercises of ``notebooks/08_residual_blocks.ipynb``: a BasicBlock and a Bottleneck.

The reader writes an ``nn.Module`` class; the checker builds it, finds its convolutions and BatchNorms by their
shapes, sets every weight itself, and compares the output with the block computed here in plain
``torch.nn.functional`` from the same numbers (not with :mod:`utils.blocks.resnet`). So the check does not care how
the reader named or ordered the layers, only what the block computes: ResNet v1 (torchvision's layout, "v1.5": in a
Bottleneck the stride sits on the 3x3 conv), BN after every conv, convs without bias, a ReLU after the addition.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from utils.checks.core import Case, run_cases

_EPS = 1e-5  # nn.BatchNorm2d's default


def _weights(shapes, seed):
    """One float64 tensor per distinct conv weight shape (equal shapes share one, so their order cannot matter)."""
    g = torch.Generator().manual_seed(seed)
    return {s: torch.randn(s, generator=g, dtype=torch.float64) / np.sqrt(np.prod(s[1:])) for s in shapes}


def _bn_params(channels, seed):
    """``(gamma, beta, mean, var)`` per channel count: every BN of that width gets the same numbers."""
    g = torch.Generator().manual_seed(seed + 1000 * channels)
    gamma = torch.rand(channels, generator=g, dtype=torch.float64) + 0.5
    beta = torch.randn(channels, generator=g, dtype=torch.float64) * 0.5
    mean = torch.randn(channels, generator=g, dtype=torch.float64) * 0.5
    var = torch.rand(channels, generator=g, dtype=torch.float64) + 0.5
    return gamma, beta, mean, var


def _bn(x, params):
    gamma, beta, mean, var = (p[None, :, None, None] for p in params)
    return (x - mean) / torch.sqrt(var + _EPS) * gamma + beta


def _load(block, weights, bns, description):
    """Put the checker's numbers into the reader's block (eval mode, float64); refuse unknown layers."""
    block.double().eval()
    for m in block.modules():
        if isinstance(m, nn.Conv2d):
            shape = tuple(m.weight.shape)
            if shape not in weights:
                raise ValueError(f"your block has a conv with weight shape {shape}; a {description} has "
                                 f"{sorted(weights)}")
            m.weight.data.copy_(weights[shape])
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d):
            if m.num_features not in bns:
                raise ValueError(f"your block has a BatchNorm over {m.num_features} channels; a {description} "
                                 f"normalises {sorted(bns)} channels")
            gamma, beta, mean, var = bns[m.num_features]
            m.weight.data.copy_(gamma)
            m.bias.data.copy_(beta)
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.eps = _EPS
    return block


def _input(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# --- BasicBlock -------------------------------------------------------------------------------------

def _basic_shapes(c_in, c_out, stride):
    shapes = [(c_out, c_in, 3, 3), (c_out, c_out, 3, 3)]
    return shapes + ([(c_out, c_in, 1, 1)] if stride != 1 or c_in != c_out else [])


def _basic_reference(x, c_in, c_out, stride, w, bn):
    f = F.relu(_bn(F.conv2d(x, w[(c_out, c_in, 3, 3)], stride=stride, padding=1), bn[c_out]))
    f = _bn(F.conv2d(f, w[(c_out, c_out, 3, 3)], padding=1), bn[c_out])
    shortcut = x if (stride == 1 and c_in == c_out) else _bn(F.conv2d(x, w[(c_out, c_in, 1, 1)], stride=stride),
                                                             bn[c_out])
    return F.relu(f + shortcut)


def _basic_params(c_in, c_out, stride):
    n = 9 * c_in * c_out + 9 * c_out * c_out + 2 * 2 * c_out  # two 3x3 convs, two BNs (gamma, beta)
    return n + (c_in * c_out + 2 * c_out if stride != 1 or c_in != c_out else 0)


# --- Bottleneck -------------------------------------------------------------------------------------

def _bottleneck_shapes(c_in, width, c_out, stride):
    shapes = [(width, c_in, 1, 1), (width, width, 3, 3), (c_out, width, 1, 1)]
    return shapes + ([(c_out, c_in, 1, 1)] if stride != 1 or c_in != c_out else [])


def _bottleneck_reference(x, c_in, width, c_out, stride, w, bn):
    f = F.relu(_bn(F.conv2d(x, w[(width, c_in, 1, 1)]), bn[width]))
    f = F.relu(_bn(F.conv2d(f, w[(width, width, 3, 3)], stride=stride, padding=1), bn[width]))
    f = _bn(F.conv2d(f, w[(c_out, width, 1, 1)]), bn[c_out])
    shortcut = x if (stride == 1 and c_in == c_out) else _bn(F.conv2d(x, w[(c_out, c_in, 1, 1)], stride=stride),
                                                             bn[c_out])
    return F.relu(f + shortcut)


def _bottleneck_params(c_in, width, c_out, stride):
    n = c_in * width + 9 * width * width + width * c_out + 2 * (width + width + c_out)
    return n + (c_in * c_out + 2 * c_out if stride != 1 or c_in != c_out else 0)


# --- the probes: what the checker asks of the reader's class -----------------------------------------

_KINDS = {
    "BasicBlock": (_basic_shapes, _basic_reference, _basic_params),
    "Bottleneck": (_bottleneck_shapes, _bottleneck_reference, _bottleneck_params),
}


def _probe(cls, kind, test, channels, input_shape):
    """Build ``cls(*channels)`` and run one test on it; return what is compared with the case's expected value."""
    shapes, _, _ = _KINDS[kind]
    block = cls(*channels)
    description = f"{kind}{tuple(channels)}"
    if test == "params":
        return sum(p.numel() for p in block.parameters())
    x = _input(input_shape, seed=1)
    if test == "shape":
        block.float().eval()
        with torch.no_grad():
            return tuple(block(x.float()).shape)
    weights = _weights(shapes(*channels), seed=2)
    bns = {c: _bn_params(c, seed=3) for c in {s[0] for s in shapes(*channels)}}
    _load(block, weights, bns, description)
    if test == "zero branch":  # gamma = beta = 0 in every BN: the branch outputs exactly 0
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.data.zero_()
                m.bias.data.zero_()
    with torch.no_grad():
        y = block(x)
    return np.asarray(y.detach().numpy(), dtype=float)


def _cases(kind, specs):
    shapes, reference, params = _KINDS[kind]
    cases = []
    for name, test, channels, input_shape, hint in specs:
        if test == "params":
            expected = params(*channels)
        elif test == "shape":
            c_out, stride = channels[-2], channels[-1]
            h, w = input_shape[2:]
            expected = (input_shape[0], c_out, (h - 1) // stride + 1, (w - 1) // stride + 1)
        elif test == "zero branch":
            expected = torch.relu(_input(input_shape, seed=1)).numpy()
        else:
            weights = _weights(shapes(*channels), seed=2)
            bns = {c: _bn_params(c, seed=3) for c in {s[0] for s in shapes(*channels)}}
            expected = reference(_input(input_shape, seed=1), *channels, weights, bns).numpy()
        cases.append(Case(name, (kind, test, channels, input_shape), expected, hint))
    return cases


def basic_block_cases():
    """Cases for a class ``cls(in_channels, out_channels, stride=1)``, a ResNet v1 BasicBlock."""
    return _cases("BasicBlock", [
        ("identity block keeps the shape (8 -> 8, stride 1)", "shape", (8, 8, 1), (2, 8, 6, 6),
         "both 3x3 convs need padding=1 to keep H and W."),
        ("stride 2 and more channels (8 -> 16): 6x6 -> 3x3", "shape", (8, 16, 2), (2, 8, 6, 6),
         "the stride goes on the first 3x3 conv, and the shortcut must then change shape too: a 1x1 conv with "
         "the same stride to out_channels (+ BN), or x and F(x) cannot be added."),
        ("odd input with stride 2: 7x7 -> 4x4", "shape", (4, 8, 2), (1, 4, 7, 7),
         "a 3x3 conv with padding 1 and stride 2 maps 7 to 4; so does a 1x1 conv with stride 2 and no padding."),
        ("parameters of an identity block (8 -> 8)", "params", (8, 8, 1), None,
         "two 3x3 convs WITHOUT bias (bias=False: the BN after each conv has its own shift), two BatchNorms "
         "(2 parameters per channel), and no projection when the shape is kept."),
        ("parameters of a projection block (8 -> 16, stride 2)", "params", (8, 16, 2), None,
         "the projection shortcut is a 1x1 conv (no bias) + BN, used only where the shape changes."),
        ("branch switched off (every BN scale 0): output ReLU(x)", "zero branch", (2, 2, 1), (1, 2, 2, 2),
         "return ReLU(F(x) + x): the shortcut adds the input unchanged, and the ReLU comes AFTER the addition "
         "(ResNet v1). Without the shortcut you get 0; with the ReLU inside F only, you get x."),
        ("same numbers as the reference: identity block (4 -> 4)", "numbers", (4, 4, 1), (2, 4, 5, 5),
         "F(x) = BN(conv3x3(ReLU(BN(conv3x3(x))))): BN then ReLU after the first conv, BN and no ReLU after the "
         "second; then ReLU(F(x) + x)."),
        ("same numbers as the reference: projection block (4 -> 8, stride 2)", "numbers", (4, 8, 2), (2, 4, 6, 6),
         "the stride is on the FIRST 3x3 conv; the shortcut is BN(conv1x1(x)) with the same stride."),
    ])


def bottleneck_cases():
    """Cases for a class ``cls(in_channels, width, out_channels, stride=1)``, a ResNet v1.5 Bottleneck."""
    return _cases("Bottleneck", [
        ("identity block keeps the shape (16 -> [4] -> 16)", "shape", (16, 4, 16, 1), (2, 16, 5, 5),
         "1x1 reduce to width, 3x3 (padding 1) at width, 1x1 expand to out_channels."),
        ("more channels at stride 1 (8 -> [4] -> 16)", "shape", (8, 4, 16, 1), (2, 8, 5, 5),
         "the channels change, so the shortcut is a 1x1 projection (stride 1) + BN."),
        ("stride 2 (16 -> [8] -> 32): 6x6 -> 3x3", "shape", (16, 8, 32, 2), (2, 16, 6, 6),
         "one conv of the branch carries the stride, and the projection shortcut has the same stride."),
        ("parameters of an identity block (16 -> [4] -> 16)", "params", (16, 4, 16, 1), None,
         "three convs without bias (16*4 + 9*4*4 + 4*16 weights), three BatchNorms, no projection."),
        ("parameters of a projection block (16 -> [8] -> 32, stride 2)", "params", (16, 8, 32, 2), None,
         "the projection shortcut is a 1x1 conv (no bias) + BN over out_channels."),
        ("branch switched off (every BN scale 0): output ReLU(x)", "zero branch", (16, 4, 16, 1), (1, 16, 1, 2),
         "return ReLU(F(x) + x): the shortcut adds x unchanged and the last ReLU comes after the addition."),
        ("same numbers as the reference: identity block (16 -> [4] -> 16)", "numbers", (16, 4, 16, 1), (2, 16, 4, 4),
         "conv-BN-ReLU, conv-BN-ReLU, conv-BN (no ReLU before the addition), then ReLU(F(x) + x)."),
        ("same numbers as the reference: stride 2 (16 -> [8] -> 32)", "numbers", (16, 8, 32, 2), (2, 16, 6, 6),
         "the stride goes on the 3x3 conv (torchvision, 'ResNet v1.5'); the original Caffe models put it on the "
         "first 1x1 conv, which skips three pixels in four before any 3x3 filter sees them."),
    ])


def _checker(cls, kind, cases):
    def probe(*args):
        return _probe(cls, *args)

    probe.__name__ = getattr(cls, "__name__", kind)
    return run_cases(probe, cases)


def check_basic_block(cls):
    """Check a class ``cls(in_channels, out_channels, stride=1)``: a ResNet BasicBlock ``nn.Module`` (notebook 08)."""
    return _checker(cls, "BasicBlock", basic_block_cases())


def check_bottleneck(cls):
    """Check a class ``cls(in_channels, width, out_channels, stride=1)``: a ResNet Bottleneck (notebook 08)."""
    return _checker(cls, "Bottleneck", bottleneck_cases())
