"""Synthetic low-dimensional manifolds: a 2-D spiral, for MobileNetV2's "ReLU destroys information" experiment.

Used in ``notebooks/10_depthwise_separable.ipynb`` (MobileNetV2 paper, figure 1). Synthetic data.
"""

import numpy as np


def spiral(n_points=400, turns=2.0, noise=0.0, seed=0):
    """Points on an Archimedean spiral around the origin, shape ``(n_points, 2)``, radius up to 1.

    Point ``i`` has angle ``t = 2 pi turns i / (n - 1)`` and radius ``t / t_max``; ``noise`` adds Gaussian
    noise of that standard deviation (seeded).
    """
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 0:
        raise ValueError(f"n_points must be a non-negative integer, got {n_points!r}")
    if turns <= 0:
        raise ValueError(f"turns must be positive, got {turns}")
    t = np.linspace(0.0, 2 * np.pi * turns, n_points)
    r = t / (2 * np.pi * turns)
    points = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)  # (n, 2)
    if noise:
        points = points + np.random.default_rng(seed).normal(0.0, noise, points.shape)
    return points
