"""ResNeXt: the three equivalent forms of an aggregated residual block.

Xie, Girshick, Dollar, Tu & He, "Aggregated Residual Transformations for Deep Neural Networks" (CVPR 2017),
figure 3. Taught in ``notebooks/09_resnext_grouped_conv.ipynb``.

A ResNeXt block sums ``C`` (the *cardinality*) parallel transformations of the same input, each a small
bottleneck of width ``d``::

    y = ReLU(x + sum_{i=1..C} T_i(x)),   T_i = conv1x1(d -> C_out) . ReLU . conv3x3(d -> d) . ReLU . conv1x1(C_in -> d)

Three ways to write the same function (BatchNorm after each conv, as in the paper's implementation):

(a) **split-transform-merge**: ``C`` separate paths, outputs added;
(b) **early concatenation**: the paths' 3x3 outputs concatenated (``C * d`` channels), then ONE 1x1 conv
    (a 1x1 conv over a concatenation is the sum of 1x1 convs over the parts);
(c) **grouped convolution**: the ``C`` first 1x1 convs are one 1x1 conv to ``C * d`` channels, and the
    ``C`` 3x3 convs are one 3x3 conv with ``groups=C``. Form (c) is what everyone implements: it is
    :class:`utils.blocks.resnet.Bottleneck` with ``width = C * d`` and ``groups = C``.

:func:`split_transform_merge_from` and :func:`early_concat_from` build forms (a) and (b) that share form
(c)'s weights, so the three can be compared number for number.
"""

import torch
from torch import nn

from utils.blocks.resnet import Bottleneck, _check_channels, bottleneck_flops, bottleneck_params, check_image_batch, projection


def resnext_block(in_channels, out_channels, cardinality=32, d=4, stride=1):
    """Form (c), the grouped-convolution block: ``Bottleneck(C_in, C * d, C_out, stride, groups=C)``.

    ResNeXt-50 (32x4d), first stage: ``resnext_block(256, 256, 32, 4)``. ``(B, C_in, H, W) -> (B, C_out, H/s, W/s)``.
    """
    return Bottleneck(in_channels, cardinality * d, out_channels, stride=stride, groups=cardinality)


class SplitTransformMerge(nn.Module):
    """Form (a): ``C`` separate paths ``C_in -> d -> d -> C_out``, summed, ``(B, C_in, H, W) -> (B, C_out, H/s, W/s)``.

    Each path is conv1x1-BN-ReLU-conv3x3-BN-ReLU-conv1x1; BN after the sum (the same as a BN after
    form (c)'s last conv). Slow (``3 C`` small convolutions): it exists to show what (c) computes.
    """

    def __init__(self, in_channels, out_channels, cardinality=32, d=4, stride=1):
        super().__init__()
        _check_channels(in_channels=in_channels, out_channels=out_channels, cardinality=cardinality, d=d, stride=stride)
        self.in_channels = in_channels
        self.paths = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(in_channels, d, 1, bias=False), nn.BatchNorm2d(d), nn.ReLU(),
                nn.Conv2d(d, d, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(d), nn.ReLU(),
                nn.Conv2d(d, out_channels, 1, bias=False),
            )
            for _ in range(cardinality)
        )
        self.bn = nn.BatchNorm2d(out_channels)
        self.shortcut = projection(in_channels, out_channels, stride)
        self.relu = nn.ReLU()

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        aggregated = sum(path(x) for path in self.paths)  # (B, C_out, H/s, W/s)
        return self.relu(self.bn(aggregated) + self.shortcut(x))


