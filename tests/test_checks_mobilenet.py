"""check_depthwise_separable: the reference layer passes; typical wrong layers fail on the case that names the bug."""

import torch
from torch import nn

from utils.blocks.mobilenet import DepthwiseSeparable
from utils.checks import check_depthwise_separable


class Reference(nn.Module):
    """The folded solution of notebook 10, written as a reader would."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.depthwise = nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, groups=c_in, bias=False)
        self.bn1 = nn.BatchNorm2d(c_in)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = torch.relu(self.bn1(self.depthwise(x)))
        return torch.relu(self.bn2(self.pointwise(x)))


class NoGroups(Reference):  # a standard 3x3 conv where the depthwise one should be
    def __init__(self, c_in, c_out, stride=1):
        super().__init__(c_in, c_out, stride)
        self.depthwise = nn.Conv2d(c_in, c_in, 3, stride=stride, padding=1, bias=False)


class StrideOnPointwise(Reference):  # right shape, but the 3x3 filters run on the full-size map
    def __init__(self, c_in, c_out, stride=1):
        super().__init__(c_in, c_out, 1)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)


class WithBias(Reference):  # conv biases in front of BatchNorm: wasted weights
    def __init__(self, c_in, c_out, stride=1):
        super().__init__(c_in, c_out, stride)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, bias=True)


class NoPadding(Reference):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__(c_in, c_out, stride)
        self.depthwise = nn.Conv2d(c_in, c_in, 3, stride=stride, groups=c_in, bias=False)


class NoFinalReLU(Reference):
    def forward(self, x):
        x = torch.relu(self.bn1(self.depthwise(x)))
        return self.bn2(self.pointwise(x))


def test_reference_and_library_layer_pass():
    assert check_depthwise_separable(Reference).passed
    assert check_depthwise_separable(DepthwiseSeparable).passed


def test_standard_conv_instead_of_depthwise_fails_on_mixing_and_weights():
    failures = check_depthwise_separable(NoGroups).failures
    assert "the depthwise conv does not mix channels" in failures
    assert "conv weights: C_in * 9 + C_in * C_out" in failures


def test_stride_on_the_pointwise_conv_fails_only_on_flops():
    assert check_depthwise_separable(StrideOnPointwise).failures == ["the stride sits on the depthwise conv (FLOPs)"]


def test_bias_padding_and_final_relu_are_caught():
    assert check_depthwise_separable(WithBias).failures == ["conv weights: C_in * 9 + C_in * C_out",
                                                            "c_in != c_out (64 -> 16): the depthwise conv has C_in filters"]
    assert "output shape, 32 -> 64, stride 1" in check_depthwise_separable(NoPadding).failures
    assert check_depthwise_separable(NoFinalReLU).failures == ["ends with ReLU: the output is never negative"]


def test_stub_is_reported_as_not_implemented():
    class Stub(nn.Module):
        def __init__(self, c_in, c_out, stride=1):
            super().__init__()
            raise NotImplementedError

    report = check_depthwise_separable(Stub)
    assert report.not_implemented and "not implemented yet" in str(report)
