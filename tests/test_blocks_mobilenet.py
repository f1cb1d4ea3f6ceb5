"""Tests for utils.blocks.mobilenet: separable cost vs the counter, blocks, h-swish, channel mixing, ReLU manifolds."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils.blocks import mobilenet as M
from utils.checks import check_separable_flops
from utils.cost import count_flops, count_params
from utils.data.manifolds import spiral
from utils.widgets.backbones import separable_conv_explorer, separable_numbers


@settings(max_examples=30, deadline=None)
@given(c_in=st.integers(1, 12), c_out=st.integers(1, 12), k=st.sampled_from([1, 3, 5]), h=st.integers(3, 9),
       w=st.integers(3, 9))
def test_costs_match_counter_and_numel(c_in, c_out, k, h, w):
    standard = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False)
    separable = nn.Sequential(nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                              nn.Conv2d(c_in, c_out, 1, bias=False))
    x = torch.randn(1, c_in, h, w)
    assert M.standard_conv_cost(c_in, c_out, k, h, w) == (count_params(standard), count_flops(standard, x))
    assert M.separable_conv_cost(c_in, c_out, k, h, w) == (count_params(separable), count_flops(separable, x))
    ratio = M.separable_conv_cost(c_in, c_out, k, h, w)[1] / M.standard_conv_cost(c_in, c_out, k, h, w)[1]
    assert ratio == pytest.approx(M.separable_ratio(c_out, k))


def test_mobilenet_v1_layer():
    layer = M.DepthwiseSeparable(32, 64, stride=2).eval()
    out = layer(torch.randn(2, 32, 16, 16))
    assert out.shape == (2, 64, 8, 8)
    assert count_params(layer) == 32 * 9 + 32 * 64 + 2 * (32 + 64)


@pytest.mark.parametrize("c_in, c_out, stride, t, shortcut, params", [
    (24, 24, 1, 6, True, 8_832),   # torchvision mobilenet_v2 features[3]
    (16, 24, 2, 6, False, 5_136),  # features[2]
    (32, 16, 1, 1, False, 896),    # features[1]: no expansion layer
])
def test_inverted_residual(c_in, c_out, stride, t, shortcut, params):
    block = M.InvertedResidual(c_in, c_out, stride, t).eval()
    out = block(torch.randn(1, c_in, 8, 8))
    assert out.shape == (1, c_out, 8 // stride, 8 // stride)
    assert block.use_shortcut == shortcut
    assert count_params(block) == params
    assert not isinstance(block.conv[-1], (nn.ReLU, nn.ReLU6))  # linear bottleneck
    assert (out < 0).any()  # no ReLU on the output


def test_bad_input():
    with pytest.raises(ValueError, match="B, C, H, W"):
        M.DepthwiseSeparable(4, 8)(torch.randn(4, 5, 5))
    with pytest.raises(ValueError, match="channels"):
        M.InvertedResidual(4, 4)(torch.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="stride"):
        M.InvertedResidual(4, 4, stride=3)
    with pytest.raises(ValueError, match="c_out"):
        M.separable_ratio(0, 3)
    with pytest.raises(ValueError, match="channel"):
        M.channels_affected(nn.Identity(), torch.randn(1, 3, 2, 2), 5)
    with pytest.raises(ValueError, match="points"):
        M.relu_embedding(np.zeros((5, 3)), 4)


def test_activations():
    x = torch.linspace(-6, 6, 1201)
    assert torch.allclose(M.h_swish(x), nn.functional.hardswish(x))
    assert torch.allclose(M.swish(x), nn.functional.silu(x))
    assert torch.allclose(M.h_sigmoid(x), nn.functional.hardsigmoid(x))
    assert (M.h_swish(x) - M.swish(x)).abs().max() < 0.15


def test_channel_mixing():
    torch.manual_seed(0)
    layer = M.DepthwiseSeparable(6, 5).eval()
    x = torch.randn(1, 6, 7, 7)
    depthwise = M.channels_affected(layer.depthwise, x, 2)
    assert depthwise.tolist() == [False, False, True, False, False, False]
    assert M.channels_affected(layer.pointwise, x, 2).all()
    assert M.channels_affected(nn.Conv2d(6, 4, 3, padding=1), x, 0).all()


def test_relu_embedding_loses_information_only_in_low_dimensions():
    points = spiral(300)
    decoder = {n: np.mean([M.relu_embedding(points, n, s)[2] for s in range(3)]) for n in (2, 3, 15, 30)}
    assert decoder[2] > 0.1 and decoder[3] > 0.1
    assert decoder[15] < 0.02 and decoder[30] < 0.01
    x_hat, _, _ = M.relu_embedding(points, 30)
    assert x_hat.shape == points.shape
    assert M.relu_embedding(np.zeros((0, 2)), 5)[1:] == (0.0, 0.0)


def test_spiral():
    points = spiral(100, turns=2)
    assert points.shape == (100, 2)
    assert np.linalg.norm(points, axis=1).max() == pytest.approx(1.0)
    assert spiral(0).shape == (0, 2)
    assert not np.array_equal(spiral(10, noise=0.1, seed=1), spiral(10))
    with pytest.raises(ValueError, match="turns"):
        spiral(10, turns=0)


def test_separable_widget():
    explorer = separable_conv_explorer()
    explorer.controls["c_out"].value = 128
    explorer.controls["k"].value = 5
    assert explorer.values == separable_numbers(32, 128, 5, 56)
    assert explorer.values["FLOPs ratio"] == pytest.approx(1 / 128 + 1 / 25)


def test_separable_checker():
    assert check_separable_flops(lambda c_in, c_out, k, h, w: 2 * (c_in * k * k + c_in * c_out) * h * w).passed
    report = check_separable_flops(lambda c_in, c_out, k, h, w: (c_in * k * k + c_in * c_out) * h * w)
    assert not report.passed


def test_mobilenet_v1_cost_reproduces_table_4():
    """V1 paper, Table 4: 569M mult-adds and 4.2M parameters; with standard convs 4866M and 29.3M."""
    params, flops = M.mobilenet_v1_cost()
    assert round(flops / 2e6) == 569 and round(params / 1e6, 1) == 4.2
    params, flops = M.mobilenet_v1_cost(separable=False)
    assert abs(flops / 2e6 - 4866) < 2 and round(params / 1e6, 1) == 29.3


@pytest.mark.parametrize("c, size", [(32, 112), (128, 56), (512, 14), (1024, 7)])
def test_depthwise_intensity_is_about_k2_over_bytes(c, size):
    # 2 k^2 FLOPs per output value; one value read and one written (weights are negligible)
    ai = M.arithmetic_intensity(c, c, 3, size, size, groups=c)
    assert 2.0 < ai <= 9 / 4
    assert M.arithmetic_intensity(c, c, 3, size, size, groups=c, bytes_per_value=2) == pytest.approx(2 * ai)


def test_intensity_by_hand_and_roofline():
    # 1x1 conv 64 -> 64 on 10x10: 2*64*64*100 FLOPs; (64*100 + 64*64 + 64*100) float32 values moved
    assert M.arithmetic_intensity(64, 64, 1, 10, 10) == pytest.approx(2 * 64 * 64 * 100 / (4 * (6400 + 4096 + 6400)))
    assert M.roofline(2.0, 15e12, 900e9) == pytest.approx(1.8e12)  # memory-bound
    assert M.roofline(100.0, 15e12, 900e9) == 15e12  # compute-bound


def test_architecture_diagrams_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from utils.plotting.architectures_mobile import draw_inverted_residual, draw_mbconv, draw_separable_conv

    for draw in (draw_separable_conv, draw_inverted_residual, draw_mbconv):
        fig, ax = plt.subplots()
        d = draw(ax)
        assert len(ax.patches) >= 5 and d.nodes
        plt.close(fig)
    fig, ax = plt.subplots()
    d = draw_mbconv(ax, drop_path=False)
    assert "drop" not in d.nodes and "mul" in d.nodes
    plt.close(fig)
