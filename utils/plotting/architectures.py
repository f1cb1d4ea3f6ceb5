"""Architecture diagrams of the course's backbones, drawn with :mod:`utils.plotting.diagrams` (one look everywhere).

One section per topic; each function draws one block on an ``ax`` and returns the :class:`Diagram`. Only drawing
here: the channel numbers in the labels are the papers' (ResNet-50's first stage, ResNeXt-50 32x4d).
"""

from utils.plotting.diagrams import Diagram

# --- residual blocks (notebook 08): He et al. 2016, figs. 2 and 5; He et al. 2016b (pre-activation), fig. 4 -------

_RESIDUAL = {
    # (label, kind) from input to output; "+" is the addition, where the shortcut joins
    "basic": [("x (64-d)", "io"), ("3x3 conv, 64", "conv"), ("BN, ReLU", "act"), ("3x3 conv, 64", "conv"),
              ("BN", "norm"), ("+", "op"), ("ReLU", "act"), ("out", "io")],
    "bottleneck": [("x (256-d)", "io"), ("1x1 conv, 64", "conv"), ("BN, ReLU", "act"), ("3x3 conv, 64", "conv"),
                   ("BN, ReLU", "act"), ("1x1 conv, 256", "conv"), ("BN", "norm"), ("+", "op"), ("ReLU", "act"),
                   ("out", "io")],
    "preact": [("x (64-d)", "io"), ("BN, ReLU", "act"), ("3x3 conv, 64", "conv"), ("BN, ReLU", "act"),
               ("3x3 conv, 64", "conv"), ("+", "op"), ("out", "io")],
}

_RESIDUAL_TITLES = {
    "basic": "BasicBlock (ResNet-18/34)",
    "bottleneck": "Bottleneck (ResNet-50/101/152)",
    "preact": "pre-activation block (ResNet v2)",
}


def draw_residual_block(ax, kind="basic", step=0.72, title=None):
    """Draw a residual block top to bottom: ``kind`` is ``'basic'``, ``'bottleneck'`` or ``'preact'``.

    The identity shortcut is the blue lane on the right. In the v1 blocks a ReLU follows the addition; in the
    pre-activation block BN and ReLU come before each conv and nothing follows the addition.
    """
    if kind not in _RESIDUAL:
        raise ValueError(f"kind must be one of {sorted(_RESIDUAL)}, got {kind!r}")
    d = Diagram(ax)
    names = []
    for i, (text, node_kind) in enumerate(_RESIDUAL[kind]):
        name = f"n{i}"
        if node_kind == "op":
            d.op(name, 0, -i * step, text)
        else:
            d.box(name, 0, -i * step, text, kind=node_kind, w=2.3, h=0.44)
        if names:
            d.arrow(names[-1], name)
        names.append(name)
    add = names[[t for t, _ in _RESIDUAL[kind]].index("+")]
    d.skip(names[0], add, text="identity", offset=0.35)
    branch = names[1:names.index(add)]
    d.group(branch, pad=0.12)
    d.label(-1.35, (d.nodes[branch[0]].y + d.nodes[branch[-1]].y) / 2, "F(x)", ha="right", fontsize=10)
    if kind == "preact":
        d.label(-0.35, d.nodes[add].y, "nothing after the sum", ha="right", fontsize=7.5)
    d.finish(title or _RESIDUAL_TITLES[kind])
    return d


def share_limits(axes):
    """Give diagram panels the same data range (centred on each panel's own), so one unit is one size in all."""
    spans = [(ax.get_xlim(), ax.get_ylim()) for ax in axes]
    width = max(x1 - x0 for (x0, x1), _ in spans)
    height = max(y1 - y0 for _, (y0, y1) in spans)
    for ax, ((x0, x1), (y0, y1)) in zip(axes, spans):
        ax.set_xlim((x0 + x1 - width) / 2, (x0 + x1 + width) / 2)
        ax.set_ylim(y1 - height, y1)  # top-aligned: every block starts at its input


