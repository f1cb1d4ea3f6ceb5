"""Architecture diagrams drawn by code: boxes for layers, circles for operations, arrows for data flow.

Used by every notebook whose topic is an architecture (residual blocks, ResNeXt, MobileNet, FPN, SPP, U-Net, ...),
so all diagrams look alike. Positions are explicit (in "grid units", data coordinates of an equal-aspect axes): the
caller lays the diagram out, which keeps every figure predictable and readable.

    d = Diagram(ax)
    d.box("x", 0, 0, "x (256-d)", kind="io")
    d.box("c1", 0, -1, "1x1 conv, 64", kind="conv")
    d.op("add", 0, -2, "+")
    d.arrow("x", "c1"); d.arrow("c1", "add")
    d.skip("x", "add", text="identity")
    d.finish()

Kinds set the fill colour: ``conv``, ``norm`` (BN/LN), ``act`` (ReLU, ...), ``pool``, ``attn``, ``io`` (inputs and
outputs), ``other``. Nothing here computes anything; the shapes printed in a label are the caller's.
"""

from dataclasses import dataclass

import matplotlib.patches as mpatches
from matplotlib import rcParams

#: Fill colours by kind of layer (light, so black text stays readable).
KIND_COLORS = {
    "conv": "#cfe3f3",
    "norm": "#e6e6e6",
    "act": "#f6e3c5",
    "pool": "#d9eed2",
    "attn": "#eadcf1",
    "io": "#ffffff",
    "other": "#f3f3f3",
}


@dataclass
class Node:
    """A drawn node: centre ``(x, y)``, width ``w`` and height ``h`` in data units."""

    x: float
    y: float
    w: float
    h: float
    round: bool = False

    def side(self, name):
        """The point in the middle of a side: ``'top'``, ``'bottom'``, ``'left'`` or ``'right'``."""
        dx, dy = {"top": (0, 1), "bottom": (0, -1), "left": (-1, 0), "right": (1, 0)}[name]
        return self.x + dx * self.w / 2, self.y + dy * self.h / 2


