"""Diagrams of the two detector families: Faster R-CNN with FPN (two stages) and RetinaNet's dense head (one stage),
and the tiled inference used for small objects.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every diagram of the course). Used by
``notebooks/06_one_vs_two_stage.ipynb`` (:func:`draw_two_stage`, :func:`draw_dense_head`) and
``notebooks/07_small_objects.ipynb`` (:func:`draw_tiled_inference`). Each function draws on one ``ax`` and returns
the :class:`Diagram`; the numbers in the labels are the caller's (nothing here computes a detector).
"""

from utils.plotting.diagrams import Diagram

#: Steps that only select or merge boxes (no learned weights) are drawn in this kind, so the eye finds them.
SELECT_KIND = "act"


def draw_two_stage(ax, anchors="102,300", proposals=1000, roi=7, fc=1024, classes=80, title=None):
    """Faster R-CNN with FPN (Ren et al. 2015; Lin et al. 2017, Sec. 4): stage 1, the RPN, scores every anchor of
    ``P2..P6`` as object or not and regresses it; NMS keeps ``proposals`` boxes. Stage 2 runs once per proposal:
    RoIAlign pools a ``roi x roi`` feature map from the level that suits its size, two fully connected layers of
    ``fc`` units, then ``classes + 1`` scores and a box per class; NMS per class.

    ``anchors``: the anchor count to print (a string, e.g. the caller's count at 640 px).
    """
    d = Diagram(ax, fontsize=8)
    s, w, h = 2.75, 2.45, 1.0
    d.box("img", 0, 0, "image\n(e.g. 640 x 640)", kind="io", w=w, h=h)
    d.box("bb", s, 0, "backbone\nResNet: C2..C5\n(strides 4..32)", w=w, h=h)
    d.box("fpn", 2 * s, 0, "FPN\nP2..P6, 256 ch", w=w, h=h)
    d.box("rpn", 3 * s, 0, "RPN head (shared):\n3x3 conv, then 1x1:\nobject? + 4 deltas", w=w, h=h)
    d.box("nms1", 4 * s, 0, f"{anchors} anchors ->\ndecode, NMS at 0.7,\ntop {proposals:,} proposals",
          kind=SELECT_KIND, w=w, h=h)
    y2 = -1.9
    d.box("align", 4 * s, y2, f"RoIAlign {roi}x{roi}\nper proposal\n(level by its size)", kind="pool", w=w, h=h)
    d.box("head", 5 * s, y2, f"box head:\n2 fc x {fc}", w=w, h=h)
    d.box("out", 6 * s, y2, f"{classes + 1} class scores\n+ {classes} x 4 deltas\nper proposal", kind="other",
          w=w, h=h)
    d.box("nms2", 6 * s, 0, "score > 0.05,\nNMS at 0.5\nper class", kind=SELECT_KIND, w=w, h=h)
    d.arrow("img", "bb")
    d.arrow("bb", "fpn")
    d.arrow("fpn", "rpn")
    d.arrow("rpn", "nms1")
    d.arrow("fpn", "align", start="bottom", end="left", bend=0.3)
    d.label(2.75 * s, y2 - 0.1, "features", ha="center")
    d.arrow("nms1", "align", text="boxes")
    d.arrow("align", "head")
    d.arrow("head", "out")
    d.arrow("out", "nms2", start="top", end="bottom")
    d.group(["rpn", "nms1"], "stage 1: dense, class-agnostic (once per image)")
    d.group(["align", "head", "out"])
    d.label(5 * s, y2 - h / 2 - 0.45, "stage 2: once per proposal", color="#777777")
    d.finish(title)
    return d


