"""Drawing for ``notebooks/02_nms.ipynb``: candidate boxes coloured by what NMS did to them."""

import numpy as np

from utils.plotting.core import COLORS, draw_boxes, show_image


def draw_nms_result(ax, image, boxes, scores, kept, suppressed=(), remaining=(), current=None,
                    newly_suppressed=(), title=None, label_kept=True):
    """Draw ``image`` with boxes by status: ``remaining`` (dashed, undecided), ``suppressed`` (grey),
    ``newly_suppressed`` (orange), ``kept`` (dark blue, with scores) and ``current`` (thick).

    ``boxes``: ``(N, 4)`` xyxy in image coordinates; the index arguments are sequences of ints.
    """
    if image is not None:
        show_image(ax, image, title=title)
    elif title:
        ax.set_title(title)
    boxes = np.asarray(boxes, dtype=float)
    scores = np.asarray(scores, dtype=float)
    for idx, style in (
        (remaining, dict(color="#f4a261", linewidth=0.8, linestyle="--")),
        (suppressed, dict(color=COLORS["dropped"], linewidth=0.8)),
        (newly_suppressed, dict(color=COLORS["pred"], linewidth=1.5)),
    ):
        idx = np.asarray(idx, dtype=int)
        draw_boxes(ax, boxes[idx], **style)
    kept = np.asarray(kept, dtype=int)
    draw_boxes(ax, boxes[kept], scores=scores[kept] if label_kept else None, color=COLORS["kept"], linewidth=2.0)
    if current is not None:
        draw_boxes(ax, boxes[[current]], color=COLORS["gt"], linewidth=3.5)
    return ax
