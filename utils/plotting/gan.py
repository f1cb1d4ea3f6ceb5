"""Drawings for ``notebooks/18_gan_minmax.ipynb`` and ``notebooks/19_classic_gans.ipynb``."""

import numpy as np

from utils.plotting.core import COLORS


def draw_gan_1d(ax, x, p_data, fake, D=None, bins=80, title=None):
    """One moment of a 1-D GAN: ``p_data`` (line), a histogram of the generated samples (``p_g``) and ``D(x)``.

    Args:
        x: ``(M,)`` grid; ``p_data``: ``(M,)`` density on it; ``fake``: ``(N,)`` or ``(N, 1)`` samples;
        D: ``(M,)`` discriminator probabilities on the grid, or ``None``.
    """
    fake = np.asarray(fake, dtype=float).ravel()
    ax.plot(x, p_data, color=COLORS["gt"], lw=2, label="p_data")
    ax.hist(fake, bins=bins, range=(x[0], x[-1]), density=True, color=COLORS["pred"], alpha=0.45, label="p_g (histogram)")
    if D is not None:
        ax.plot(x, D, "--", color=COLORS["kept"], lw=1.5, label="D(x)")
        ax.axhline(0.5, color=COLORS["dropped"], lw=0.8, ls=":")
    ax.set(xlim=(x[0], x[-1]), ylim=(0, 1.05), xlabel="x", ylabel="density / probability")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def draw_gan_2d(ax, fake, centres=None, grid=None, D=None, real=None, labels=None, title=None, lim=3.0):
    """Generated 2-D samples over the discriminator's surface.

    Args:
        fake: ``(N, 2)`` generated points; ``labels``: ``(N,)`` their conditions (colours them), or ``None``.
        centres: ``(K, 2)`` mode centres (crosses). real: ``(R, 2)`` real points (grey dots), or ``None``.
        grid: ``(G, G, 2)`` or ``(G*G, 2)`` square grid and ``D`` ``(G*G,)`` its scores, drawn as filled contours.
    """
    if grid is not None and D is not None:
        g = int(round(np.sqrt(len(D))))
        grid = np.asarray(grid).reshape(g, g, 2)
        ax.contourf(grid[..., 0], grid[..., 1], np.asarray(D).reshape(g, g), levels=15, cmap="Blues", alpha=0.8)
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=2, color=COLORS["dropped"], label="real")
    fake = np.asarray(fake)
    if labels is None:
        ax.scatter(fake[:, 0], fake[:, 1], s=2, color=COLORS["pred"], label="generated")
    else:
        ax.scatter(fake[:, 0], fake[:, 1], s=2, c=labels, cmap="tab10", vmin=0, vmax=9)
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", s=30, color="black", lw=1)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[-2, 0, 2], yticks=[-2, 0, 2])
    if title:
        ax.set_title(title, fontsize=9)
    return ax
