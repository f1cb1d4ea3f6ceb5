"""The GAN game on a grid (numpy): the best discriminator, the divergences it turns V into, and a KDE.

Taught in ``notebooks/18_gan_minmax.ipynb``. The game (Goodfellow et al., 2014, eq. 1)::

    min_G max_D V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))]

For a fixed G the best D is ``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (Proposition 1), and then
``V(D*, G) = -log 4 + 2 JSD(p_data || p_g)`` (Theorem 1): the code below computes each side of that identity.

Densities are numpy arrays on a uniform grid of spacing ``dx`` (integrals are Riemann sums). Bad input (NaN or
inf, negative densities, ``dx <= 0``) raises ``ValueError`` naming the argument; sums over an empty grid are 0.
"""

import numpy as np

from utils import _validate


def _densities(p_data, p_g, names=("p_data", "p_g")):
    p_data, p_g = (_validate.array(p, name, low=0) for p, name in zip((p_data, p_g), names))
    if p_data.shape != p_g.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {p_data.shape} and {p_g.shape}")
    return p_data, p_g


def optimal_discriminator(p_data, p_g):
    """The best discriminator for a fixed generator: ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``.

    Args:
        p_data, p_g: densities (or probabilities) at the same points, same shape, non-negative.

    Returns:
        ``D*`` at those points, same shape, in [0, 1]. Where both densities are 0, ``D*`` is
        undefined (it does not affect V); we return 0.5 there.
    """
    p_data, p_g = _densities(p_data, p_g)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _kl_terms(p, q):
    # p log(p / q) with the convention 0 log(0 / q) = 0 (callers ensure q > 0 where p > 0); as log p - log q,
    # so that p / q cannot overflow
    positive = p > 0
    return np.where(positive, p * (np.log(np.where(positive, p, 1.0)) - np.log(np.where(positive, q, 1.0))), 0.0)


def kl_divergence(p, q, dx=1.0):
    """``KL(p || q) = sum p log(p / q) dx`` in nats (``inf`` where ``p > 0`` and ``q = 0``).

    ``p`` and ``q``: densities on a uniform grid of spacing ``dx`` (a Riemann sum), or probability
    vectors with ``dx = 1`` (``dx > 0``).
    """
    p, q = _densities(p, q, ("p", "q"))
    dx = _validate.number(dx, "dx", low=0, low_open=True)
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    return float(np.sum(_kl_terms(p, q)) * dx)


def js_divergence(p, q, dx=1.0):
    """Jensen-Shannon divergence ``JSD(p || q) = KL(p || m) / 2 + KL(q || m) / 2``, ``m = (p + q) / 2``.

    In nats: 0 for identical distributions, ``log 2`` (its maximum) for disjoint ones; symmetric.
    ``p``, ``q``: densities on a uniform grid of spacing ``dx``, or probability vectors with ``dx = 1``.
    """
    p, q = _densities(p, q, ("p", "q"))
    m = p / 2 + q / 2  # (p + q) / 2, which could overflow
    m = np.where(m > 0, m, np.maximum(p, q))  # half the smallest subnormal rounds to 0; m is 0 only where p = q = 0
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)


def value_function(D, p_data, p_g, dx=1.0):
    """``V(D, G) = integral of [p_data(x) log D(x) + p_g(x) log(1 - D(x))] dx`` on a uniform grid.

    ``D``: the discriminator's probabilities at the grid points, same shape as the densities. This is
    eq. 1 of the GAN paper written as an integral over x (``x = G(z)`` turns the second expectation
    into one over ``p_g``). Where ``D`` rounds to exactly 0 or 1 in floating point, the log is clipped
    at ``log(tiny) = -708`` instead of ``-inf`` (for ``D*`` those points carry a negligible density).
    """
    p_data, p_g = _densities(p_data, p_g)
    D = _validate.array(D, "D", low=0, high=1)
    dx = _validate.number(dx, "dx", low=0, low_open=True)
    if D.shape != p_data.shape:
        raise ValueError(f"D must have the shape of the densities {p_data.shape}, got {D.shape}")
    tiny = np.finfo(float).tiny
    return float(np.sum(p_data * np.log(np.maximum(D, tiny)) + p_g * np.log(np.maximum(1 - D, tiny))) * dx)


def kde_1d(samples, x, bandwidth=0.1):
    """Gaussian kernel density estimate of 1-D ``samples`` ``(N,)`` at the points ``x`` ``(M,)`` -> ``(M,)``
    (zeros for no samples)."""
    samples = _validate.array(samples, "samples").ravel()
    x = _validate.array(x, "x", ndim=1)
    bandwidth = _validate.number(bandwidth, "bandwidth", low=0, low_open=True)
    if samples.size == 0:
        return np.zeros_like(x)
    u = (x[:, None] - samples[None, :]) / bandwidth  # (M, N)
    return np.exp(-0.5 * u**2).sum(axis=1) / (samples.size * bandwidth * np.sqrt(2 * np.pi))
