"""utils.blocks.spp: SPPNet's fixed length for any size and bins vs a loop, SPP == SPPF exactly (functions and
modules), bad input, widget, checker."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.blocks import spp as S
from utils.checks.multiscale import check_spp_length


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (7, 7), (13, 9), (32, 50)])
def test_fixed_length(size):
    x = torch.randn(2, 5, *size)
    assert S.spatial_pyramid_pool(x).shape == (2, 5 * 21)
    assert S.spatial_pyramid_pool(x, (1, 2, 3, 6)).shape == (2, 5 * 50)


def _spp_loop(x, levels):
    # The adaptive bins by hand: bin i covers [floor(i S / n), ceil((i + 1) S / n)).
    B, C, H, W = x.shape
    out = []
    for n in levels:
        for c in range(C):
            for i in range(n):
                for j in range(n):
                    r0, r1 = i * H // n, math.ceil((i + 1) * H / n)
                    c0, c1 = j * W // n, math.ceil((j + 1) * W / n)
                    out.append(x[:, c, r0:r1, c0:c1].amax(dim=(1, 2)))
    return torch.stack(out, dim=1)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 20), st.integers(1, 20), st.integers(0, 1000))
def test_spp_vs_loop(h, w, seed):
    x = torch.randn(2, 3, h, w, generator=torch.Generator().manual_seed(seed))
    assert torch.equal(S.spatial_pyramid_pool(x, (1, 2, 4)), _spp_loop(x, (1, 2, 4)))


def test_output_length():
    assert S.spp_output_length(256) == 5376
    assert S.spp_output_length(3, (2, 2)) == 24
    for bad in [(), (0,), (1.5,)]:
        with pytest.raises(ValueError, match="levels"):
            S.spp_output_length(3, bad)
    with pytest.raises(ValueError, match="channels"):
        S.spp_output_length(0)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(0, 1000))
def test_sppf_equals_spp_exactly(h, w, seed):
    x = torch.randn(1, 4, h, w, generator=torch.Generator().manual_seed(seed))
    assert torch.equal(S.spp_pools(x, (5, 9, 13)), S.sppf_pools(x, 5, 3))
    assert torch.equal(S.spp_pools(x, (3, 5, 7)), S.sppf_pools(x, 3, 3))


def test_spp_pools_vs_loop():
    # max over the window clipped to the image, by hand
    x = torch.randn(1, 1, 9, 11)
    ref = torch.empty(9, 11)
    for i in range(9):
        for j in range(11):
            ref[i, j] = x[0, 0, max(0, i - 4):i + 5, max(0, j - 4):j + 5].max()
    assert torch.equal(S.spp_pools(x, (9,))[0, 1], ref)


def test_average_pooling_does_not_compose():
    # the identity is special to max: averaging twice with 5x5 is a tent filter, not a 9x9 box
    x = torch.randn(1, 1, 20, 20)
    twice = F.avg_pool2d(F.avg_pool2d(x, 5, 1, 2), 5, 1, 2)
    once = F.avg_pool2d(x, 9, 1, 4)
    assert (twice - once).abs().max() > 1e-2


def test_modules_equal_with_same_weights():
    torch.manual_seed(0)
    spp, sppf = S.SPP(16, 24).eval(), S.SPPF(16, 24).eval()
    sppf.load_state_dict(spp.state_dict())
    x = torch.randn(2, 16, 20, 20)
    with torch.no_grad():
        y = spp(x)
        assert y.shape == (2, 24, 20, 20)
        assert torch.equal(y, sppf(x))


def test_bad_input():
    with pytest.raises(ValueError, match="B, C, H, W"):
        S.spatial_pyramid_pool(torch.randn(3, 8, 8))
    with pytest.raises(ValueError, match="B, C, H, W"):
        S.SPPF(4, 4)(torch.randn(4, 8, 8))
    with pytest.raises(ValueError, match="odd"):
        S.spp_pools(torch.randn(1, 1, 8, 8), (4,))
    with pytest.raises(ValueError, match="odd"):
        S.sppf_pools(torch.randn(1, 1, 8, 8), 4)
    with pytest.raises(ValueError, match="levels"):
        S.spatial_pyramid_pool(torch.randn(1, 1, 8, 8), (0,))


def test_widget():
    from utils.widgets.multiscale import spp_bins, spp_explorer

    explorer = spp_explorer()
    assert explorer.values["output length"] == 256 * 21
    explorer.controls["height"].value = 31
    assert explorer.values["output length"] == 256 * 21
    explorer.controls["levels"].value = (1, 2, 3, 6)
    explorer.controls["channels"].value = 2
    assert explorer.values["output length"] == 100 and explorer.values["bins"] == 50
    assert spp_bins(5, 2) == [(0, 3), (2, 5)]


def test_checker():
    assert check_spp_length(S.spp_output_length).passed
    assert not check_spp_length(lambda c, levels: c * sum(levels)).passed
