"""utils.checks.fpn: the whiteboard top-down pathway of notebook 14. The reference solution (and the library's
FPN) pass; typical wrong solutions fail on the case that names their mistake."""

import torch
import torch.nn.functional as F
from torch import nn

from utils.blocks.fpn import FPN
from utils.checks import check_fpn_top_down


class Reference(nn.Module):  # the notebook's folded solution
    def __init__(self, in_channels_list, d):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, d, 1) for c in in_channels_list)
        self.smooth = nn.ModuleList(nn.Conv2d(d, d, 3, padding=1) for _ in in_channels_list)

    def forward(self, features):
        m = self.lateral[-1](features[-1])
        outs = [self.smooth[-1](m)]
        for l in range(len(features) - 2, -1, -1):
            lat = self.lateral[l](features[l])
            m = lat + F.interpolate(m, size=lat.shape[-2:], mode="nearest")
            outs.insert(0, self.smooth[l](m))
        return outs


def _variant(**bug):
    class Buggy(Reference):
        def forward(self, features):
            m = self.lateral[-1](features[-1])
            outs = [self.smooth[-1](m)]
            for l in range(len(features) - 2, -1, -1):
                lat = self.lateral[l](features[l])
                above = outs[0] if bug.get("from_p") else m
                if bug.get("scale_factor"):
                    up = F.interpolate(above, scale_factor=2, mode="nearest")
                elif bug.get("bilinear"):
                    up = F.interpolate(above, size=lat.shape[-2:], mode="bilinear", align_corners=False)
                else:
                    up = F.interpolate(above, size=lat.shape[-2:], mode="nearest")
                m = lat + up
                outs.insert(0, self.smooth[l](m))
            return outs[::-1] if bug.get("reversed") else outs
    return Buggy


def test_reference_and_library_pass():
    assert check_fpn_top_down(Reference).passed
    assert check_fpn_top_down(lambda chans, d: FPN(chans, d)).passed


def test_bilinear_is_named():
    report = check_fpn_top_down(_variant(bilinear=True))
    assert not report.passed and "three levels, sizes 16, 8, 4" in report.failures
    assert "bilinear" in str(report)


def test_scale_factor_fails_on_odd_sizes_only():
    report = check_fpn_top_down(_variant(scale_factor=True))
    assert report.failures == ["odd sizes: 25x19 -> 13x10 -> 7x5 -> 4x3"]


def test_top_down_from_p_and_reversed_order_are_named():
    report = check_fpn_top_down(_variant(from_p=True))
    assert "three levels, sizes 16, 8, 4" in report.failures and "smoothed maps P" in str(report)
    report = check_fpn_top_down(_variant(reversed=True))
    assert "wrong order" in str(report)


def test_concatenation_and_shared_conv_fail():
    class Concat(Reference):
        def __init__(self, in_channels_list, d):
            super().__init__(in_channels_list, d)
            self.smooth = nn.ModuleList([nn.Conv2d(d, d, 3, padding=1)]
                                        + [nn.Conv2d(2 * d, d, 3, padding=1) for _ in in_channels_list[1:]])

    report = check_fpn_top_down(Concat)
    assert not report.passed and "concatenate" in str(report)

    class Shared(Reference):
        def __init__(self, in_channels_list, d):
            super().__init__(in_channels_list, d)
            conv = nn.Conv2d(d, d, 3, padding=1)
            self.smooth = nn.ModuleList([conv] * len(in_channels_list))

    assert check_fpn_top_down(Shared).failures == ["one 1x1 and one 3x3 conv per level"]


def test_stub_is_not_implemented():
    class Stub(nn.Module):
        def __init__(self, in_channels_list, d):
            super().__init__()
            raise NotImplementedError

    assert check_fpn_top_down(Stub).not_implemented
