"""GANs on toy data: the minimax theory, the classic losses, a tiny trainer and mode-coverage metrics.

Taught in ``notebooks/18_gan_minmax.ipynb`` (theory, saturating vs non-saturating loss) and
``notebooks/19_classic_gans.ipynb`` (vanilla, non-saturating, LSGAN, WGAN-GP, conditional GAN).

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
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from utils import _validate
from utils.progress import progress

# --- the theory on a grid (numpy) ----------------------------------------------------------------------


def _densities(p_data, p_g, names=("p_data", "p_g")):
    p_data, p_g = (_validate.array(p, name, low=0) for p, name in zip((p_data, p_g), names))
    if p_data.shape != p_g.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {p_data.shape} and {p_g.shape}")
    return p_data, p_g


def optimal_discriminator(p_data, p_g):
    """The best discriminator for a fixed generator: ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``.

    Args:
        p_data, p_g: densities (or probabilities) at the same points, same shape, non-negative.

    Returns:
        ``D*`` at those points, same shape, in [0, 1]. Where both densities are 0, ``D*`` is
        undefined (it does not affect V); we return 0.5 there.
    """
    p_data, p_g = _densities(p_data, p_g)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def _kl_terms(p, q):
    # p log(p / q) with the convention 0 log(0 / q) = 0 (callers ensure q > 0 where p > 0); as log p - log q,
    # so that p / q cannot overflow
    positive = p > 0
    return np.where(positive, p * (np.log(np.where(positive, p, 1.0)) - np.log(np.where(positive, q, 1.0))), 0.0)


def kl_divergence(p, q, dx=1.0):
    """``KL(p || q) = sum p log(p / q) dx`` in nats (``inf`` where ``p > 0`` and ``q = 0``).

    ``p`` and ``q``: densities on a uniform grid of spacing ``dx`` (a Riemann sum), or probability
    vectors with ``dx = 1`` (``dx > 0``).
    """
    p, q = _densities(p, q, ("p", "q"))
    dx = _validate.number(dx, "dx", low=0, low_open=True)
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    return float(np.sum(_kl_terms(p, q)) * dx)


def js_divergence(p, q, dx=1.0):
    """Jensen-Shannon divergence ``JSD(p || q) = KL(p || m) / 2 + KL(q || m) / 2``, ``m = (p + q) / 2``.

    In nats: 0 for identical distributions, ``log 2`` (its maximum) for disjoint ones; symmetric.
    ``p``, ``q``: densities on a uniform grid of spacing ``dx``, or probability vectors with ``dx = 1``.
    """
    p, q = _densities(p, q, ("p", "q"))
    m = p / 2 + q / 2  # (p + q) / 2, which could overflow
    m = np.where(m > 0, m, np.maximum(p, q))  # half the smallest subnormal rounds to 0; m is 0 only where p = q = 0
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)


def value_function(D, p_data, p_g, dx=1.0):
    """``V(D, G) = integral of [p_data(x) log D(x) + p_g(x) log(1 - D(x))] dx`` on a uniform grid.

    ``D``: the discriminator's probabilities at the grid points, same shape as the densities. This is
    eq. 1 of the GAN paper written as an integral over x (``x = G(z)`` turns the second expectation
    into one over ``p_g``). Where ``D`` rounds to exactly 0 or 1 in floating point, the log is clipped
    at ``log(tiny) = -708`` instead of ``-inf`` (for ``D*`` those points carry a negligible density).
    """
    p_data, p_g = _densities(p_data, p_g)
    D = _validate.array(D, "D", low=0, high=1)
    dx = _validate.number(dx, "dx", low=0, low_open=True)
    if D.shape != p_data.shape:
        raise ValueError(f"D must have the shape of the densities {p_data.shape}, got {D.shape}")
    tiny = np.finfo(float).tiny
    return float(np.sum(p_data * np.log(np.maximum(D, tiny)) + p_g * np.log(np.maximum(1 - D, tiny))) * dx)


def kde_1d(samples, x, bandwidth=0.1):
    """Gaussian kernel density estimate of 1-D ``samples`` ``(N,)`` at the points ``x`` ``(M,)`` -> ``(M,)``
    (zeros for no samples)."""
    samples = _validate.array(samples, "samples").ravel()
    x = _validate.array(x, "x", ndim=1)
    bandwidth = _validate.number(bandwidth, "bandwidth", low=0, low_open=True)
    if samples.size == 0:
        return np.zeros_like(x)
    u = (x[:, None] - samples[None, :]) / bandwidth  # (M, N)
    return np.exp(-0.5 * u**2).sum(axis=1) / (samples.size * bandwidth * np.sqrt(2 * np.pi))


# --- the losses (torch; every one is minimised) ---------------------------------------------------------


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


# --- models and training ---------------------------------------------------------------------------------


def mlp(in_dim, out_dim, hidden=64, depth=2):
    """``depth`` hidden layers of ``hidden`` units with LeakyReLU(0.2): the G and D of the toy GANs."""
    in_dim, out_dim = _validate.integer(in_dim, "in_dim", low=1), _validate.integer(out_dim, "out_dim", low=1)
    hidden, depth = _validate.integer(hidden, "hidden", low=1), _validate.integer(depth, "depth", low=0)
    layers, width = [], in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def _as_data(data, name="data"):
    big = float(np.finfo(np.float32).max)  # the models are float32: larger values would become inf
    data = _validate.array(data, name, ndim=(1, 2), low=-big, high=big).astype(np.float32)
    if data.ndim == 1:
        data = data[:, None]  # (N,) -> (N, 1)
    if data.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty (N,) or (N, d) array, got shape {data.shape}")
    return torch.from_numpy(data)


def fit_discriminator(real, fake, steps=1000, hidden=64, batch_size=256, lr=3e-3, seed=0):
    """Train a D (``mlp``, logits) by binary cross-entropy on two fixed sample sets; the generator never moves.

    ``real``, ``fake``: ``(N,)`` or ``(N, d)`` arrays. With enough samples and steps, ``sigmoid(D(x))``
    approaches ``D*(x) = p_data / (p_data + p_g)`` (``notebooks/18_gan_minmax.ipynb``). Returns D.
    Deterministic for a given ``seed``; the caller's random numbers are left as they were.
    """
    real, fake = _as_data(real, "real"), _as_data(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake must have the same dimension, got {real.shape[1]} and {fake.shape[1]}")
    steps, batch_size = _validate.integer(steps, "steps", low=0), _validate.integer(batch_size, "batch_size", low=1)
    lr, seed = _validate.number(lr, "lr", low=0, low_open=True), _validate.integer(seed, "seed", low=0)
    with torch.random.fork_rng():  # a private copy of torch's random state: the caller's stream is untouched
        torch.manual_seed(seed)
        D = mlp(real.shape[1], 1, hidden)
        opt = torch.optim.Adam(D.parameters(), lr=lr)
        for _ in range(steps):
            x = real[torch.randint(len(real), (batch_size,))]
            x_fake = fake[torch.randint(len(fake), (batch_size,))]
            loss = discriminator_loss(D(x), D(x_fake))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return D


def train_gan(data, loss="non-saturating", steps=1000, labels=None, n_classes=0, z_dim=2, hidden=64,
              batch_size=256, lr=1e-3, betas=(0.5, 0.999), n_critic=1, gp_weight=10.0,
              snapshot_every=100, grid=None, n_fake=1000, seed=0, description=None, lr_D=None):
    """Train a GAN of two ``mlp``s on ``data`` with one of the :data:`LOSSES`; keep snapshots to look at later.

    Args:
        data: ``(N,)`` or ``(N, d)`` real samples; minibatches are drawn from it with replacement.
        loss: a key of :data:`LOSSES`.
        steps: generator updates; the discriminator gets ``n_critic`` updates before each.
        lr: Adam's learning rate for G, and for D unless ``lr_D`` is given. A generator that learns much faster
            than its discriminator collapses onto a few modes (the "Helvetica scenario" of Goodfellow et al.,
            2014, section 6: G "must not be trained too much without updating D").
        labels: ``(N,)`` int class of each sample and ``n_classes > 0`` for a conditional GAN (CGAN,
            Mirza and Osindero, 2014): G and D both receive the one-hot label concatenated to their input.
        grid: ``(M,)`` or ``(M, d)`` points where each snapshot evaluates D (unconditional GANs only).
        n_fake: generated samples per snapshot, always from the same noise ``z`` (and labels ``0, 1, ...``).
        seed: seeds a private copy of torch's random state: the run is deterministic on a given machine, and
            the caller's random numbers are left as they were.

    Returns:
        dict with ``G``, ``D``, ``history`` (``loss_D``, ``loss_G``: ``(steps,)`` arrays) and ``snapshots``,
        a list of dicts ``{"step", "fake": (n_fake, d), "fake_labels": (n_fake,) or None, "D": (M,) or None}``
        taken at step 0 (before training) and every ``snapshot_every`` steps. ``D`` is a probability for the
        sigmoid losses and the raw score for ``lsgan`` and ``wgan-gp``.
    """
    _validate.choice(loss, "loss", LOSSES)
    for name, value, low in (("steps", steps, 0), ("snapshot_every", snapshot_every, 1), ("n_classes", n_classes, 0),
                             ("z_dim", z_dim, 1), ("batch_size", batch_size, 1), ("n_critic", n_critic, 1),
                             ("n_fake", n_fake, 0), ("seed", seed, 0)):
        _validate.integer(value, name, low=low)
    lr, gp_weight = _validate.number(lr, "lr", low=0, low_open=True), _validate.number(gp_weight, "gp_weight", low=0)
    lr_D = lr if lr_D is None else _validate.number(lr_D, "lr_D", low=0, low_open=True)
    betas = tuple(_validate.array(betas, "betas", ndim=1, low=0, high=1, high_open=True).tolist())
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas}")
    d_loss_fn, g_loss_fn = LOSSES[loss]
    data = _as_data(data)
    N, dim = data.shape
    if n_classes:
        labels = np.asarray(labels)
        if labels.dtype.kind not in "iu" or labels.shape != (N,) or labels.min() < 0 or labels.max() >= n_classes:
            raise ValueError(f"labels must be ({N},) ints in [0, {n_classes})")
        labels = torch.as_tensor(labels, dtype=torch.int64)
    elif labels is not None:
        raise ValueError("labels are given but n_classes is 0 (a conditional GAN needs n_classes > 0)")
    grid_t = None if grid is None else _as_data(grid, "grid")
    if grid_t is not None and grid_t.shape[1] != dim:
        raise ValueError(f"grid must have the dimension of data ({dim}), got {grid_t.shape[1]}")
    with torch.random.fork_rng():  # a private copy of torch's random state: the caller's stream is untouched
        torch.manual_seed(seed)
        G = mlp(z_dim + n_classes, dim, hidden)
        D = mlp(dim + n_classes, 1, hidden)
        opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
        opt_D = torch.optim.Adam(D.parameters(), lr=lr_D, betas=betas)

        def cond(x, y):
            # CGAN: append the one-hot condition to the input of G and of D
            return x if not n_classes else torch.cat([x, F.one_hot(y, n_classes).to(x.dtype)], dim=1)

        z_fixed = torch.randn(n_fake, z_dim)
        y_fixed = torch.arange(n_fake) % n_classes if n_classes else None

        def snapshot(step):
            with torch.no_grad():
                fake = G(cond(z_fixed, y_fixed)).numpy()
                d_grid = None
                if grid_t is not None and not n_classes:
                    scores = D(grid_t)[:, 0]
                    d_grid = (torch.sigmoid(scores) if d_loss_fn is discriminator_loss else scores).numpy()
            fake_labels = None if y_fixed is None else y_fixed.numpy()
            return {"step": step, "fake": fake, "fake_labels": fake_labels, "D": d_grid}

        history = {"loss_D": np.zeros(steps), "loss_G": np.zeros(steps)}
        snapshots = [snapshot(0)]
        def train_step(step):
            for _ in range(n_critic):
                idx = torch.randint(N, (batch_size,))
                x, y = data[idx], (labels[idx] if n_classes else None)
                with torch.no_grad():
                    x_fake = G(cond(torch.randn(batch_size, z_dim), y))
                loss_D = d_loss_fn(D(cond(x, y)), D(cond(x_fake, y)))
                if loss == "wgan-gp":
                    loss_D = loss_D + gp_weight * gradient_penalty(lambda u: D(cond(u, y)), x, x_fake)
                opt_D.zero_grad()
                loss_D.backward()
                opt_D.step()
            y = labels[torch.randint(N, (batch_size,))] if n_classes else None
            loss_G = g_loss_fn(D(cond(G(cond(torch.randn(batch_size, z_dim), y)), y)))
            opt_G.zero_grad()
            loss_G.backward()
            opt_G.step()
            history["loss_D"][step - 1], history["loss_G"][step - 1] = loss_D.item(), loss_G.item()

        # the bar advances once per snapshot interval: a few widget messages per run, not one per step
        starts = range(1, steps + 1, snapshot_every)
        for start in progress(starts, total=len(starts), description=description or loss):
            for step in range(start, min(start + snapshot_every, steps + 1)):
                train_step(step)
                if step % snapshot_every == 0:
                    snapshots.append(snapshot(step))
    return {"G": G, "D": D, "loss": loss, "history": history, "snapshots": snapshots}


# --- evaluation on the ring of Gaussians ------------------------------------------------------------


def nearest_mode(samples, centres):
    """Index ``(N,)`` and distance ``(N,)`` of the nearest centre ``(K, d)`` for each sample ``(N, d)`` (no samples:
    two empty arrays)."""
    centres = _validate.array(centres, "centres", ndim=2)
    if centres.shape[0] == 0:
        raise ValueError(f"centres must be a non-empty (K, d) array, got shape {centres.shape}")
    samples = _validate.array(samples, "samples")
    if samples.size == 0:
        samples = samples.reshape(0, centres.shape[1])
    if samples.ndim != 2 or samples.shape[1] != centres.shape[1]:
        raise ValueError(f"samples must be (N, {centres.shape[1]}), got shape {samples.shape}")
    dist = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)  # (N, K)
    index = dist.argmin(axis=1) if len(samples) else np.zeros(0, dtype=np.int64)
    return index, dist[np.arange(len(samples)), index]


def mode_coverage(samples, centres, sigma, n_sigma=3.0, min_share=0.02):
    """How many modes a generator covers, and how many of its samples are good.

    A sample is *high quality* if it lies within ``n_sigma * sigma`` of its nearest centre. A mode is
    *covered* if at least ``min_share`` of all samples are high-quality samples of that mode (the toy-data
    protocol of VEEGAN, Srivastava et al., 2017, with our own thresholds).

    Args:
        samples: ``(N, d)`` generated points. centres: ``(K, d)`` mode centres. sigma: the modes' standard deviation.

    Returns:
        ``{"modes": int, "high_quality": float share in [0, 1], "counts": (K,) high-quality samples per mode}``;
        for no samples, 0 modes and share 0.
    """
    sigma = _validate.number(sigma, "sigma", low=0, low_open=True)
    n_sigma = _validate.number(n_sigma, "n_sigma", low=0, low_open=True)
    min_share = _validate.number(min_share, "min_share", 0, 1)
    index, dist = nearest_mode(samples, centres)
    good = dist <= n_sigma * sigma
    counts = np.bincount(index[good], minlength=len(centres))
    n = max(len(index), 1)
    covered = (counts >= min_share * n) & (counts > 0)
    return {"modes": int(covered.sum()), "high_quality": float(good.sum() / n), "counts": counts}


# --- DCGAN's generator: transposed convolutions (image GANs; nothing is trained here) ----------------------


def conv_transpose_size(size, kernel, stride=1, padding=0, output_padding=0):
    """Output size of ``nn.ConvTranspose2d`` along one axis (torch's formula, dilation 1)::

        (size - 1) * stride - 2 * padding + kernel + output_padding

    It inverts the size formula of ``nn.Conv2d`` with the same ``kernel, stride, padding``. DCGAN's layers:
    ``kernel 4, stride 1, padding 0`` turns 1 into 4; ``kernel 4, stride 2, padding 1`` doubles any size.
    ``output_padding`` must be smaller than ``stride`` (torch's rule); a result below 1 raises ``ValueError``.
    """
    size, kernel = _validate.integer(size, "size", low=1), _validate.integer(kernel, "kernel", low=1)
    stride, padding = _validate.integer(stride, "stride", low=1), _validate.integer(padding, "padding", low=0)
    output_padding = _validate.integer(output_padding, "output_padding", low=0)
    if output_padding >= stride:
        raise ValueError(f"output_padding must be smaller than stride ({stride}), got {output_padding}")
    out = (size - 1) * stride - 2 * padding + kernel + output_padding
    if out < 1:
        raise ValueError(f"padding {padding} is too large: the output size would be {out}")
    return out


def dcgan_generator(z_dim=100, widths=(1024, 512, 256, 128), channels=3):
    """DCGAN's generator (Radford et al., 2016, section 3 and Fig. 1), as ``nn.Sequential`` (untrained).

    ``(B, z_dim, 1, 1)`` noise -> ``(B, channels, S, S)`` images in [-1, 1] with ``S = 4 * 2 ** len(widths)``
    (64 for the default). The first transposed convolution (kernel 4, stride 1) is the paper's "project and
    reshape" to a 4x4 map of ``widths[0]`` channels; each next one (kernel 4, stride 2, padding 1) doubles the size.
    BatchNorm and ReLU after every layer but the last, which ends in tanh; no pooling, no fully connected layer.
    The default widths are the paper's Fig. 1; torch's ``examples/dcgan/main.py`` uses half of them (``ngf = 64``).
    """
    z_dim, channels = _validate.integer(z_dim, "z_dim", low=1), _validate.integer(channels, "channels", low=1)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of channel counts, got {widths!r}")
    widths = [_validate.integer(w, "widths", low=1) for w in widths]
    layers, c_in = [], z_dim
    for i, c_out in enumerate(widths):
        stride, padding = (1, 0) if i == 0 else (2, 1)  # 1x1 -> 4x4, then 2x per layer
        # no bias: the BatchNorm that follows has its own shift
        layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride, padding, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        c_in = c_out
    layers += [nn.ConvTranspose2d(c_in, channels, 4, 2, 1, bias=False), nn.Tanh()]  # no BatchNorm on the output
    return nn.Sequential(*layers)


def shape_trace(model, x):
    """The shape after every layer of an ``nn.Sequential``: ``[("input", shape), ("0 ConvTranspose2d", shape), ...]``.

    Runs ``x`` (a tensor) through the layers one at a time, without gradients and in eval mode (BatchNorm then
    accepts a batch of one); the model's mode is restored afterwards.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"model must be an nn.Sequential, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"x must be a float tensor, got {type(x).__name__}")
    trace, was_training = [("input", tuple(x.shape))], model.training
    model.eval()
    try:
        with torch.no_grad():
            for i, layer in enumerate(model):
                x = layer(x)
                trace.append((f"{i} {type(layer).__name__}", tuple(x.shape)))
    finally:
        model.train(was_training)
    return trace
