"""utils.blocks.fpn: level shapes, the top-down computation replayed by hand, level assignment against the
paper's formula in plain math, receptive fields by formula vs by gradient, bad input, widget, checker."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.blocks import fpn as P
from utils.checks.multiscale import check_fpn_level


@pytest.mark.parametrize("size", [(64, 64), (96, 128), (100, 75), (33, 47)])
def test_level_shapes(size):
    torch.manual_seed(0)
    model = P.BackboneWithFPN(channels=(8, 16, 24, 32), out_channels=12, p6=True).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, *size))
    H, W = size
    for l in range(2, 6):
        s = 2 ** l
        expected = (math.ceil(H / s), math.ceil(W / s))
        assert out[f"C{l}"].shape[-2:] == expected
        assert out[f"P{l}"].shape == (2, 12) + expected
    assert out["P6"].shape[-2:] == (math.ceil(out["P5"].shape[2] / 2), math.ceil(out["P5"].shape[3] / 2))


def test_top_down_by_hand():
    # Replay FPN with plain conv2d and an explicit nearest x2 upsampling (repeat_interleave).
    torch.manual_seed(0)
    fpn = P.FPN((4, 6, 8), 5).eval()
    feats = [torch.randn(1, 4, 16, 16), torch.randn(1, 6, 8, 8), torch.randn(1, 8, 4, 4)]
    with torch.no_grad():
        ours = fpn(feats)
        lat = [F.conv2d(f, b.weight, b.bias) for f, b in zip(feats, fpn.inner_blocks)]
        up = lambda t: t.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
        m4 = lat[2]
        m3 = lat[1] + up(m4)
        m2 = lat[0] + up(m3)
        ref = [F.conv2d(m, b.weight, b.bias, padding=1) for m, b in zip((m2, m3, m4), fpn.layer_blocks)]
    for o, r in zip(ours, ref):
        assert torch.allclose(o, r, atol=1e-6)


def test_fpn_bad_input():
    fpn = P.FPN((4, 6), 5)
    with pytest.raises(ValueError, match="list of 2"):
        fpn([torch.randn(1, 4, 8, 8)])
    with pytest.raises(ValueError, match="B, C, H, W"):
        fpn([torch.randn(4, 8, 8), torch.randn(1, 6, 4, 4)])
    with pytest.raises(ValueError, match="B, C, H, W"):
        fpn([torch.randn(1, 5, 8, 8), torch.randn(1, 6, 4, 4)])
    with pytest.raises(ValueError, match="x must be"):
        P.TinyBackbone()(torch.randn(3, 32, 32))
    with pytest.raises(ValueError, match="channels"):
        P.TinyBackbone(channels=(8, 16))


def _level_plain(w, h):
    if w * h == 0:
        return 2
    return min(5, max(2, math.floor(4 + math.log2(math.sqrt(w * h) / 224) + 1e-6)))


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 3000), st.floats(0, 3000))
def test_level_matches_formula(w, h):
    assert int(P.fpn_level(w, h)) == _level_plain(w, h)


def test_level_examples_and_vectorised():
    w = np.array([0, 32, 111.9, 112, 224, 447, 448, 5000])
    assert P.fpn_level(w, w).tolist() == [2, 2, 2, 3, 4, 4, 5, 5]
    assert P.fpn_level(w, w).shape == (8,)
    assert P.fpn_level([], []).shape == (0,)
    assert P.fpn_level(112, 112, k_min=0) == 3
    with pytest.raises(ValueError, match="w must"):
        P.fpn_level(-1, 3)
    with pytest.raises(ValueError, match="h must"):
        P.fpn_level(1, np.nan)
    with pytest.raises(ValueError, match="k_min"):
        P.fpn_level(1, 1, k_min=5, k_max=2)


def test_receptive_field_formula_matches_gradient():
    model = P.BackboneWithFPN()
    chain = P.receptive_field(P.conv_layers(model.body))
    assert chain[-1] == (32, 179)
    # C2..C5 are the outputs of layers 3, 5, 7, 9 of the chain
    for name, (j, r) in zip(["C2", "C3", "C4", "C5"], [chain[2], chain[4], chain[6], chain[8]]):
        assert P.gradient_receptive_field(lambda o, n=name: o[n], model, 512) == (r, r)
    assert [j for j, _ in (chain[2], chain[4], chain[6], chain[8])] == [4, 8, 16, 32]
    # P5 adds a 3x3 smoothing on the stride-32 grid
    assert P.gradient_receptive_field(lambda o: o["P5"], model, 512) == (179 + 2 * 32,) * 2
    with pytest.raises(ValueError, match="layers"):
        P.receptive_field([(0, 1)])


def test_edge_pyramid():
    gray = np.zeros((64, 64))
    gray[:, 32:] = 1.0
    levels = P.edge_pyramid(gray)
    assert [l.shape for l in levels] == [(16, 16), (8, 8), (4, 4), (2, 2)]
    assert levels[0][:, 7].max() > 0 and levels[0][:, 0].max() == 0
    with pytest.raises(ValueError, match="gray"):
        P.edge_pyramid(np.zeros((2, 8, 8)))


def test_widget_sets_level():
    from utils.widgets.multiscale import fpn_level_explorer

    explorer = fpn_level_explorer()
    explorer.controls["w"].value = 448
    explorer.controls["h"].value = 448
    assert explorer.values["level"] == 5 and explorer.values["stride"] == 32
    explorer.controls["w"].value = explorer.controls["h"].value = 100
    assert explorer.values["level"] == 2
    assert explorer.values["cells across"] == pytest.approx(25.0)


def test_checker():
    assert check_fpn_level(lambda w, h: int(P.fpn_level(w, h))).passed
    report = check_fpn_level(lambda w, h: int(round(4 + math.log2(max(math.sqrt(w * h), 1e-9) / 224))))
    assert not report.passed and "just under 224" in report.failures

    def stub(w, h):
        raise NotImplementedError

    assert check_fpn_level(stub).not_implemented


def test_gradient_footprint_matches_the_receptive_field_and_its_phase():
    # C5 of the small backbone: a 179-px square around the cell; P2 sees one C5 cell inside an 8x8 block of P2
    # cells and two on the block's border (nearest upsampling copies one C5 cell onto 8x8 P2 cells).
    model = P.BackboneWithFPN()
    y0, y1, x0, x1 = P.gradient_footprint(lambda o: o["C5"], model, 320, 5, 5)
    assert (y1 - y0, x1 - x0) == (179, 179)
    inside = P.gradient_footprint(lambda o: o["P2"], model, 320, 42, 42)
    border = P.gradient_footprint(lambda o: o["P2"], model, 320, 42, 40)
    assert inside[1] - inside[0] == 179 and inside[3] - inside[2] == 179
    assert border[3] - border[2] == 211 and border[:2] == inside[:2]
    corner = P.gradient_footprint(lambda o: o["C2"], model, 64, 0, 0)
    assert corner[0] == 0 and corner[2] == 0  # clipped by the image border
    with pytest.raises(ValueError, match="outside"):
        P.gradient_footprint(lambda o: o["C5"], model, 64, 2, 0)
