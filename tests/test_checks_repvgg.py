"""utils.checks.repvgg, the block-fusion exercise: the checker's answers reproduce the three-branch block's output,
the reference solution passes, typical wrong solutions fail on the case that names their bug."""

import pytest
import torch
import torch.nn.functional as F

from utils.blocks.repvgg import RepVGGBlock
from utils.checks.repvgg import check_fuse_repvgg_block, fuse_repvgg_block_cases


def fuse_reference(k3, bn3, k1, bn1, bn0, scale_input_axis=False, pad_corner=False, var_not_std=False,
                   skip_identity=False):
    def fold(kernel, bn):
        sigma = (bn.running_var + bn.eps) if var_not_std else torch.sqrt(bn.running_var + bn.eps)
        scale = bn.weight / sigma
        shaped = scale[None, :, None, None] if scale_input_axis else scale[:, None, None, None]
        return kernel * shaped, bn.bias - bn.running_mean * scale

    kernel, bias = fold(k3, bn3)
    k1 = F.pad(k1, [0, 2, 0, 2]) if pad_corner else F.pad(k1, [1, 1, 1, 1])
    k, b = fold(k1, bn1)
    kernel, bias = kernel + k, bias + b
    if bn0 is not None and not skip_identity:
        C = k3.shape[0]
        ident = torch.zeros(C, C, 3, 3, dtype=k3.dtype)
        ident[range(C), range(C), 1, 1] = 1.0
        k, b = fold(ident, bn0)
        kernel, bias = kernel + k, bias + b
    return kernel, bias


@pytest.mark.parametrize("case", fuse_repvgg_block_cases(), ids=lambda c: c.name)
def test_expected_answers_reproduce_the_three_branch_block(case):
    k3, bn3, k1, bn1, bn0 = case.args
    c_out, c_in = k3.shape[:2]
    block = RepVGGBlock(c_in, c_out).double().eval()
    assert (block.rbr_identity is None) == (bn0 is None)
    with torch.no_grad():
        block.rbr_dense[0].weight.copy_(k3)
        block.rbr_1x1[0].weight.copy_(k1)
        block.rbr_dense[1].load_state_dict(bn3.state_dict())
        block.rbr_1x1[1].load_state_dict(bn1.state_dict())
        if bn0 is not None:
            block.rbr_identity.load_state_dict(bn0.state_dict())
        x = torch.randn(2, c_in, 7, 7, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
        kernel, bias = case.expected
        assert torch.allclose(block(x), F.relu(F.conv2d(x, kernel, bias, padding=1)), atol=1e-10)


def test_reference_passes_and_stub_is_not_implemented():
    assert check_fuse_repvgg_block(fuse_reference).passed

    def stub(*args):
        raise NotImplementedError

    assert check_fuse_repvgg_block(stub).not_implemented


def test_wrong_solutions_fail_where_expected():
    report = check_fuse_repvgg_block(lambda *a: fuse_reference(*a, pad_corner=True))
    assert "1x1 branch lands on the centre tap" in report.failures and "identity branch alone" not in report.failures

    report = check_fuse_repvgg_block(lambda *a: fuse_reference(*a, skip_identity=True))
    assert "identity branch alone" in report.failures and "no identity branch (c_in != c_out)" not in report.failures

    report = check_fuse_repvgg_block(lambda *a: fuse_reference(*a, var_not_std=True))
    assert "each branch folds its own BatchNorm" in report.failures

    report = check_fuse_repvgg_block(lambda *a: fuse_reference(*a, scale_input_axis=True))
    assert "a wider block, 16 channels" in report.failures
    assert "no identity branch (c_in != c_out)" in report.failures  # C_in != C_out: the shapes do not broadcast


def test_report_is_short():
    assert len(str(check_fuse_repvgg_block(lambda *a: None)).splitlines()) < 40
