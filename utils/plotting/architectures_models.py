"""Architecture diagrams for ``notebooks/00_model_map.ipynb``: a whole backbone and one of its blocks, side by side.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every diagram of the course). Only drawing here;
the channel numbers are ResNet-50's (He et al. 2016, Table 1), the stride on the 3x3 conv as in torchvision.
"""

from utils.plotting.diagrams import Diagram

#: ResNet-50's four stages (He et al. 2016, Table 1): (name, blocks, bottleneck width, output channels).
RESNET50_STAGES = (("conv2_x", 3, 64, 256), ("conv3_x", 4, 128, 512), ("conv4_x", 6, 256, 1024),
                   ("conv5_x", 3, 512, 2048))


def draw_resnet_with_block(ax, stages=RESNET50_STAGES, size=224, zoom=1, classes=1000, title=None):
    """A ResNet as a column of stages (left) and the first block of stage ``zoom`` drawn out (right).

    The zoomed block is the down-sampling one (stride 2, except in the first stage): 1x1 reduce, 3x3 with the
    stride, 1x1 expand, and a projection shortcut (1x1 conv with the same stride, then BN) because the shape
    changes. Each label gives the layer and the size of its output for a ``size x size`` input.
    """
    d = Diagram(ax, fontsize=8)
    step, w = 0.8, 3.1
    column = [("in", f"image {size} x {size} x 3", "io"),
              ("stem", f"7x7 conv, 64, /2 -> {size // 2} x {size // 2}", "conv"),
              ("pool", f"3x3 max-pool, /2 -> {size // 4} x {size // 4}", "pool")]
    for i, (name, blocks, width, c_out) in enumerate(stages):
        side = size // 4 // 2**i
        column.append((name, f"{name}: {blocks} blocks, {c_out}-d, {side} x {side}", "conv"))
    column.append(("head", f"avg-pool + fc {classes}", "other"))
    for i, (name, text, kind) in enumerate(column):
        d.box(name, 0, -i * step, text, kind=kind, w=w, h=0.5)
        if i:
            d.arrow(column[i - 1][0], name)
    # the zoomed block, to the right
    name, blocks, width, c_out = stages[zoom]
    c_in = stages[zoom - 1][3] if zoom else 64
    stride = 2 if zoom else 1
    side_in = size // 4 // 2 ** max(zoom - 1, 0)
    side = side_in // stride
    x0, y0, s = 6.2, 0.0, 0.68
    rows = [("x", f"x: {c_in} x {side_in} x {side_in}", "io"),
            ("c1", f"1x1 conv, {width} -> {side_in} x {side_in}", "conv"),
            ("a1", "BN, ReLU", "act"),
            ("c2", f"3x3 conv, {width}, /{stride} -> {side} x {side}", "conv"),
            ("a2", "BN, ReLU", "act"),
            ("c3", f"1x1 conv, {c_out} -> {side} x {side}", "conv"),
            ("b3", "BN", "norm")]
    for i, (key, text, kind) in enumerate(rows):
        d.box(key, x0, y0 - i * s, text, kind=kind, w=3.1, h=0.42)
        if i:
            d.arrow(rows[i - 1][0], key)
    add_y = y0 - len(rows) * s
    d.op("add", x0, add_y, "+")
    d.arrow("b3", "add")
    d.box("relu", x0, add_y - s, "ReLU", kind="act", w=3.1, h=0.42)
    d.arrow("add", "relu")
    d.box("out", x0, add_y - 2 * s, f"out: {c_out} x {side} x {side}", kind="io", w=3.1, h=0.42)
    d.arrow("relu", "out")
    d.group([k for k, _, _ in rows[1:]], pad=0.1)
    d.label(x0 - 1.75, y0 - 3 * s, "F(x)", ha="right", fontsize=10)
    # the shortcut: a lane on the right, with the projection drawn on it (the box hides the lane behind it)
    d.skip("x", "add", side="right", offset=0.9, color="#333333")
    lane = max(line.get_xdata().max() for line in ax.lines)
    d.box("proj", lane, y0 - 3.5 * s, f"1x1 conv, {c_out},\n/{stride}, BN", kind="conv", w=1.5, h=0.62)
    d.label(lane, y0 - 3.5 * s - 0.42, "projection\nshortcut", fontsize=7.5, va="top")
    # which stage the block belongs to
    d.arrow(name, "x", start="right", end="left", color="#999999", style="-")
    (xa, ya), (xb, yb) = d.nodes[name].side("right"), d.nodes["x"].side("left")
    y_text = ya + 0.7 * (yb - ya)  # left of the line, high enough to clear the stage boxes
    d.label(xa + 0.7 * (xb - xa) - 0.15, y_text, f"first block\nof {name}", fontsize=7.5, ha="right")
    d.finish(title)
    return d
