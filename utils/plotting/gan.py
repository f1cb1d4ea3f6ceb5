"""Drawings for ``notebooks/18_gan_minmax.ipynb`` and ``notebooks/19_classic_gans.ipynb``.

Colours follow the course: real data in teal (``COLORS["gt"]``), generated samples in orange (``COLORS["pred"]``).
"""

import numpy as np

from utils.plotting.core import COLORS


def draw_gan_1d(ax, x, p_data, fake, D=None, bins=80, title=None, ymax=1.05, mark_clipped=False):
    """One moment of a 1-D GAN: ``p_data`` (line), a histogram of the generated samples (``p_g``) and ``D(x)``.

    Args:
        x: ``(M,)`` grid; ``p_data``: ``(M,)`` density on it; ``fake``: ``(N,)`` or ``(N, 1)`` samples;
        D: ``(M,)`` discriminator probabilities on the grid, or ``None``.
        ymax: top of the y axis (densities and D share it). mark_clipped: if a bar of the histogram rises above
            ``ymax``, write its height at the top of the axes instead of cutting it off silently.
    """
    fake = np.asarray(fake, dtype=float).ravel()
    ax.plot(x, p_data, color=COLORS["gt"], lw=2, label="p_data")
    heights, edges, _ = ax.hist(fake, bins=bins, range=(x[0], x[-1]), density=True, color=COLORS["pred"],
                                alpha=0.45, label="p_g (histogram)")
    if D is not None:
        ax.plot(x, D, "--", color=COLORS["kept"], lw=1.5, label="D(x)")
        ax.axhline(0.5, color=COLORS["dropped"], lw=0.8, ls=":")
    ax.set(xlim=(x[0], x[-1]), ylim=(0, ymax), xlabel="x", ylabel="density / probability")
    if mark_clipped and heights.max() > ymax:
        i = int(heights.argmax())
        ax.annotate(f"p_g peak {heights[i]:.1f}", ((edges[i] + edges[i + 1]) / 2, ymax), xytext=(4, -12),
                    textcoords="offset points", fontsize=8, color=COLORS["pred"], ha="left",
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["pred"], lw=0.8))
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def draw_gan_2d(ax, fake, centres=None, grid=None, D=None, real=None, labels=None, title=None, lim=3.0,
                d_kind="probability", colorbar=False):
    """Generated 2-D samples over the discriminator's surface, real samples on top.

    Args:
        fake: ``(N, 2)`` generated points (orange); ``labels``: ``(N,)`` their conditions (colours them), or ``None``.
        centres: ``(K, 2)`` mode centres (crosses). real: ``(R, 2)`` real points (small teal dots, drawn above the
            generated ones so that they stay visible), or ``None``.
        grid: ``(G, G, 2)`` or ``(G*G, 2)`` square grid and ``D`` ``(G*G,)`` its values, drawn as filled contours.
        d_kind: ``"probability"`` (``D = sigmoid(score)``: a fixed 0-1 colour scale, so panels compare) or
            ``"score"`` (a raw LSGAN or WGAN score: levels fitted to the values).
        colorbar: ``True`` adds a colourbar beside this panel that says what the shading means; a list of axes
            adds one bar beside all of them (panels that share the fixed probability scale; use a figure with
            ``layout="constrained"``).
    """
    if grid is not None and D is not None:
        g = int(round(np.sqrt(len(D))))
        grid = np.asarray(grid).reshape(g, g, 2)
        levels = np.linspace(0, 1, 11) if d_kind == "probability" else 15
        shading = ax.contourf(grid[..., 0], grid[..., 1], np.asarray(D).reshape(g, g), levels=levels, cmap="Blues",
                              alpha=0.8)
        if colorbar is not False and colorbar is not None:
            label = "D(x) = P(real)" if d_kind == "probability" else "raw score D(x)"
            ax.figure.colorbar(shading, ax=ax if colorbar is True else colorbar, shrink=0.75, pad=0.02, label=label,
                               ticks=[0, 0.5, 1] if d_kind == "probability" else None)
    if real is not None:  # drawn before the fakes (the widget relies on that order), shown above them (zorder)
        ax.scatter(real[:, 0], real[:, 1], s=1.5, color=COLORS["gt"], zorder=3, label="real")
    fake = np.asarray(fake)
    if labels is None:
        ax.scatter(fake[:, 0], fake[:, 1], s=2, color=COLORS["pred"], label="generated")
    else:
        ax.scatter(fake[:, 0], fake[:, 1], s=2, c=labels, cmap="tab10", vmin=0, vmax=9)
    if centres is not None:
        ax.scatter(centres[:, 0], centres[:, 1], marker="x", s=30, color="black", lw=1, zorder=4)
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[-2, 0, 2], yticks=[-2, 0, 2])
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def draw_mode_shares(ax, steps, shares, title=None):
    """Where a 2-D generator's samples go during training: the share nearest each mode at each snapshot.

    Args:
        steps: ``(S,)`` training steps of the snapshots. shares: ``(S, K)`` share of the samples whose nearest mode
            is ``k`` (rows sum to 1). A collapsed generator is one bright cell per column; one that covers every
            mode is an even column of ``1/K``.
    Returns the image (for a colourbar).
    """
    shares = np.asarray(shares, dtype=float)
    steps = np.asarray(steps)
    image = ax.imshow(shares.T, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1,
                      extent=(-0.5, len(steps) - 0.5, -0.5, shares.shape[1] - 0.5))
    every = max(1, len(steps) // 6)
    ax.set_xticks(range(0, len(steps), every), [str(s) for s in steps[::every]])
    ax.set_yticks(range(shares.shape[1]))
    ax.set(xlabel="training step", ylabel="nearest mode")
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=10)
    return image


def draw_mode_counts(ax, counts, n_samples, min_share=0.02, title=None, ymax=None):
    """High-quality samples per mode (bars), with the line a mode must reach to count as covered.

    Args:
        counts: ``(K,)`` from :func:`utils.gan.mode_coverage`; n_samples: how many samples were generated;
        min_share: the coverage threshold as a share of ``n_samples``. ymax: a shared top for compared panels.
    """
    counts = np.asarray(counts)
    covered = counts >= max(min_share * n_samples, 1)
    ax.bar(np.arange(len(counts)), counts, color=[COLORS["kept"] if c else COLORS["dropped"] for c in covered])
    ax.axhline(min_share * n_samples, color=COLORS["pred"], ls="--", lw=1, label=f"covered: {min_share:.0%} of samples")
    ax.axhline(n_samples / len(counts), color=COLORS["gt"], ls=":", lw=1, label="fair share")
    ax.set(xticks=range(len(counts)), xlabel="mode", ylabel="high-quality samples")
    if ymax is not None:
        ax.set_ylim(0, ymax)
    if title:
        ax.set_title(title, fontsize=9)
    return ax
