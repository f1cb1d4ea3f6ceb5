"""Drawing for ``notebooks/14_fpn.ipynb``: the P2-P5 levels of a feature pyramid, and which one pools a region."""

import matplotlib as mpl

from utils.plotting.core import COLORS

STRIDES = {2: 4, 3: 8, 4: 16, 5: 32}  # level k has stride 2^k


def draw_pyramid(ax, image_size, level=None, box=None):
    """Draw the P2..P5 grids of an ``image_size`` image as stacked planes, highlighting ``level`` and ``box``
    (``(w, h)`` in input pixels, drawn at the centre of that level's plane, in that level's cells)."""
    ax.clear()
    ax.set_xlim(-0.05 * image_size, 1.75 * image_size)
    ax.set_ylim(-0.05 * image_size, 4.6 * image_size / 2.2)
    ax.set_aspect("equal")
    ax.axis("off")
    for i, (k, s) in enumerate(STRIDES.items()):
        y0 = i * image_size / 2.0  # P2 at the bottom, P5 on top
        side = image_size / 2 ** i * 0.9 + 0.1 * image_size  # a shrinking plane, to suggest the pyramid
        x0 = (image_size - side) / 2
        active = k == level
        color = COLORS["pred"] if active else COLORS["kept"]
        ax.add_patch(mpl.patches.Rectangle((x0, y0), side, image_size / 2.6, fill=True,
                                           facecolor=mpl.colors.to_rgba(color, 0.18 if active else 0.06),
                                           edgecolor=color, linewidth=2.5 if active else 1.0))
        cells = image_size // s
        ax.text(x0 + side + 0.04 * image_size, y0 + image_size / 5.2,
                f"P{k}: stride {s}, {cells}x{cells} cells", va="center", fontsize=9,
                color=color, fontweight="bold" if active else "normal")
        if active and box is not None:
            w, h = box
            cx, cy = x0 + side / 2, y0 + image_size / 5.2
            scale = side / image_size  # plane units per input pixel
            bw, bh = max(w * scale, 1e-3), max(h * scale, 1e-3)
            ax.add_patch(mpl.patches.Rectangle((cx - bw / 2, cy - bh / 2), bw, bh, fill=False,
                                               edgecolor=COLORS["gt"], linewidth=2))
    return ax