class EarlyConcatenation(nn.Module):
    """Form (b): ``C`` paths ``C_in -> d -> d``, concatenated to ``C * d`` channels, then one 1x1 conv to ``C_out``."""

    def __init__(self, in_channels, out_channels, cardinality=32, d=4, stride=1):
        super().__init__()
        _check_channels(in_channels=in_channels, out_channels=out_channels, cardinality=cardinality, d=d, stride=stride)
        self.in_channels = in_channels
        self.paths = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(in_channels, d, 1, bias=False), nn.BatchNorm2d(d), nn.ReLU(),
                nn.Conv2d(d, d, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(d), nn.ReLU(),
            )
            for _ in range(cardinality)
        )
        self.conv3 = nn.Conv2d(cardinality * d, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = projection(in_channels, out_channels, stride)
        self.relu = nn.ReLU()

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        concatenated = torch.cat([path(x) for path in self.paths], dim=1)  # (B, C * d, H/s, W/s)
        return self.relu(self.bn3(self.conv3(concatenated)) + self.shortcut(x))


def _copy_bn(target, source, channels):
    # BatchNorm is per channel: the slice of a wide BN for some channels IS a BN for those channels.
    target.weight.data.copy_(source.weight.data[channels])
    target.bias.data.copy_(source.bias.data[channels])
    target.running_mean.copy_(source.running_mean[channels])
    target.running_var.copy_(source.running_var[channels])


def _shapes(block):
    in_channels = block.conv1.in_channels
    width, out_channels = block.conv2.out_channels, block.conv3.out_channels
    cardinality = block.conv2.groups
    return in_channels, out_channels, cardinality, width // cardinality, block.conv2.stride[0]


def _copy_paths(paths, block, d):
    for i, path in enumerate(paths):
        group = slice(i * d, (i + 1) * d)  # the channels of group i in form (c)
        path[0].weight.data.copy_(block.conv1.weight.data[group])  # (d, C_in, 1, 1)
        _copy_bn(path[1], block.bn1, group)
        path[3].weight.data.copy_(block.conv2.weight.data[group])  # (d, d, 3, 3): group i's filters
        _copy_bn(path[4], block.bn2, group)


def split_transform_merge_from(block):
    """Form (a) with the weights of form (c) ``block`` (a grouped :class:`Bottleneck`)."""
    in_channels, out_channels, cardinality, d, stride = _shapes(block)
    a = SplitTransformMerge(in_channels, out_channels, cardinality, d, stride)
    _copy_paths(a.paths, block, d)
    for i, path in enumerate(a.paths):
        path[6].weight.data.copy_(block.conv3.weight.data[:, i * d:(i + 1) * d])  # (C_out, d, 1, 1)
    a.bn.load_state_dict(block.bn3.state_dict())
    a.shortcut.load_state_dict(block.shortcut.state_dict())
    return a.train(block.training)


def early_concat_from(block):
    """Form (b) with the weights of form (c) ``block`` (a grouped :class:`Bottleneck`)."""
    in_channels, out_channels, cardinality, d, stride = _shapes(block)
    b = EarlyConcatenation(in_channels, out_channels, cardinality, d, stride)
    _copy_paths(b.paths, block, d)
    b.conv3.load_state_dict(block.conv3.state_dict())
    b.bn3.load_state_dict(block.bn3.state_dict())
    b.shortcut.load_state_dict(block.shortcut.state_dict())
    return b.train(block.training)


def resnext_block_params(in_channels, out_channels, cardinality, d):
    """Conv weights of a ResNeXt block (no BN, no shortcut): ``C (C_in d + 9 d^2 + d C_out)`` (paper, section 3.3).

    ``resnext_block_params(256, 256, 32, 4) = 70,144``; the ResNet-50 block it replaces has 69,632.
    """
    return cardinality * (in_channels * d + 9 * d * d + d * out_channels)


def width_for_budget(params, in_channels=256, out_channels=256, cardinality=32):
    """The bottleneck width ``d`` per path whose block has the parameter count nearest to ``params``.

    The paper's table 2 keeps ResNet-50's ~70k weights with (C, d) = (1, 64), (2, 40), (4, 24), (8, 14),
    (32, 4): ``[width_for_budget(69_632, cardinality=C) for C in (1, 2, 4, 8, 32)]`` gives exactly these.
    """
    if params < 1 or cardinality < 1:
        raise ValueError(f"params and cardinality must be positive, got {params}, {cardinality}")
    # 9 C d^2 + C (C_in + C_out) d = params: the positive root, then the nearer of its two integer neighbours
    a, b = 9 * cardinality, cardinality * (in_channels + out_channels)
    root = (-b + (b * b + 4 * a * params) ** 0.5) / (2 * a)
    candidates = [max(1, int(root)), int(root) + 1]
    return min(candidates, key=lambda d: abs(resnext_block_params(in_channels, out_channels, cardinality, d) - params))


CARDINALITIES = (1, 2, 4, 8, 16, 32, 64)


def cardinality_numbers(cardinality, budget=69_632, size=56):
    """ResNeXt block at the parameter budget of ResNet-50's conv2 block: ``d``, width and the costs
    (``notebooks/09_resnext_grouped_conv.ipynb`` and its widget).

    Returns a dict with ``d`` (width per path), ``width C*d``, the block's ``params`` (conv weights) and
    ``GFLOPs`` on a ``size x size`` map, and the same two numbers relative to the ResNet block.
    """
    d = width_for_budget(budget, 256, 256, cardinality)
    params = resnext_block_params(256, 256, cardinality, d)
    flops = bottleneck_flops(256, cardinality * d, 256, size, size, groups=cardinality)
    return {
        "d": d, "width C*d": cardinality * d, "params": params,
        "params / ResNet": params / bottleneck_params(256, 64, 256),
        "GFLOPs": flops / 1e9, "FLOPs / ResNet": flops / bottleneck_flops(256, 64, 256, size, size),
    }
