"""Checker for the whiteboard exercise of ``notebooks/09_resnext_grouped_conv.ipynb``: a grouped convolution
written as split / convolve / concatenate.

The reader's ``fn(x, weight, groups, stride=1, padding=0)`` must give what ``torch.nn.functional.conv2d`` gives with
``groups=groups`` (the expected values are computed by torch's own grouped convolution, in float64).
"""

import torch
from torch.nn import functional as F

from utils.checks.core import Case, run_cases


def grouped_conv_cases():
    """Cases for ``fn(x, weight, groups, stride, padding) -> (B, C_out, H_out, W_out)``.

    ``x``: ``(B, C_in, H, W)``; ``weight``: ``(C_out, C_in / groups, k, k)``, as stored by ``nn.Conv2d``.
    """
    g = torch.Generator().manual_seed(0)

    def t(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    specs = [
        ("groups=1 is an ordinary convolution", (t(1, 4, 5, 5), t(6, 4, 3, 3), 1, 1, 1),
         "with one group there is nothing to split: the result is conv2d(x, weight)."),
        ("8 channels in 4 groups of 2 (a small ResNeXt 3x3)", (t(2, 8, 5, 5), t(8, 2, 3, 3), 4, 1, 1),
         "group i is the CONTIGUOUS block of channels i*C/G ... (i+1)*C/G - 1 (x[:, i*n:(i+1)*n]), "
         "not every G-th channel; its filters are weight[i*m:(i+1)*m] with m = C_out / G."),
        ("depthwise: groups = channels (3 groups of 1)", (t(1, 3, 4, 4), t(3, 1, 3, 3), 3, 1, 1),
         "each channel is filtered by its own k x k filter: weight[i:i+1] on x[:, i:i+1]."),
        ("more outputs than inputs: 4 -> 8 channels in 2 groups", (t(1, 4, 5, 5), t(8, 2, 3, 3), 2, 1, 1),
         "split the INPUT by C_in / G = 2 channels and the FILTERS (weight's dim 0) by C_out / G = 4: the two "
         "sizes differ when C_out != C_in."),
        ("fewer outputs than inputs: 8 -> 4 channels in 4 groups", (t(1, 8, 4, 4), t(4, 2, 3, 3), 4, 1, 1),
         "each group has C_in / G = 2 input channels and C_out / G = 1 filter; weight.shape[1] is C_in / G."),
        ("stride 2 and padding 1", (t(1, 4, 6, 6), t(4, 2, 3, 3), 2, 2, 1),
         "pass stride and padding on to every group's convolution."),
        ("grouped 1x1 conv on a non-square map, no padding", (t(2, 6, 3, 5), t(4, 3, 1, 1), 2, 1, 0),
         "a 1x1 conv works the same way; H and W need not be equal."),
    ]
    cases = []
    for name, (x, w, groups, stride, padding), hint in specs:
        expected = F.conv2d(x, w, stride=stride, padding=padding, groups=groups)
        cases.append(Case(name, (x, w, groups, stride, padding), expected.numpy(), hint, atol=1e-9))
    return cases


def check_grouped_conv(fn):
    """Check ``fn(x, weight, groups, stride=1, padding=0)``: a grouped conv from ``groups`` ordinary convs
    (split the channels, convolve each group with its filters, concatenate). Notebook 09."""
    return run_cases(fn, grouped_conv_cases())
