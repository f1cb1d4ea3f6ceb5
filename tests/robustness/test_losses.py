"""The robustness contract (contract.py) for every public function of utils.losses.

Measured problems of issue 11 pinned by name: ``sigmoid_focal_loss(x, y, alpha=1.5)`` gave a negative loss (alpha
must be in [0, 1], or -1 for no weighting, as torchvision documents), and ``reduction="mean"`` over no elements gave
NaN (now 0, documented). Every loss is finite and non-negative for any finite logits.
"""

import math

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_COUNTS, BAD_UNIT_INTERVAL
from utils import losses as L

COVERS = [f"utils.losses.{name}" for name in (
    "sigmoid_focal_loss", "torchvision_sigmoid_focal_loss", "focal_loss_float64", "focal_loss_grad", "focal_loss_pt",
    "imbalanced_logits", "loss_shares", "cumulative_loss", "prior_bias", "toy_detection_data",
    "train_tiny_classifier")]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FOCAL_LOSSES = (L.sigmoid_focal_loss, L.torchvision_sigmoid_focal_loss)
#: Values that are not a tensor of finite floats.
NOT_FLOAT_TENSORS = (None, np.zeros(3), [0.0, 1.0], torch.zeros(3, dtype=torch.int64), torch.zeros(3, dtype=torch.bool),
                     torch.tensor([0.0, float("nan"), 1.0]), torch.tensor([float("inf"), 0.0, 0.0]))
#: alpha values refused: torchvision's range is [0, 1], or -1 to switch the weighting off.
BAD_ALPHAS = (1.5, -0.5, float("nan"), None, "0.25", True, [0.25])
BAD_GAMMAS = (-1.0, float("nan"), float("inf"), None, "2")


@st.composite
def logits_and_targets(draw, hard=False, dtype=np.float64, max_n=20):
    n = draw(st.integers(0, max_n))
    x = draw(hnp.arrays(dtype, n, elements=st.floats(-100, 100, width=32)))
    targets = st.sampled_from([0.0, 1.0]) if hard else st.floats(0, 1, width=32)
    y = draw(hnp.arrays(dtype, n, elements=targets))
    return torch.from_numpy(x), torch.from_numpy(y)


alphas = st.one_of(st.floats(0, 1), st.just(-1.0))
gammas = st.floats(0, 5)


@SETTINGS
@given(logits_and_targets(), alphas, gammas, st.sampled_from(L.REDUCTIONS))
def test_focal_losses_valid(data, alpha, gamma, reduction):
    x, y = data
    for fn in FOCAL_LOSSES:
        loss = call_unchanged(fn, x, y, alpha, gamma, reduction)
        assert loss.shape == (x.shape if reduction == "none" else ())
        assert_finite(loss)
        assert (loss >= 0).all()
        if len(x) == 0 and reduction != "none":
            assert float(loss) == 0.0  # documented: a mean over no elements is 0 (torchvision: NaN)


@SETTINGS
@given(logits_and_targets(dtype=np.float32, max_n=8))
def test_focal_loss_half_precision_is_computed_in_float32(data):
    x, y = data
    loss = L.sigmoid_focal_loss(x.half(), y.half(), reduction="sum")
    assert loss.dtype == torch.float32
    assert_finite(loss)


def test_focal_losses_reject():
    x, y = torch.zeros(3), torch.tensor([0.0, 1.0, 0.5])
    for fn in FOCAL_LOSSES:
        for bad in BAD_ALPHAS:
            rejects(fn, x, y, alpha=bad, argument="alpha")  # measured: alpha 1.5 gave a negative loss
        for bad in BAD_GAMMAS:
            rejects(fn, x, y, gamma=bad, argument="gamma")
        for bad in ("avg", None, "MEAN"):
            rejects(fn, x, y, reduction=bad, argument="reduction")
        for bad in NOT_FLOAT_TENSORS:
            rejects(fn, bad, y, argument="inputs")
            rejects(fn, x, bad, argument="targets")
        rejects(fn, x, torch.tensor([0.0, 1.5, 0.0]), argument="targets")
        rejects(fn, x, torch.tensor([0.0, -0.1, 0.0]), argument="targets")
        rejects(fn, x, torch.zeros(4), argument=("inputs", "targets"))
    assert (L.sigmoid_focal_loss(x, y, alpha=-1) >= 0).all()  # -1: no weighting


def test_focal_loss_mean_over_nothing_is_zero_not_nan():
    e = torch.zeros(0, requires_grad=True)
    loss = L.sigmoid_focal_loss(e, torch.zeros(0), reduction="mean")
    assert loss.item() == 0.0
    loss.backward()  # still part of the graph: training on a batch without anchors does not crash
    assert e.grad.shape == (0,)


