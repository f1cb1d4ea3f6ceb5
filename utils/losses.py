"""Focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017) and its pieces.

Taught in ``notebooks/05_focal_loss.ipynb``.

Notation (the paper's): ``x`` is the logit, ``p = sigmoid(x)``, ``y`` in {0, 1} the target, and

* ``p_t = p`` if ``y = 1`` else ``1 - p`` (the probability given to the right answer),
* ``alpha_t = alpha`` if ``y = 1`` else ``1 - alpha``,
* ``CE(p_t) = -log(p_t)``, ``FL(p_t) = -alpha_t (1 - p_t)^gamma log(p_t)`` (equation 5).

:func:`sigmoid_focal_loss` has ``torchvision.ops.sigmoid_focal_loss``'s signature and semantics (soft
targets allowed, ``alpha = -1`` means no alpha weighting) but computes ``1 - p_t`` without cancellation,
so it keeps its relative precision for confident predictions where torchvision's formula rounds to 0.

Input checks (every function): NaN or inf logits, targets outside [0, 1], ``alpha`` outside [0, 1] (other than
-1), ``gamma < 0`` and unknown reductions raise ``ValueError`` naming the argument. ``reduction="mean"`` over
no elements returns 0 (no anchors, no loss; torchvision returns NaN, 0 / 0). Half-precision logits are
computed in float32.
"""

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F

from utils import _validate

REDUCTIONS = ("none", "mean", "sum")


def _check_weights(alpha, gamma):
    # torchvision's convention: alpha weights the positives (1 - alpha the negatives), -1 switches it off
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not (0 <= alpha <= 1 or alpha == -1):
        raise ValueError(f"alpha must be in [0, 1], or -1 for no weighting, got {alpha!r}")
    _validate.number(gamma, "gamma", low=0)


def _check(inputs, targets, alpha, gamma, reduction="none", name="inputs", hard=False):
    """Validated ``(inputs, targets)`` tensors: finite logits, targets in [0, 1] (0 or 1 if ``hard``), same shape."""
    inputs = _validate.tensor(inputs, name)
    targets = _validate.tensor(targets, "targets", low=0, high=1)
    if inputs.shape != targets.shape:
        raise ValueError(f"{name} and targets must have the same shape, got {tuple(inputs.shape)} and "
                         f"{tuple(targets.shape)}")
    if hard and not ((targets == 0) | (targets == 1)).all():
        raise ValueError("targets must be 0 or 1 (hard labels)")
    _check_weights(alpha, gamma)
    _validate.choice(reduction, "reduction", REDUCTIONS)
    return inputs, targets.to(inputs.dtype)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean() if loss.numel() else loss.sum()  # a mean over nothing: 0, not NaN
    if reduction == "sum":
        return loss.sum()
    return loss


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """Focal loss on logits, element-wise: ``-alpha_t (1 - p_t)^gamma log(p_t)`` (equation 5).

    Args:
        inputs: logits ``x``, a float tensor of any shape.
        targets: same shape, in [0, 1] (hard 0/1 labels, or soft targets as in torchvision).
        alpha: weight of the positives (``1 - alpha`` for the negatives), in [0, 1]; ``-1``: no weighting.
        gamma: focusing parameter, >= 0 (``gamma = 0`` is the alpha-balanced cross-entropy).
        reduction: ``"none"`` (same shape as ``inputs``), ``"mean"`` or ``"sum"`` (scalars).

    Both factors come from ``log sigmoid``, which torch evaluates without cancellation for any logit:
    ``CE = -(y log sigmoid(x) + (1 - y) log sigmoid(-x))`` and ``1 - p_t = y sigmoid(-x) + (1 - y) sigmoid(x)``,
    each a blend (``torch.lerp``) of two non-negative terms. There is no ``1 - p`` for ``p`` near 1, so the
    loss of a confident correct prediction is tiny but keeps its relative precision, where torchvision's
    formula rounds it to 0 (and float32 ``binary_cross_entropy_with_logits`` loses it for confident
    negatives). Fewer temporaries, so it is also faster (``benchmarks/bench_losses.py``).
    """
    inputs, targets = _check(inputs, targets, alpha, gamma, reduction)
    log_p, log_1mp = F.logsigmoid(inputs), F.logsigmoid(-inputs)  # log p, log(1 - p)
    ce = -torch.lerp(log_1mp, log_p, targets)  # -log p_t
    if gamma == 0:
        loss = ce
    else:
        one_minus_pt = torch.lerp(log_p.exp(), log_1mp.exp(), targets)  # (1 - y) p + y (1 - p)
        loss = ce * one_minus_pt**gamma
    if alpha >= 0:
        alpha_t = targets * (2 * alpha - 1) + (1 - alpha)  # alpha for y = 1, 1 - alpha for y = 0
        loss = alpha_t * loss
    return _reduce(loss, reduction)