class Diagram:
    """A block diagram on ``ax``. Add nodes with :meth:`box` and :meth:`op`, connect them with :meth:`arrow` and
    :meth:`skip`, frame groups with :meth:`group`, then call :meth:`finish` to set the limits."""

    def __init__(self, ax, fontsize=8.5):
        self.ax = ax
        self.fontsize = fontsize
        self.nodes = {}
        ax.set_axis_off()
        ax.set_aspect("equal")

    def box(self, name, x, y, text, kind="conv", w=2.6, h=0.55, fontsize=None):
        """A rounded rectangle centred at ``(x, y)`` with ``text`` inside. Returns the :class:`Node`."""
        patch = mpatches.FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=KIND_COLORS.get(kind, KIND_COLORS["other"]), edgecolor="#333333", linewidth=0.9, zorder=2,
        )
        self.ax.add_patch(patch)
        self.ax.text(x, y, text, ha="center", va="center", fontsize=fontsize or self.fontsize, zorder=3)
        self.nodes[name] = Node(x, y, w, h)
        return self.nodes[name]

    def op(self, name, x, y, symbol="+", r=0.22):
        """A circle centred at ``(x, y)`` for an element-wise operation: ``'+'`` (add), ``'C'`` (concatenate),
        ``'x'`` (multiply). Returns the :class:`Node`."""
        self.ax.add_patch(mpatches.Circle((x, y), r, facecolor="white", edgecolor="#333333", linewidth=0.9, zorder=2))
        self.ax.text(x, y, symbol, ha="center", va="center", fontsize=self.fontsize + 2, zorder=3)
        self.nodes[name] = Node(x, y, 2 * r, 2 * r, round=True)
        return self.nodes[name]

    def label(self, x, y, text, ha="center", va="center", **kwargs):
        """Free text (a shape, a title over a column) at ``(x, y)``."""
        kwargs.setdefault("fontsize", self.fontsize - 0.5)
        kwargs.setdefault("color", "#444444")
        return self.ax.text(x, y, text, ha=ha, va=va, zorder=3, **kwargs)

    def _ends(self, a, b, start, end):
        na, nb = self.nodes[a], self.nodes[b]
        if start is None or end is None:  # default: the sides that face each other
            dx, dy = nb.x - na.x, nb.y - na.y
            vertical = abs(dy) >= abs(dx)
            start = start or (("bottom" if dy < 0 else "top") if vertical else ("right" if dx > 0 else "left"))
            end = end or (("top" if dy < 0 else "bottom") if vertical else ("left" if dx > 0 else "right"))
        return na.side(start), nb.side(end)

    def arrow(self, a, b, text=None, start=None, end=None, bend=0.0, color="#333333", style="-|>"):
        """An arrow from node ``a`` to node ``b`` (between facing sides unless ``start``/``end`` name sides), with
        an optional ``text`` beside its middle; ``bend`` curves it (an arc of that radius factor)."""
        p, q = self._ends(a, b, start, end)
        self.ax.annotate(
            "", xy=q, xytext=p, zorder=1,
            arrowprops=dict(arrowstyle=style, color=color, lw=1.0, shrinkA=0, shrinkB=0,
                            connectionstyle=f"arc3,rad={bend}"),
        )
        if text:
            self.label((p[0] + q[0]) / 2 + 0.12, (p[1] + q[1]) / 2, text, ha="left")

    def skip(self, a, b, text=None, side="right", offset=0.5, color="#1f77b4"):
        """A shortcut drawn around the nodes in between: out of ``a``'s ``side``, along a straight lane ``offset``
        units beyond every node it passes, into ``b``'s same side. ``text`` labels the lane."""
        na, nb = self.nodes[a], self.nodes[b]
        sign = 1 if side == "right" else -1
        low, high = sorted((na.y, nb.y))
        # Keep clear of every node (and group frame) the lane passes, not only of the two it joins.
        passed = [n for n in self.nodes.values() if n.y + n.h / 2 >= low and n.y - n.h / 2 <= high]
        if side == "right":
            lane = max(n.x + n.w / 2 for n in passed) + offset
        else:
            lane = min(n.x - n.w / 2 for n in passed) - offset
        p, q = na.side(side), nb.side(side)
        kw = dict(color=color, lw=1.3, zorder=1)
        self.ax.plot([p[0], lane, lane], [p[1], p[1], q[1]], solid_capstyle="round", **kw)
        self.ax.annotate("", xy=q, xytext=(lane, q[1]), zorder=1,
                         arrowprops=dict(arrowstyle="-|>", color=color, lw=1.3, shrinkA=0, shrinkB=0))
        if text:
            self.label(lane + sign * 0.12, (p[1] + q[1]) / 2, text, ha="left" if sign > 0 else "right", color=color,
                       rotation=90 if len(text) > 12 else 0)

    def group(self, names, text=None, pad=0.25, color="#777777"):
        """A dashed frame around the nodes ``names`` (a stage, a repeated unit, a branch), labelled at its top left."""
        boxes = [self.nodes[n] for n in names]
        x0 = min(n.x - n.w / 2 for n in boxes) - pad
        x1 = max(n.x + n.w / 2 for n in boxes) + pad
        y0 = min(n.y - n.h / 2 for n in boxes) - pad
        y1 = max(n.y + n.h / 2 for n in boxes) + pad
        self.ax.add_patch(mpatches.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linestyle=(0, (4, 3)),
                                             edgecolor=color, linewidth=0.9, zorder=0))
        if text:
            self.label(x0, y1 + 0.12, text, ha="left", va="bottom", color=color)
        self.nodes["_group_%d" % len(self.nodes)] = Node((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)

    def finish(self, title=None, margin=0.45):
        """Fit the axes limits to everything drawn (nodes, lanes, labels) and set an optional title."""
        self.ax.relim()  # the lines of skip lanes
        xs = [n.x - n.w / 2 for n in self.nodes.values()] + [n.x + n.w / 2 for n in self.nodes.values()]
        ys = [n.y - n.h / 2 for n in self.nodes.values()] + [n.y + n.h / 2 for n in self.nodes.values()]
        for line in self.ax.lines:
            xs.extend(line.get_xdata())
            ys.extend(line.get_ydata())
        self.ax.set_xlim(min(xs) - margin, max(xs) + margin)
        self.ax.set_ylim(min(ys) - margin, max(ys) + margin)
        if title:
            self.ax.set_title(title, fontsize=rcParams.get("axes.titlesize", 10))
        return self.ax
