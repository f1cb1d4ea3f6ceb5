"""Drawing for ``notebooks/02_nms.ipynb``: candidate boxes coloured by what NMS did to them.

Score tags are placed so that they do not cover each other: several kept boxes of one crowded region (a face
and the small boxes inside it) would otherwise stack their tags at nearly the same corner.
"""

import numpy as np

from utils.plotting.core import COLORS, draw_boxes, show_image

#: Undecided boxes (dashed) in the step-by-step figures.
REMAINING_COLOR = "#f4a261"


def draw_nms_result(ax, image, boxes, scores, kept, suppressed=(), remaining=(), current=None,
                    newly_suppressed=(), title=None, label_kept=True, view=None, faded=False):
    """Draw ``image`` with boxes by status: ``remaining`` (dashed, undecided), ``suppressed`` (grey),
    ``newly_suppressed`` (orange), ``kept`` (dark blue, with score tags) and ``current`` (thick teal).

    ``boxes``: ``(N, 4)`` xyxy in image coordinates; the index arguments are sequences of ints. ``view``:
    ``(x1, y1, x2, y2)`` to zoom on a region (image coordinates), or None for the whole image. Tags of kept
    boxes never cover one another (:func:`place_tags`). ``faded=True`` shows an RGB image as light grey, so the
    coloured boxes stand out (and the PNG is several times smaller).
    """
    if image is not None:
        if faded and np.ndim(image) == 3:
            grey = np.asarray(image, float)[..., :3] @ np.array([0.299, 0.587, 0.114])  # (H, W) luma
            image = (0.5 * grey + 0.5 * 255).astype(np.uint8)  # halfway to white
        show_image(ax, image, title=title)
        if np.ndim(image) == 2:
            ax.images[-1].set_clim(0, 255)  # grey levels as they are, not stretched to black and white
    elif title:
        ax.set_title(title)
    if view is not None:
        x1, y1, x2, y2 = view
        ax.set_xlim(x1, x2)
        ax.set_ylim(y2, y1)  # y grows down
    boxes = np.asarray(boxes, dtype=float)
    scores = np.asarray(scores, dtype=float)
    for idx, style in (
        (remaining, dict(color=REMAINING_COLOR, linewidth=0.8, linestyle="--")),
        (suppressed, dict(color=COLORS["dropped"], linewidth=0.8)),
        (newly_suppressed, dict(color=COLORS["pred"], linewidth=1.5)),
    ):
        idx = np.asarray(idx, dtype=int)
        draw_boxes(ax, boxes[idx], **style)
    kept = np.asarray(kept, dtype=int)
    draw_boxes(ax, boxes[kept], color=COLORS["kept"], linewidth=2.0)
    if current is not None:
        draw_boxes(ax, boxes[[current]], color=COLORS["gt"], linewidth=3.5)
    if label_kept and len(kept):
        place_tags(ax, boxes[kept], [f"{s:.2f}" for s in scores[kept]], COLORS["kept"])
    return ax


def _tag_size(ax, text, fontsize):
    """Approximate ``(width, height)`` of a tag in data units (no rendering: from the font size and the
    axes' size on the figure), so a widget can place tags on every update cheaply."""
    fig = ax.figure
    pos = ax.get_position()
    px_w = pos.width * fig.get_figwidth() * fig.dpi  # axes size in pixels
    px_h = pos.height * fig.get_figheight() * fig.dpi
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    pt = fig.dpi / 72  # pixels per point
    w_px = (0.62 * fontsize * len(text) + 3) * pt  # average glyph width plus the box padding
    h_px = (1.3 * fontsize + 3) * pt
    return w_px * abs(x1 - x0) / px_w, h_px * abs(y1 - y0) / px_h


def _overlap(a, b):
    """Area of intersection of two ``(x1, y1, x2, y2)`` rectangles."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def place_tags(ax, boxes, texts, color, fontsize=8, avoid=()):
    """Write ``texts[i]`` in a small filled tag at a corner of ``boxes[i]`` (xyxy, image coordinates, y down),
    choosing for each tag, in order, the first corner where it covers no earlier tag and stays in view.

    ``color``: one colour or one per tag. ``avoid``: ``(x1, y1, x2, y2)`` rectangles (data units) that tags
    should not cover either, such as tags placed by an earlier call.

    Corners tried: above the top-left, below the bottom-left, above the top-right, below the bottom-right,
    then inside the top-left and bottom-right. If every corner collides, the one with the least overlap is
    used. Returns the list of text artists.
    """
    (vx0, vx1), (vy1, vy0) = ax.get_xlim(), ax.get_ylim()  # image axes: y limits are (bottom, top)
    view = (min(vx0, vx1), min(vy0, vy1), max(vx0, vx1), max(vy0, vy1))
    placed, artists = [tuple(r) for r in avoid], []
    colors = [color] * len(texts) if isinstance(color, str) else list(color)
    for (x1, y1, x2, y2), text, c in zip(np.asarray(boxes, float).reshape(-1, 4), texts, colors):
        w, h = _tag_size(ax, text, fontsize)
        # (rectangle of the tag, anchor point, ha, va) for each candidate corner
        options = [
            ((x1, y1 - h, x1 + w, y1), (x1, y1), "left", "bottom"),
            ((x1, y2, x1 + w, y2 + h), (x1, y2), "left", "top"),
            ((x2 - w, y1 - h, x2, y1), (x2, y1), "right", "bottom"),
            ((x2 - w, y2, x2, y2 + h), (x2, y2), "right", "top"),
            ((x1, y1, x1 + w, y1 + h), (x1, y1), "left", "top"),
            ((x2 - w, y2 - h, x2, y2), (x2, y2), "right", "bottom"),
        ]

        def cost(option):
            rect = option[0]
            outside = _overlap(rect, view) < 0.999 * w * h  # partly out of view
            return sum(_overlap(rect, p) for p in placed) + (w * h if outside else 0.0)

        best = min(options, key=cost)  # min keeps the first of equal costs: the preferred corner
        placed.append(best[0])
        (x, y), ha, va = best[1], best[2], best[3]
        artists.append(ax.text(x, y, text, color="white", fontsize=fontsize, ha=ha, va=va, clip_on=True,
                               bbox=dict(facecolor=c, edgecolor="none", pad=1.0, alpha=0.9)))
        artists[-1].tag_rect = best[0]  # where it went, for a later call's ``avoid``
    return artists
