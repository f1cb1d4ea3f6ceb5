"""RepVGG stage (4 blocks, 64 channels, 56x56, batch 1) on CPU: re-parameterised vs multi-branch.

Target: the fused single-path stage at least 1.2x faster on one thread (it has 1.11x fewer FLOPs; the rest is memory traffic
and operator count). Also prints the measured FLOP/s of 1x1, 3x3 and 5x5 convolutions (notebook 13, section 5).
"""

import torch
from torch import nn

from benchmarks import median_time, report
from utils.blocks.repvgg import RepVGGBlock, conv_density, randomize_batchnorm


def main():
    torch.manual_seed(0)
    stage = randomize_batchnorm(nn.Sequential(*[RepVGGBlock(64, 64) for _ in range(4)])).eval()
    fused = nn.Sequential(*[block.reparameterize() for block in stage])
    x = torch.randn(1, 64, 56, 56)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: stable on a shared machine
    try:
        with torch.no_grad():
            assert torch.allclose(stage(x), fused(x), atol=1e-4)
            ours = median_time(fused, x)
            reference = median_time(stage, x)
    finally:
        torch.set_num_threads(threads)
    for channels in (32, 64, 128):
        densities = [conv_density(channels, k) for k in (1, 3, 5)]
        print(f"conv density, 1 thread, C={channels}: " + ", ".join(f"{k}x{k} {d:.0f} GFLOP/s" for k, d in zip((1, 3, 5), densities))
              + f" (3x3/1x1 {densities[1] / densities[0]:.1f}x, 3x3/5x5 {densities[1] / densities[2]:.1f}x)")
    return report("RepVGG stage 4x64ch 56x56: fused vs multi-branch", ours, reference, target=1.2)


if __name__ == "__main__":
    main()
