"""Diagrams of the multi-scale blocks: FPN, SPPNet's spatial pyramid pooling, YOLO's SPP and SPPF.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every architecture notebook). Used by
``notebooks/14_fpn.ipynb`` (:func:`draw_fpn`) and ``notebooks/15_spp.ipynb`` (:func:`draw_sppnet`,
:func:`draw_spp_vs_sppf`). Each function draws on one ``ax`` and returns the :class:`Diagram`; the channel numbers
in the labels are the caller's (nothing here computes a network).
"""

import matplotlib.patches as mpatches

from utils.plotting.diagrams import KIND_COLORS, Diagram


def draw_fpn(ax, channels=(256, 512, 1024, 2048), d=256, p6=True, title=None):
    """Feature Pyramid Network (Lin et al. 2017, Fig. 3): the backbone's stages ``C2..C5`` (bottom-up, left), a
    lateral 1x1 conv per level, the top-down pathway (nearest-neighbour x2 upsampling, element-wise addition), a
    3x3 conv per merged map, the outputs ``P2..P5`` and, for the RPN, ``P6`` subsampled from ``P5``.

    ``channels``: the widths of ``C2..C5`` (ResNet-50's by default); ``d``: the width of every ``P`` level.
    """
    d_ = Diagram(ax, fontsize=8.5)
    levels = range(2, 2 + len(channels))
    dy = 1.3
    xC, xL, xM, xS, xP = 0.0, 3.3, 5.6, 8.0, 10.4
    y = {l: (l - 2) * dy for l in levels}
    top = max(levels)
    d_.box("img", xC, -dy, "input image", kind="io", w=2.8)
    for l, c in zip(levels, channels):
        d_.box(f"C{l}", xC, y[l], f"C{l}: {c} ch, stride {2 ** l}", w=2.8)
        d_.box(f"L{l}", xL, y[l], f"1x1 conv -> {d}", w=2.0)
        if l == top:
            d_.box(f"M{l}", xM, y[l], f"M{l}", kind="other", w=0.7, h=0.45)
        else:
            d_.op(f"M{l}", xM, y[l], "+")
        d_.box(f"S{l}", xS, y[l], "3x3 conv", w=1.5)
        d_.box(f"P{l}", xP, y[l], f"P{l}: {d} ch", kind="io", w=1.8)
        d_.arrow(f"C{l}", f"L{l}")
        d_.arrow(f"L{l}", f"M{l}")
        d_.arrow(f"M{l}", f"S{l}")
        d_.arrow(f"S{l}", f"P{l}")
    d_.arrow("img", "C2", text="stem")
    for l in levels:
        if l < top:
            d_.arrow(f"C{l}", f"C{l + 1}", text="stage: size / 2")
            d_.arrow(f"M{l + 1}", f"M{l}", text="upsample x2\n(nearest)")
    if p6:
        d_.box("P6", xP, y[top] + dy, "P6 (RPN only)", kind="io", w=1.8)
        d_.arrow(f"P{top}", "P6", text="subsample / 2")
    head = y[top] + (1.95 if p6 else 0.75) * dy
    for x, text in ((xC, "bottom-up pathway\n(the backbone)"), (xL, "lateral\nconnections"),
                    (xM, "top-down\npathway"), (xS, "against upsampling\naliasing"), (xP, "outputs: one head\nshared by all levels")):
        d_.label(x, head, text, fontsize=8, color="#222222", va="bottom")
    d_.finish(title)
    return d_


def _grid_icon(ax, x, y, size, n, color):
    """An ``n x n`` grid of bins, a square of side ``size`` centred at ``(x, y)``."""
    x0, y0 = x - size / 2, y - size / 2
    ax.add_patch(mpatches.Rectangle((x0, y0), size, size, facecolor=KIND_COLORS["pool"], edgecolor=color,
                                    linewidth=1.0, zorder=3))
    for i in range(1, n):
        t = size * i / n
        ax.plot([x0 + t, x0 + t], [y0, y0 + size], color=color, lw=0.8, zorder=4)
        ax.plot([x0, x0 + size], [y0 + t, y0 + t], color=color, lw=0.8, zorder=4)


