"""Process diagrams of detection: where NMS sits in three detector families, and how COCO turns boxes into AP.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every diagram of the course). Used by
``notebooks/02_nms.ipynb`` (:func:`draw_nms_pipelines`) and ``notebooks/03_map.ipynb``
(:func:`draw_ap_pipeline`). Each function draws on one ``ax`` and returns the :class:`Diagram`; the numbers in the
labels are the papers' settings, written by the caller's defaults (nothing here computes a detector).
"""

from utils.plotting.diagrams import Diagram

#: The NMS steps are drawn in this kind (a warm fill), so the eye finds them in every lane.
NMS_KIND = "act"


def _lane(d, prefix, y, nodes, x0=0.0, step=2.75, w=2.45, h=0.8):
    """A left-to-right row of boxes joined by arrows; ``nodes`` is a list of ``(text, kind)``."""
    names = []
    for i, (text, kind) in enumerate(nodes):
        name = f"{prefix}{i}"
        d.box(name, x0 + i * step, y, text, kind=kind, w=w, h=h)
        if names:
            d.arrow(names[-1], name)
        names.append(name)
    return names


def draw_nms_pipelines(ax, rpn_nms=0.7, proposals=300, score_threshold=0.05, nms_threshold=0.5, per_level=1000,
                       detections=100, queries=100, title=None):
    """Where NMS runs in a two-stage detector (Faster R-CNN), a one-stage detector (RetinaNet) and a set-prediction
    detector (DETR). NMS steps are drawn in a warm colour.

    Defaults are the papers' test-time settings: Faster R-CNN (Ren et al. 2015, Sec. 3.3 and Table 2) runs NMS at
    IoU 0.7 on the RPN's proposals and gives the top 300 to the second stage; torchvision's Faster R-CNN then
    keeps class scores above 0.05, runs NMS at 0.5 per class and keeps 100 detections per image. RetinaNet (Lin et
    al. 2017, Sec. 4.1) keeps at most 1k predictions per FPN level above 0.05, then NMS at 0.5. DETR (Carion et al.
    2020) predicts a set of 100 boxes, trained one-to-one: no NMS.
    """
    d = Diagram(ax, fontsize=8)
    step = 2.75
    two = _lane(d, "a", 0.0, [
        ("image", "io"),
        ("backbone + RPN:\nobjectness of\nevery anchor", "conv"),
        (f"NMS at IoU {rpn_nms:g}\n(class-agnostic)", NMS_KIND),
        (f"top {proposals}\nproposals", "other"),
        ("RoI head: class\nscores + a box\nper class", "conv"),
        (f"score > {score_threshold:g}, NMS\nat {nms_threshold:g} per class", NMS_KIND),
        (f"top {detections}\nper image", "io"),
    ], step=step, h=1.0)
    _lane(d, "b", -1.6, [
        ("image", "io"),
        ("backbone + FPN +\ndense head: every\nanchor, every level", "conv"),
        (f"score > {score_threshold:g},\ntop {per_level:,} per level", "other"),
        (f"NMS at {nms_threshold:g}\n(levels merged)", NMS_KIND),
        ("detections", "io"),
    ], step=step, h=1.0)
    _lane(d, "c", -3.2, [
        ("image", "io"),
        ("backbone +\ntransformer\nencoder-decoder", "conv"),
        (f"{queries} queries,\none box each,\ntrained one-to-one", "other"),
        ("no NMS:\nkeep by score", "io"),
    ], step=step, h=1.0)
    left = -step * 0.5 - 0.2
    for y, text in ((0.0, "two-stage\n(Faster R-CNN)"), (-1.6, "one-stage\n(RetinaNet)"), (-3.2, "set prediction\n(DETR)")):
        d.label(left - 1.3, y, text, fontsize=8.5, color="#222222", ha="center")
    d.label(2 * step, 0.72, "fewer boxes for the second stage", fontsize=7.5, color="#7a4b00")
    d.label(3 * step, -1.6 + 0.72, "duplicates removed after the network", fontsize=7.5, color="#7a4b00")
    d.finish(title)
    ax.set_xlim(left - 2.2, ax.get_xlim()[1])
    return d


def draw_ap_pipeline(ax, iou_threshold="t", recall_points=101, title=None):
    """How a detector's boxes become COCO AP: per class, rank by score, match each image's detections to its
    ground truth (best still unmatched box with IoU >= t), turn TP/FP flags into running precision and recall, make
    precision monotone, read it at 101 recalls; then average over classes and the 10 IoU thresholds."""
    d = Diagram(ax, fontsize=8)
    step, w, h = 2.9, 2.6, 0.95
    top = _lane(d, "p", 0.0, [
        ("detections of one class,\nall images", "io"),
        ("sort by score\n(stable: ties keep\ntheir order)", "other"),
        (f"per image: take the best\nfree ground truth with\nIoU >= {iou_threshold}, else FP", "conv"),
        ("TP / FP flags,\nin score order", "other"),
    ], step=step, w=w, h=h)
    bottom = []
    for i, (text, kind) in enumerate([
        ("precision = TP_n / n\nrecall = TP_n / #GT", "conv"),
        ("envelope: best precision\nat this recall or beyond", "conv"),
        (f"AP: mean of the envelope\nat {recall_points} recalls 0, 0.01, ... 1", "pool"),
        ("mAP (COCO 'AP'): mean over\nclasses and IoU .50:.05:.95", "io"),
    ]):
        name = f"q{i}"
        d.box(name, (3 - i) * step, -1.55, text, kind=kind, w=w, h=h)  # right to left: the row snakes back
        if bottom:
            d.arrow(bottom[-1], name)
        bottom.append(name)
    d.arrow(top[-1], bottom[0], start="bottom", end="top")
    d.finish(title)
    return d
