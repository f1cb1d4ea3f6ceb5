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


# --- notebook 18: one GAN training step (detach, D step, G step) ------------------------------------------

from utils.checks.core import expect_close, to_number, to_parts  # noqa: E402 (appended section)

_BCE = torch.nn.functional.binary_cross_entropy_with_logits


def _gan_setup(seed):
    """Small float64 G and D (2 -> 4 -> 2 and 2 -> 4 -> 1, tanh), SGD optimisers, a batch of real points and noise."""
    g = torch.Generator().manual_seed(seed)

    def net(sizes):
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layer = torch.nn.Linear(a, b).double()
            with torch.no_grad():
                layer.weight.copy_(torch.randn(b, a, generator=g, dtype=torch.float64) / a**0.5)
                layer.bias.copy_(0.1 * torch.randn(b, generator=g, dtype=torch.float64))
            layers += [layer, torch.nn.Tanh()] if i < len(sizes) - 2 else [layer]
        return torch.nn.Sequential(*layers)

    G, D = net([2, 4, 2]), net([2, 4, 1])
    real = torch.randn(8, 2, generator=g, dtype=torch.float64) + 1.5
    z = torch.randn(8, 2, generator=g, dtype=torch.float64)
    # plain SGD: the update is -lr * gradient, so a wrong gradient always shows in the parameters
    return G, D, torch.optim.SGD(G.parameters(), lr=0.5), torch.optim.SGD(D.parameters(), lr=0.5), real, z


def _step(G, D, opt_G, opt_D, real, z, variant="right"):
    """The reference step (``variant="right"``) and the usual mistakes, to name the one a reader made."""
    fake = G(z)
    if variant == "old D":  # the G step before the D step
        loss_G = _BCE(D(fake), torch.ones(len(z), 1, dtype=fake.dtype))
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
    real_logits, fake_logits = D(real), D(fake.detach())
    loss_D = _BCE(real_logits, torch.ones_like(real_logits)) + _BCE(fake_logits, torch.zeros_like(fake_logits))
    opt_D.zero_grad()
    loss_D.backward()
    opt_D.step()
    if variant == "old D":
        return loss_D.item(), loss_G.item()
    if variant == "new z":
        fake = G(torch.randn(z.shape, generator=torch.Generator().manual_seed(99), dtype=z.dtype))
    logits = D(fake)
    if variant == "saturating":
        loss_G = -_BCE(logits, torch.zeros_like(logits))  # minimise log(1 - D(G(z)))
    else:
        loss_G = _BCE(logits, torch.ones_like(logits))  # -log D(G(z))
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    return loss_D.item(), loss_G.item()


def _params(net):
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()]).numpy()


def _after(seed, calls, variant="right"):
    G, D, opt_G, opt_D, real, z = _gan_setup(seed)
    for _ in range(calls):
        losses = _step(G, D, opt_G, opt_D, real, z, variant)
    return {"losses": losses, "G": _params(G), "D": _params(D)}


_G_MISTAKES = {
    "saturating": "your G update matches the saturating loss log(1 - D(G(z))): train G with BCE(D(fake), 1), "
                  "i.e. -log D(G(z)), which keeps a strong gradient while D rejects the fakes.",
    "old D": "your G update used D before its update: do the D step first, then compute D(fake) again for G.",
    "new z": "your G step used new noise: reuse the fakes G(z) of this call (the exercise passes z for both steps).",
}


def gan_training_step_cases():
    """Cases for ``fn(G, D, opt_G, opt_D, real, z) -> (loss_D, loss_G)``; see :func:`check_gan_training_step`."""
    one, two = _after(0, 1), _after(1, 2)
    cases = [
        Case("returns loss_D and loss_G", ("losses", 0, 1), one["losses"],
             "loss_D = BCE(D(real), 1) + BCE(D(fake), 0) before D's update; loss_G = BCE(D(fake), 1) after it."),
        Case("the D step", ("D", 0, 1), one["D"],
             "labels real = 1 and fake = 0, then opt_D.zero_grad(), loss_D.backward(), opt_D.step()."),
        Case("the G step", ("G", 0, 1), one["G"],
             "after the D step: logits = D(fake) (not detached), loss_G = BCE(logits, 1), then the G optimiser."),
        Case("no gradient into G during the D step", ("into G", 0, 1), 1,
             "D must see fake.detach() (or fakes made under torch.no_grad()): the D step must not back-propagate "
             "through G."),
        Case("two steps in a row", ("G and D", 1, 2), np.concatenate([two["G"], two["D"]]),
             "call zero_grad() on each optimiser before its backward(): gradients accumulate from one call to the next."),
    ]
    for case in cases:
        case.atol = 1e-9
    return cases


