"""YOLO's SPP pooling (5, 9 and 13 stride-1 max pools in parallel) vs SPPF (one 5x5 pool applied three times in
sequence), on a (1, 256, 40, 40) map on CPU (notebook 15). The outputs are identical (checked first).

Target: SPPF at least 1.5x faster (per output element it takes 3 x 25 window reads instead of 25 + 81 + 169;
the concatenation and memory traffic are the same, so the measured gain is smaller than 275 / 75).
"""

import torch

from benchmarks import median_time, report
from utils.blocks.spp import spp_pools, sppf_pools


def main():
    torch.manual_seed(0)
    x = torch.randn(1, 256, 40, 40)
    with torch.no_grad():
        assert torch.equal(spp_pools(x), sppf_pools(x))
        ours = median_time(sppf_pools, x)
        reference = median_time(spp_pools, x)
    return report("SPP pooling 256ch 40x40: SPPF (5, 5, 5 in sequence) vs SPP (5, 9, 13 in parallel)", ours, reference, target=1.5)


if __name__ == "__main__":
    main()
