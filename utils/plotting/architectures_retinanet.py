"""Diagram of RetinaNet's dense head: the FPN levels P3-P7 and the two subnets that run on each of them.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every architecture notebook). Used by
``notebooks/05_focal_loss.ipynb`` (:func:`draw_retinanet_head`). The function draws on one ``ax`` and returns the
:class:`Diagram`; the numbers in the labels are the paper's settings passed in by the caller's defaults (nothing here
computes a network).
"""

from utils.plotting.diagrams import Diagram

#: Where the prior-probability bias sits: drawn in this kind (a warm fill), as the loss-specific part.
PRIOR_KIND = "act"


def _subnet(d, prefix, y, x0, convs, channels, last, out, step=1.45, w=1.25, h=0.62):
    """One subnet as a row: ``convs`` boxes "3x3 conv, channels" (+ ReLU), the last 3x3 conv, the output."""
    names = []
    for i in range(convs):
        name = f"{prefix}{i}"
        d.box(name, x0 + i * step, y, f"3x3 conv\n{channels}, ReLU", kind="conv", w=w, h=h)
        if names:
            d.arrow(names[-1], name)
        names.append(name)
    x = x0 + convs * step + 0.35
    d.box(f"{prefix}last", x + 0.2, y, last[0], kind=last[1], w=1.75, h=h)
    d.arrow(names[-1], f"{prefix}last")
    d.box(f"{prefix}out", x + 2.6, y, out, kind="io", w=2.5, h=h)
    d.arrow(f"{prefix}last", f"{prefix}out")
    return names + [f"{prefix}last"]


def draw_retinanet_head(ax, levels=(3, 4, 5, 6, 7), channels=256, convs=4, anchors_per_location=9, classes=80,
                        base_size=32, pi=0.01, positive_iou=0.5, negative_iou=0.4, title=None):
    """RetinaNet's head (Lin et al. 2017, Fig. 3 and Sec. 4): every FPN level ``P_l`` (stride ``2^l``, ``channels``
    channels) goes through the same two subnets. The classification subnet is ``convs`` 3x3 convs of ``channels``
    filters with ReLU, then a 3x3 conv with ``K A`` filters and a sigmoid per output (its bias set to
    ``-log((1 - pi) / pi)``); the box subnet has the same shape, ending in ``4 A`` linear outputs (class-agnostic
    offsets). Each subnet's weights are shared across levels; the two subnets do not share weights.

    Anchors: on ``P_l`` the base size is ``base_size * 2^(l - 3)`` (32 to 512 px on P3-P7), at three scales
    ``{2^0, 2^(1/3), 2^(2/3)}`` and three aspect ratios ``{1:2, 1:1, 2:1}``: ``A = 9`` per location. An anchor is
    a positive when its IoU with a ground-truth box is >= ``positive_iou``, background below ``negative_iou``, and
    ignored in between.
    """
    d = Diagram(ax, fontsize=8)
    levels = tuple(levels)
    A, K = anchors_per_location, classes
    dy = 0.95
    ys = {l: (l - levels[0]) * dy for l in levels}
    mid = (ys[levels[0]] + ys[levels[-1]]) / 2
    for l in levels:
        stride, size = 2 ** l, base_size * 2 ** (l - levels[0])
        d.box(f"P{l}", 0.0, ys[l], f"P{l}: stride {stride}, {channels} ch\nanchor scales {size}-{round(size * 2 ** (2 / 3))} px",
              kind="io", w=3.0, h=0.72)
    d.box("map", 3.7, mid, f"one level\nH x W x {channels}", kind="other", w=1.7, h=0.9)
    for l in levels:
        d.arrow(f"P{l}", "map", start="right", end="left")
    top, bottom = mid + 1.05, mid - 1.05
    x0 = 5.8
    cls = _subnet(d, "c", top, x0, convs, channels, (f"3x3 conv, K A\n= {K * A} filters", PRIOR_KIND),
                  f"sigmoid: H x W x {K * A}\nscores (K = {K}, A = {A})")
    box = _subnet(d, "b", bottom, x0, convs, channels, (f"3x3 conv, 4 A\n= {4 * A} filters", "conv"),
                  f"H x W x {4 * A}\nbox offsets")
    d.arrow("map", "c0", start="top", end="left")
    d.arrow("map", "b0", start="bottom", end="left")
    d.group(cls, text=f"class subnet: {convs} x (3x3 conv, {channels}) + last conv; weights shared by all levels")
    d.group(box, text=f"box subnet: same shape, its own weights (also shared by all levels)")
    x_last = d.nodes["clast"].x
    d.label(x_last, top - 0.66, f"its bias starts at -log((1 - pi) / pi), pi = {pi:g}", fontsize=7.5, color="#7a4b00",
            va="top")
    d.label(-1.5, ys[levels[-1]] + 0.75, f"FPN levels P{levels[0]}-P{levels[-1]}", ha="left", fontsize=8.5,
            color="#222222", va="bottom")
    note = (f"A = {A} anchors per location: 3 scales x 3 aspect ratios (1:2, 1:1, 2:1).  Training: IoU >= "
            f"{positive_iou:g} positive, < {negative_iou:g} background, in between ignored.")
    d.label(x0 - 2.0, ys[levels[0]] - 0.75, note, ha="left", fontsize=7.5, color="#222222", va="top")
    d.finish(title)
    return d
