"""Tests for utils.blocks.resnet: shapes, shortcuts, cost formulas vs the counter, the MLP experiment helpers."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils.blocks import resnet as R
from utils.checks import check_residual_jacobian
from utils.cost import count_flops, count_params
from utils.data.digits import digits
from utils.widgets.backbones import gradient_flow_explorer, gradient_flow_numbers


def _conv_weights(module):
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, nn.Conv2d))


@pytest.mark.parametrize("c_in, c_out, stride, size, identity", [
    (8, 8, 1, 6, True), (8, 16, 1, 6, False), (8, 8, 2, 6, False), (4, 12, 2, 7, False),
])
def test_basic_block_shapes_and_shortcut(c_in, c_out, stride, size, identity):
    block = R.BasicBlock(c_in, c_out, stride).eval()
    out = block(torch.randn(2, c_in, size, size))
    expected = (size + 2 - 3) // stride + 1
    assert out.shape == (2, c_out, expected, expected)
    assert isinstance(block.shortcut, nn.Identity) == identity
    assert (out >= 0).all()  # ReLU after the addition


@pytest.mark.parametrize("c_in, width, c_out, stride, groups", [
    (16, 4, 16, 1, 1), (8, 4, 16, 1, 1), (16, 8, 32, 2, 1), (16, 8, 16, 1, 4), (16, 8, 32, 2, 8),
])
def test_bottleneck_shapes_params_and_flops(c_in, width, c_out, stride, groups):
    block = R.Bottleneck(c_in, width, c_out, stride, groups).eval()
    x = torch.randn(1, c_in, 8, 8)
    out = block(x)
    assert out.shape == (1, c_out, 8 // stride, 8 // stride)
    shortcut_weights = _conv_weights(block.shortcut)
    assert _conv_weights(block) - shortcut_weights == R.bottleneck_params(c_in, width, c_out, groups)
    if stride == 1 and c_in == c_out:
        assert R.bottleneck_flops(c_in, width, c_out, 8, 8, groups) == count_flops(block, x)


def test_resnet50_numbers():
    assert R.bottleneck_params(256, 64, 256) == 69_632
    assert R.bottleneck_params(256, 128, 256, groups=32) == 70_144
    block = R.Bottleneck(256, 64, 256)
    assert count_params(block) == 69_632 + 2 * (64 + 64 + 256)  # plus BN gamma/beta


def test_identity_block_with_zero_branch_is_relu_of_input():
    block = R.BasicBlock(4, 4).eval()
    nn.init.zeros_(block.bn2.weight)  # zero-init residual: F(x) = 0
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), torch.relu(x))


def test_residual_gradient_has_identity_path():
    # dH/dx = I + dF/dx: with F's weights zeroed, the input gradient equals the output gradient.
    block = R.MLPBlock(6, shortcut=True, batchnorm=False)
    nn.init.zeros_(block.linear.weight)
    nn.init.zeros_(block.linear.bias)
    x = torch.randn(3, 6, requires_grad=True)
    block(x).sum().backward()
    assert torch.allclose(x.grad, torch.ones_like(x))


@pytest.mark.parametrize("make, bad, match", [
    (lambda: R.BasicBlock(4, 8), torch.randn(4, 5, 5), "B, C, H, W"),
    (lambda: R.BasicBlock(4, 8), torch.randn(1, 3, 5, 5), "channels"),
    (lambda: R.Bottleneck(8, 4, 8), torch.randn(8, 5, 5), "B, C, H, W"),
    (lambda: R.MLPBlock(6), torch.randn(2, 5), "shape"),
])
def test_bad_input_raises(make, bad, match):
    with pytest.raises(ValueError, match=match):
        make()(bad)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="groups"):
        R.Bottleneck(8, 6, 8, groups=4)
    with pytest.raises(ValueError, match="in_channels"):
        R.BasicBlock(0, 4)
    with pytest.raises(ValueError, match="depth"):
        R.deep_mlp(-1)


@settings(max_examples=10, deadline=None)
@given(depth=st.integers(0, 6), shortcut=st.booleans(), batchnorm=st.booleans())
def test_deep_mlp_shapes_and_gradient_norms(depth, shortcut, batchnorm):
    torch.manual_seed(0)
    model = R.deep_mlp(depth, width=8, shortcut=shortcut, batchnorm=batchnorm)
    x, y = torch.rand(16, 64), torch.randint(0, 10, (16,))
    assert model(x).shape == (16, 10)
    norms = R.gradient_norms(model, x, y)
    assert norms.shape == (depth + 2,)
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())  # left clean


def test_gradient_norms_match_autograd_by_hand():
    torch.manual_seed(0)
    model = R.deep_mlp(2, width=4, batchnorm=False)
    x, y = torch.rand(5, 64), torch.randint(0, 10, (5,))
    loss = nn.functional.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, [model[0].weight, model[1].linear.weight, model[3].weight])
    norms = R.gradient_norms(model, x, y)
    assert torch.allclose(norms[[0, 1, 3]], torch.stack([g.norm() for g in grads]))


def test_plain_gradients_vanish_and_residual_do_not():
    norms = gradient_flow_numbers(30, batchnorm=False)
    assert norms["plain"][0] / norms["plain"][-1] < 1e-6
    assert 1e-2 < norms["residual"][0] / norms["residual"][-1] < 1e2
    with_bn = gradient_flow_numbers(30, batchnorm=True)
    assert with_bn["plain"][0] / with_bn["plain"][-1] > 10  # BN: explodes towards the input instead


def test_training_is_reproducible_and_learns():
    x, y, _, _ = digits()
    losses = []
    for _ in range(2):
        torch.manual_seed(0)
        model = R.deep_mlp(1, width=16)
        losses.append(R.train_classifier(model, x[:256], y[:256], epochs=6, lr=0.05))
    assert losses[0] == losses[1]
    assert losses[0][-1] < 0.5 * losses[0][0]
    loss, accuracy = R.evaluate(model, x[:256], y[:256])
    assert 0 <= accuracy <= 1 and loss == pytest.approx(losses[0][-1])


def test_digits_split():
    x_train, y_train, x_test, y_test = digits()
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert float(x_train.min()) >= 0 and float(x_train.max()) <= 1
    images = digits(images=True)[0]
    assert images.shape == (1438, 1, 8, 8)
    assert torch.equal(digits()[1], y_train)  # same split every time
    with pytest.raises(ValueError, match="test_fraction"):
        digits(test_fraction=1.5)


def test_gradient_flow_widget():
    explorer = gradient_flow_explorer(depth=5)
    explorer.controls["depth"].value = 12
    explorer.controls["batchnorm"].value = False
    expected = gradient_flow_numbers(12, batchnorm=False)
    assert explorer.values["plain: first layer"] == pytest.approx(float(expected["plain"][0]))
    assert explorer.values["plain: first / last"] < explorer.values["residual: first / last"]


def _reference_jacobian(x, W1, W2):
    return np.eye(len(x)) + W2 @ np.diag((W1 @ x > 0).astype(float)) @ W1


def test_residual_jacobian_checker():
    assert check_residual_jacobian(_reference_jacobian).passed
    report = check_residual_jacobian(lambda x, W1, W2: W2 @ np.diag((W1 @ x > 0).astype(float)) @ W1)
    assert not report.passed and "every ReLU off: only the shortcut is left" in report.failures

    def stub(x, W1, W2):
        raise NotImplementedError

    assert "not implemented yet" in str(check_residual_jacobian(stub))


# --- pre-activation block, stride placement, whole networks (notebook 08's diagram and numbers table) -------------

def test_preact_block_shapes_and_identity_path():
    block = R.PreActBlock(4, 4).eval()
    assert block.shortcut is None
    nn.init.zeros_(block.conv2.weight)  # F(x) = 0: a v2 block is then exactly the identity (no ReLU after the sum)
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(block(x), x)
    down = R.PreActBlock(4, 8, stride=2).eval()
    assert down(x).shape == (2, 8, 3, 3) and isinstance(down.shortcut, nn.Conv2d)


def test_preact_jacobian_is_identity_plus_branch():
    torch.manual_seed(0)
    block = R.PreActBlock(2, 2).double().eval()
    x = torch.randn(1, 2, 3, 3, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(block, x).reshape(18, 18)
    nn.init.zeros_(block.conv2.weight)
    J0 = torch.autograd.functional.jacobian(block, x).reshape(18, 18)
    assert torch.equal(J0, torch.eye(18, dtype=torch.float64))
    assert not torch.allclose(J, J0)


def test_stride_in_1x1_moves_the_stride():
    v1 = R.Bottleneck(16, 8, 32, stride=2, stride_in_1x1=True)
    v15 = R.Bottleneck(16, 8, 32, stride=2)
    assert v1.conv1.stride == (2, 2) and v1.conv2.stride == (1, 1)
    assert v15.conv1.stride == (1, 1) and v15.conv2.stride == (2, 2)
    x = torch.randn(1, 16, 8, 8)
    assert v1.eval()(x).shape == v15.eval()(x).shape == (1, 32, 4, 4)
    assert count_flops(v1, x) < count_flops(v15, x)  # the 3x3 conv runs on the small map


@pytest.mark.parametrize("depth, kwargs, params, gmacs", [
    # params: torchvision's models; multiply-adds: He et al. 2016 table 1 (stride in the 1x1: 3.8 G for ResNet-50),
    # Xie et al. 2017 table 1 (stride in the 3x3: ResNet-50 4.1 G, ResNeXt-50 25.0 M and 4.2 G)
    (18, {}, 11_689_512, 1.8), (34, {}, 21_797_672, 3.6), (50, {"stride_in_1x1": True}, 25_557_032, 3.8),
    (50, {}, 25_557_032, 4.1), (50, {"groups": 32, "width_per_group": 4}, 25_028_904, 4.2),
    (101, {"stride_in_1x1": True}, 44_549_160, 7.6), (152, {"stride_in_1x1": True}, 60_192_808, 11.3),
])
def test_whole_networks_match_the_papers_tables(depth, kwargs, params, gmacs):
    with torch.device("meta"):
        model = R.resnet(depth, **kwargs)
        x = torch.empty(1, 3, 224, 224)
    assert count_params(model) == params
    assert abs(count_flops(model, x) / 2e9 - gmacs) < 0.07  # the papers print one decimal (3.66 G -> "3.6")


def test_resnet_rejects_unknown_depth_and_grouped_basic_blocks():
    with pytest.raises(ValueError, match="depth"):
        R.resnet(42)
    with pytest.raises(ValueError, match="groups"):
        R.resnet(18, groups=32)
    with torch.device("meta"):
        assert R.resnet(18, num_classes=10)(torch.empty(2, 3, 64, 64)).shape == (2, 10)