def draw_dense_head(ax, levels="P3..P7", sizes="80, 40, 20, 10, 5", channels=256, num_convs=4, anchors=9, classes=80,
                    candidates="76,725", title=None):
    """RetinaNet (Lin et al. 2017, Sec. 4 and Fig. 3): on every pyramid level, a class subnet (``num_convs`` 3x3
    convs of ``channels`` filters with ReLU, then a 3x3 conv with ``anchors * classes`` sigmoid outputs) and a box
    subnet (the same, ending in ``anchors * 4`` deltas), each shared by all levels; then a score threshold, the
    top 1k per level and NMS. ``sizes``: the grid side of each level (the caller's, e.g. at 640 px)."""
    d = Diagram(ax, fontsize=8)
    s, w, h = 2.9, 2.6, 1.0
    d.box("img", 0, 0, "image\n(e.g. 640 x 640)", kind="io", w=w, h=h)
    d.box("fpn", s, 0, f"backbone + FPN:\n{levels}, {channels} ch\ngrids {sizes}", w=w, h=h)
    yc, yb = 0.95, -0.95
    d.box("c", 2 * s, yc, f"class subnet:\n{num_convs} x (3x3 conv {channels}\n+ ReLU)", w=w, h=h)
    d.box("b", 2 * s, yb, f"box subnet:\n{num_convs} x (3x3 conv {channels}\n+ ReLU)", w=w, h=h)
    d.box("c2", 3 * s, yc, f"3x3 conv ->\n{anchors} x {classes} = {anchors * classes}\nsigmoids per cell", w=w, h=h)
    d.box("b2", 3 * s, yb, f"3x3 conv ->\n{anchors} x 4 = {anchors * 4}\ndeltas per cell", w=w, h=h)
    d.box("sel", 4 * s, 0, f"{candidates} anchors:\nscore > 0.05, top 1k\nper level, NMS 0.5",
          kind=SELECT_KIND, w=w, h=h)
    d.box("out", 5 * s, 0, "detections", kind="io", w=2.0, h=0.7)
    d.arrow("img", "fpn")
    d.arrow("fpn", "c", start="right", end="left")
    d.arrow("fpn", "b", start="right", end="left")
    d.arrow("c", "c2")
    d.arrow("b", "b2")
    d.arrow("c2", "sel", start="right", end="left")
    d.arrow("b2", "sel", start="right", end="left")
    d.arrow("sel", "out")
    d.group(["c", "b", "c2", "b2"], "the same weights on every level (one pass per level)")
    d.finish(title)
    return d


def draw_tiled_inference(ax, tile=160, overlap=32, upscale=3, title=None):
    """Tiled inference for small objects (as the SAHI library does): cut overlapping tiles, enlarge each, detect,
    shift every box back by its tile's corner (and undo the enlargement), then one NMS over all tiles; optionally
    the whole image too, for the large objects a tile cuts."""
    d = Diagram(ax, fontsize=8)
    s, w, h = 2.7, 2.4, 1.0
    d.box("img", 0, 0, "large image\nwith small objects", kind="io", w=w, h=h)
    d.box("cut", s, 0, f"cut tiles of {tile} px,\noverlap {overlap} px\n(>= largest object)", kind="other", w=w, h=h)
    d.box("up", 2 * s, 0, f"enlarge each\ntile x {upscale:g}", kind="other", w=w, h=h)
    d.box("det", 3 * s, 0, "detector on\neach tile\n(a batch)", w=w, h=h)
    d.box("shift", 4 * s, 0, f"boxes / {upscale:g}\n+ (tile x1, y1)", kind="other", w=w, h=h)
    d.box("nms", 5 * s, 0, "one NMS over\nall tiles' boxes", kind=SELECT_KIND, w=w, h=h)
    d.box("full", 3 * s, -1.5, "optional: detector on\nthe whole image\n(large objects)", w=w, h=h)
    for a, b in (("img", "cut"), ("cut", "up"), ("up", "det"), ("det", "shift"), ("shift", "nms")):
        d.arrow(a, b)
    d.arrow("img", "full", start="bottom", end="left", bend=0.2)
    d.arrow("full", "nms", start="right", end="bottom", bend=0.2)
    d.finish(title)
    return d
