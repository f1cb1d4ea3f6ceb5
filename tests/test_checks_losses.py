"""The whiteboard checker of notebooks/05_focal_loss.ipynb: the focal loss from logits (check_focal_loss_logits)."""

import numpy as np
import pytest
import torch

from utils import losses as L
from utils.checks import check_focal_loss_logits
from utils.checks.losses import focal_loss_logits_cases


def whiteboard(x, y, alpha=0.25, gamma=2.0):
    """The notebook's folded solution."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    z = np.where(y == 1, x, -x)  # p_t = sigmoid(z)
    ce = np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))  # -log p_t = softplus(-z)
    log_1m_pt = -(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))  # log(1 - p_t) = -softplus(z)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return alpha_t * np.exp(gamma * log_1m_pt) * ce


def naive(x, y, alpha=0.25, gamma=2.0):
    """The textbook formula through probabilities: right for moderate logits, inf for confident mistakes."""
    with np.errstate(over="ignore", divide="ignore"):
        p = 1 / (1 + np.exp(-np.asarray(x, float)))
        p_t = np.where(np.asarray(y) == 1, p, 1 - p)
        return -np.where(np.asarray(y) == 1, alpha, 1 - alpha) * (1 - p_t) ** gamma * np.log(p_t)


def test_reference_solutions_pass():
    assert check_focal_loss_logits(whiteboard).passed
    library = lambda x, y, a, g: L.sigmoid_focal_loss(torch.as_tensor(x, dtype=torch.float64),  # noqa: E731
                                                      torch.as_tensor(y, dtype=torch.float64), a, g)
    assert check_focal_loss_logits(library).passed


def test_cases_agree_with_the_float64_reference():
    for case in focal_loss_logits_cases():
        x, y, alpha, gamma = case.args
        got = L.focal_loss_float64(np.asarray(x, float), np.asarray(y, float), alpha, gamma)
        np.testing.assert_allclose(got, case.expected, rtol=1e-12, atol=0, err_msg=case.name)


@pytest.mark.parametrize("mistake, cases", [
    (naive, {"confident mistake on a negative (x = 40, y = 0): finite",
             "confident mistake on a positive (x = -800, y = 1): finite"}),
    (lambda x, y, a, g: whiteboard(x, y, 1 - a, g), {"alpha weights the positives, 1 - alpha the negatives"}),
    (lambda x, y, a, g: whiteboard(x, y, a, 2.0), {"gamma = 0 is binary cross-entropy weighted by alpha_t"}),
    (lambda x, y, a, g: whiteboard(x, y, a, g).sum(), {"arrays in, one loss per element out"}),
])
def test_typical_mistakes_fail_where_expected(mistake, cases):
    report = check_focal_loss_logits(mistake)
    assert not report.passed
    assert cases <= set(report.failures)
