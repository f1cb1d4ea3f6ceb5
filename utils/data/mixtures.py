"""Synthetic Gaussian mixtures in 1-D and 2-D: the toy data of the GAN notebooks.

All data here is synthetic (generated from a seed, nothing downloaded).

* ``mixture_pdf_1d`` / ``sample_mixture_1d``: a 1-D mixture, its exact density and samples
  (``notebooks/18_gan_minmax.ipynb``: the density is what makes ``D*`` and the JSD computable).
* ``ring_centres`` / ``sample_ring``: the 2-D ring of 8 Gaussians, the standard toy for mode collapse
  (Metz et al., *Unrolled GANs*, 2016: radius 2, standard deviation 0.02), with the mode each sample
  came from (``notebooks/19_classic_gans.ipynb``).
"""

import numpy as np


def _check_mixture(means, sigmas, weights):
    means = np.atleast_1d(np.asarray(means, dtype=float))
    sigmas = np.broadcast_to(np.asarray(sigmas, dtype=float), means.shape[:1]).copy()
    if means.ndim != 1 or means.size == 0:
        raise ValueError(f"means must be a non-empty 1-D sequence, got shape {means.shape}")
    if not np.all(np.isfinite(means)):
        raise ValueError("means must be finite")
    if not np.all(sigmas > 0):
        raise ValueError(f"sigmas must be positive, got {sigmas}")
    if weights is None:
        weights = np.full(means.shape, 1.0 / means.size)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != means.shape or np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError("weights must be non-negative, one per mean, and sum to 1")
    return means, sigmas, weights


def mixture_pdf_1d(x, means, sigmas, weights=None):
    """Density of a 1-D Gaussian mixture at the points ``x``.

    Args:
        x: points, any shape.
        means: ``(K,)`` component means.
        sigmas: ``(K,)`` (or one number) positive standard deviations.
        weights: ``(K,)`` non-negative, summing to 1; ``None`` for equal weights.

    Returns:
        the density ``p(x) = sum_k w_k N(x; mu_k, sigma_k^2)``, same shape as ``x``.
    """
    means, sigmas, weights = _check_mixture(means, sigmas, weights)
    x = np.asarray(x, dtype=float)
    u = (x[..., None] - means) / sigmas  # (..., K)
    return (weights * np.exp(-0.5 * u**2) / (sigmas * np.sqrt(2 * np.pi))).sum(axis=-1)


def sample_mixture_1d(n, means, sigmas, weights=None, seed=0):
    """``n`` samples ``(n,)`` float64 of the mixture of :func:`mixture_pdf_1d` (seeded)."""
    means, sigmas, weights = _check_mixture(means, sigmas, weights)
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n}")
    rng = np.random.default_rng(seed)
    k = rng.choice(means.size, size=int(n), p=weights)
    return means[k] + sigmas[k] * rng.standard_normal(int(n))


def ring_centres(n_modes=8, radius=2.0):
    """``(n_modes, 2)`` centres equally spaced on a circle of ``radius``, the first at angle 0."""
    if int(n_modes) != n_modes or n_modes < 1:
        raise ValueError(f"n_modes must be a positive integer, got {n_modes}")
    if not radius > 0:
        raise ValueError(f"radius must be positive, got {radius}")
    angle = 2 * np.pi * np.arange(int(n_modes)) / n_modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def sample_ring(n, n_modes=8, radius=2.0, sigma=0.02, seed=0):
    """Samples of an equal-weight mixture of isotropic Gaussians on a ring.

    Returns:
        ``(x, y)``: ``(n, 2)`` float32 points and ``(n,)`` int64 index of the mode each came from.
    """
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n}")
    centres = ring_centres(n_modes, radius)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(centres), size=int(n))
    x = centres[y] + sigma * rng.standard_normal((int(n), 2))
    return x.astype(np.float32), y.astype(np.int64)