@SETTINGS
@given(logits_and_targets(hard=True), alphas, gammas)
def test_focal_loss_float64_and_grad_valid(data, alpha, gamma):
    x, y = data
    loss = call_unchanged(L.focal_loss_float64, x.numpy(), y.numpy(), alpha, gamma)
    assert loss.shape == x.shape and np.isfinite(loss).all() and (loss >= 0).all()
    grad = call_unchanged(L.focal_loss_grad, x, y, alpha, gamma)
    assert grad.shape == x.shape
    assert_finite(grad)
    assert (grad[y == 1] <= 0).all() and (grad[y == 0] >= 0).all()  # the loss falls as the logit moves to its label


def test_focal_loss_float64_and_grad_reject():
    x, y = np.zeros(2), np.array([0.0, 1.0])
    for bad in (None, "1", [np.nan, 0.0], [np.inf, 0.0], np.array([1 + 1j, 0]), [[0.0, 0.0]]):
        rejects(L.focal_loss_float64, bad, y, argument="logits")
    rejects(L.focal_loss_float64, x, [0.0, 0.5], argument="targets")  # hard targets only
    rejects(L.focal_loss_float64, x, [0.0, np.nan], argument="targets")
    for bad in BAD_ALPHAS:
        rejects(L.focal_loss_float64, x, y, alpha=bad, argument="alpha")
    for bad in BAD_GAMMAS:
        rejects(L.focal_loss_float64, x, y, gamma=bad, argument="gamma")
    tx, ty = torch.zeros(2), torch.tensor([0.0, 1.0])
    for bad in NOT_FLOAT_TENSORS:
        rejects(L.focal_loss_grad, bad, ty, argument="logits")
    rejects(L.focal_loss_grad, tx, torch.tensor([0.0, 0.5]), argument="targets")
    rejects(L.focal_loss_grad, tx, torch.zeros(3), argument=("logits", "targets"))
    rejects(L.focal_loss_grad, tx, ty, alpha=1.5, argument="alpha")
    rejects(L.focal_loss_grad, tx, ty, gamma=-1, argument="gamma")
    assert L.focal_loss_float64([], []).shape == (0,)
    assert L.focal_loss_grad(torch.zeros(0), torch.zeros(0)).shape == (0,)


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 20), elements=st.floats(0, 1, exclude_min=True)), gammas,
       st.floats(0, 1))
def test_focal_loss_pt_valid(p_t, gamma, alpha_t):
    loss = call_unchanged(L.focal_loss_pt, p_t, gamma, alpha_t)
    assert loss.shape == p_t.shape and np.isfinite(loss).all() and (loss >= 0).all()


def test_focal_loss_pt_rejects():
    for bad in (0.0, 1.5, -0.1, np.nan, None, "0.5", [0.5, np.inf]):
        rejects(L.focal_loss_pt, bad, argument="p_t")
    for bad in BAD_GAMMAS:
        rejects(L.focal_loss_pt, 0.5, bad, argument="gamma")
    for bad in (1.5, -0.1, np.nan, None, "1"):
        rejects(L.focal_loss_pt, 0.5, 2.0, bad, argument="alpha_t")


@SETTINGS
@given(st.integers(0, 20), st.integers(0, 5), st.integers(0, 2**32), st.data())
def test_imbalanced_logits_valid(n_pos, ratio, seed, data):
    hard = data.draw(st.integers(0, n_pos * ratio))
    logits, targets = call_unchanged(L.imbalanced_logits, n_pos, ratio, seed, hard)
    n = n_pos + n_pos * ratio
    assert logits.shape == targets.shape == (n,) and np.isfinite(logits).all() and targets.sum() == n_pos
    assert np.array_equal(logits, L.imbalanced_logits(n_pos, ratio, seed, hard)[0])


def test_imbalanced_logits_and_toy_data_reject():
    for bad in (c for c in BAD_COUNTS if c != 0):
        rejects(L.imbalanced_logits, bad, 2, 0, 0, argument="n_pos")
        rejects(L.imbalanced_logits, 2, bad, 0, 0, argument="ratio")
        rejects(L.toy_detection_data, bad, 4, argument="n_pos")
    for bad in (-1, None, 1.5, "0"):
        rejects(L.imbalanced_logits, 2, 2, bad, 0, argument="seed")
        rejects(L.toy_detection_data, 2, 4, bad, argument="seed")
    rejects(L.imbalanced_logits, 2, 2, 0, 5, argument="hard_negatives")  # more hard negatives than negatives
    rejects(L.imbalanced_logits, 0, 1000, argument="hard_negatives")  # no negatives at all, 100 hard ones asked for
    rejects(L.toy_detection_data, 2, 1, argument="ratio")  # the 2 n_pos hard negatives do not fit


