"""Widget for ``notebooks/04_anchor_kmeans.ipynb``: choose k and the distance, see the anchors k-means finds."""

import ipywidgets as widgets

from utils import anchors as A
from utils.data.sizes import coco_like_sizes
from utils.plotting.anchors import draw_anchor_rectangles, draw_size_clusters
from utils.widgets.explorer import Explorer, int_slider, new_figure


def anchor_kmeans_explorer(wh=None, k=5, distance="iou"):
    """Sliders for ``k`` and a toggle for the distance (``1 - IoU`` or Euclidean) over box sizes ``wh``.

    ``wh`` defaults to 3,000 synthetic COCO-like sizes (:func:`utils.data.sizes.coco_like_sizes`). Shows the
    sizes coloured by cluster with the anchors, and the anchors as rectangles; ``values`` holds the average
    IoU, the best possible recall at IoU 0.5, the share of small boxes (area < 32^2) whose best IoU is at
    least 0.5, and the smallest anchor.
    """
    wh = coco_like_sizes(3000, seed=1) if wh is None else A.as_sizes(wh)
    small = wh.prod(axis=1) < 32**2
    controls = {
        "k": int_slider(k, 1, 12, 1, "k (anchors)"),
        "distance": widgets.ToggleButtons(options=list(A.DISTANCES), value=distance, description="distance",
                                          style={"button_width": "90px", "description_width": "120px"}),
    }
    fig, axes = new_figure(1, 2, figsize=(7.2, 3.3))

    def draw(k, distance):
        anchors, assignment, _ = A.kmeans_anchors(wh, k, distance=distance, seed=0)
        best = A.wh_iou(wh, anchors).max(axis=1)  # (N,)
        for ax in axes[0]:
            ax.clear()
        draw_size_clusters(axes[0, 0], wh, assignment, anchors, title=f"{k} clusters, distance: {distance}", max_points=2000)
        draw_anchor_rectangles(axes[0, 1], anchors, title="the anchors at one centre (px)")
        return {
            "avg IoU": float(best.mean()),
            "recall at IoU 0.5": float((best >= 0.5).mean()),
            "small boxes with IoU >= 0.5": float((best[small] >= 0.5).mean()),
            "smallest anchor (w x h)": f"{anchors[0, 0]:.1f} x {anchors[0, 1]:.1f}",
        }

    return Explorer(controls, fig, draw, title="Anchor k-means: how many anchors, which distance")
