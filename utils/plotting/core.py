"""The course's figure style, colours and the small drawing helpers every topic shares.

The topic modules (``utils/plotting/<topic>.py``) import what they share from here, never from the
``utils.plotting`` package, so any of them can be imported first. ``utils.plotting`` re-exports all of it.

Compute functions never draw; these functions only draw. Call :func:`use_course_style` once at the top
of a notebook (``utils.setup_notebook()`` does it for you).
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

# One palette for the whole course: ground truth, prediction, then the rest.
COLORS = {
    "gt": "#2a9d8f",  # ground truth: teal
    "pred": "#e76f51",  # prediction: orange
    "kept": "#264653",  # kept after NMS: dark blue
    "dropped": "#b0b0b0",  # suppressed: grey
    "accent": "#e9c46a",  # intersection, highlights: yellow
}
CYCLE = ["#264653", "#e76f51", "#2a9d8f", "#e9c46a", "#8e7dbe", "#f4a261", "#6c757d", "#d62828"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "figure.autolayout": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=CYCLE),
}


def use_course_style():
    """Apply the course-wide matplotlib style (modest PNG figures, labelled axes, one palette)."""
    mpl.rcParams.update(STYLE)


def image_axes(ax, width, height, title=None):
    """Set up ``ax`` for drawing in image coordinates: origin at the top-left, y pointing down."""
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_aspect("equal")
    ax.set_xlabel("x (px)")
    ax.set_ylabel("y (px)")
    if title:
        ax.set_title(title)
    return ax


def draw_boxes(ax, boxes, labels=None, scores=None, color=None, linewidth=2.0, linestyle="-", fill_alpha=0.0):
    """Draw ``(N, 4)`` xyxy boxes on ``ax`` (image coordinates: y grows down).

    ``labels`` (N strings) and ``scores`` (N floats) are written at each box's top-left corner.
    ``color`` is one colour for all boxes or a list of N colours. Returns the list of patches.
    """
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    n = len(boxes)
    colors = [color] * n if color is None or isinstance(color, str) else list(color)
    patches = []
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        c = colors[i] or CYCLE[i % len(CYCLE)]
        rect = mpl.patches.Rectangle(
            (x1, y1), x2 - x1, y2 - y1, fill=fill_alpha > 0, facecolor=c, alpha=None,
            edgecolor=c, linewidth=linewidth, linestyle=linestyle,
        )
        if fill_alpha > 0:
            rect.set_facecolor(mpl.colors.to_rgba(c, fill_alpha))
        if ax.get_autoscale_on():
            ax.add_patch(rect)  # the axes grow to fit the box
        else:  # limits already fixed (an image, a widget): skip the data-limit bookkeeping, 5x cheaper per box
            rect.set_clip_path(ax.patch)
            ax.add_artist(rect)
        patches.append(rect)
        text = " ".join(
            part for part in (
                None if labels is None else str(labels[i]),
                None if scores is None else f"{scores[i]:.2f}",
            ) if part
        )
        if text:
            ax.text(x1, y1, text, color="white", fontsize=8, va="bottom", ha="left",
                    bbox=dict(facecolor=c, edgecolor="none", pad=1.0, alpha=0.85), clip_on=True)
    return patches


def show_image(ax, image, title=None):
    """Show an ``(H, W)`` or ``(H, W, 3)`` image in pixel coordinates without axis ticks."""
    ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


def subplots(nrows=1, ncols=1, size=3.2, **kwargs):
    """``plt.subplots`` with panels of ``size`` inches each: a grid of figures in the course style."""
    kwargs.setdefault("figsize", (size * ncols, size * nrows))
    return plt.subplots(nrows, ncols, squeeze=False, **kwargs)