def torchvision_sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """``torchvision.ops.sigmoid_focal_loss`` as torchvision writes it (kept for comparison).

    ``p_t = p y + (1 - p)(1 - y)`` and then ``1 - p_t``: for a confident positive, ``p`` rounds to 1 and
    ``1 - p_t`` to 0 (float32: from a logit of about 17 on), so the loss becomes exactly 0.
    """
    inputs, targets = _check(inputs, targets, alpha, gamma, reduction)
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    return _reduce(loss, reduction)


def focal_loss_float64(logits, targets, alpha=0.25, gamma=2.0):
    """A careful float64 reference in numpy for **hard** 0/1 targets, element-wise.

    With ``z = x`` for positives and ``-x`` for negatives, ``p_t = sigmoid(z)``, ``-log p_t = softplus(-z)``
    and ``1 - p_t = sigmoid(-z)``, each evaluated in the form that never subtracts nearly equal numbers:
    ``softplus(u) = max(u, 0) + log1p(exp(-|u|))`` and ``sigmoid(-z) = exp(-softplus(z))``.
    """
    x, y = _validate.array(logits, "logits"), _validate.array(targets, "targets")
    if x.shape != y.shape:
        raise ValueError(f"logits and targets must have the same shape, got {x.shape} and {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("targets must be 0 or 1 for the float64 reference")
    _check_weights(alpha, gamma)
    z = np.where(y == 1, x, -x)

    def softplus(u):
        return np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))

    ce = softplus(-z)  # -log sigmoid(z)
    log_one_minus_pt = -softplus(z)  # log sigmoid(-z)
    loss = ce * np.exp(gamma * log_one_minus_pt)
    if alpha >= 0:
        loss = np.where(y == 1, alpha, 1 - alpha) * loss
    return loss


def focal_loss_grad(logits, targets, alpha=0.25, gamma=2.0):
    """Closed-form ``d FL / d x`` for hard targets (the paper's appendix, times ``alpha_t``), torch tensors.

    With ``y* = 2 y - 1`` (+1 or -1) and ``p_t = sigmoid(y* x)``:
    ``dFL/dx = alpha_t y* (1 - p_t)^gamma (gamma p_t log(p_t) + p_t - 1)``. ``gamma = 0`` gives the CE
    gradient ``alpha_t (p - y)``.
    """
    logits, targets = _check(logits, targets, alpha, gamma, name="logits", hard=True)
    sign = 2 * targets - 1  # y*
    p_t = torch.sigmoid(sign * logits)
    grad = sign * (1 - p_t) ** gamma * (gamma * p_t * F.logsigmoid(sign * logits) + p_t - 1)
    if alpha >= 0:
        grad = (alpha * targets + (1 - alpha) * (1 - targets)) * grad
    return grad


def focal_loss_pt(p_t, gamma=2.0, alpha_t=1.0):
    """``FL(p_t) = -alpha_t (1 - p_t)^gamma log(p_t)`` on numpy arrays of ``p_t`` in (0, 1]: the curves of
    the paper's figure 1 (``gamma = 0``, ``alpha_t = 1`` is the cross-entropy)."""
    p_t = _validate.array(p_t, "p_t", low=0, high=1, low_open=True)
    _validate.number(gamma, "gamma", low=0)
    alpha_t = _validate.array(alpha_t, "alpha_t", low=0, high=1)  # a number, or one per p_t
    return -alpha_t * (1 - p_t) ** gamma * np.log(p_t)


def imbalanced_logits(n_pos=100, ratio=1000, seed=0, hard_negatives=100):
    """Synthetic logits of a dense detector late in training: ``(logits, targets)``, float64 numpy ``(N,)``.

    ``n_pos`` positives with logits ~ N(1, 2) (many still uncertain), ``hard_negatives`` negatives that look
    like objects (logits ~ N(0, 2)) and the rest of the ``n_pos * ratio`` negatives easy background (logits
    ~ N(-5, 1), ``p`` about 0.007). Synthetic: chosen to look like the paper's setting (about 100k anchors per
    image, a few dozen to a few hundred positives), not measured on a model.
    """
    n_neg = _validate.integer(n_pos, "n_pos", low=0) * _validate.integer(ratio, "ratio", low=0)
    _validate.integer(hard_negatives, "hard_negatives", 0, n_neg)
    rng = np.random.default_rng(_validate.integer(seed, "seed", low=0))
    logits = np.concatenate([rng.normal(1.0, 2.0, n_pos), rng.normal(0.0, 2.0, hard_negatives),
                             rng.normal(-5.0, 1.0, n_neg - hard_negatives)])
    targets = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return logits, targets


