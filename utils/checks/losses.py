"""Checker for the exercise in ``notebooks/05_focal_loss.ipynb``: the focal loss from probabilities."""

import numpy as np

from utils.checks.core import Case, run_cases


def _fl(p, y, alpha, gamma):
    p, y = np.asarray(p, float), np.asarray(y, float)
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * np.log(p_t)


def focal_loss_cases():
    """Edge cases for ``fn(p, y, alpha, gamma)`` with ``p`` the predicted probability of the positive class
    and ``y`` in {0, 1}, scalars or arrays of the same shape, returning the element-wise focal loss."""
    return [
        Case("easy positive (p = 0.9, y = 1)", (0.9, 1, 0.25, 2.0), _fl(0.9, 1, 0.25, 2.0),
             "p_t = p for a positive; the loss is alpha * (1 - 0.9)^2 * -log(0.9): tiny.", 1e-9),
        Case("confident mistake on a negative (p = 0.9, y = 0)", (0.9, 0, 0.25, 2.0), _fl(0.9, 0, 0.25, 2.0),
             "for a negative p_t = 1 - p = 0.1 and alpha_t = 1 - alpha = 0.75."),
        Case("alpha weights the positives", (0.3, 1, 0.25, 2.0), _fl(0.3, 1, 0.25, 2.0),
             "alpha_t = alpha when y = 1 (0.25 here), 1 - alpha when y = 0: check you did not swap them."),
        Case("alpha weights the negatives with 1 - alpha", (0.3, 0, 0.25, 2.0), _fl(0.3, 0, 0.25, 2.0),
             "alpha_t = 1 - alpha = 0.75 when y = 0."),
        Case("gamma = 0 is alpha-balanced cross-entropy", (0.6, 1, 0.5, 0.0), 0.5 * -np.log(0.6),
             "with gamma = 0 the modulating factor (1 - p_t)^0 is 1."),
        Case("the modulating factor uses 1 - p_t, not p_t", (0.8, 1, 0.25, 2.0), 0.25 * 0.2**2 * -np.log(0.8),
             "at p_t = 0.8 the factor is (1 - 0.8)^2 = 0.04, not 0.8^2 = 0.64; FL = -alpha (1 - p_t)^gamma log(p_t)."),
        Case("gamma = 1", (0.8, 1, 0.25, 1.0), _fl(0.8, 1, 0.25, 1.0),
             "use the gamma you are given, not a fixed 2: with gamma = 1 the factor is (1 - 0.8)^1 = 0.2."),
        Case("perfect prediction gives 0, not NaN", (1.0, 1, 0.25, 2.0), 0.0,
             "log(1) = 0 and (1 - 1)^2 = 0: the product is 0."),
        Case("arrays, element-wise", (np.array([0.1, 0.5, 0.9, 0.2]), np.array([0, 1, 1, 1]), 0.25, 2.0),
             _fl([0.1, 0.5, 0.9, 0.2], [0, 1, 1, 1], 0.25, 2.0),
             "use numpy operations (np.where, np.log) so arrays work; return one loss per element."),
        Case("a very unlikely positive (p = 1e-6)", (1e-6, 1, 0.25, 2.0), _fl(1e-6, 1, 0.25, 2.0),
             "a hard example keeps almost its whole cross-entropy: (1 - 1e-6)^2 is about 1.", 1e-6),
    ]


def check_focal_loss(fn):
    """Check ``fn(p, y, alpha, gamma)``, the focal loss ``-alpha_t (1 - p_t)^gamma log(p_t)`` from probabilities."""
    return run_cases(fn, focal_loss_cases())
