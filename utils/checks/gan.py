"""Checkers for the GAN exercises: ``notebooks/18_gan_minmax.ipynb`` (D*, JSD) and
``notebooks/19_classic_gans.ipynb`` (the WGAN-GP gradient penalty)."""

import functools

import numpy as np
import torch

from utils.checks.core import Case, Mismatch, run_cases

LOG2 = float(np.log(2))


def optimal_discriminator_cases():
    """Edge cases for ``fn(p_data, p_g) -> D*`` on numpy arrays of densities."""
    return [
        Case("equal densities", (np.array([0.2, 0.5]), np.array([0.2, 0.5])), np.array([0.5, 0.5]),
             "where p_g = p_data the best discriminator cannot tell: D* = 1/2."),
        Case("data only", (np.array([0.3]), np.array([0.0])), np.array([1.0]),
             "where only real data lives, D* = p_data / (p_data + 0) = 1."),
        Case("generator only", (np.array([0.0]), np.array([0.7])), np.array([0.0]),
             "where only fakes live, D* = 0."),
        Case("three to one", (np.array([0.3, 0.1]), np.array([0.1, 0.3])), np.array([0.75, 0.25]),
             "D* = p_data / (p_data + p_g), not p_data / p_g and not p_g / (p_data + p_g)."),
        Case("both zero", (np.array([0.0, 0.4]), np.array([0.0, 0.4])), np.array([0.5, 0.5]),
             "where both densities are 0, D* is undefined; return 1/2 there instead of 0/0 = nan."),
    ]


def check_optimal_discriminator(fn):
    """Check ``fn(p_data, p_g) -> (M,) array``: ``D*(x) = p_data / (p_data + p_g)`` elementwise."""
    return run_cases(fn, optimal_discriminator_cases())


def js_divergence_cases():
    """Edge cases for ``fn(p, q) -> float``: the JSD in nats of two probability vectors."""
    p = np.array([0.1, 0.4, 0.5])
    q = np.array([0.3, 0.3, 0.4])
    m = (p + q) / 2
    pq = 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))
    return [
        Case("identical distributions", (p, p), 0.0, "JSD(p, p) = 0: both KL terms vanish."),
        Case("disjoint supports", (np.array([1.0, 0.0]), np.array([0.0, 1.0])), LOG2,
             "disjoint distributions give log 2 (natural log), the maximum; use 0 log 0 = 0, not nan."),
        Case("a general pair", (p, q), pq,
             "JSD = KL(p || m) / 2 + KL(q || m) / 2 with the mixture m = (p + q) / 2, not KL(p || q)."),
        Case("swapped arguments", (q, p), pq, "JSD is symmetric: JSD(p, q) = JSD(q, p)."),
        Case("zeros in one vector", (np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])),
             0.5 * 0.5 * np.log(2 / 1.5) * 2 + 0.5 * (0.25 * np.log(0.25 / 0.375) * 2 + 0.5 * np.log(2)),
             "terms with p = 0 contribute 0 (0 log 0 = 0): mask them instead of computing 0 * log 0 = nan."),
    ]


def check_js_divergence(fn):
    """Check ``fn(p, q) -> float``, the Jensen-Shannon divergence (nats) of two probability vectors."""
    return run_cases(fn, js_divergence_cases())


class _Linear:
    # A critic C(x) = x @ w + b with known gradient w everywhere.
    def __init__(self, w):
        self.layer = torch.nn.Linear(len(w), 1)
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor([w], dtype=torch.float32))
            self.layer.bias.zero_()

    def __call__(self, x):
        return self.layer(x)


def _square(x):
    # C(x) = ||x||^2 / 2, gradient x: the penalty depends on where x_hat is.
    return 0.5 * (x**2).sum(dim=1, keepdim=True)


def gradient_penalty_cases():
    """Cases for ``fn(critic, real, fake, eps) -> scalar tensor``; see :func:`check_gradient_penalty`."""
    real = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, 1.0]])
    eps = torch.tensor([[0.5], [0.25]])
    # x_hat = eps * real + (1 - eps) * fake = [[1, 0], [0, 1.5]]; ||x_hat|| = 1, 1.5
    cases = [
        Case("1-Lipschitz linear critic", ("value", _Linear([0.6, 0.8]), real, fake, eps), 0.0,
             "the gradient of a linear critic is its weight, of norm 1 here: (1 - 1)^2 = 0."),
        Case("steep linear critic", ("value", _Linear([0.0, 3.0]), real, fake, eps), 4.0,
             "gradient norm 3 everywhere: (3 - 1)^2 = 4. Use the L2 norm over the features (dim=1), not the sum."),
        Case("flat critic", ("value", _Linear([0.0, 0.0]), real, fake, eps), 1.0,
             "zero gradient is also penalised: (0 - 1)^2 = 1 (a two-sided penalty, not max(0, norm - 1))."),
        Case("curved critic: where x_hat is", ("value", _square, real, fake, eps), (0.0 + 0.25) / 2,
             "x_hat = eps * real + (1 - eps) * fake; for C = ||x||^2 / 2 the gradient is x_hat, norms 1 and 1.5."),
        Case("eps = 1 gives the real points", ("value", _square, real, fake, torch.ones(2, 1)), (1.0 + 4.0) / 2,
             "with eps = 1, x_hat must equal real (norms 2 and 3): check which side eps multiplies."),
        Case("back-propagates to the critic", ("grad", _Linear([0.0, 3.0]), real, fake, eps),
             np.array([0.0, 4.0]),
             "the penalty must be differentiable w.r.t. the critic's weights: torch.autograd.grad(..., create_graph=True)."),
    ]
    for case in cases:
        case.atol = 1e-5  # a norm computed as sqrt(sum + 1e-12), a common safeguard, is off by about 2e-6
    return cases


def check_gradient_penalty(fn):
    """Check ``fn(critic, real, fake, eps) -> scalar tensor``: ``mean((||grad C(x_hat)||_2 - 1)^2)``, no lambda.

    ``real``, ``fake``: ``(B, d)`` tensors; ``eps``: ``(B, 1)``; ``x_hat = eps * real + (1 - eps) * fake``.
    """
    @functools.wraps(fn)
    def run(mode, critic, real, fake, eps):
        out = fn(critic, real, fake, eps)
        if mode == "value" or out is None:
            return out
        if not isinstance(out, torch.Tensor) or out.grad_fn is None:
            raise Mismatch("the penalty does not depend on the critic's weights: take the gradient with "
                           "torch.autograd.grad(..., create_graph=True) and do not detach it.")
        if out.numel() != 1:
            raise Mismatch(f"expected a single number (a 0-d tensor), got shape {tuple(out.shape)}: take the mean.")
        (grad,) = torch.autograd.grad(out.sum(), critic.layer.weight, allow_unused=True)
        if grad is None:
            raise Mismatch("the penalty does not depend on the critic's weights: use create_graph=True.")
        return grad[0]  # d penalty / d w = 2 (||w|| - 1) w / ||w||

    return run_cases(run, gradient_penalty_cases())
