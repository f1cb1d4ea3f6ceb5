"""EfficientNet: the MBConv block with squeeze-and-excitation, drop path, and compound scaling.

Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks" (ICML 2019).
Taught in ``notebooks/11_efficientnet_scaling.ipynb``.

Compound scaling (paper, eq. 3): for a user-chosen coefficient ``phi``,

    depth  d = alpha ** phi      (more blocks per stage)
    width  w = beta  ** phi      (more channels per layer)
    resolution r = gamma ** phi  (larger input image)
    subject to alpha * beta**2 * gamma**2 ~= 2,

so the FLOPs of a network of dense convolutions grow by about ``(alpha * beta**2 * gamma**2) ** phi ~ 2 ** phi``
(FLOPs are linear in depth and quadratic in width and in resolution). The paper's grid search on B0 gave
``alpha = 1.2, beta = 1.1, gamma = 1.15``.

The architecture follows torchvision's ``efficientnet_b0`` exactly (same layer order, channel rounding
and parameter count, 5,288,548 for 1000 classes), so a built model can be checked against its numbers.
"""

import math

import torch
from torch import nn

from utils.cost import conv2d_flops, linear_flops

#: The paper's coefficients from the grid search on B0 (section 3.3).
ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15

#: EfficientNet-B0's stages (paper, table 1): (expand ratio t, kernel k, stride s, c_in, c_out, layers n).
B0_STAGES = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)
B0_RESOLUTION = 224

#: The released models (paper table 2; torchvision's builders): (width w, depth d, paper resolution r).
#: They are close to, not exactly on, the compound-scaling law.
EFFICIENTNET_CONFIGS = {
    "b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260), "b3": (1.2, 1.4, 300),
    "b4": (1.4, 1.8, 380), "b5": (1.6, 2.2, 456), "b6": (1.8, 2.6, 528), "b7": (2.0, 3.1, 600),
}


def _check_image_batch(x, name="x"):
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of images (B, C, H, W), got a tensor of shape {tuple(x.shape)}")


# --- scaling arithmetic ----------------------------------------------------------------------------

