"""Tests for utils.blocks.resnext: the three forms are one function; costs match the paper and the counter."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils.blocks import resnext as X
from utils.blocks.resnet import bottleneck_flops, bottleneck_params
from utils.checks import check_grouped_conv_params
from utils.cost import conv2d_params, count_flops
from utils.widgets.backbones import cardinality_explorer, cardinality_numbers


def _randomise_bn(module, seed=0):
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data = torch.rand(m.num_features, generator=g) + 0.5
            m.bias.data = torch.randn(m.num_features, generator=g)
            m.running_mean = torch.randn(m.num_features, generator=g)
            m.running_var = torch.rand(m.num_features, generator=g) + 0.5


@settings(max_examples=12, deadline=None)
@given(cardinality=st.sampled_from([1, 2, 4]), d=st.integers(1, 4), c_in=st.sampled_from([4, 8]),
       c_out=st.sampled_from([4, 8]), stride=st.integers(1, 2), train=st.booleans())
def test_three_forms_are_equivalent(cardinality, d, c_in, c_out, stride, train):
    torch.manual_seed(0)
    c = X.resnext_block(c_in, c_out, cardinality, d, stride)
    _randomise_bn(c)
    c.train(train)
    a, b = X.split_transform_merge_from(c), X.early_concat_from(c)
    x = torch.randn(3, c_in, 6, 6)
    with torch.no_grad():
        y_c, y_a, y_b = c(x), a(x), b(x)
    assert y_c.shape == (3, c_out, 6 // stride, 6 // stride)
    assert torch.allclose(y_a, y_c, atol=1e-5)
    assert torch.allclose(y_b, y_c, atol=1e-5)


def test_equivalent_gradients_too():
    torch.manual_seed(0)
    c = X.resnext_block(16, 16, 4, 2)
    a = X.split_transform_merge_from(c)
    x = torch.randn(2, 16, 5, 5, requires_grad=True)
    (gc,) = torch.autograd.grad(c(x).square().sum(), x)
    (ga,) = torch.autograd.grad(a(x).square().sum(), x)
    assert torch.allclose(ga, gc, atol=1e-5)


def test_paper_numbers():
    assert X.resnext_block_params(256, 256, 32, 4) == 70_144 == bottleneck_params(256, 128, 256, groups=32)
    assert bottleneck_params(256, 64, 256) == 69_632
    # table 2 of the paper: (C, d) pairs at ResNet-50's complexity
    assert [X.width_for_budget(69_632, cardinality=c) for c in (1, 2, 4, 8, 32)] == [64, 40, 24, 14, 4]


def test_all_forms_have_the_same_parameter_count():
    c = X.resnext_block(32, 32, 8, 2)
    a, b = X.split_transform_merge_from(c), X.early_concat_from(c)
    conv = lambda m: sum(p.weight.numel() for p in m.modules() if isinstance(p, nn.Conv2d))  # noqa: E731
    assert conv(a) == conv(b) == conv(c) == X.resnext_block_params(32, 32, 8, 2)


def test_flops_formula_vs_counter():
    block = X.resnext_block(64, 64, 8, 4).eval()
    x = torch.randn(1, 64, 7, 7)
    assert bottleneck_flops(64, 32, 64, 7, 7, groups=8) == count_flops(block, x)


def test_bad_input():
    with pytest.raises(ValueError, match="divisible"):
        conv2d_params(10, 12, 3, groups=4)
    block = X.resnext_block(8, 8, 2, 2)
    with pytest.raises(ValueError, match="B, C, H, W"):
        block(torch.randn(8, 4, 4))
    with pytest.raises(ValueError, match="channels"):
        X.split_transform_merge_from(block)(torch.randn(1, 4, 4, 4))
    with pytest.raises(ValueError, match="params"):
        X.width_for_budget(0)


def test_cardinality_widget():
    explorer = cardinality_explorer(cardinality=32)
    assert explorer.values["d"] == 4
    explorer.controls["cardinality"].value = 8
    assert explorer.values == cardinality_numbers(8)
    assert explorer.values["d"] == 14 and explorer.values["width C*d"] == 112
    assert abs(explorer.values["params / ResNet"] - 1) < 0.05


def test_grouped_conv_checker():
    assert check_grouped_conv_params(lambda c_in, c_out, k, g: c_out * (c_in // g) * k * k).passed
    report = check_grouped_conv_params(lambda c_in, c_out, k, g: (c_out // g) * c_in * k * k // g)
    assert not report.passed


@pytest.mark.parametrize("form", [X.SplitTransformMerge, X.EarlyConcatenation])
def test_forms_reject_bad_arguments(form):
    with pytest.raises(ValueError, match="cardinality"):
        form(8, 8, cardinality=0, d=2)
    with pytest.raises(ValueError, match="d must"):
        form(8, 8, cardinality=2, d=0)
