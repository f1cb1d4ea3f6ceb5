"""The GAN losses (torch): vanilla GAN (saturating and non-saturating), LSGAN, WGAN and WGAN-GP's penalty.

Taught in ``notebooks/18_gan_minmax.ipynb`` (the discriminator loss; saturating vs non-saturating generator loss
and their gradients) and ``notebooks/19_classic_gans.ipynb`` (all of them side by side, :data:`LOSSES`).

Discriminators output a raw score: a *logit* for the sigmoid losses, a real number for LSGAN and WGAN. Every loss
here is *minimised* (the discriminator minimising its loss is D maximising V). A loss over an empty batch is 0
(a mean over nothing would be NaN); NaN or inf scores raise ``ValueError`` naming the argument.
"""

import torch
from torch.nn import functional as F

from utils import _validate


def _scores(x, name):
    return _validate.tensor(x, name)  # a finite float tensor (half precision computed in float32)


def _mean(t):
    return t.mean() if t.numel() else t.sum()  # a mean over an empty batch: 0, not NaN


def discriminator_loss(real_logits, fake_logits):
    """``-E[log D(x)] - E[log(1 - D(G(z)))]``: binary cross-entropy, real = 1, fake = 0.

    Minimising it is maximising V. ``D = sigmoid(logit)``; written with ``softplus`` so that it stays
    finite for large logits (``-log sigmoid(a) = softplus(-a)``, ``-log(1 - sigmoid(a)) = softplus(a)``).
    """
    real_logits, fake_logits = _scores(real_logits, "real_logits"), _scores(fake_logits, "fake_logits")
    return _mean(F.softplus(-real_logits)) + _mean(F.softplus(fake_logits))


def saturating_generator_loss(fake_logits):
    """``E[log(1 - D(G(z)))]``: the generator's term of V, minimised as in the minimax game.

    Its gradient w.r.t. the logit is ``-D(G(z))``: it vanishes when D confidently rejects fakes.
    """
    return _mean(-F.softplus(_scores(fake_logits, "fake_logits")))


def generator_loss(fake_logits):
    """The non-saturating generator loss ``-E[log D(G(z))]`` (Goodfellow et al., 2014, section 3).

    Same fixed point as the minimax loss, but its gradient w.r.t. the logit is ``-(1 - D(G(z)))``:
    strongest exactly when D rejects the fakes.
    """
    return _mean(F.softplus(-_scores(fake_logits, "fake_logits")))


def lsgan_discriminator_loss(real_scores, fake_scores):
    """LSGAN (Mao et al., 2017, eq. 2 with a = 0, b = 1): ``E[(D(x) - 1)^2] / 2 + E[D(G(z))^2] / 2``."""
    real_scores, fake_scores = _scores(real_scores, "real_scores"), _scores(fake_scores, "fake_scores")
    return 0.5 * _mean((real_scores - 1) ** 2) + 0.5 * _mean(fake_scores**2)


def lsgan_generator_loss(fake_scores):
    """LSGAN generator loss (c = 1): ``E[(D(G(z)) - 1)^2] / 2``."""
    return 0.5 * _mean((_scores(fake_scores, "fake_scores") - 1) ** 2)


def wgan_critic_loss(real_scores, fake_scores):
    """WGAN critic loss ``E[C(G(z))] - E[C(x)]`` (Arjovsky et al., 2017): minus the Wasserstein-1 estimate.

    It estimates W1 only if the critic C is 1-Lipschitz: add :func:`gradient_penalty` (WGAN-GP) or clip weights.
    """
    real_scores, fake_scores = _scores(real_scores, "real_scores"), _scores(fake_scores, "fake_scores")
    return _mean(fake_scores) - _mean(real_scores)


def wgan_generator_loss(fake_scores):
    """WGAN generator loss ``-E[C(G(z))]``."""
    return -_mean(_scores(fake_scores, "fake_scores"))


def gradient_penalty(critic, real, fake, eps=None):
    """WGAN-GP penalty ``E[(||grad_x C(x_hat)||_2 - 1)^2]`` (Gulrajani et al., 2017, eq. 3, without lambda).

    Args:
        critic: callable ``(B, d) -> (B, 1)`` or ``(B,)`` scores.
        real, fake: ``(B, d)`` tensors.
        eps: ``(B, 1)`` interpolation weights in [0, 1]; ``None`` draws them uniformly (torch's generator).

    ``x_hat = eps * real + (1 - eps) * fake`` lies on the straight line between a real and a fake sample;
    the gradient is taken with ``create_graph=True`` so the penalty can be back-propagated to the critic.
    In the critic's loss, ``fake`` is a constant (generated under ``torch.no_grad()``). An empty batch gives 0.
    """
    if not callable(critic):
        raise ValueError(f"critic must be callable, got {type(critic).__name__}")
    real, fake = _validate.tensor(real, "real", ndim=2), _validate.tensor(fake, "fake", ndim=2)
    if real.shape != fake.shape:
        raise ValueError(f"real and fake must be (B, d) tensors of the same shape, got {tuple(real.shape)} "
                         f"and {tuple(fake.shape)}")
    if eps is None:
        eps = torch.rand(real.shape[0], 1, dtype=real.dtype, device=real.device)
    eps = _validate.tensor(eps, "eps", low=0, high=1)
    if eps.shape != (real.shape[0], 1):
        raise ValueError(f"eps must be ({real.shape[0]}, 1), got {tuple(eps.shape)}")
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)  # (B, d)
    return _mean((grad.norm(2, dim=1) - 1) ** 2)


#: ``name -> (discriminator loss, generator loss)``; ``wgan-gp`` also adds ``gradient_penalty``.
LOSSES = {
    "saturating": (discriminator_loss, saturating_generator_loss),
    "non-saturating": (discriminator_loss, generator_loss),
    "lsgan": (lsgan_discriminator_loss, lsgan_generator_loss),
    "wgan-gp": (wgan_critic_loss, wgan_generator_loss),
}


def generator_gradients(d_fake):
    """``|dL_G / da|`` for both generator losses at discriminator outputs ``d_fake = sigmoid(a)`` (torch autograd).

    Args:
        d_fake: probabilities ``D(G(z))`` in (0, 1), any shape.

    Returns:
        ``{"saturating": ..., "non-saturating": ...}``, numpy arrays of the shape of ``d_fake``. By hand:
        ``D`` and ``1 - D``, so the saturating loss gives almost no gradient where ``D(G(z))`` is near 0.
    """
    d_fake = _validate.array(d_fake, "d_fake", low=0, high=1, low_open=True, high_open=True)
    out = {}
    for name, loss in (("saturating", saturating_generator_loss), ("non-saturating", generator_loss)):
        a = torch.logit(torch.tensor(d_fake, dtype=torch.float64)).requires_grad_(True)
        # the losses average over the batch; times numel they sum, so each element gets its own derivative
        (grad,) = torch.autograd.grad(loss(a) * a.numel(), a)
        out[name] = grad.abs().numpy()
    return out
