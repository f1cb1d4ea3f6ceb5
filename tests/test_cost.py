"""Tests for utils.cost: every formula against torch's FlopCounterMode and ``sum(p.numel())``."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils.cost import (
    conv2d_flops,
    conv2d_params,
    count_flops,
    count_params,
    flops_by_operator,
    latency,
    linear_flops,
    linear_params,
)


def _conv_out(size, k, stride, padding):
    return (size + 2 * padding - k) // stride + 1


@settings(max_examples=40, deadline=None)
@given(
    g=st.integers(1, 4), c_in_per_g=st.integers(1, 4), c_out_per_g=st.integers(1, 4),
    k=st.sampled_from([1, 3, 5]), stride=st.integers(1, 2), size=st.integers(5, 12),
    bias=st.booleans(), batch=st.integers(1, 3),
)
def test_conv2d_formulas_match_counter_and_numel(g, c_in_per_g, c_out_per_g, k, stride, size, bias, batch):
    c_in, c_out, padding = g * c_in_per_g, g * c_out_per_g, k // 2
    conv = nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding, groups=g, bias=bias)
    h_out = w_out = _conv_out(size, k, stride, padding)
    assert conv2d_params(c_in, c_out, k, groups=g, bias=bias) == sum(p.numel() for p in conv.parameters())
    assert count_params(conv) == sum(p.numel() for p in conv.parameters())
    counted = count_flops(conv, torch.randn(batch, c_in, size, size))
    # The counter does not count the bias add; the formula without bias must match it exactly.
    assert batch * conv2d_flops(c_in, c_out, k, h_out, w_out, groups=g) == counted
    with_bias = conv2d_flops(c_in, c_out, k, h_out, w_out, groups=g, bias=True)
    assert with_bias - conv2d_flops(c_in, c_out, k, h_out, w_out, groups=g) == c_out * h_out * w_out


def test_conv2d_rectangular_kernel():
    conv = nn.Conv2d(4, 6, (1, 3), padding=(0, 1), bias=False)
    assert conv2d_params(4, 6, (1, 3)) == conv.weight.numel() == 72
    assert conv2d_flops(4, 6, (1, 3), 5, 7) == count_flops(conv, torch.randn(1, 4, 5, 7)) == 2 * 72 * 35


def test_conv2d_known_numbers():
    # ResNet-50 conv2_x 3x3 conv: 64 -> 64 at 56 x 56 = 36,864 weights, 115.6 M multiply-adds.
    assert conv2d_params(64, 64, 3) == 36_864
    assert conv2d_flops(64, 64, 3, 56, 56) == 2 * 36_864 * 56 * 56
    # depthwise 3x3 on 32 channels: 9 weights per channel
    assert conv2d_params(32, 32, 3, groups=32) == 288


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 20), n_out=st.integers(1, 20), tokens=st.integers(1, 6), bias=st.booleans())
def test_linear_formulas_match_counter_and_numel(n_in, n_out, tokens, bias):
    layer = nn.Linear(n_in, n_out, bias=bias)
    assert linear_params(n_in, n_out, bias=bias) == count_params(layer)
    assert linear_flops(n_in, n_out, tokens) == count_flops(layer, torch.randn(tokens, n_in))
    # tokens = batch x sequence: a 3-D input counts the same as its flattened 2-D version
    assert linear_flops(n_in, n_out, 2 * tokens) == count_flops(layer, torch.randn(2, tokens, n_in))


def test_count_params_shared_and_trainable():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared, nn.BatchNorm1d(3))
    assert count_params(model) == 12 + 6  # shared linear once; BN weight + bias, not its buffers
    model[3].weight.requires_grad_(False)
    assert count_params(model, trainable_only=True) == 12 + 3


def test_count_flops_on_meta_device_and_breakdown():
    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
        x = torch.empty(2, 3, 4, 4)
    total = count_flops(model, x)
    assert total == 2 * conv2d_flops(3, 8, 3, 4, 4) + linear_flops(128, 10, tokens=2)
    parts = flops_by_operator(model, x)
    assert sum(parts.values()) == total
    assert parts["convolution"] == 2 * conv2d_flops(3, 8, 3, 4, 4)


def test_macs_are_half_the_flops():
    conv = nn.Conv2d(2, 3, 1, bias=False)
    x = torch.randn(1, 2, 1, 1)
    assert count_flops(conv, x) == 2 * 6  # 6 multiply-adds, 12 FLOPs


def test_latency_is_a_positive_median():
    calls = []
    seconds = latency(lambda t: calls.append(1) or t * 2, torch.ones(3), repeat=5, warmup=2, number=3)
    assert seconds >= 0
    assert len(calls) == 2 + 5 * 3


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: conv2d_params(6, 4, 3, groups=4), "groups"),
        (lambda: conv2d_params(4, 6, 3, groups=4), "groups"),
        (lambda: conv2d_params(0, 4, 3), "c_in"),
        (lambda: conv2d_params(4, 4, 0), "k"),
        (lambda: conv2d_params(4, 4, (3, 3, 3)), "k"),
        (lambda: conv2d_flops(4, 4, 3, 0, 5), "h_out"),
        (lambda: conv2d_flops(4, 4, 3, 5, 2.5), "w_out"),
        (lambda: linear_params(-1, 4), "n_in"),
        (lambda: linear_flops(4, 4, tokens=0), "tokens"),
        (lambda: latency(abs, 1.0, repeat=0), "repeat"),
        (lambda: latency(abs, 1.0, warmup=-1), "warmup"),
        (lambda: count_flops("not a module"), "module"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_numpy_integers_are_accepted():
    np = pytest.importorskip("numpy")
    assert conv2d_params(np.int64(4), np.int64(8), np.int64(3)) == 288