def check_gan_training_step(fn):
    """Check ``fn(G, D, opt_G, opt_D, real, z) -> (loss_D, loss_G)``: one step of GAN training.

    ``D`` outputs logits ``(B, 1)``. First a discriminator step (real = 1, fake = 0, fakes detached), then a
    generator step through the updated D with the non-saturating loss ``-log D(G(z))``. ``fake = G(z)`` is computed
    once and used by both steps (as torch's DCGAN example does).
    """
    @functools.wraps(fn)
    def run(mode, seed, calls):
        G, D, opt_G, opt_D, real, z = _gan_setup(seed)
        arrivals = []

        def count_gradients(module, inputs, output):  # counts the backward passes that reach G's output
            if output.requires_grad:
                output.register_hook(lambda grad: arrivals.append(1))

        G.register_forward_hook(count_gradients)
        for _ in range(calls):
            out = fn(G, D, opt_G, opt_D, real, z)
        if mode == "losses":
            return [to_number(part) for part in to_parts(out, 2)]
        if mode == "into G":
            return len(arrivals)
        return {"G": _params(G), "D": _params(D), "G and D": np.concatenate([_params(G), _params(D)])}[mode]

    def compare(got, case):
        verdict = expect_close(got, case.expected, case.atol, case.rtol)
        if verdict is None or case.args[0] != "G":
            return verdict
        for variant, message in _G_MISTAKES.items():  # name the mistake when the update matches a known one
            if expect_close(got, _after(0, 1, variant)["G"], case.atol, case.rtol) is None:
                return message
        return verdict

    return run_cases(run, gan_training_step_cases(), compare=compare)


# --- notebook 19: the WGAN-GP critic loss -------------------------------------------------------------------


def wgan_critic_loss_cases():
    """Cases for ``fn(critic, real, fake, eps, lam) -> scalar tensor``; see :func:`check_wgan_critic_loss`."""
    real = torch.tensor([[2.0, 0.0], [0.0, 3.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, 1.0]])
    eps = torch.tensor([[0.5], [0.25]])
    # x_hat = [[1, 0], [0, 1.5]]. Linear critics C(x) = w.x: E[C(fake)] - E[C(real)] = w.([0, 0.5] - [1, 1.5])
    cases = [
        Case("1-Lipschitz linear critic", ("value", _Linear([0.6, 0.8]), real, fake, eps, 10.0), -1.4,
             "the Wasserstein term is E[C(fake)] - E[C(real)] (the critic pushes real scores up): fake minus real; "
             "a critic of gradient norm 1 pays no penalty."),
        Case("steep critic: lambda times the penalty", ("value", _Linear([0.0, 3.0]), real, fake, eps, 10.0),
             -3.0 + 10.0 * 4.0, "gradient norm 3 everywhere: penalty (3 - 1)^2 = 4, multiplied by lam (10 here)."),
        Case("flat critic: the penalty is two-sided", ("value", _Linear([0.0, 0.0]), real, fake, eps, 10.0), 10.0,
             "zero gradient is penalised too: (0 - 1)^2 = 1 times lam, not max(0, norm - 1)^2."),
        Case("lam = 0: the plain WGAN critic loss", ("value", _Linear([0.0, 3.0]), real, fake, eps, 0.0), -3.0,
             "with lam = 0 only E[C(fake)] - E[C(real)] is left."),
        Case("curved critic: where x_hat is", ("value", _square, real, fake, eps, 1.0), 0.25 - 3.25 + 0.125,
             "x_hat = eps * real + (1 - eps) * fake; for C = ||x||^2 / 2 the gradient is x_hat (norms 1 and 1.5)."),
        Case("eps = 1 gives the real points", ("value", _square, real, fake, torch.ones(2, 1), 1.0), -3.0 + 2.5,
             "with eps = 1, x_hat must equal real (gradient norms 2 and 3): check which side eps multiplies."),
        Case("back-propagates to the critic", ("grad", _Linear([0.0, 3.0]), real, fake, eps, 10.0),
             np.array([-1.0, 39.0]),
             "the loss must be differentiable w.r.t. the critic's weights, the penalty too: "
             "torch.autograd.grad(..., create_graph=True)."),
    ]
    for case in cases:
        case.atol = 1e-5  # a norm computed as sqrt(sum + 1e-12), a common safeguard, is off by about 2e-6
    return cases


def check_wgan_critic_loss(fn):
    """Check ``fn(critic, real, fake, eps, lam) -> scalar tensor``: the WGAN-GP critic loss (Gulrajani et al., 2017,
    eq. 3) ``E[C(fake)] - E[C(real)] + lam * E[(||grad C(x_hat)||_2 - 1)^2]``, ``x_hat = eps * real + (1 - eps) * fake``.

    ``real``, ``fake``: ``(B, d)`` tensors; ``eps``: ``(B, 1)``; ``critic``: ``(B, d) -> (B, 1)`` scores.
    """
    @functools.wraps(fn)
    def run(mode, critic, real, fake, eps, lam):
        out = fn(critic, real, fake, eps, lam)
        if mode == "value" or out is None:
            return out
        if not isinstance(out, torch.Tensor) or out.grad_fn is None:
            raise Mismatch("the loss does not depend on the critic's weights: keep it a tensor, do not detach it.")
        if out.numel() != 1:
            raise Mismatch(f"expected a single number (a 0-d tensor), got shape {tuple(out.shape)}: take the means.")
        (grad,) = torch.autograd.grad(out.sum(), critic.layer.weight, allow_unused=True)
        if grad is None:
            raise Mismatch("the loss does not depend on the critic's weights.")
        return grad[0]  # mean(fake) - mean(real) + lam * 2 (||w|| - 1) w / ||w||

    return run_cases(run, wgan_critic_loss_cases())