# --- ResNeXt (notebook 09): Xie et al. 2017, fig. 3 -------------------------------------------------------------

_PATH_X = (-2.0, 0.0, 2.0)  # three drawn paths stand for all C = 32


def draw_resnext_form(ax, form="a", cardinality=32, d=4, width=256, step=0.8):
    """Draw one of the three equivalent ResNeXt blocks (Xie et al. 2017, fig. 3), top to bottom.

    ``form``: ``'a'`` split-transform-merge (C paths summed), ``'b'`` early concatenation (C paths concatenated,
    then one 1x1 conv), ``'c'`` grouped convolution. BN and ReLU follow each conv as in ResNet (not drawn, as in
    the paper's figure). Labels read "kernel, in -> out".
    """
    if form not in ("a", "b", "c"):
        raise ValueError(f"form must be 'a', 'b' or 'c', got {form!r}")
    g = Diagram(ax, fontsize=8)
    g.box("x", 0, 0, f"x ({width}-d)", kind="io", w=2.0, h=0.44)
    wide = cardinality * d
    if form == "c":
        rows = [f"1x1, {width}→{wide}", f"3x3, {wide}→{wide}\ngroups = {cardinality}", f"1x1, {wide}→{width}"]
        previous = "x"
        for i, text in enumerate(rows):
            g.box(f"c{i}", 0, -(i + 1) * step, text, w=2.6, h=0.5 if i != 1 else 0.62)
            g.arrow(previous, f"c{i}")
            previous = f"c{i}"
        merge_y = -4 * step
        g.op("add", 0, merge_y, "+")
        g.arrow(previous, "add")
        title = "(c) grouped convolution"
    else:
        per_path = [f"1x1, {width}→{d}", f"3x3, {d}→{d}"] + ([f"1x1, {d}→{width}"] if form == "a" else [])
        labels = ("path 1", "path 2", f"path {cardinality}")
        top = -step - 0.25  # room for the path labels under the fan-out arrows
        for j, px in enumerate(_PATH_X):
            previous = "x"
            for i, text in enumerate(per_path):
                name = f"p{j}_{i}"
                g.box(name, px, top - i * step, text, w=1.55, h=0.44, fontsize=7.5)
                g.arrow(previous, name)
                previous = name
            # at the box's outer top corner, away from the arrow that comes in at its middle
            corner, ha = (px - 0.78, "left") if j < 2 else (px + 0.78, "right")
            g.label(corner, top + 0.36, labels[j], ha=ha, fontsize=7.5)
        g.label((_PATH_X[1] + _PATH_X[2]) / 2, top - step, "...", fontsize=12)
        last = len(per_path) - 1
        below = top - last * step - step * 1.1  # the merge node, under the last row of the paths
        if form == "a":
            merge_y = below
            g.op("add", 0, merge_y, "+")
            for j in range(3):
                g.arrow(f"p{j}_{last}", "add")
            title = f"(a) split-transform-merge: {cardinality} paths, summed"
        else:
            g.op("cat", 0, below, "C")
            for j in range(3):
                g.arrow(f"p{j}_{last}", "cat")
            g.label(0.3, below - 0.3, f"concatenated: {wide}-d", ha="left")
            g.box("c3", 0, below - step, f"1x1, {wide}→{width}", w=2.0, h=0.44)
            g.arrow("cat", "c3")
            merge_y = below - 2 * step
            g.op("add", 0, merge_y, "+")
            g.arrow("c3", "add")
            title = f"(b) {cardinality} paths, concatenated, one 1x1 conv"
    g.box("out", 0, merge_y - step, f"out ({width}-d)", kind="io", w=2.0, h=0.44)
    g.arrow("add", "out")
    # the lane passes right of everything in between (the paths are wider than the input and the sum)
    right = max(n.x + n.w / 2 for n in g.nodes.values())
    g.skip("x", "add", text="identity", offset=right - max(g.nodes["x"].x + g.nodes["x"].w / 2, 0.22) + 0.3)
    g.finish(title)
    return g
