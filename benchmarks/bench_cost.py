"""Backbone blocks on CPU (one thread, batch 1): what FLOPs do and do not predict (notebooks 09 and 10).

1. Depthwise-separable vs standard 3x3 conv, 128 -> 128 channels at 56x56 (8.4x fewer FLOPs).
   Target: at least 2x faster (we measured 2.7x to 8x on a shared 2-core CPU: less than the FLOP ratio).
2. Time per FLOP, depthwise vs pointwise conv (the same layer's two halves). Target: the pointwise conv at least
   3x more FLOP/s (we measured 10x to 40x): the depthwise conv is memory-bound.
3. ResNeXt block, grouped conv (form c) vs 32 separate paths (form a), same function and FLOPs.
   Target: at least 3x faster (3 convolutions instead of 96).
"""

import torch
from torch import nn

from benchmarks import median_time, report
from utils.blocks.resnext import resnext_block, split_transform_merge_from
from utils.cost import count_flops


def main():
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: stable on a shared machine
    try:
        with torch.no_grad():
            x = torch.randn(1, 128, 56, 56)
            standard = nn.Conv2d(128, 128, 3, padding=1, bias=False)
            depthwise = nn.Conv2d(128, 128, 3, padding=1, groups=128, bias=False)
            pointwise = nn.Conv2d(128, 128, 1, bias=False)
            separable = nn.Sequential(depthwise, pointwise)
            t_sep, t_std = median_time(separable, x), median_time(standard, x)
            t_dw, t_pw = median_time(depthwise, x), median_time(pointwise, x)
            flop_ratio = count_flops(standard, x) / count_flops(separable, x)
            print(f"depthwise {count_flops(depthwise, x) / t_dw / 1e9:.0f} GFLOP/s, pointwise "
                  f"{count_flops(pointwise, x) / t_pw / 1e9:.0f} GFLOP/s; FLOP ratio standard/separable {flop_ratio:.1f}x")
            ok = report("separable vs standard 3x3, 128ch 56x56", t_sep, t_std, target=2)
            per_flop = lambda layer, t: t * 1e9 / count_flops(layer, x)  # noqa: E731 - seconds per GFLOP
            ok &= report("FLOP/s, pointwise 1x1 vs depthwise 3x3 (times are per GFLOP)", per_flop(pointwise, t_pw),
                         per_flop(depthwise, t_dw), target=3)

            block_c = resnext_block(256, 256, 32, 4).eval()
            block_a = split_transform_merge_from(block_c).eval()
            x = torch.randn(1, 256, 28, 28)
            assert torch.allclose(block_a(x), block_c(x), atol=1e-4)
            ok &= report("ResNeXt 32x4d block, grouped conv vs 32 paths, 28x28", median_time(block_c, x),
                         median_time(block_a, x), target=3)
    finally:
        torch.set_num_threads(threads)
    return ok


if __name__ == "__main__":
    main()