def draw_sppnet(ax, levels=(4, 2, 1), channels=256, fc=4096, title=None):
    """SPPNet's spatial pyramid pooling layer (He et al. 2015, Fig. 3): the last conv map, of any size, max-pooled
    into ``n x n`` bins for each ``n`` in ``levels``; the results concatenated into a vector of fixed length
    ``channels * sum(n^2)``, which the fully connected layers need."""
    d = Diagram(ax, fontsize=8)
    k = channels
    d.box("img", 0, 0, "image,\nany size", kind="io", w=1.5, h=0.9)
    d.box("conv", 2.5, 0, "conv\nlayers", w=1.3, h=0.9)
    d.box("map", 5.0, 0, f"last conv map\n{k} x H x W\n(H, W vary)", kind="io", w=2.1, h=1.2)
    d.arrow("img", "conv")
    d.arrow("conv", "map")
    ys = [1.3 * (len(levels) - 1) / 2 - 1.3 * i for i in range(len(levels))]
    for n, y in zip(levels, ys):
        d.box(f"pool{n}", 8.9, y, f"max-pool into\n{n}x{n} bins: {n * n} x {k}", kind="pool", w=2.6, h=0.8)
        _grid_icon(ax, 10.75, y, 0.7, n, "#2f6f3e")
        d.arrow("map", f"pool{n}", start="right", end="left")
    d.op("cat", 12.1, 0, "C")
    for n in levels:
        d.arrow(f"pool{n}", "cat", start="right", end="left")
    total = sum(n * n for n in levels)
    d.box("vec", 14.5, 0, f"fixed length:\n{total} x {k}\n= {total * k:,}", kind="io", w=2.0, h=1.2)
    d.box("fc", 17.1, 0, f"fc6, fc7\n({fc}-d)", w=1.5, h=0.9)
    d.arrow("cat", "vec")
    d.arrow("vec", "fc")
    d.label(8.9, ys[0] + 0.75, "spatial pyramid pooling layer", fontsize=8, color="#222222", va="bottom")
    d.finish(title)
    return d


def draw_spp_vs_sppf(ax, c_in="C", c_hidden="C/2", c_out="C", title=None):
    """YOLO's SPP block (three stride-1 max pools of sizes 5, 9, 13 in parallel) next to SPPF (one 5x5 pool
    applied three times in a row); both concatenate ``[x, ., ., .]`` between two 1x1 convs and compute the same
    function. Under each pool: the window it covers on the hidden map."""
    d = Diagram(ax, fontsize=8)
    step, w = 1.75, 1.55
    for x0, name, pools in ((0.0, "SPP (YOLOv3-SPP, YOLOv4, YOLOv5 < 6.0)", (5, 9, 13)),
                            (8.4, "SPPF (YOLOv5 6.0 and later)", (5, 5, 5))):
        p = "a" if pools[-1] == 13 else "b"
        d.box(p + "in", x0, 0, f"x: {c_in} x H x W", kind="io", w=2.4)
        d.box(p + "cv1", x0, -0.85, f"1x1 conv {c_in} -> {c_hidden}", w=2.4)
        d.arrow(p + "in", p + "cv1")
        xs = [x0 + step * (i - 1.5) for i in range(4)]
        y2 = -2.2
        d.box(p + "id", xs[0], y2, "identity", kind="other", w=w)
        d.arrow(p + "cv1", p + "id", start="bottom", end="top")
        seen = (5, 9, 13)
        for i, (x, kk) in enumerate(zip(xs[1:], pools), start=1):
            text = f"max-pool {kk}x{kk}\nstride 1" + (f"\n(window {seen[i - 1]}x{seen[i - 1]})" if p == "b" else "")
            d.box(p + f"pool{i}", x, y2, text, kind="pool", w=w, h=0.95)
            if p == "a" or i == 1:
                d.arrow(p + "cv1", p + f"pool{i}", start="bottom", end="top")
            else:
                d.arrow(p + f"pool{i - 1}", p + f"pool{i}", start="right", end="left")
        d.op(p + "cat", x0, -3.6, "C")
        for name_ in [p + "id"] + [p + f"pool{i}" for i in (1, 2, 3)]:
            d.arrow(name_, p + "cat", start="bottom", end="top")
        d.box(p + "cv2", x0, -4.3, f"1x1 conv 4 x {c_hidden} -> {c_out}", w=2.6)
        d.box(p + "out", x0, -5.15, f"{c_out} x H x W", kind="io", w=2.4)
        d.arrow(p + "cat", p + "cv2")
        d.arrow(p + "cv2", p + "out")
        reads = sum(k * k for k in pools)
        d.label(x0, 0.6, name, fontsize=9, color="#222222")
        d.label(x0 + 1.45, -4.3, f"{' + '.join(f'{k}x{k}' for k in pools)}\n= {reads} reads per value",
                ha="left", fontsize=7.5)
    d.finish(title)
    return d
