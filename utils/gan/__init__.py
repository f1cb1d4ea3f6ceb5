"""GANs on toy data: the minimax theory, the classic losses, small models, a tiny trainer and mode-coverage metrics.

Taught in ``notebooks/18_gan_minmax.ipynb`` (theory, saturating vs non-saturating loss) and
``notebooks/19_classic_gans.ipynb`` (vanilla, non-saturating, LSGAN, WGAN-GP, conditional GAN, DCGAN).
One file per topic, each read top to bottom:

* ``theory.py``: the game on a grid (numpy): ``D*``, the KL and JS divergences, the value function ``V(D, G)``,
  a kernel density estimate.
* ``losses.py``: the losses (torch): GAN (saturating and non-saturating), LSGAN, WGAN, WGAN-GP's gradient penalty,
  the table :data:`LOSSES`, and the generator's gradient under each sigmoid loss.
* ``models.py``: the networks: the toy GANs' ``mlp``; DCGAN's generator and its transposed-convolution sizes.
* ``training.py``: a discriminator trained against a fixed generator; a whole GAN trained with any of the losses.
* ``modes.py``: how many modes of a ring of Gaussians a generator covers.

The game (Goodfellow et al., 2014, eq. 1)::

    min_G max_D V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 - D(G(z)))]

The discriminator *maximises* V, the generator *minimises* it. For a fixed G the best D is
``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (Proposition 1) and then
``V(D*, G) = -log 4 + 2 JSD(p_data || p_g)`` (Theorem 1).

Conventions: discriminators output a raw score (a *logit* for the sigmoid losses, a real number for
LSGAN and WGAN); every loss here is *minimised*; densities are numpy arrays on a uniform grid. Bad input
(NaN or inf scores, negative densities, a grid spacing ``dx <= 0``, an unknown loss) raises ``ValueError``
naming the argument. Sums over an empty grid are 0, and so is a loss over an empty batch (a
mean over nothing would be NaN).

Every public name is re-exported here: ``from utils.gan import train_gan`` and ``utils.gan.js_divergence`` work.
"""

from utils.gan.theory import js_divergence, kde_1d, kl_divergence, optimal_discriminator, value_function
from utils.gan.losses import (
    LOSSES, discriminator_loss, generator_gradients, generator_loss, gradient_penalty, lsgan_discriminator_loss,
    lsgan_generator_loss, saturating_generator_loss, wgan_critic_loss, wgan_generator_loss)
from utils.gan.models import conv_transpose_size, dcgan_generator, mlp, shape_trace
from utils.gan.training import fit_discriminator, train_gan
from utils.gan.modes import mode_coverage, nearest_mode

__all__ = [
    "optimal_discriminator", "kl_divergence", "js_divergence", "value_function", "kde_1d",
    "discriminator_loss", "saturating_generator_loss", "generator_loss", "lsgan_discriminator_loss",
    "lsgan_generator_loss", "wgan_critic_loss", "wgan_generator_loss", "gradient_penalty", "LOSSES",
    "generator_gradients",
    "mlp", "conv_transpose_size", "dcgan_generator", "shape_trace",
    "fit_discriminator", "train_gan",
    "nearest_mode", "mode_coverage",
]
