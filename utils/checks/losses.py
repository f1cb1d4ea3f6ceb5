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


# ---------------------------------------------------------------------------------------------------------
# The whiteboard exercise of notebooks/05_focal_loss.ipynb: the focal loss from logits, stable for any logit.


def _fl_logits(x, y, alpha, gamma):
    # float64, written in the form that never takes log(0): -log p_t = softplus(-z), 1 - p_t = sigmoid(-z)
    x, y = np.asarray(x, float), np.asarray(y, float)
    z = np.where(y == 1, x, -x)
    softplus = lambda u: np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))  # noqa: E731
    return np.where(y == 1, alpha, 1 - alpha) * np.exp(-gamma * softplus(z)) * softplus(-z)


def focal_loss_logits_cases():
    """Edge cases for ``fn(x, y, alpha, gamma)`` with logits ``x`` and labels ``y`` in {0, 1} (numbers or numpy
    arrays of one shape), returning the element-wise ``-alpha_t (1 - p_t)^gamma log(p_t)``, ``p = sigmoid(x)``."""
    return [
        Case("easy positive (x = 2.2, y = 1)", (2.2, 1, 0.25, 2.0), _fl_logits(2.2, 1, 0.25, 2.0),
             "p = sigmoid(x) = 0.90 and p_t = p for a positive: the loss is 0.25 * (1 - 0.9)^2 * -log(0.9).", 1e-9),
        Case("confident mistake on a negative (x = 2.2, y = 0)", (2.2, 0, 0.25, 2.0), _fl_logits(2.2, 0, 0.25, 2.0),
             "for a negative p_t = 1 - p = sigmoid(-x) and alpha_t = 1 - alpha = 0.75."),
        Case("gamma = 0 is binary cross-entropy weighted by alpha_t", (0.5, 1, 0.5, 0.0), _fl_logits(0.5, 1, 0.5, 0.0),
             "with gamma = 0 the factor (1 - p_t)^0 is 1: the loss is 0.5 * log(1 + exp(-0.5))."),
        Case("alpha weights the positives, 1 - alpha the negatives", (np.array([-1.0, -1.0]), np.array([1, 0]), 0.25, 2.0),
             _fl_logits([-1.0, -1.0], [1, 0], 0.25, 2.0),
             "alpha_t = alpha when y = 1 (0.25 here), 1 - alpha when y = 0: check you did not swap them."),
        Case("the factor uses 1 - p_t, not p_t", (1.0, 1, 0.25, 2.0), _fl_logits(1.0, 1, 0.25, 2.0),
             "at x = 1 a positive has p_t = 0.73: the factor is (1 - 0.73)^2 = 0.072, not 0.73^2."),
        Case("arrays in, one loss per element out", (np.array([[-3.0, 0.0], [3.0, 8.0]]), np.array([[0, 1], [1, 0]]),
                                                     0.25, 2.0),
             _fl_logits([[-3.0, 0.0], [3.0, 8.0]], [[0, 1], [1, 0]], 0.25, 2.0),
             "use numpy operations (np.where, np.exp, np.log1p) so arrays work; no Python loop, no sum."),
        Case("confident mistake on a negative (x = 40, y = 0): finite", (40.0, 0, 0.25, 2.0), _fl_logits(40.0, 0, 0.25, 2.0),
             "sigmoid(40) rounds to 1, so log(1 - sigmoid(x)) = log(0) = -inf. Compute -log p_t from the logit: "
             "-log sigmoid(-x) = softplus(x) = max(x, 0) + log1p(exp(-|x|)), about 40 here.", 1e-9),
        Case("confident mistake on a positive (x = -800, y = 1): finite", (-800.0, 1, 0.25, 2.0),
             _fl_logits(-800.0, 1, 0.25, 2.0),
             "sigmoid(-800) underflows to 0 and log(0) = -inf (and exp(800) overflows): -log sigmoid(x) = "
             "softplus(-x) = 800 here, and the loss 0.25 * 800 = 200.", 1e-9),
        Case("confident and right (x = 40, y = 1): 0, not NaN", (40.0, 1, 0.25, 2.0), _fl_logits(40.0, 1, 0.25, 2.0),
             "(1 - p_t)^gamma * -log(p_t) is a tiny number (about 1e-52) here, never 0 * inf = NaN."),
    ]


def check_focal_loss_logits(fn):
    """Check ``fn(x, y, alpha, gamma)``: the element-wise focal loss from **logits** ``x``, stable for any logit."""
    return run_cases(fn, focal_loss_logits_cases())
