"""U-Net: a contracting path, an expanding path, and skip connections by concatenation.

Ronneberger, Fischer and Brox, "U-Net: Convolutional Networks for Biomedical Image Segmentation" (MICCAI 2015).
Taught in ``notebooks/16_unet.ipynb``.

* Contracting path: ``depth`` times (two 3x3 convs + ReLU, then 2x2 max pool, stride 2); channels double.
* Bottom: two 3x3 convs.
* Expanding path: ``depth`` times (2x2 transposed conv, stride 2, halving the channels; concatenate the
  matching contracting map, centre-cropped to the same size; two 3x3 convs); then a 1x1 conv to the classes.

With the paper's *valid* (unpadded) convolutions every 3x3 conv removes 2 pixels, so the output is smaller than
the input (572 -> 388) and only some input sizes work: every map that is pooled must have an even size. With
``padding=1`` ("same" convs) the output has the input's size and the size only has to be divisible by
``2 ** depth``. :func:`unet_output_size` does this arithmetic without running the network.
"""

import torch
from torch import nn


def double_conv(c_in, c_out, padding=0, batch_norm=False):
    """Two 3x3 convs + ReLU: ``(B, c_in, H, W) -> (B, c_out, H - 4, W - 4)`` (``padding=0``) or same size (``1``).

    ``batch_norm=True`` puts a BatchNorm after each conv (not in the 2015 paper; common today, and it makes a
    small U-Net train faster and more steadily).
    """
    layers = []
    for c in (c_in, c_out):
        layers.append(nn.Conv2d(c, c_out, 3, padding=padding, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(c_out))
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def center_crop(x, size):
    """Crop the centre ``(H', W') = size`` of a ``(B, C, H, W)`` map (the paper's "cropping" of skip maps)."""
    H, W = x.shape[-2:]
    h, w = size
    if h > H or w > W or (H - h) % 2 or (W - w) % 2:
        raise ValueError(f"cannot centre-crop a {H}x{W} map to {h}x{w}")
    top, left = (H - h) // 2, (W - w) // 2
    return x[..., top:top + h, left:left + w]


def unet_size_trace(size, depth=4, padding=0):
    """Every feature-map side along a :class:`UNet`, as ``[(step, side), ...]``, or ``ValueError`` if ``size`` fails.

    Valid convs (``padding=0``): each double conv takes 4 pixels (``s -> s - 4``), each pool needs an even size
    (``s -> s / 2``), each up-convolution doubles (``s -> 2 s``). Same convs (``padding=1``): the double convs keep
    the size, so ``size`` must be divisible by ``2 ** depth``. Every map must keep a positive size.
    """
    if int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if padding not in (0, 1):
        raise ValueError(f"padding must be 0 (valid, as in the paper) or 1 (same), got {padding!r}")
    shrink = 4 * (1 - padding)  # pixels lost by one double conv
    s = int(size)
    trace = [("input", s)]
    for level in range(depth):
        s -= shrink
        trace.append((f"down {level + 1} convs", s))
        if s < 2 or s % 2:
            raise ValueError(f"size {size} does not work: the map before pooling {level + 1} is {s} pixels "
                             f"(it must be even and >= 2)")
        s //= 2
        trace.append((f"pool {level + 1}", s))
    s -= shrink
    trace.append(("bottom convs", s))
    for level in range(depth):
        s *= 2
        trace.append((f"up-conv {level + 1}", s))
        s -= shrink
        trace.append((f"up {level + 1} convs", s))
    if min(side for _, side in trace) < 1:
        raise ValueError(f"size {size} is too small: a map would have {min(side for _, side in trace)} pixels")
    return trace


def unet_output_size(size, depth=4, padding=0):
    """Output side length of a :class:`UNet` for an input side ``size``, or ``ValueError`` if it does not work
    (see :func:`unet_size_trace` for the rules).

    >>> unet_output_size(572)
    388
    """
    return unet_size_trace(size, depth, padding)[-1][1]


def contracting_specs(depth=4, padding=0):
    """``(kernels, strides, paddings)`` of the path from the input to the bottom convs of a :class:`UNet`: per level
    two 3x3 convs (stride 1) and a 2x2 max pool (stride 2), then the two bottom convs. Feed them to
    :func:`utils.receptive_field.receptive_fields` for the receptive field at the bottleneck (140 px, jump 16 for the
    paper's depth 4: ``notebooks/16_unet.ipynb``)."""
    if int(depth) != depth or depth < 0:
        raise ValueError(f"depth must be an integer >= 0, got {depth!r}")
    if padding not in (0, 1):
        raise ValueError(f"padding must be 0 (valid) or 1 (same), got {padding!r}")
    kernels, strides = [3, 3, 2] * int(depth) + [3, 3], [1, 1, 2] * int(depth) + [1, 1]
    paddings = [padding, padding, 0] * int(depth) + [padding, padding]
    return kernels, strides, paddings


def valid_unet_sizes(low, high, depth=4, padding=0):
    """The input sizes in ``[low, high]`` that work for a U-Net, as ``[(input, output), ...]``."""
    out = []
    for n in range(max(1, low), high + 1):
        try:
            out.append((n, unet_output_size(n, depth, padding)))
        except ValueError:
            pass
    return out


class UNet(nn.Module):
    """U-Net, ``(B, in_channels, H, W) -> (B, num_classes, H_out, W_out)`` (logits).

    Args:
        in_channels: image channels (1 in the paper).
        num_classes: output channels (2 in the paper; 1 for a binary mask with a sigmoid).
        base: channels of the first level (64 in the paper); level ``l`` has ``base * 2**l``.
        depth: number of poolings (4 in the paper).
        padding: 0 for the paper's valid convs (``H_out = unet_output_size(H)``, e.g. 572 -> 388), 1 for same
            convs (``H_out = H``).
        batch_norm: a BatchNorm after every 3x3 conv (not in the paper).
    """

    def __init__(self, in_channels=1, num_classes=2, base=64, depth=4, padding=0, batch_norm=False):
        super().__init__()
        if padding not in (0, 1):
            raise ValueError(f"padding must be 0 (valid) or 1 (same), got {padding!r}")
        self.depth, self.padding, self.in_channels = depth, padding, in_channels
        widths = [base * 2 ** l for l in range(depth + 1)]  # 64, 128, 256, 512, 1024 in the paper
        self.down = nn.ModuleList(double_conv(c_in, c_out, padding, batch_norm) for c_in, c_out in zip([in_channels] + widths[:-2], widths[:-1]))
        self.pool = nn.MaxPool2d(2)
        self.bottom = double_conv(widths[-2], widths[-1], padding, batch_norm)
        self.up = nn.ModuleList(nn.ConvTranspose2d(widths[l + 1], widths[l], 2, stride=2) for l in reversed(range(depth)))
        # after concatenation the decoder sees 2 * widths[l] channels: half from the up-conv, half from the skip
        self.up_conv = nn.ModuleList(double_conv(2 * widths[l], widths[l], padding, batch_norm) for l in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], num_classes, 1)

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"x must be (B, {self.in_channels}, H, W), got shape {tuple(x.shape)}")
        for side in x.shape[-2:]:
            unet_output_size(side, self.depth, self.padding)  # raises ValueError for a size that does not work
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)  # (B, base 2^l, H_l, W_l), kept for the expanding path
            x = self.pool(x)  # (B, base 2^l, H_l / 2, W_l / 2)
        x = self.bottom(x)
        for up, block, skip in zip(self.up, self.up_conv, reversed(skips)):
            x = up(x)  # (B, 2c, h, w) -> (B, c, 2h, 2w)
            x = torch.cat([center_crop(skip, x.shape[-2:]), x], dim=1)  # (B, 2c, 2h, 2w)
            x = block(x)
        return self.head(x)