def loss_shares(logits, targets, alpha=0.25, gamma=2.0, easy=0.9):
    """Who contributes the total loss: shares of positives, hard negatives and easy negatives (``p_t > easy``).

    ``logits``, ``targets``: numpy ``(N,)`` with hard targets. Returns a dict of floats summing to 1, or all 0
    when the total loss is 0 (no samples, or none with a loss).
    """
    loss = focal_loss_float64(logits, targets, alpha, gamma)
    _validate.number(easy, "easy", 0, 1)
    x, y = np.asarray(logits, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    with np.errstate(over="ignore"):  # exp overflows to inf for |logit| > 709: 1 / (1 + inf) = 0 is the limit
        p_t = np.where(y == 1, 1 / (1 + np.exp(-x)), 1 / (1 + np.exp(x)))
    total = loss.sum()
    total = total if total > 0 else 1.0  # no loss at all: every share is 0
    easy_neg = (y == 0) & (p_t > easy)
    return {
        "positives": float(loss[y == 1].sum() / total),
        "hard negatives": float(loss[(y == 0) & ~easy_neg].sum() / total),
        "easy negatives": float(loss[easy_neg].sum() / total),
    }


def cumulative_loss(losses):
    """The paper's figure 4: sort ``losses`` (numpy ``(N,)``) from low to high, return ``(fraction of samples,
    normalised cumulative loss)``, two ``(N,)`` arrays ending at 1 (empty for no losses; the cumulative loss
    stays 0 if every loss is 0)."""
    losses = np.sort(_validate.array(losses, "losses", ndim=1, low=0))
    total = losses.sum()
    return np.arange(1, len(losses) + 1) / max(len(losses), 1), np.cumsum(losses) / (total if total > 0 else 1)


def prior_bias(pi=0.01):
    """The paper's initialisation of the final classification bias, ``b = -log((1 - pi) / pi)``, so that
    every anchor starts with ``p = pi`` and the easy negatives do not swamp the first iterations."""
    pi = _validate.number(pi, "pi", 0, 1, low_open=True, high_open=True)
    return math.log(pi) - math.log1p(-pi)  # the same b, without overflow in (1 - pi) / pi for a tiny pi


# ---------------------------------------------------------------------------------------------------------
# A small experiment: the same tiny classifier trained with CE and with FL on an imbalanced problem.


def toy_detection_data(n_pos=50, ratio=1000, seed=0):
    """A synthetic 2-D stand-in for dense detection: ``(X, y)``, float32 torch tensors ``(N, 2)`` and ``(N,)``.

    Positives ~ N((0.6, 0), 0.6^2 I); twice as many *hard* negatives ~ N((-0.6, 0), 0.6^2 I), overlapping
    them; the rest of the ``n_pos * ratio`` negatives are *easy* background spread over a ring of radius 3 to 10,
    far from every positive. Learning the boundary between positives and hard negatives is the real task.
    ``ratio`` must be at least 2 (the hard negatives are part of the negatives).
    """
    n_neg = _validate.integer(n_pos, "n_pos", low=0) * _validate.integer(ratio, "ratio", low=2)
    rng = np.random.default_rng(_validate.integer(seed, "seed", low=0))
    positives = rng.normal(0, 0.6, (n_pos, 2)) + [0.6, 0]
    hard = rng.normal(0, 0.6, (2 * n_pos, 2)) - [0.6, 0]
    r, theta = rng.uniform(3, 10, n_neg - 2 * n_pos), rng.uniform(0, 2 * np.pi, n_neg - 2 * n_pos)
    easy = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    X = np.concatenate([positives, hard, easy]).astype(np.float32)
    y = np.concatenate([np.ones(n_pos), np.zeros(n_neg)]).astype(np.float32)
    return torch.from_numpy(X), torch.from_numpy(y)


def train_tiny_classifier(X, y, alpha=0.25, gamma=2.0, steps=120, lr=1e-2, seed=0, pi=0.01):
    """Train a 2-16-1 MLP with :func:`sigmoid_focal_loss` (``gamma = 0``: cross-entropy), full batch, Adam.

    The final bias starts at :func:`prior_bias` ``(pi)`` for every loss, as in the paper, and the summed loss
    is divided by the number of positives (RetinaNet's normalisation). Returns the trained model.

    ``X``: ``(N, 2)`` float tensor, ``y``: ``(N,)`` 0/1 floats, ``N >= 1``. The run is deterministic for a given
    ``seed`` and leaves the caller's random numbers as they were (torch's generator is forked, then seeded).
    """
    X, y = _validate.tensor(X, "X", ndim=2), _validate.tensor(y, "y", ndim=1, low=0, high=1)
    if X.shape[0] == 0 or X.shape[1] != 2 or y.shape != X.shape[:1]:
        raise ValueError(f"X and y must be (N, 2) and (N,) with N >= 1, got {tuple(X.shape)} and {tuple(y.shape)}")
    _check_weights(alpha, gamma)
    X, y = X.float(), y.float()  # the model is float32
    steps, lr = _validate.integer(steps, "steps", low=0), _validate.number(lr, "lr", low=0, low_open=True)
    b = prior_bias(pi)
    with torch.random.fork_rng():  # a private copy of torch's random state: the caller's stream is untouched
        torch.manual_seed(_validate.integer(seed, "seed", low=0))
        model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    torch.nn.init.constant_(model[-1].bias, b)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    n_pos = max(float(y.sum()), 1.0)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = sigmoid_focal_loss(model(X)[:, 0], y, alpha, gamma, reduction="sum") / n_pos
        loss.backward()
        optimizer.step()
    return model
