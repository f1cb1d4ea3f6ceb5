"""utils.checks.unet: the notebook's two-level U-Net passes (either concatenation order), typical mistakes fail."""

import torch
from torch import nn

from utils.checks.unet import check_unet, unet_cases


def double_conv(a, b):
    return nn.Sequential(nn.Conv2d(a, b, 3, padding=1), nn.ReLU(), nn.Conv2d(b, b, 3, padding=1), nn.ReLU())


class TinyUNet(nn.Module):  # the notebook's folded reference solution
    def __init__(self, in_channels, num_classes, base, skip_first=True, pool=nn.MaxPool2d(2), combine="cat"):
        super().__init__()
        c = base
        self.enc1, self.enc2, self.bottom = double_conv(in_channels, c), double_conv(c, 2 * c), double_conv(2 * c, 4 * c)
        self.pool = pool
        self.up2, self.up1 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2), nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        k = 2 if combine == "cat" else 1
        self.dec2, self.dec1 = double_conv(k * 2 * c, 2 * c), double_conv(k * c, c)
        self.head = nn.Conv2d(c, num_classes, 1)
        self.skip_first, self.combine = skip_first, combine

    def join(self, skip, up):
        if self.combine == "add":
            return skip + up
        return torch.cat([skip, up] if self.skip_first else [up, skip], dim=1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottom(self.pool(e2))
        d2 = self.dec2(self.join(e2, self.up2(b)))
        d1 = self.dec1(self.join(e1, self.up1(d2)))
        return self.head(d1)


def variant(**options):
    class Variant(TinyUNet):
        def __init__(self, in_channels, num_classes, base):
            super().__init__(in_channels, num_classes, base, **options)

    return Variant


def test_reference_passes_in_either_concatenation_order():
    assert check_unet(TinyUNet).passed
    assert check_unet(variant(skip_first=False)).passed
    assert len(unet_cases()) == 6


def test_average_pooling_fails_the_numbers():
    report = check_unet(variant(pool=nn.AvgPool2d(2)))
    assert not report.passed
    assert report.failures == [c.name for c in unet_cases() if "numbers" in c.name or "smallest" in c.name]


def test_adding_instead_of_concatenating_is_caught():
    report = check_unet(variant(combine="add"))
    assert "parameters (1 channel, 2 classes, base 4)" in report.failures
    assert not report.passed


def test_missing_relu_fails():
    class NoRelu(TinyUNet):
        def __init__(self, in_channels, num_classes, base):
            super().__init__(in_channels, num_classes, base)
            for block in (self.enc1, self.enc2, self.bottom, self.dec2, self.dec1):
                block[3] = nn.Identity()

    report = check_unet(NoRelu)
    assert not report.passed and "parameters (1 channel, 2 classes, base 4)" not in report.failures


def test_stub_is_not_implemented():
    class Stub(nn.Module):
        def __init__(self, in_channels, num_classes, base):
            super().__init__()
            raise NotImplementedError

    assert "not implemented yet" in str(check_unet(Stub))
