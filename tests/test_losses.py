"""Tests for utils.losses (notebooks/05_focal_loss.ipynb).

References: torchvision.ops.sigmoid_focal_loss's recorded outputs (tests/data/torchvision_reference.npz, copied
from the shared reference set), a careful float64 formula, torch autograd for the closed-form gradient, and
the definition written out element by element.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import utils
from utils import losses as L
from utils.checks.losses import check_focal_loss

REF = np.load(utils.DATA_DIR / "torchvision_reference.npz")


def by_definition(x, y, alpha, gamma):
    """The paper's equation 5, one element at a time, in Python floats (float64)."""
    p = 1 / (1 + math.exp(-x))
    p_t = p if y == 1 else 1 - p
    alpha_t = 1.0 if alpha < 0 else (alpha if y == 1 else 1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * math.log(p_t)


# ----------------------------------------------------------------------------- parity with torchvision


@pytest.mark.parametrize("dtype,key,atol", [(torch.float32, "f32", 5e-6), (torch.float64, "f64", 1e-12)])
def test_parity_with_torchvision_recorded(dtype, key, atol):
    x, y = torch.tensor(REF["focal_logits"], dtype=dtype), torch.tensor(REF["focal_targets"], dtype=dtype)
    expected = REF[f"focal_loss_a025_g2_none_{key}"]
    got = L.sigmoid_focal_loss(x, y, alpha=0.25, gamma=2.0).numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
    np.testing.assert_allclose(L.torchvision_sigmoid_focal_loss(x, y).numpy(), expected, rtol=0, atol=atol)


def test_parity_variants():
    x, y = torch.tensor(REF["focal_logits"], dtype=torch.float64), torch.tensor(REF["focal_targets"], dtype=torch.float64)
    assert float(L.sigmoid_focal_loss(x, y, reduction="mean")) == pytest.approx(float(REF["focal_loss_a025_g2_mean_f64"]), abs=1e-12)
    np.testing.assert_allclose(L.sigmoid_focal_loss(x, y, alpha=-1, gamma=0).numpy(), REF["focal_loss_am1_g0_none_f64"], atol=1e-12)
    soft = torch.tensor(REF["focal_soft_targets"], dtype=torch.float64)
    np.testing.assert_allclose(L.sigmoid_focal_loss(x, soft).numpy(), REF["focal_loss_soft_a025_g2_none_f64"], atol=1e-12)


def test_reductions_and_alpha_off():
    x, y = torch.randn(50, dtype=torch.float64), (torch.rand(50) < 0.3).double()
    none = L.sigmoid_focal_loss(x, y)
    assert float(L.sigmoid_focal_loss(x, y, reduction="sum")) == pytest.approx(float(none.sum()))
    assert float(L.sigmoid_focal_loss(x, y, reduction="mean")) == pytest.approx(float(none.mean()))
    ce = torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none")
    torch.testing.assert_close(L.sigmoid_focal_loss(x, y, alpha=-1, gamma=0), ce)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-300, 300)), st.data(),
       st.sampled_from([-1.0, 0.1, 0.25, 0.5, 0.9]), st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]))
def test_against_the_definition(x, data, alpha, gamma):
    y = data.draw(arrays(np.float64, x.shape, elements=st.sampled_from([0.0, 1.0])))
    got = L.sigmoid_focal_loss(torch.from_numpy(x), torch.from_numpy(y), alpha, gamma).numpy()
    careful = L.focal_loss_float64(x, y, alpha, gamma)
    np.testing.assert_allclose(got, careful, rtol=1e-12, atol=1e-300)
    # The plain definition computes 1 - p, which cancels for large |x|: compare it where it is exact enough.
    small = np.abs(x) < 12
    expected = [by_definition(a, b, alpha, gamma) for a, b in zip(x[small], y[small])]
    np.testing.assert_allclose(careful[small], expected, rtol=1e-9, atol=1e-300)


# ----------------------------------------------------------------------------- precision


def test_float32_keeps_relative_precision_where_torchvision_rounds_to_zero():
    x = torch.tensor([5.0, 10.0, 17.0, 20.0, 30.0, -10.0, -20.0])
    y = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    reference = L.focal_loss_float64(x.double().numpy(), y.numpy())
    ours = L.sigmoid_focal_loss(x, y).double().numpy()
    np.testing.assert_allclose(ours, reference, rtol=1e-5)
    theirs = L.torchvision_sigmoid_focal_loss(x, y).double().numpy()
    assert (theirs[2:5] == 0).all()  # p rounds to 1 in float32: 1 - p_t = 0


def test_float64_reference_matches_definition_far_out():
    # At |x| = 700 exp(-x) is still representable; the reference must not overflow or cancel.
    for x, y in [(700.0, 1.0), (-700.0, 0.0), (40.0, 1.0), (-40.0, 1.0), (40.0, 0.0)]:
        got = L.focal_loss_float64([x], [y], alpha=-1, gamma=2.0)[0]
        z = x if y == 1 else -x
        expected = math.log1p(math.exp(-z)) * (1 / (1 + math.exp(z))) ** 2 if z > 0 else (-z + math.log1p(math.exp(z))) * (1 / (1 + math.exp(z))) ** 2
        assert got == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------- gradient


