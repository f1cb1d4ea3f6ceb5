"""Feature Pyramid Network (FPN): a bottom-up backbone, a top-down path and lateral connections.

Lin et al., "Feature Pyramid Networks for Object Detection" (CVPR 2017). Taught in
``notebooks/14_fpn.ipynb``. Names follow torchvision's ``FeaturePyramidNetwork`` (``inner_blocks`` are the
lateral 1x1 convolutions, ``layer_blocks`` the 3x3 smoothing convolutions).

* Bottom-up pathway: the backbone's stages ``C2, C3, C4, C5`` at strides 4, 8, 16, 32 (each halves the size).
* Lateral connection: a 1x1 convolution brings every ``C_l`` to the same ``d`` channels (256 in the paper).
* Top-down pathway: ``M5 = lateral(C5)``; ``M_l = lateral(C_l) + upsample_nearest(M_{l+1})``: the coarse,
  deep map is upsampled x2 and added element-wise to the finer, shallower one.
* Smoothing: ``P_l = conv3x3(M_l)`` reduces the aliasing of the upsampling. ``P6`` (for the RPN) is a
  stride-2 subsampling of ``P5``.

A region of interest of size ``w x h`` (input pixels) is read from level
``k = floor(k0 + log2(sqrt(w h) / 224))``, ``k0 = 4``, clamped to ``[2, 5]`` (paper, equation 1).
"""

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def conv_relu(c_in, c_out, stride=1):
    """3x3 convolution (padding 1) + ReLU: ``(B, c_in, H, W) -> (B, c_out, ceil(H / stride), ceil(W / stride))``."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, padding=1), nn.ReLU())


class TinyBackbone(nn.Module):
    """A small ResNet-shaped backbone: returns ``[C2, C3, C4, C5]`` at strides 4, 8, 16 and 32.

    ``(B, 3, H, W) -> [(B, c2, H/4, W/4), (B, c3, H/8, W/8), (B, c4, H/16, W/16), (B, c5, H/32, W/32)]``
    (sizes rounded up). The stem is conv s2, conv s1, conv s2; every later stage is conv s2, conv s1 (all 3x3).
    """

    def __init__(self, in_channels=3, channels=(16, 32, 64, 128)):
        super().__init__()
        if len(channels) != 4:
            raise ValueError(f"channels must give 4 stage widths (C2..C5), got {channels!r}")
        c2, c3, c4, c5 = channels
        self.channels = tuple(channels)
        self.stem = nn.Sequential(conv_relu(in_channels, c2 // 2, 2), conv_relu(c2 // 2, c2 // 2), conv_relu(c2 // 2, c2, 2))
        self.stages = nn.ModuleList(
            nn.Sequential(conv_relu(c_in, c_out, 2), conv_relu(c_out, c_out)) for c_in, c_out in ((c2, c3), (c3, c4), (c4, c5))
        )

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"x must be a batch of images (B, C, H, W), got shape {tuple(x.shape)}")
        features = [self.stem(x)]  # C2: stride 4
        for stage in self.stages:
            features.append(stage(features[-1]))  # C3, C4, C5: strides 8, 16, 32
        return features


class FPN(nn.Module):
    """Feature Pyramid Network head: ``[C2, ..., C5] -> [P2, ..., P5]`` (plus ``P6`` if ``p6=True``).

    Args:
        in_channels_list: channels of the input maps, finest first (e.g. ``(16, 32, 64, 128)``).
        out_channels: ``d``, the channels of every output level (256 in the paper).
        p6: add ``P6 = max_pool2d(P5, kernel 1, stride 2)``, the extra RPN level of the paper.

    Input: a list of ``(B, C_l, H_l, W_l)`` maps, finest first, each about half the size of the previous one.
    Output: a list of ``(B, d, H_l, W_l)`` maps: the same sizes, one channel count.
    """

    def __init__(self, in_channels_list, out_channels, p6=False):
        super().__init__()
        self.in_channels_list = tuple(in_channels_list)
        self.inner_blocks = nn.ModuleList(nn.Conv2d(c, out_channels, 1) for c in in_channels_list)  # lateral 1x1
        self.layer_blocks = nn.ModuleList(nn.Conv2d(out_channels, out_channels, 3, padding=1) for _ in in_channels_list)
        self.p6 = p6

    def forward(self, features):
        if len(features) != len(self.inner_blocks):
            raise ValueError(f"features must be a list of {len(self.inner_blocks)} maps, got {len(features)}")
        for f, c in zip(features, self.in_channels_list):
            if f.ndim != 4 or f.shape[1] != c:
                raise ValueError(f"each feature map must be (B, C, H, W) with C = {self.in_channels_list}, got {tuple(f.shape)}")
        m = self.inner_blocks[-1](features[-1])  # M5 = lateral(C5)
        results = [self.layer_blocks[-1](m)]  # P5
        for l in range(len(features) - 2, -1, -1):
            lateral = self.inner_blocks[l](features[l])  # (B, d, H_l, W_l)
            top_down = F.interpolate(m, size=lateral.shape[-2:], mode="nearest")  # (B, d, H_{l+1}, W_{l+1}) -> (B, d, H_l, W_l)
            m = lateral + top_down  # M_l
            results.insert(0, self.layer_blocks[l](m))  # P_l: 3x3 smoothing
        if self.p6:
            results.append(F.max_pool2d(results[-1], kernel_size=1, stride=2))
        return results


class BackboneWithFPN(nn.Module):
    """:class:`TinyBackbone` + :class:`FPN`: ``(B, 3, H, W) -> {"C2".."C5", "P2".."P5"}`` (a dict of maps)."""

    def __init__(self, channels=(16, 32, 64, 128), out_channels=32, p6=False):
        super().__init__()
        self.body = TinyBackbone(3, channels)
        self.fpn = FPN(channels, out_channels, p6=p6)

    def forward(self, x):
        c = self.body(x)
        p = self.fpn(c)
        out = {f"C{l}": f for l, f in zip(range(2, 6), c)}
        out.update({f"P{l}": f for l, f in zip(range(2, 2 + len(p)), p)})
        return out


def fpn_level(w, h, k0=4, canonical_size=224, k_min=2, k_max=5, eps=1e-6):
    """The pyramid level a ``w x h`` region of interest is pooled from (FPN paper, equation 1).

    ``k = floor(k0 + log2(sqrt(w h) / canonical_size))``, clamped to ``[k_min, k_max]``. A 224x224 region
    (ImageNet's canonical size) goes to ``k0 = 4``; half the side, one level finer. ``eps`` (as in
    torchvision's ``LevelMapper``) keeps exact powers of two on the upper level despite rounding.

    Args:
        w, h: widths and heights in input-image pixels (numbers or arrays that broadcast), ``>= 0``.
    Returns: an int64 array of levels (a 0-d array for scalar input). A zero-area region gets ``k_min``.
    """
    w, h = np.asarray(w, dtype=float), np.asarray(h, dtype=float)
    for name, v in (("w", w), ("h", h)):
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"{name} must be finite and >= 0")
    if k_min > k_max:
        raise ValueError(f"k_min={k_min} must be <= k_max={k_max}")
    with np.errstate(divide="ignore"):
        k = np.floor(k0 + np.log2(np.sqrt(w * h) / canonical_size) + eps)
    return np.clip(k, k_min, k_max).astype(np.int64)


def receptive_field(layers):
    """Stride (jump) and receptive field after each layer of a chain of convolutions / poolings.

    ``layers``: a list of ``(kernel_size, stride)`` pairs (dilation 1). With ``j_0 = 1, r_0 = 1``:
    ``r_i = r_{i-1} + (k_i - 1) j_{i-1}`` and ``j_i = j_{i-1} s_i``.
    Returns: a list of ``(j_i, r_i)``: one output cell moves ``j_i`` input pixels and sees ``r_i x r_i`` of them.
    """
    j, r, out = 1, 1, []
    for k, s in layers:
        if k < 1 or s < 1:
            raise ValueError(f"layers must hold (kernel_size >= 1, stride >= 1) pairs, got {(k, s)}")
        r += (k - 1) * j
        j *= s
        out.append((j, r))
    return out


def conv_layers(module):
    """``(kernel_size, stride)`` of every ``Conv2d`` / ``MaxPool2d`` in ``module``, in definition order
    (square kernels; the chain :func:`receptive_field` expects for a plain, sequential backbone)."""
    layers = []
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            s = m.stride if isinstance(m.stride, int) else m.stride[0]
            layers.append((k, s))
    return layers


def gradient_receptive_field(fn, module, size=256):
    """Measure a receptive field: the input pixels that reach the centre cell of ``fn(module(x))``.

    A copy of ``module`` gets all-positive weights (so no ReLU is ever off and no gradient cancels), the input is
    ones; the gradient of the centre output cell with respect to the input is non-zero exactly on the pixels that
    cell can see. ``fn`` picks one ``(B, C, H, W)`` map from the module's output. Returns ``(height, width)`` of the
    non-zero region (clipped by the image border if ``size`` is too small).
    """
    probe = copy.deepcopy(module).double()
    with torch.no_grad():
        for p in probe.parameters():
            p.fill_(0.01)
    x = torch.ones(1, 3, size, size, dtype=torch.float64, requires_grad=True)
    y = fn(probe(x))
    y[0, :, y.shape[2] // 2, y.shape[3] // 2].sum().backward()
    rows = torch.nonzero(x.grad[0].abs().sum(0).sum(1))
    cols = torch.nonzero(x.grad[0].abs().sum(0).sum(0))
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def gradient_footprint(fn, module, size, row, col):
    """Where one output cell looks: the input pixels that reach cell ``(row, col)`` of ``fn(module(x))``.

    The same probe as :func:`gradient_receptive_field` (all-positive weights, an input of ones, so no gradient is
    ever zero by accident), for any cell instead of the centre one. Returns ``(y0, y1, x0, x1)``: the half-open
    pixel bounds of the non-zero gradient in a ``size x size`` input (clipped by the image border).
    """
    probe = copy.deepcopy(module).double()
    with torch.no_grad():
        for p in probe.parameters():
            p.fill_(0.01)
    x = torch.ones(1, 3, size, size, dtype=torch.float64, requires_grad=True)
    y = fn(probe(x))
    if not (0 <= row < y.shape[2] and 0 <= col < y.shape[3]):
        raise ValueError(f"(row, col) = {(row, col)} is outside the {tuple(y.shape[2:])} output map")
    y[0, :, row, col].sum().backward()
    seen = x.grad[0].abs().sum(0) > 0  # (size, size)
    rows, cols = torch.nonzero(seen.any(1))[:, 0], torch.nonzero(seen.any(0))[:, 0]
    return int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1


def edge_pyramid(gray, strides=(4, 8, 16, 32)):
    """A hand-designed "backbone": Sobel edge strength of a grey image, average-pooled to each stride.

    ``gray``: ``(H, W)`` array. Returns a list of ``(H // s, W // s)`` float32 arrays, one per stride: what a
    level of that stride can still resolve of the image's edges (no learned semantics, only resolution).
    """
    gray = torch.as_tensor(np.asarray(gray, dtype=np.float32))
    if gray.ndim != 2:
        raise ValueError(f"gray must be an (H, W) image, got shape {tuple(gray.shape)}")
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    kernels = torch.stack([sobel_x, sobel_x.T])[:, None]  # (2, 1, 3, 3): d/dx and d/dy
    g = F.conv2d(gray[None, None], kernels, padding=1)  # (1, 2, H, W)
    magnitude = g.pow(2).sum(1, keepdim=True).sqrt()  # (1, 1, H, W)
    return [F.avg_pool2d(magnitude, s)[0, 0].numpy() for s in strides]
