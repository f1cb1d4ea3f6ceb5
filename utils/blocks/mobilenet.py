"""MobileNet v1-v3: depthwise-separable convolution, the inverted residual, and h-swish.

- V1: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications" (2017).
- V2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks" (CVPR 2018).
- V3: Howard et al., "Searching for MobileNetV3" (ICCV 2019).
Taught in ``notebooks/10_depthwise_separable.ipynb``.

A standard ``k x k`` convolution mixes space and channels at once: ``C_out * C_in * k^2`` weights.
A depthwise-separable convolution splits it in two: a *depthwise* ``k x k`` conv (``groups = C_in``: one
filter per input channel, no mixing across channels) and a *pointwise* 1x1 conv (the only place where
channels mix). Cost ratio (V1 paper, eq. 5)::

    (C_in k^2 H W + C_in C_out H W) / (C_in C_out k^2 H W) = 1 / C_out + 1 / k^2

about 1/8 to 1/9 for ``k = 3``. FLOPs in the course convention (2 per multiply-add, see :mod:`utils.cost`).
"""

import torch
from torch import nn

from utils.blocks.resnet import check_image_batch
from utils.cost import conv2d_flops, conv2d_params


def _check_positive(**values):
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


# --- cost by formula ---------------------------------------------------------------------------------

def standard_conv_cost(c_in, c_out, k, h, w):
    """``(params, FLOPs)`` of a standard ``k x k`` conv producing an ``h x w`` map (no bias)."""
    return conv2d_params(c_in, c_out, k), conv2d_flops(c_in, c_out, k, h, w)


def separable_conv_cost(c_in, c_out, k, h, w):
    """``(params, FLOPs)`` of depthwise ``k x k`` (``groups=C_in``) + pointwise 1x1, output ``h x w`` (no bias).

    ``params = C_in k^2 + C_in C_out``; ``FLOPs = 2 (C_in k^2 + C_in C_out) h w``.
    """
    depthwise = conv2d_params(c_in, c_in, k, groups=c_in), conv2d_flops(c_in, c_in, k, h, w, groups=c_in)
    pointwise = conv2d_params(c_in, c_out, 1), conv2d_flops(c_in, c_out, 1, h, w)
    return depthwise[0] + pointwise[0], depthwise[1] + pointwise[1]


def separable_ratio(c_out, k):
    """Cost of a depthwise-separable conv relative to a standard one: ``1 / C_out + 1 / k^2``.

    The same for parameters and FLOPs, and independent of ``C_in`` and of the map size.
    """
    _check_positive(c_out=c_out, k=k)
    return 1 / c_out + 1 / k ** 2


#: MobileNetV1's 13 depthwise-separable layers (paper, Table 1): ``(C_in, C_out, stride, input size)``.
#: Table 1 prints "s2" for the last depthwise layer, but its input and output are both 7 x 7: stride 1.
V1_LAYERS = ((32, 64, 1, 112), (64, 128, 2, 112), (128, 128, 1, 56), (128, 256, 2, 56), (256, 256, 1, 28),
             (256, 512, 2, 28)) + ((512, 512, 1, 14),) * 5 + ((512, 1024, 2, 14), (1024, 1024, 1, 7))


