"""utils.blocks.repvgg: shapes, re-parameterisation == multi-branch block in eval mode (non-trivial
BatchNorm statistics, strides, groups), each fusion step against torch, bad input, the checker."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.blocks import repvgg as R
from utils.checks.repvgg import check_fuse_bn


@pytest.mark.parametrize("c_in,c_out,stride,groups", [(8, 8, 1, 1), (8, 16, 2, 1), (8, 8, 1, 4), (4, 8, 1, 2), (6, 6, 2, 3)])
def test_block_shapes_and_fusion(c_in, c_out, stride, groups):
    torch.manual_seed(0)
    block = R.randomize_batchnorm(R.RepVGGBlock(c_in, c_out, stride, groups), seed=1).eval()
    x = torch.randn(2, c_in, 11, 11)
    y = block(x)
    assert y.shape == (2, c_out, (11 - 1) // stride + 1, (11 - 1) // stride + 1)
    fused = block.reparameterize()
    assert (fused(x) - y).abs().max() < 1e-5
    assert block.rbr_identity is not None or not (c_in == c_out and stride == 1)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.sampled_from([1, 2]), st.integers(0, 100), st.integers(3, 12))
def test_fusion_property(c, stride, seed, hw):
    torch.manual_seed(seed)
    block = R.randomize_batchnorm(R.RepVGGBlock(4 * c, 4 * c, stride), seed=seed).eval()
    x = torch.randn(1, 4 * c, hw, hw)
    assert torch.allclose(block.reparameterize()(x), block(x), atol=1e-5)


def test_fuse_conv_bn_equals_conv_then_bn():
    torch.manual_seed(0)
    conv_bn = R.randomize_batchnorm(R.conv_bn(5, 7, 3, padding=1)).eval()
    kernel, bias = R.fuse_conv_bn(conv_bn[0].weight, conv_bn[1])
    x = torch.randn(2, 5, 6, 6)
    assert torch.allclose(F.conv2d(x, kernel, bias, padding=1), conv_bn(x), atol=1e-5)


def test_padded_1x1_equals_1x1():
    k = torch.randn(6, 4, 1, 1)
    x = torch.randn(1, 4, 7, 7)
    assert torch.allclose(F.conv2d(x, R.pad_1x1_to_3x3(k), padding=1), F.conv2d(x, k), atol=1e-6)


@pytest.mark.parametrize("channels,groups", [(4, 1), (6, 3), (8, 8)])
def test_identity_kernel_is_identity(channels, groups):
    x = torch.randn(2, channels, 5, 5)
    assert torch.equal(F.conv2d(x, R.identity_kernel(channels, groups), padding=1, groups=groups), x)


def test_training_mode_differs_but_eval_matches():
    # In training mode BN uses batch statistics: the fused conv is only the eval-mode block.
    torch.manual_seed(0)
    block = R.randomize_batchnorm(R.RepVGGBlock(4, 4))
    x = torch.randn(4, 4, 6, 6)
    fused = block.eval().reparameterize()
    assert torch.allclose(block(x), fused(x), atol=1e-5)
    assert not torch.allclose(block.train()(x), fused(x), atol=1e-3)
    # ...and a training-mode forward also moves the running statistics: fuse only after training.
    assert not torch.allclose(block.eval()(x), fused(x), atol=1e-3)


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="divisible by groups"):
        R.RepVGGBlock(6, 8, groups=4)
    with pytest.raises(ValueError, match="divisible by groups"):
        R.identity_kernel(6, 4)
    with pytest.raises(ValueError, match="B, 4, H, W"):
        R.RepVGGBlock(4, 4)(torch.randn(4, 6, 6))
    with pytest.raises(ValueError, match="B, 4, H, W"):
        R.RepVGGBlock(4, 4)(torch.randn(1, 3, 6, 6))
    with pytest.raises(ValueError, match="stride"):
        R.RepVGGBlock(4, 4, stride=3)
    with pytest.raises(ValueError, match="kernel"):
        R.fuse_conv_bn(torch.randn(4, 4), torch.nn.BatchNorm2d(4))
    with pytest.raises(ValueError, match="output channels"):
        R.fuse_conv_bn(torch.randn(4, 4, 3, 3), torch.nn.BatchNorm2d(5))


def test_checker():
    def reference(kernel, gamma, beta, mean, var, eps):
        scale = gamma / torch.sqrt(var + eps)
        return kernel * scale[:, None, None, None], beta - mean * scale

    def forgot_sqrt(kernel, gamma, beta, mean, var, eps):
        scale = gamma / (var + eps)
        return kernel * scale[:, None, None, None], beta - mean * scale

    def stub(*args):
        raise NotImplementedError

    assert check_fuse_bn(reference).passed
    report = check_fuse_bn(forgot_sqrt)
    assert not report.passed and "variance 4 halves the kernel" in report.failures
    assert check_fuse_bn(stub).not_implemented


def test_widget_values_follow_controls():
    from utils.widgets.repvgg import repvgg_fusion_explorer

    explorer = repvgg_fusion_explorer()
    explorer.controls["running_mean"].value = 0.0
    explorer.controls["running_var"].value = 1.0
    for name in ("gamma_3x3", "gamma_1x1", "gamma_id"):
        explorer.controls[name].value = 1.0
    v = explorer.values
    # identity BNs (eps aside): centre = 3x3 centre (0) + 1x1 weight (0.5) + identity (1); bias 0
    assert v["fused centre tap"] == pytest.approx(1.5, abs=1e-4) and v["fused bias"] == pytest.approx(0.0, abs=1e-6)
    assert v["max |multi-branch - fused|"] < 1e-5
    explorer.controls["running_mean"].value = 1.0
    assert explorer.values["fused bias"] == pytest.approx(-3.0, abs=1e-4)


def test_conv_density_is_positive_and_restores_threads():
    threads = torch.get_num_threads()
    density = R.conv_density(8, 3, size=8, repeat=2, warmup=1, rounds=1, threads=1)
    assert density > 0 and torch.get_num_threads() == threads
