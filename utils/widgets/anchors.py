"""Widget for ``notebooks/04_anchor_kmeans.ipynb``: choose k and the distance, see the anchors k-means finds."""

import functools

import ipywidgets as widgets
import matplotlib as mpl

from utils import anchors as A
from utils.data.sizes import coco_like_sizes
from utils.plotting import CYCLE
from utils.plotting.anchors import draw_anchor_rectangles, draw_size_clusters
from utils.widgets.explorer import Explorer, clear_artists, freeze_axis_labels, freeze_ticks, int_slider, new_figure, pin_titles



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
    pin_titles(*axes[0])
    max_points = 2000
    step = max(1, len(wh) // max_points)  # the same subsample draw_size_clusters shows
    palette = mpl.colors.to_rgba_array(CYCLE)  # the cluster colours as numbers: recolouring 3,000 points is then quick

    @functools.lru_cache(maxsize=None)
    def clusters(k, distance):
        anchors, assignment, _ = A.kmeans_anchors(wh, k, distance=distance, seed=0)
        return anchors, assignment

    # k-means takes longer than a redraw: run it once for every (k, distance) pair now, so moves only draw.
    for k_ in range(1, min(controls["k"].max, len(wh)) + 1):
        for distance_ in A.DISTANCES:
            clusters(k_, distance_)

    def draw(k, distance):
        anchors, assignment = clusters(k, distance)
        best = A.wh_iou(wh, anchors).max(axis=1)  # (N,)
        left, right = axes[0]
        title = f"{k} clusters, distance: {distance}"
        if not left.collections:
            # First draw: the scatter and its log-log axes are set up once, and the limits frozen (the sizes
            # do not change; the anchors lie among them). Later moves only recolour the points and move the crosses.
            draw_size_clusters(left, wh, assignment, anchors, title=title, max_points=max_points)
            left.autoscale_view()
            left.set_autoscale_on(False)
        else:
            left.collections[0].set_facecolor(palette[assignment[::step] % len(CYCLE)])
            left.lines[0].set_data(anchors[:, 0], anchors[:, 1])
            left.set_title(title)
        clear_artists(right)
        draw_anchor_rectangles(right, anchors, title="the anchors at one centre (px)")
        return {
            "avg IoU": float(best.mean()),
            "recall at IoU 0.5": float((best >= 0.5).mean()),
            "small boxes with IoU >= 0.5": float((best[small] >= 0.5).mean()),
            "smallest anchor (w x h)": f"{anchors[0, 0]:.1f} x {anchors[0, 1]:.1f}",
        }

    explorer = Explorer(controls, fig, draw, title="Anchor k-means: how many anchors, which distance")
    freeze_ticks(axes[0, 0])  # the scatter's limits are fixed (the right panel's follow the anchors)
    freeze_axis_labels(axes[0, 0])
    return explorer
