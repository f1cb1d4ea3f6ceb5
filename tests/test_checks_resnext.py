"""utils.checks.resnext: a split/conv/concat grouped convolution passes, the usual slicing mistakes fail."""

import torch
from torch.nn import functional as F

from utils.checks.resnext import check_grouped_conv, grouped_conv_cases


def reference(x, weight, groups, stride=1, padding=0):  # the notebook's folded reference solution
    c_in, c_out = x.shape[1], weight.shape[0]
    n, m = c_in // groups, c_out // groups
    outputs = []
    for i in range(groups):
        x_i = x[:, i * n:(i + 1) * n]
        w_i = weight[i * m:(i + 1) * m]
        outputs.append(F.conv2d(x_i, w_i, stride=stride, padding=padding))
    return torch.cat(outputs, dim=1)


def interleaved(x, weight, groups, stride=1, padding=0):  # every G-th channel instead of contiguous blocks
    m = weight.shape[0] // groups
    return torch.cat([F.conv2d(x[:, i::groups], weight[i * m:(i + 1) * m], stride=stride, padding=padding)
                      for i in range(groups)], dim=1)


def filters_by_input_size(x, weight, groups, stride=1, padding=0):  # slices the filters by C_in / G
    n = x.shape[1] // groups
    return torch.cat([F.conv2d(x[:, i * n:(i + 1) * n], weight[i * n:(i + 1) * n], stride=stride, padding=padding)
                      for i in range(groups)], dim=1)


def no_stride(x, weight, groups, stride=1, padding=0):
    return reference(x, weight, groups, 1, padding)


def test_reference_and_torch_pass():
    assert check_grouped_conv(reference).passed
    assert check_grouped_conv(lambda x, w, g, s=1, p=0: F.conv2d(x, w, stride=s, padding=p, groups=g)).passed
    assert len(grouped_conv_cases()) == 7


def test_typical_mistakes_fail_on_the_expected_case():
    failures = check_grouped_conv(interleaved).failures
    assert "8 channels in 4 groups of 2 (a small ResNeXt 3x3)" in failures
    assert "groups=1 is an ordinary convolution" not in failures
    assert "depthwise: groups = channels (3 groups of 1)" not in failures  # one channel per group: same thing

    failures = check_grouped_conv(filters_by_input_size).failures  # right only where C_out == C_in
    assert set(failures) == {"groups=1 is an ordinary convolution",
                             "more outputs than inputs: 4 -> 8 channels in 2 groups",
                             "fewer outputs than inputs: 8 -> 4 channels in 4 groups",
                             "grouped 1x1 conv on a non-square map, no padding"}

    assert check_grouped_conv(no_stride).failures == ["stride 2 and padding 1"]


def test_unfinished_function_is_not_implemented():
    def my_grouped_conv(x, weight, groups, stride=1, padding=0):
        raise NotImplementedError

    report = check_grouped_conv(my_grouped_conv)
    assert report.not_implemented and "my_grouped_conv: not implemented yet" in str(report)