def compound_coefficients(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """Depth, width and resolution multipliers ``(d, w, r) = (alpha**phi, beta**phi, gamma**phi)``."""
    if min(alpha, beta, gamma) < 1:
        raise ValueError(f"alpha, beta, gamma must be >= 1 (the network only grows), got {alpha}, {beta}, {gamma}")
    return alpha ** phi, beta ** phi, gamma ** phi


def predicted_flops_ratio(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """FLOPs multiplier the scaling law predicts: ``(alpha * beta**2 * gamma**2) ** phi`` (about ``2 ** phi``)."""
    compound_coefficients(phi, alpha, beta, gamma)  # validates
    return (alpha * beta ** 2 * gamma ** 2) ** phi


def make_divisible(v, divisor=8):
    """Round a channel count to the nearest multiple of ``divisor``, never more than 10% down.

    The rounding every MobileNet/EfficientNet uses (torchvision's ``_make_divisible``), so that
    channel counts suit the hardware. It is one reason measured FLOPs deviate from the scaling law.
    """
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def round_filters(channels, w):
    """Channels of a layer in a network of width multiplier ``w``."""
    return make_divisible(channels * w)


def round_repeats(layers, d):
    """Blocks in a stage of a network of depth multiplier ``d`` (rounded up, as in the paper's code)."""
    return int(math.ceil(layers * d))


# --- drop path (stochastic depth) and DropConnect ------------------------------------------------

def drop_path(x, p, training=True, generator=None):
    """Stochastic depth (Huang et al. 2016): zero the WHOLE residual branch of a random subset of samples.

    What EfficientNet's reference code calls "drop connect" (``utils.drop_connect`` in tensorflow/tpu) and
    torchvision calls ``stochastic_depth(..., mode="row")``. Each sample of the batch keeps its branch
    with probability ``1 - p``; kept samples are scaled by ``1 / (1 - p)`` so the expected output is unchanged.

    Args:
        x: ``(B, ...)`` the output of a residual branch (before it is added to the shortcut).
        p: drop probability in ``[0, 1)``.
    Returns: a tensor of the shape of ``x``; at evaluation (``training=False``) ``x`` itself.
    """
    if not 0 <= p < 1:
        raise ValueError(f"p must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = 1 - p
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)  # one coin per sample, broadcast over C, H, W
    mask = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep, generator=generator)
    return x * mask / keep


def drop_connect(weight, p, generator=None):
    """DropConnect (Wan et al. 2013): zero INDIVIDUAL weights, each independently with probability ``p``.

    This is what the name "DropConnect" means in the literature (each connection, i.e. each input of each
    hidden unit, is dropped); EfficientNet does not do this. Shown for contrast with :func:`drop_path`.
    Kept weights are scaled by ``1 / (1 - p)`` (the inverted-dropout convention).

    Args:
        weight: a weight tensor of any shape, e.g. ``(C_out, C_in)``.
    Returns: a tensor of the shape of ``weight``.
    """
    if not 0 <= p < 1:
        raise ValueError(f"p must be in [0, 1), got {p}")
    mask = torch.empty_like(weight).bernoulli_(1 - p, generator=generator)
    return weight * mask / (1 - p)


# --- blocks -----------------------------------------------------------------------------------------

def conv_bn_act(c_in, c_out, k, stride=1, groups=1, activation=True):
    """``Conv2d(k, 'same' padding, no bias) -> BatchNorm2d -> SiLU``; ``(B, c_in, H, W) -> (B, c_out, H/s, W/s)``."""
    if c_in % groups or c_out % groups:
        raise ValueError(f"c_in={c_in} and c_out={c_out} must both be divisible by groups={groups}")
    layers = [
        nn.Conv2d(c_in, c_out, k, stride, padding=(k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out, eps=1e-3),  # the TF reference's epsilon
    ]
    if activation:
        layers.append(nn.SiLU())  # "swish" in the paper
    return nn.Sequential(*layers)


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al. 2018): reweight channels by a gate computed from global context.

    ``(B, C, H, W) -> (B, C, H, W)``: squeeze (global average pool to ``(B, C, 1, 1)``), excite (two 1x1
    convolutions ``C -> C_squeeze -> C`` with SiLU then sigmoid), scale ``x`` by the ``(B, C, 1, 1)`` gate.
    """

    def __init__(self, channels, squeeze_channels):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.act = nn.SiLU()

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)  # (B, C, 1, 1)
        s = torch.sigmoid(self.fc2(self.act(self.fc1(s))))
        return x * s


class MBConv(nn.Module):
    """Mobile inverted bottleneck (MobileNetV2) with squeeze-and-excitation: EfficientNet's only block.

    ``(B, c_in, H, W) -> (B, c_out, H / stride, W / stride)`` (``'same'`` padding, so ``ceil`` division):
    1x1 expand to ``t * c_in`` channels (skipped when ``t == 1``) -> depthwise ``k x k`` (stride ``s``) ->
    SE (squeeze to ``c_in / 4`` channels) -> 1x1 project to ``c_out`` with NO activation (linear bottleneck)
    -> plus the input (when ``s == 1`` and ``c_in == c_out``), the branch dropped per sample by
    :func:`drop_path` with probability ``drop_path_rate`` during training.
    """

    def __init__(self, c_in, c_out, expand_ratio=6, kernel_size=3, stride=1, se_ratio=0.25, drop_path_rate=0.0):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd for 'same' padding, got {kernel_size}")
        c_mid = make_divisible(c_in * expand_ratio)
        layers = []
        if c_mid != c_in:
            layers.append(conv_bn_act(c_in, c_mid, 1))  # expand
        layers += [
            conv_bn_act(c_mid, c_mid, kernel_size, stride, groups=c_mid),  # depthwise: one filter per channel
            SqueezeExcitation(c_mid, max(1, int(c_in * se_ratio))),
            conv_bn_act(c_mid, c_out, 1, activation=False),  # project
        ]
        self.block = nn.Sequential(*layers)
        self.use_residual = stride == 1 and c_in == c_out
        self.drop_path_rate = drop_path_rate
        self.c_in = c_in

    def forward(self, x):
        _check_image_batch(x)
        if x.shape[1] != self.c_in:
            raise ValueError(f"x has {x.shape[1]} channels, the block expects {self.c_in}")
        out = self.block(x)
        if self.use_residual:
            out = drop_path(out, self.drop_path_rate, self.training) + x
        return out


class EfficientNet(nn.Module):
    """EfficientNet-B0 scaled by width ``w`` and depth ``d`` (resolution is the input's business).

    ``(B, 3, H, W) -> (B, num_classes)``. Stem 3x3 stride-2 conv (32 channels at ``w = 1``), the seven
    MBConv stages of :data:`B0_STAGES` (channels ``round_filters(c, w)``, blocks ``round_repeats(n, d)``),
    a 1x1 head conv to ``4 x`` the last stage's channels (1280 at ``w = 1``), global pooling, dropout and a
    linear classifier. Drop-path rates grow linearly from 0 to ``drop_path_rate`` over the blocks, as in
    the reference. With ``w = d = 1`` this is torchvision's ``efficientnet_b0`` layer for layer.
    """

    def __init__(self, w=1.0, d=1.0, num_classes=1000, dropout=0.2, drop_path_rate=0.2, stages=B0_STAGES):
        super().__init__()
        c_stem = round_filters(stages[0][3], w)
        layers = [conv_bn_act(3, c_stem, 3, stride=2)]
        total = sum(round_repeats(n, d) for *_, n in stages)
        i = 0
        for t, k, s, c_in, c_out, n in stages:
            c_in, c_out = round_filters(c_in, w), round_filters(c_out, w)
            for j in range(round_repeats(n, d)):
                # only a stage's first block changes the stride and the channel count
                layers.append(MBConv(c_in if j == 0 else c_out, c_out, t, k, s if j == 0 else 1,
                                     drop_path_rate=drop_path_rate * i / total))
                i += 1
        c_last = round_filters(stages[-1][4], w)
        layers.append(conv_bn_act(c_last, 4 * c_last, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * c_last, num_classes))

    def forward(self, x):
        _check_image_batch(x)
        x = self.features(x)  # (B, 4 c_last, H/32, W/32)
        return self.classifier(x.mean((2, 3)))  # (B, num_classes)


def mbconv_flops(c_in, c_out, expand_ratio, kernel_size, stride, h):
    """Forward FLOPs of one :class:`MBConv` on an ``h x h`` input; returns ``(FLOPs, h_out)``.

    Expand (1x1, at the input size), depthwise ``k x k`` (the stride lands here, so it and everything after run at
    ``h_out = ceil(h / stride)``), SE (two 1x1 convs on a ``1 x 1`` map: almost free) and project (1x1).
    Multiply-add = 2 FLOPs; BN, activations and the SE multiplication are not counted (as ``FlopCounterMode``).
    """
    c_mid = make_divisible(c_in * expand_ratio)
    flops = conv2d_flops(c_in, c_mid, 1, h, h) if c_mid != c_in else 0  # expand
    h_out = (h + stride - 1) // stride
    flops += conv2d_flops(c_mid, c_mid, kernel_size, h_out, h_out, groups=c_mid)  # depthwise
    c_sq = max(1, int(c_in * 0.25))
    flops += conv2d_flops(c_mid, c_sq, 1, 1, 1) + conv2d_flops(c_sq, c_mid, 1, 1, 1)  # SE on (B, C, 1, 1)
    flops += conv2d_flops(c_mid, c_out, 1, h_out, h_out)  # project
    return flops, h_out


def efficientnet_flops(w=1.0, d=1.0, resolution=B0_RESOLUTION, num_classes=1000, stages=B0_STAGES):
    """Forward FLOPs of :class:`EfficientNet` on one ``resolution x resolution`` image, from the layer shapes.

    Counts convolutions and the classifier only (multiply-add = 2 FLOPs; biases, BN, activations and the
    SE multiplication ignored), exactly what ``FlopCounterMode`` counts, but in microseconds. Note the
    depthwise convolution costs ``2 c k^2 H W``: LINEAR in width, while a 1x1 conv is quadratic.
    """
    h = (resolution + 1) // 2  # 'same' padding: ceil(H / stride)
    c_stem = round_filters(stages[0][3], w)
    flops = conv2d_flops(3, c_stem, 3, h, h)
    for t, k, s, c_in, c_out, n in stages:
        c_in, c_out = round_filters(c_in, w), round_filters(c_out, w)
        for j in range(round_repeats(n, d)):
            # a stage's first block changes channels and stride; the repeats are c_out -> c_out, stride 1
            block, h = mbconv_flops(c_in if j == 0 else c_out, c_out, t, k, s if j == 0 else 1, h)
            flops += block
    c_last = round_filters(stages[-1][4], w)
    flops += conv2d_flops(c_last, 4 * c_last, 1, h, h)  # head
    return flops + linear_flops(4 * c_last, num_classes)


def scaled_efficientnet(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA, num_classes=1000, base_resolution=B0_RESOLUTION):
    """B0 compound-scaled by ``phi``: returns ``(model, resolution)``, resolution rounded to a multiple of 8.

    Note that EfficientNet-B1..B7 were not built with this exact rule: the released models use hand-picked
    (w, d, resolution) tuples close to it (e.g. B1 = (1.0, 1.1, 240)).
    """
    d, w, r = compound_coefficients(phi, alpha, beta, gamma)
    resolution = int(round(base_resolution * r / 8)) * 8
    return EfficientNet(w, d, num_classes), resolution


_B0_CHANNELS = sorted({c for *_, c_in, c_out, _ in B0_STAGES for c in (c_in, c_out)})
_COUNTED_FLOPS = {}  # (rounded channels, rounded repeats, resolution) -> FLOPs: see _counted_flops


def _counted_flops(w, d, resolution):
    """``efficientnet_flops(w, d, resolution)``, remembered: the count depends on ``w`` and ``d`` only through the
    rounded channel and block counts, so nearby settings share one entry (counting costs about 1 ms). If
    ``efficientnet_flops`` ever depends on ``w`` or ``d`` in another way, the key must change with it."""
    key = (tuple(round_filters(c, w) for c in _B0_CHANNELS), tuple(round_repeats(n, d) for *_, n in B0_STAGES),
           resolution)
    if key not in _COUNTED_FLOPS:
        _COUNTED_FLOPS[key] = efficientnet_flops(w, d, resolution)
    return _COUNTED_FLOPS[key]


def compound_scaling_numbers(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """What compound scaling by ``phi`` does to B0: multipliers, the resulting network and its FLOPs
    (``notebooks/11_efficientnet_scaling.ipynb`` and its widget).

    Returns a dict: ``d, w, r`` (multipliers), ``alpha*beta^2*gamma^2``, ``resolution`` (px, a multiple of 8),
    ``blocks`` (MBConv blocks after rounding each stage up), ``predicted FLOPs x`` (the law) and
    ``counted FLOPs x`` (the rounded network, counted layer by layer, relative to B0 at 224).
    """
    d, w, r = compound_coefficients(phi, alpha, beta, gamma)
    resolution = int(round(B0_RESOLUTION * r / 8)) * 8
    return {
        "d": d, "w": w, "r": r,
        "alpha*beta^2*gamma^2": alpha * beta ** 2 * gamma ** 2,
        "resolution": resolution,
        "blocks": sum(round_repeats(n, d) for *_, n in B0_STAGES),
        "predicted FLOPs x": predicted_flops_ratio(phi, alpha, beta, gamma),
        "counted FLOPs x": _counted_flops(w, d, resolution) / _counted_flops(1.0, 1.0, B0_RESOLUTION),
    }
