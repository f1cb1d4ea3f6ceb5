"""check_bottleneck_cost (notebook 00): the reference solution passes; typical wrong solutions fail where expected."""

import pytest

from utils.checks import check_bottleneck_cost


def reference(c_in, width, c_out, stride, h, w):
    # the notebook's folded solution, verbatim in spirit: plain Python, no utils
    h2, w2 = (h - 1) // stride + 1, (w - 1) // stride + 1
    convs = [(c_in, width, 1, h, w), (width, width, 3, h2, w2), (width, c_out, 1, h2, w2)]
    if stride != 1 or c_in != c_out:
        convs.append((c_in, c_out, 1, h2, w2))
    params = flops = 0
    for ci, co, k, ho, wo in convs:
        params += co * ci * k * k + 2 * co
        flops += 2 * co * ci * k * k * ho * wo
    return params, flops


def no_batchnorm(c_in, width, c_out, stride, h, w):
    params, flops = reference(c_in, width, c_out, stride, h, w)
    shortcut = stride != 1 or c_in != c_out
    return params - 2 * (2 * width + c_out + (c_out if shortcut else 0)), flops


def macs_not_flops(*args):
    params, flops = reference(*args)
    return params, flops // 2


def no_shortcut(c_in, width, c_out, stride, h, w):
    return reference(c_in, width, c_out, stride, h, w) if stride == 1 and c_in == c_out else \
        reference(c_out, width, c_out, 1, (h - 1) // stride + 1, (w - 1) // stride + 1)


def floor_division(c_in, width, c_out, stride, h, w):
    # h // stride: right for even sizes, wrong for odd ones
    params, _ = reference(c_in, width, c_out, stride, h, w)
    h2, w2 = h // stride, w // stride
    flops = 2 * (c_in * width * h * w + 9 * width * width * h2 * w2 + width * c_out * h2 * w2)
    if stride != 1 or c_in != c_out:
        flops += 2 * c_in * c_out * h2 * w2
    return params, flops


def all_at_output_size(c_in, width, c_out, stride, h, w):
    # the first 1x1 counted at the output size: the stride placed on the 1x1 (Caffe's ResNet), not torchvision's
    h2, w2 = (h - 1) // stride + 1, (w - 1) // stride + 1
    params, flops = reference(c_in, width, c_out, stride, h, w)
    return params, flops - 2 * c_in * width * (h * w - h2 * w2)


def test_reference_passes():
    report = check_bottleneck_cost(reference)
    assert report.passed, str(report)


def test_tuple_or_list_and_numpy_ints_pass():
    import numpy as np

    assert check_bottleneck_cost(lambda *a: list(map(np.int64, reference(*a)))).passed


@pytest.mark.parametrize("fn, failing, words", [
    (no_batchnorm, "conv2_2: identity shortcut (256 -> 64 -> 256, 56x56)", "BatchNorm"),
    (macs_not_flops, "conv2_2: identity shortcut (256 -> 64 -> 256, 56x56)", "2 FLOPs"),
    (no_shortcut, "conv2_1: channels change, so the shortcut is a 1x1 conv + BN (64 -> 64 -> 256)", "shortcut"),
    (floor_division, "odd input size with stride 2 (15x15 in, 8x8 out)", "FLOPs"),
    (all_at_output_size, "conv3_1: stride 2 on the 3x3 (256 -> 128 -> 512, 56x56 in, 28x28 out)", "FLOPs"),
])
def test_typical_bugs_fail_where_expected(fn, failing, words):
    report = check_bottleneck_cost(fn)
    assert not report.passed
    assert failing in report.failures
    assert words in str(report)


def test_floor_division_passes_the_even_cases():
    report = check_bottleneck_cost(floor_division)
    assert report.failures == ["odd input size with stride 2 (15x15 in, 8x8 out)"]


def test_stub_and_garbage_do_not_raise():
    def stub(*args):
        raise NotImplementedError

    assert "not implemented yet" in str(check_bottleneck_cost(stub))
    assert not check_bottleneck_cost(lambda *a: None).passed
    assert not check_bottleneck_cost(lambda *a: 3).passed
