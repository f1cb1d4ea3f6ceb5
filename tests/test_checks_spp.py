"""utils.checks.spp: the whiteboard SPPF block of notebook 15. The reference solution (and the library's SPPF)
pass; typical wrong solutions fail on the case that names their mistake."""

import torch
import torch.nn.functional as F
from torch import nn

from utils.blocks.spp import SPPF
from utils.checks import check_sppf


def conv_bn_silu(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.SiLU())


class Reference(nn.Module):  # the notebook's folded solution
    def __init__(self, c_in, c_out, k=5):
        super().__init__()
        c_ = c_in // 2
        self.cv1 = conv_bn_silu(c_in, c_)
        self.pool = nn.MaxPool2d(k, stride=1, padding=k // 2)
        self.cv2 = conv_bn_silu(4 * c_, c_out)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.pool(x)
        y2 = self.pool(y1)
        y3 = self.pool(y2)
        return self.cv2(torch.cat([x, y1, y2, y3], dim=1))


class Parallel(Reference):
    def forward(self, x):
        x = self.cv1(x)
        return self.cv2(torch.cat([x, self.pool(x), self.pool(x), self.pool(x)], dim=1))


class ZeroPad(Reference):
    def forward(self, x):
        x = self.cv1(x)
        pool = lambda t: F.max_pool2d(F.pad(t, [2] * 4, value=0.0), 5, stride=1)
        y1 = pool(x)
        y2 = pool(y1)
        return self.cv2(torch.cat([x, y1, y2, pool(y2)], dim=1))


class HardCoded5(Reference):
    def __init__(self, c_in, c_out, k=5):
        super().__init__(c_in, c_out, 5)


class SPPStyle(Reference):  # SPP (5, 9, 13) computes the same function: it must pass the value cases
    def forward(self, x):
        x = self.cv1(x)
        pools = [F.max_pool2d(x, k, 1, k // 2) for k in (5, 9, 13)]
        return self.cv2(torch.cat([x] + pools, dim=1))


def test_reference_library_and_spp_pass():
    assert check_sppf(Reference).passed
    assert check_sppf(SPPF).passed
    report = check_sppf(SPPStyle)
    assert report.failures == ["k = 3: windows 3, 5 and 7"]


def test_parallel_pools_are_named():
    report = check_sppf(Parallel)
    assert "same numbers as SPPF on a 20x20 map" in report.failures and "in parallel" in str(report)


def test_zero_padding_fails_on_negative_activations():
    report = check_sppf(ZeroPad)
    assert "negative activations near the border" in report.failures and "zero padding" in str(report)


def test_hard_coded_kernel_and_missing_identity():
    assert check_sppf(HardCoded5).failures == ["k = 3: windows 3, 5 and 7"]

    class NoIdentity(Reference):
        def __init__(self, c_in, c_out, k=5):
            super().__init__(c_in, c_out, k)
            self.cv2 = conv_bn_silu(3 * (c_in // 2), c_out)

    report = check_sppf(NoIdentity)
    assert not report.passed and "4 * " in str(report)


def test_relu_is_named_simsppf():
    class ReLUVersion(Reference):
        def __init__(self, c_in, c_out, k=5):
            super().__init__(c_in, c_out, k)
            for seq in (self.cv1, self.cv2):
                seq[2] = nn.ReLU()

    report = check_sppf(ReLUVersion)
    assert not report.passed and "SimSPPF" in str(report)


def test_stub_is_not_implemented():
    class Stub(nn.Module):
        def __init__(self, c_in, c_out, k=5):
            super().__init__()
            raise NotImplementedError

    assert check_sppf(Stub).not_implemented
