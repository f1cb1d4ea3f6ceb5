"""Mode coverage on a ring of Gaussians: how many modes a generator covers, and how many samples are good.

Taught in ``notebooks/19_classic_gans.ipynb`` (mode collapse, and the losses compared by the modes they cover).
"""

import numpy as np

from utils import _validate


def nearest_mode(samples, centres):
    """Index ``(N,)`` and distance ``(N,)`` of the nearest centre ``(K, d)`` for each sample ``(N, d)`` (no samples:
    two empty arrays)."""
    centres = _validate.array(centres, "centres", ndim=2)
    if centres.shape[0] == 0:
        raise ValueError(f"centres must be a non-empty (K, d) array, got shape {centres.shape}")
    samples = _validate.array(samples, "samples")
    if samples.size == 0:
        samples = samples.reshape(0, centres.shape[1])
    if samples.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples must be (N, {centres.shape[1]}), got shape {samples.shape}")
    dist = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)  # (N, K)
    index = dist.argmin(axis=1) if len(samples) else np.zeros(0, dtype=np.int64)
    return index, dist[np.arange(len(samples)), index]


def mode_coverage(samples, centres, sigma, n_sigma=3.0, min_share=0.02):
    """How many modes a generator covers, and how many of its samples are good.

    A sample is *high quality* if it lies within ``n_sigma * sigma`` of its nearest centre. A mode is
    *covered* if at least ``min_share`` of all samples are high-quality samples of that mode (the toy-data
    protocol of VEEGAN, Srivastava et al., 2017, with our own thresholds).

    Args:
        samples: ``(N, d)`` generated points. centres: ``(K, d)`` mode centres. sigma: the modes' standard deviation.

    Returns:
        ``{"modes": int, "high_quality": float share in [0, 1], "counts": (K,) high-quality samples per mode}``;
        for no samples, 0 modes and share 0.
    """
    sigma = _validate.number(sigma, "sigma", low=0, low_open=True)
    n_sigma = _validate.number(n_sigma, "n_sigma", low=0, low_open=True)
    min_share = _validate.number(min_share, "min_share", 0, 1)
    index, dist = nearest_mode(samples, centres)
    good = dist <= n_sigma * sigma
    counts = np.bincount(index[good], minlength=len(centres))
    n = max(len(index), 1)
    covered = (counts >= min_share * n) & (counts > 0)
    return {"modes": int(covered.sum()), "high_quality": float(good.sum() / n), "counts": counts}