def mobilenet_v1_cost(separable=True, num_classes=1000):
    """``(params, FLOPs)`` of MobileNetV1 1.0-224 from its layer table, or of the same net with standard 3x3 convs.

    Stem 3x3 conv 3 -> 32 (stride 2), the 13 layers of :data:`V1_LAYERS`, global pooling and the classifier;
    no BatchNorm parameters (the paper does not count them). The paper's Table 4 compares the two versions.
    """
    params, flops = standard_conv_cost(3, 32, 3, 112, 112)
    for c_in, c_out, stride, size in V1_LAYERS:
        cost = separable_conv_cost if separable else standard_conv_cost
        p, f = cost(c_in, c_out, 3, size // stride, size // stride)
        params, flops = params + p, flops + f
    return params + 1024 * num_classes + num_classes, flops + 2 * 1024 * num_classes


# --- FLOPs per byte: why a depthwise conv is memory-bound -----------------------------------------

def arithmetic_intensity(c_in, c_out, k, h, w, groups=1, bytes_per_value=4):
    """FLOPs per byte of memory traffic of a stride-1 ``'same'`` ``k x k`` conv on an ``h x w`` map.

    The traffic is the least any implementation can move: read the input ``(C_in, h, w)`` and the weights once,
    write the output ``(C_out, h, w)`` once (``bytes_per_value = 4`` for float32, 2 for float16). Real kernels
    move more, so this is an upper bound on the intensity. For a depthwise conv (``groups = C_in = C_out``) it
    tends to ``k^2 / bytes_per_value`` (2.25 for 3x3 in float32) whatever the layer's size: ``2 k^2`` FLOPs for
    every value read and written. For a 1x1 conv it grows with the channels: ``2 C_in C_out / (bytes_per_value
    (C_in + C_out))`` when the map is large.
    """
    flops = conv2d_flops(c_in, c_out, k, h, w, groups=groups)
    values = c_in * h * w + conv2d_params(c_in, c_out, k, groups=groups) + c_out * h * w
    return flops / (bytes_per_value * values)


def roofline(intensity, peak_flops, bandwidth):
    """Attainable FLOP/s under the roofline model (Williams et al. 2009): ``min(peak, intensity * bandwidth)``.

    ``intensity`` in FLOPs per byte, ``peak_flops`` in FLOP/s, ``bandwidth`` in bytes/s. Below the ridge point
    ``peak / bandwidth`` a kernel is memory-bound: it cannot use more than ``intensity * bandwidth`` FLOP/s.
    """
    return min(peak_flops, intensity * bandwidth)


# --- blocks ------------------------------------------------------------------------------------------

class DepthwiseSeparable(nn.Module):
    """MobileNetV1 layer, ``(B, C_in, H, W) -> (B, C_out, H/stride, W/stride)``.

    depthwise ``k x k`` conv (stride here: V1 downsamples with stride-2 convs instead of pooling) - BN - ReLU,
    then pointwise 1x1 conv - BN - ReLU.
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1):
        super().__init__()
        _check_positive(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size, stride=stride)
        self.in_channels = in_channels
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride, padding=kernel_size // 2,
                                   groups=in_channels, bias=False)
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        x = self.relu(self.bn1(self.depthwise(x)))  # (B, C_in, H/s, W/s): each channel filtered on its own
        return self.relu(self.bn2(self.pointwise(x)))  # (B, C_out, H/s, W/s): channels mix here


class InvertedResidual(nn.Module):
    """MobileNetV2 block, ``(B, C_in, H, W) -> (B, C_out, H/stride, W/stride)``.

    narrow -> wide -> narrow (the *inverse* of ResNet's wide -> narrow -> wide bottleneck):
    1x1 expand to ``t * C_in`` - BN - ReLU6, depthwise 3x3 - BN - ReLU6, 1x1 project to ``C_out`` - BN and
    **no activation** (the *linear bottleneck*: a ReLU on the narrow tensor would destroy information).
    The shortcut joins the two narrow tensors, only when ``stride == 1`` and ``C_in == C_out``.
    Layer order and parameter count as torchvision's ``mobilenetv2.InvertedResidual``.
    """

    def __init__(self, in_channels, out_channels, stride=1, expand_ratio=6):
        super().__init__()
        _check_positive(in_channels=in_channels, out_channels=out_channels, expand_ratio=expand_ratio)
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride!r}")
        self.in_channels = in_channels
        hidden = in_channels * expand_ratio
        layers = []
        if expand_ratio != 1:
            layers += [nn.Conv2d(in_channels, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride=stride, padding=1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, out_channels, 1, bias=False),  # linear bottleneck: BN, no ReLU
            nn.BatchNorm2d(out_channels),
        ]
        self.conv = nn.Sequential(*layers)
        self.use_shortcut = stride == 1 and in_channels == out_channels

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        y = self.conv(x)  # (B, C_out, H/s, W/s)
        return x + y if self.use_shortcut else y


def swish(x):
    """Swish / SiLU: ``x * sigmoid(x)`` (Ramachandran et al. 2017), used by MobileNetV3 and EfficientNet."""
    return x * torch.sigmoid(x)


def h_sigmoid(x):
    """Hard sigmoid: ``ReLU6(x + 3) / 6``, a piecewise-linear sigmoid (0 below -3, 1 above 3)."""
    return nn.functional.relu6(x + 3) / 6


def h_swish(x):
    """Hard swish (MobileNetV3, eq. 2): ``x * ReLU6(x + 3) / 6``; same as ``torch.nn.functional.hardswish``."""
    return x * h_sigmoid(x)


# --- the two measurements of notebook 10 -------------------------------------------------------------

def channels_affected(layer, x, channel, delta=1.0):
    """Which output channels of ``layer(x)`` change when input ``channel`` of ``x`` is changed by ``delta``.

    ``x``: ``(B, C_in, H, W)``. Returns a boolean tensor ``(C_out,)``. For a depthwise conv exactly one
    output channel changes (no mixing across channels); for a pointwise or standard conv, all of them.
    """
    if x.ndim != 4:
        raise ValueError(f"x must be (B, C, H, W), got a tensor of shape {tuple(x.shape)}")
    if not 0 <= channel < x.shape[1]:
        raise ValueError(f"channel must be in [0, {x.shape[1]}), got {channel}")
    nudged = x.clone()
    nudged[:, channel] += delta
    with torch.no_grad():
        change = (layer(nudged) - layer(x)).abs().amax(dim=(0, 2, 3))  # (C_out,)
    return change > 0


def relu_embedding(points, n, seed=0):
    """MobileNetV2's figure 1: how much of a 2-D manifold survives a ReLU in ``n`` dimensions.

    Embed ``points`` ``(N, 2)`` with a random Gaussian matrix ``T`` ``(n, 2)``, apply ReLU, and map back:

    - as in the paper, with the pseudo-inverse: ``x_hat = pinv(T) ReLU(T x)`` (the figure);
    - with the best affine decoder fitted by least squares from ``ReLU(T x)`` (n numbers) to ``x``: its
      error measures what a following *linear* layer can still recover (0 = nothing lost).

    Returns ``(x_hat (N, 2), pinv error, decoder error)``, errors as mean distances ``||. - x||``.
    In 2 or 3 dimensions ReLU zeroes all coordinates of many points and folds others together; in 15-30
    dimensions every point keeps enough positive coordinates and a linear map recovers ``x``.
    """
    import numpy as np

    x = np.asarray(points, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {x.shape}")
    _check_positive(n=n)
    if len(x) == 0:
        return np.zeros((0, 2)), 0.0, 0.0
    T = np.random.default_rng(seed).normal(size=(n, 2))  # (n, 2)
    z = np.maximum(x @ T.T, 0)  # (N, n): ReLU(T x) for every point
    x_hat = z @ np.linalg.pinv(T).T  # (N, 2)
    z1 = np.concatenate([z, np.ones((len(z), 1))], axis=1)  # (N, n + 1): affine decoder
    decoder, *_ = np.linalg.lstsq(z1, x, rcond=None)
    pinv_error = np.linalg.norm(x_hat - x, axis=1).mean()
    decoder_error = np.linalg.norm(z1 @ decoder - x, axis=1).mean()
    return x_hat, float(pinv_error), float(decoder_error)


def separable_numbers(c_in, c_out, k, size):
    """Params and FLOPs of a standard vs a depthwise-separable ``k x k`` conv on a ``size x size`` map, and the
    ratio's closed form (``notebooks/10_depthwise_separable.ipynb`` and its widget)."""
    p_std, f_std = standard_conv_cost(c_in, c_out, k, size, size)
    p_sep, f_sep = separable_conv_cost(c_in, c_out, k, size, size)
    return {
        "standard params": p_std, "separable params": p_sep,
        "standard MFLOPs": f_std / 1e6, "separable MFLOPs": f_sep / 1e6,
        "FLOPs ratio": f_sep / f_std, "1/C_out + 1/k^2": separable_ratio(c_out, k),
    }