@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1, 0.0), (0.5, 1.0), (0.75, 5.0)])
def test_closed_form_gradient_matches_autograd(alpha, gamma):
    torch.manual_seed(0)
    x = (torch.randn(200, dtype=torch.float64) * 6).requires_grad_()
    y = (torch.rand(200) < 0.5).double()
    L.sigmoid_focal_loss(x, y, alpha, gamma, reduction="sum").backward()
    torch.testing.assert_close(L.focal_loss_grad(x.detach(), y, alpha, gamma), x.grad, rtol=1e-9, atol=1e-12)


def test_gradcheck():
    x = torch.randn(20, dtype=torch.float64, requires_grad=True)
    y = (torch.rand(20) < 0.5).double()
    assert torch.autograd.gradcheck(lambda v: L.sigmoid_focal_loss(v, y, reduction="sum"), (x,))


# ----------------------------------------------------------------------------- bad input, helpers


def test_bad_input_raises():
    x = torch.zeros(3)
    with pytest.raises(ValueError, match="shape"):
        L.sigmoid_focal_loss(x, torch.zeros(4))
    with pytest.raises(ValueError, match="reduction"):
        L.sigmoid_focal_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="gamma"):
        L.sigmoid_focal_loss(x, x, gamma=-1)
    with pytest.raises(ValueError, match="tensor"):
        L.sigmoid_focal_loss(np.zeros(3), x)
    with pytest.raises(ValueError, match="targets"):
        L.focal_loss_float64([0.0], [0.5])
    with pytest.raises(ValueError, match="pi"):
        L.prior_bias(1.0)


def test_empty_input():
    e = torch.zeros(0)
    assert L.sigmoid_focal_loss(e, e).shape == (0,)
    assert float(L.sigmoid_focal_loss(e, e, reduction="sum")) == 0.0


def test_focal_loss_pt_and_prior_bias():
    assert L.focal_loss_pt(0.9, 2.0) == pytest.approx(0.01 * -math.log(0.9))
    assert L.focal_loss_pt(0.5, 0.0) == pytest.approx(math.log(2))
    assert 1 / (1 + math.exp(-L.prior_bias(0.01))) == pytest.approx(0.01)


def test_loss_shares_and_cumulative_loss():
    logits, targets = L.imbalanced_logits()
    assert len(logits) == 100 * 1001 and targets.sum() == 100
    ce, fl = L.loss_shares(logits, targets, alpha=-1, gamma=0), L.loss_shares(logits, targets)
    assert sum(ce.values()) == pytest.approx(1) and sum(fl.values()) == pytest.approx(1)
    assert ce["easy negatives"] > 0.5 > 0.05 > fl["easy negatives"]
    frac, cum = L.cumulative_loss([3.0, 1.0, 0.0, 2.0])
    np.testing.assert_allclose(frac, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(cum, [0, 1 / 6, 3 / 6, 1.0])


def test_tiny_training_is_deterministic_and_fl_beats_ce():
    from utils.metrics import average_precision, precision_recall

    X, y = L.toy_detection_data(n_pos=20, ratio=500, seed=0)
    Xt, yt = L.toy_detection_data(n_pos=200, ratio=100, seed=1)

    def ap(model):
        with torch.no_grad():
            s = model(Xt)[:, 0].numpy()
        p, r = precision_recall(s, yt.numpy().astype(bool), int(yt.sum()))
        return average_precision(r, p, "all_points")

    fl = L.train_tiny_classifier(X, y, 0.25, 2.0, steps=80)
    again = L.train_tiny_classifier(X, y, 0.25, 2.0, steps=80)
    assert all(torch.equal(a, b) for a, b in zip(fl.parameters(), again.parameters()))
    ce = L.train_tiny_classifier(X, y, -1, 0.0, steps=80)
    assert ap(fl) > ap(ce)


# ----------------------------------------------------------------------------- checker and widget


def test_checker():
    assert check_focal_loss(lambda p, y, a, g: L.focal_loss_pt(np.where(np.asarray(y) == 1, p, 1 - np.asarray(p)), g,
                                                                np.where(np.asarray(y) == 1, a, 1 - a))).passed

    def not_yet(p, y, alpha, gamma):
        raise NotImplementedError

    assert check_focal_loss(not_yet).not_implemented

    def gamma_amplifies(p, y, alpha, gamma):  # the seed's reading: multiply by gamma
        p, y = np.asarray(p, float), np.asarray(y)
        p_t = np.where(y == 1, p, 1 - p)
        return -np.where(y == 1, alpha, 1 - alpha) * gamma * (1 - p_t) * np.log(p_t)

    report = check_focal_loss(gamma_amplifies)
    assert not report.passed and "gamma = 1" not in report.failures and "gamma = 0 is alpha-balanced cross-entropy" in report.failures


def test_widget_sets_values():
    from utils.widgets import focal_loss_explorer

    explorer = focal_loss_explorer()
    explorer.controls["gamma"].value = 0.0
    explorer.controls["alpha"].value = 0.5
    logits, targets = L.imbalanced_logits()
    shares = L.loss_shares(logits, targets, alpha=0.5, gamma=0.0)
    assert explorer.values["FL share: easy negatives"] == pytest.approx(shares["easy negatives"])
    assert explorer.values["easy negative FL / CE (p_t = 0.9)"] == pytest.approx(0.5)
