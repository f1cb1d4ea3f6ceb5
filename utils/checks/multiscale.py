"""Checkers for the exercises of ``notebooks/14_fpn.ipynb`` (FPN level of a region), ``15_spp.ipynb`` (SPPNet
output length) and ``16_unet.ipynb`` (U-Net output size with valid convolutions)."""

from utils.checks.core import Case, expect_close, run_cases, show


def fpn_level_cases():
    """Cases for ``fn(w, h) -> int``: equation 1 of the FPN paper with k0 = 4, 224, clamped to [2, 5]."""
    return [
        Case("224x224 is the canonical size", (224, 224), 4, "sqrt(224 * 224) / 224 = 1, log2(1) = 0, so k = k0 = 4."),
        Case("112x112: one level finer", (112, 112), 3, "half the side is log2(1/2) = -1 level."),
        Case("448x448: one level coarser", (448, 448), 5, "twice the side is +1 level; watch rounding at exact powers of 2."),
        Case("just under 224", (223, 223), 3, "use floor, not round: 4 + log2(223/224) = 3.99 -> 3."),
        Case("a 32x32 face goes to P2 (clamped)", (32, 32), 2, "4 + log2(32/224) = 1.19 -> 1, then clamp to k_min = 2."),
        Case("a huge region stays at P5 (clamped)", (1600, 1600), 5, "clamp to k_max = 5: there is no P6 for RoI pooling."),
        Case("a thin region: 448x112", (448, 112), 4, "the size is sqrt(w * h) = 224, the geometric mean of the sides, not max(w, h)."),
        Case("a thin region: 400x40", (400, 40), 3, "sqrt(400 * 40) = 126.5: 4 + log2(126.5 / 224) = 3.18 -> 3."),
        Case("non-square, between levels", (300, 200), 4, "sqrt(300 * 200) = 244.9: 4 + log2(1.09) = 4.13 -> 4."),
        Case("zero-area region", (0, 50), 2, "log2(0) is -inf: clamp it to k_min instead of failing."),
    ]


def check_fpn_level(fn):
    """Check ``fn(w, h) -> int``, the FPN level ``k = floor(4 + log2(sqrt(w h) / 224))`` clamped to ``[2, 5]``."""
    return run_cases(fn, fpn_level_cases())


def spp_length_cases():
    """Cases for ``fn(channels, levels) -> int``: the length of the SPPNet vector."""
    return [
        Case("the classic 1, 2, 4 pyramid on 256 channels", (256, (1, 2, 4)), 256 * 21, "1 + 4 + 16 = 21 bins per channel."),
        Case("one channel", (1, (1, 2, 4)), 21, "with one channel the length is the number of bins."),
        Case("one level: global max pooling", (512, (1,)), 512, "a single 1x1 bin is global pooling: C numbers."),
        Case("SPPNet's 4-level pyramid", (256, (1, 2, 3, 6)), 256 * 50, "1 + 4 + 9 + 36 = 50 bins: n x n bins per level, squared."),
        Case("levels in another order", (10, (4, 1, 2)), 210, "the order of the levels does not change the length."),
        Case("the same level twice", (3, (2, 2)), 24, "every listed level adds n^2 bins, even if repeated."),
    ]


def check_spp_length(fn):
    """Check ``fn(channels, levels) -> int``: ``channels * sum(n^2 for n in levels)`` (no input size needed!)."""
    return run_cases(fn, spp_length_cases())


def unet_size_cases():
    """Cases for ``fn(size) -> int or None``: the output side of the paper's U-Net (valid 3x3 convs, 4 poolings),
    or ``None`` when the input size does not work."""
    return [
        Case("the paper's 572", (572,), 388, "4 levels down (-4, /2), the bottom (-4), 4 levels up (x2, -4)."),
        Case("the next size that works: 588", (588,), 404, "valid sizes are 16 apart: +16 in, +16 out."),
        Case("the smallest size that works", (188,), 4, "188 -> 184 -> 92 -> 88 -> 44 -> 40 -> 20 -> 16 -> 8 -> 4 -> ... -> 4."),
        Case("570: an odd map before a pooling", (570,), None,
             "570 - 4 = 566 -> 283 -> 279 is odd: 2x2 pooling would drop a row. Return None."),
        Case("576: divisible by 16 is not enough", (576,), None,
             "576 - 4 = 572 -> 286 -> 282 -> 141 -> 137 is odd: valid convs shift the congruence to 12 mod 16."),
        Case("too small", (172,), None,
             "172 is 12 mod 16 and every pooling works (the bottom map is 7 - 4 = 3 pixels), but the expanding path "
             "shrinks it to nothing: 3 -> 2 x 3 - 4 = 2 -> 2 x 2 - 4 = 0. Check that sizes stay positive."),
        Case("a large one", (1004,), 820, "the output is always the input minus 184."),
    ]


def check_unet_output_size(fn):
    """Check ``fn(size) -> int or None``: the paper's U-Net output side for an input side, ``None`` if invalid."""
    def compare(got, case):
        if case.expected is None:
            return None if got is None else f"expected None (this size does not work), got {show(got)}"
        if got is None:
            return f"expected {case.expected}, got None: this size works"
        return expect_close(got, case.expected)
    return run_cases(fn, unet_size_cases(), compare=compare)
