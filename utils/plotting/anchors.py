"""Drawings for ``notebooks/04_anchor_kmeans.ipynb``: box sizes coloured by cluster, anchors as rectangles."""

import numpy as np

from utils.plotting.core import COLORS, CYCLE


def draw_size_clusters(ax, wh, assignment, anchors, title=None, max_points=4000):
    """Scatter of box sizes ``(N, 2)`` on log-log axes, coloured by ``assignment`` ``(N,)``; anchors ``(K, 2)``
    as black crosses. At most ``max_points`` boxes are drawn (an even stride through the data)."""
    wh, anchors = np.asarray(wh, float), np.asarray(anchors, float)
    step = max(1, len(wh) // max_points)
    colors = np.array(CYCLE)[np.asarray(assignment)[::step] % len(CYCLE)]
    ax.scatter(wh[::step, 0], wh[::step, 1], s=3, c=colors, alpha=0.5, linewidths=0)
    ax.plot(anchors[:, 0], anchors[:, 1], "x", color="black", ms=9, mew=2, label="anchors")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="box width (px)", ylabel="box height (px)")
    if title:
        ax.set_title(title)
    return ax


def draw_anchor_rectangles(ax, anchors, title=None, color=None, linestyle="-", label=None):
    """Anchors ``(K, 2)`` drawn as rectangles sharing one centre (the origin), in their own units."""
    anchors = np.asarray(anchors, float).reshape(-1, 2)
    for i, (w, h) in enumerate(anchors):
        c = color or CYCLE[i % len(CYCLE)]
        ax.add_patch(_rect(w, h, c, linestyle, label if i == 0 else None))
    half = anchors.max() / 2 * 1.08 if len(anchors) else 1
    ax.set_xlim(-half, half)
    ax.set_ylim(half, -half)
    ax.set_aspect("equal")
    ax.plot(0, 0, "+", color=COLORS["dropped"])
    if title:
        ax.set_title(title)
    return ax


def _rect(w, h, color, linestyle, label):
    from matplotlib.patches import Rectangle

    return Rectangle((-w / 2, -h / 2), w, h, fill=False, edgecolor=color, linewidth=1.8,
                     linestyle=linestyle, label=label)
