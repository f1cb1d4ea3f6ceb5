"""utils.checks.resnet: a correct BasicBlock / Bottleneck passes, the usual whiteboard mistakes fail where expected."""

import torch
from torch import nn

from utils.blocks import resnet as R
from utils.checks.resnet import basic_block_cases, bottleneck_cases, check_basic_block, check_bottleneck


class Basic(nn.Module):  # the notebook's folded reference solution
    def __init__(self, in_channels, out_channels, stride=1, relu_after_add=True, stride_on_second=False,
                 bias=False, projection=True):
        super().__init__()
        s1, s2 = (1, stride) if stride_on_second else (stride, 1)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, s1, 1, bias=bias)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, s2, 1, bias=bias)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if projection and (stride != 1 or in_channels != out_channels):
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
        self.relu_after_add = relu_after_add

    def forward(self, x):
        f = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        y = f + self.shortcut(x)
        return torch.relu(y) if self.relu_after_add else y


def variant(**options):
    class Variant(Basic):
        def __init__(self, in_channels, out_channels, stride=1):
            super().__init__(in_channels, out_channels, stride, **options)

    return Variant


class Bottle(nn.Module):
    def __init__(self, in_channels, width, out_channels, stride=1):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(in_channels, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels))
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x):
        return torch.relu(self.branch(x) + self.shortcut(x))


def test_reference_solutions_and_library_blocks_pass():
    assert check_basic_block(Basic).passed
    assert check_basic_block(R.BasicBlock).passed
    assert check_bottleneck(Bottle).passed
    assert check_bottleneck(R.Bottleneck).passed
    assert len(basic_block_cases()) == len(bottleneck_cases()) == 8


def test_layer_order_and_names_do_not_matter():
    class Reordered(nn.Module):  # shortcut defined first, layers in a list
        def __init__(self, in_channels, out_channels, stride=1):
            super().__init__()
            self.proj = None
            if stride != 1 or in_channels != out_channels:
                self.proj = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(out_channels))
            self.layers = nn.ModuleList([nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
                                         nn.BatchNorm2d(out_channels),
                                         nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False),
                                         nn.BatchNorm2d(out_channels)])

        def forward(self, x):
            c1, b1, c2, b2 = self.layers
            f = b2(c2(nn.functional.relu(b1(c1(x)))))
            return nn.functional.relu(f + (x if self.proj is None else self.proj(x)))

    assert check_basic_block(Reordered).passed


def test_typical_mistakes_fail_on_the_expected_case():
    report = check_basic_block(variant(relu_after_add=False))  # a v2-style output with a v1 branch
    assert "branch switched off (every BN scale 0): output ReLU(x)" in report.failures
    assert report.results[0].status == "ok"  # shapes are fine

    report = check_basic_block(variant(stride_on_second=True))
    assert report.failures == ["same numbers as the reference: projection block (4 -> 8, stride 2)"]

    report = check_basic_block(variant(bias=True))
    assert set(report.failures) == {"parameters of an identity block (8 -> 8)",
                                    "parameters of a projection block (8 -> 16, stride 2)"}

    report = check_basic_block(variant(projection=False))  # forgot the projection: x and F(x) cannot be added
    assert "stride 2 and more channels (8 -> 16): 6x6 -> 3x3" in report.failures
    assert any(r.status == "ERROR" for r in report.results)

    v1 = check_bottleneck(lambda c_in, w, c_out, stride=1: R.Bottleneck(c_in, w, c_out, stride, stride_in_1x1=True))
    assert v1.failures == ["same numbers as the reference: stride 2 (16 -> [8] -> 32)"]


def test_unfinished_class_is_not_implemented():
    class Stub(nn.Module):
        def __init__(self, in_channels, out_channels, stride=1):
            super().__init__()
            raise NotImplementedError

    report = check_basic_block(Stub)
    assert report.not_implemented and "Stub: not implemented yet" in str(report)


def test_report_names_the_readers_class():
    assert str(check_basic_block(Basic)).startswith("Basic: 8 of 8 cases pass")
