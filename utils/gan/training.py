"""Training on toy data: a discriminator against a fixed generator, and a whole GAN with any of the losses.

Taught in ``notebooks/18_gan_minmax.ipynb`` (``fit_discriminator`` approaches ``D*``; ``train_gan`` on a 1-D
mixture) and ``notebooks/19_classic_gans.ipynb`` (the loss zoo, mode collapse and a conditional GAN on a ring).
Both trainers seed a private copy of torch's random state: a run is deterministic on a given machine and the
caller's random numbers are left as they were.
"""

import numpy as np
import torch
from torch.nn import functional as F

from utils import _validate
from utils.gan.losses import LOSSES, discriminator_loss, gradient_penalty
from utils.gan.models import mlp
from utils.progress import progress


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