@SETTINGS
@given(logits_and_targets(hard=True), alphas, gammas, st.floats(0, 1))
def test_loss_shares_valid(data, alpha, gamma, easy):
    x, y = (t.numpy() for t in data)
    shares = call_unchanged(L.loss_shares, x, y, alpha, gamma, easy)
    values = np.array(list(shares.values()))
    assert np.isfinite(values).all() and (values >= 0).all()
    assert math.isclose(values.sum(), 1.0, abs_tol=1e-9) or values.sum() == 0.0  # documented: 0s without loss


def test_loss_shares_rejects_and_empty():
    x, y = np.array([-1.0, 2.0]), np.array([0.0, 1.0])
    for bad in BAD_UNIT_INTERVAL:
        rejects(L.loss_shares, x, y, easy=bad, argument="easy")
    rejects(L.loss_shares, x, [0.0, 0.5], argument="targets")
    rejects(L.loss_shares, [np.nan, 0.0], y, argument="logits")
    rejects(L.loss_shares, x, y, alpha=2.0, argument="alpha")
    assert set(L.loss_shares([], []).values()) == {0.0}
    assert L.loss_shares([800.0, -800.0], [1.0, 0.0])["positives"] >= 0  # exp overflow: p_t is its limit


@SETTINGS
@given(hnp.arrays(np.float64, st.integers(0, 30), elements=st.floats(0, 1e300)))
def test_cumulative_loss_valid(losses):
    fraction, cumulative = call_unchanged(L.cumulative_loss, losses)
    assert fraction.shape == cumulative.shape == losses.shape
    assert np.isfinite(cumulative).all() and (np.diff(cumulative) >= 0).all() and (cumulative <= 1 + 1e-12).all()
    if len(losses):
        assert fraction[-1] == 1.0


def test_cumulative_loss_rejects():
    for bad in (None, "1", [np.nan], [np.inf], [-1.0], [[1.0]], np.array([True])):
        rejects(L.cumulative_loss, bad, argument="losses")
    fraction, cumulative = L.cumulative_loss([])
    assert fraction.shape == cumulative.shape == (0,)


@SETTINGS
@given(st.floats(0, 1, exclude_min=True, exclude_max=True))
def test_prior_bias_valid(pi):
    b = call_unchanged(L.prior_bias, pi)
    assert math.isfinite(b)  # also for a subnormal pi, where (1 - pi) / pi overflowed to inf
    if 1e-300 < pi < 1 - 1e-12:
        assert math.isclose(1 / (1 + math.exp(-b)), pi, rel_tol=1e-9)


def test_prior_bias_rejects():
    for bad in (0.0, 1.0, -0.5, 1.5, np.nan, None, "0.01", True, [0.01]):
        rejects(L.prior_bias, bad, argument="pi")


def test_toy_detection_data_valid_and_empty():
    X, y = call_unchanged(L.toy_detection_data, 3, 4, 1)
    assert X.shape == (15, 2) and y.shape == (15,) and float(y.sum()) == 3.0
    X, y = L.toy_detection_data(0, 5)
    assert X.shape == (0, 2) and y.shape == (0,)


def _tiny():
    return L.toy_detection_data(n_pos=3, ratio=4, seed=1)


def test_train_tiny_classifier_valid_and_deterministic():
    X, y = _tiny()
    model = call_unchanged(L.train_tiny_classifier, X, y, 0.25, 2.0, 3, 1e-2, 5)
    again = L.train_tiny_classifier(X, y, 0.25, 2.0, 3, 1e-2, 5)
    for p, q in zip(model.parameters(), again.parameters()):
        assert torch.equal(p, q)
        assert_finite(p)
    assert math.isclose(L.train_tiny_classifier(X, y, steps=0)[-1].bias.item(), L.prior_bias(0.01), rel_tol=1e-7)


def test_train_tiny_classifier_rejects():
    X, y = _tiny()
    for bad in NOT_FLOAT_TENSORS + (torch.zeros(4, 3), torch.zeros(0, 2)):
        rejects(L.train_tiny_classifier, bad, y, argument="X")
    rejects(L.train_tiny_classifier, X, y[:-1], argument="y")
    rejects(L.train_tiny_classifier, X, y + 0.5, argument="y")
    rejects(L.train_tiny_classifier, X, y, alpha=1.5, argument="alpha")
    rejects(L.train_tiny_classifier, X, y, gamma=-1, argument="gamma")
    for bad in (-1, 2.5, None, True):
        rejects(L.train_tiny_classifier, X, y, steps=bad, argument="steps")
        rejects(L.train_tiny_classifier, X, y, seed=bad, argument="seed")
    for bad in (0.0, -1e-3, np.nan, None):
        rejects(L.train_tiny_classifier, X, y, lr=bad, argument="lr")
    rejects(L.train_tiny_classifier, X, y, pi=1.0, argument="pi")
