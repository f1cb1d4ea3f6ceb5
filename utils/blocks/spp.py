"""Spatial pyramid pooling: SPPNet's fixed-length vector, and YOLO's "SPP" / SPPF blocks (a different idea).

Taught in ``notebooks/15_spp.ipynb``.

* **SPPNet** (He et al., "Spatial Pyramid Pooling in Deep Convolutional Networks for Visual Recognition",
  ECCV 2014): max-pool the last ``(B, C, H, W)`` feature map into ``n x n`` bins for each ``n`` in
  ``levels = (1, 2, 4)`` and concatenate: ``C (1 + 4 + 16) = 21 C`` numbers whatever ``H`` and ``W`` are,
  so a fully connected layer can follow an input of any size.
* **YOLO's SPP** (YOLOv3-SPP, YOLOv4, YOLOv5): stride-1 max pools of sizes 5, 9 and 13 (padding ``k // 2``)
  concatenated with their input: ``(B, C, H, W) -> (B, 4C, H, W)``. The spatial size is kept: it mixes
  receptive fields, it does not make a fixed-length vector.
* **SPPF** (YOLOv5 6.0): three 5x5 pools *in sequence*; pooling twice with 5x5 is pooling once with 9x9 and
  three times with 13x13, so the output is identical and the work is ``3 * 25`` instead of ``25 + 81 + 169``.
"""

import torch
import torch.nn.functional as F
from torch import nn


def _check_map(x, name="x"):
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        raise ValueError(f"{name} must be a (B, C, H, W) tensor, got shape {tuple(getattr(x, 'shape', ()))}")


def _check_levels(levels):
    if len(levels) == 0 or any(int(n) != n or n < 1 for n in levels):
        raise ValueError(f"levels must be positive integers (bins per side), got {levels!r}")


def spp_output_length(channels, levels=(1, 2, 4)):
    """Length of the SPPNet vector: ``channels * sum(n^2 for n in levels)`` (21 C for levels 1, 2, 4)."""
    _check_levels(levels)
    if channels < 1:
        raise ValueError(f"channels must be >= 1, got {channels}")
    return int(channels * sum(n * n for n in levels))


def spatial_pyramid_pool(x, levels=(1, 2, 4)):
    """SPPNet pooling: ``(B, C, H, W) -> (B, C * sum(n^2))``, the same length for every ``H, W``.

    Level ``n`` max-pools into an ``n x n`` grid of bins with ``adaptive_max_pool2d``: bin ``i`` covers rows
    ``floor(i H / n)`` to ``ceil((i + 1) H / n)``, so bins may overlap by a pixel but never miss one (also when
    ``H < n``, where the paper's ``window = ceil(H / n), stride = floor(H / n)`` recipe breaks down).
    The vector is ordered level by level, then channel, then bin (row-major).
    """
    _check_map(x)
    _check_levels(levels)
    B = x.shape[0]
    parts = [F.adaptive_max_pool2d(x, n).reshape(B, -1) for n in levels]  # (B, C n^2) each
    return torch.cat(parts, dim=1)  # (B, C sum n^2)


def spp_pools(x, kernels=(5, 9, 13)):
    """YOLO's SPP pooling: ``[x, maxpool_5(x), maxpool_9(x), maxpool_13(x)]`` concatenated, ``(B, 4C, H, W)``.

    Every pool has stride 1 and padding ``k // 2`` (odd ``k``), so the spatial size is unchanged.
    """
    _check_map(x)
    if any(k % 2 == 0 or k < 1 for k in kernels):
        raise ValueError(f"kernels must be odd positive sizes, got {kernels!r}")
    return torch.cat([x] + [F.max_pool2d(x, k, stride=1, padding=k // 2) for k in kernels], dim=1)


def sppf_pools(x, k=5, n=3):
    """SPPF pooling: ``y1 = pool(x), y2 = pool(y1), y3 = pool(y2)`` (one ``k x k`` stride-1 pool reused),
    concatenated as ``[x, y1, y2, y3]``: ``(B, (n + 1) C, H, W)``. Equal to ``spp_pools(x, (k, 2k-1, 3k-2))``."""
    _check_map(x)
    if k % 2 == 0 or k < 1:
        raise ValueError(f"k must be an odd positive size, got {k}")
    ys = [x]
    for _ in range(n):
        ys.append(F.max_pool2d(ys[-1], k, stride=1, padding=k // 2))
    return torch.cat(ys, dim=1)


def conv_bn_act(c_in, c_out):
    """1x1 convolution + BatchNorm + SiLU (YOLOv5's ``Conv``): ``(B, c_in, H, W) -> (B, c_out, H, W)``."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.SiLU())


class SPP(nn.Module):
    """YOLOv5's SPP block: 1x1 conv to ``c_in / 2``, :func:`spp_pools`, 1x1 conv to ``c_out``.

    ``(B, c_in, H, W) -> (B, c_out, H, W)``.
    """

    def __init__(self, c_in, c_out, kernels=(5, 9, 13)):
        super().__init__()
        c_ = c_in // 2
        self.kernels = tuple(kernels)
        self.cv1 = conv_bn_act(c_in, c_)
        self.cv2 = conv_bn_act(c_ * (len(kernels) + 1), c_out)

    def forward(self, x):
        _check_map(x)
        return self.cv2(spp_pools(self.cv1(x), self.kernels))


class SPPF(nn.Module):
    """YOLOv5's SPPF block: 1x1 conv, :func:`sppf_pools` (three 5x5 pools in sequence), 1x1 conv.

    ``(B, c_in, H, W) -> (B, c_out, H, W)``; with the same weights, equal to ``SPP(c_in, c_out, (5, 9, 13))``
    (the parameter names match, so ``sppf.load_state_dict(spp.state_dict())`` works).
    """

    def __init__(self, c_in, c_out, k=5):
        super().__init__()
        c_ = c_in // 2
        self.k = k
        self.cv1 = conv_bn_act(c_in, c_)
        self.cv2 = conv_bn_act(c_ * 4, c_out)

    def forward(self, x):
        _check_map(x)
        return self.cv2(sppf_pools(self.cv1(x), self.k, n=3))


def spp_bins(size, n):
    """Bin edges of ``adaptive_max_pool2d`` along one side: ``[(floor(i S / n), ceil((i + 1) S / n)), ...]``
    (``notebooks/15_spp.ipynb`` and its widget draw them)."""
    return [(i * size // n, -(-(i + 1) * size // n)) for i in range(n)]
