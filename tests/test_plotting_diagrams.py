"""utils.plotting.diagrams: nodes land where they are placed, arrows join facing sides, limits fit everything."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from utils.plotting.diagrams import Diagram  # noqa: E402


def test_basic_block_layout():
    fig, ax = plt.subplots()
    d = Diagram(ax)
    x = d.box("x", 0, 0, "x", kind="io")
    conv = d.box("c", 0, -1, "3x3 conv")
    add = d.op("add", 0, -2, "+")
    d.arrow("x", "c")
    d.arrow("c", "add")
    d.skip("x", "add", text="identity")
    d.group(["c"], "F(x)")
    d.finish("block")
    assert x.side("bottom") == (0, -x.h / 2)
    assert conv.side("top") == (0, -1 + conv.h / 2)
    assert add.round and add.w == add.h
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < -conv.w / 2 and x1 > conv.w / 2 + 0.5  # the skip lane is inside the limits
    assert y0 < -2 - add.h / 2 and y1 > x.h / 2
    assert len(ax.patches) >= 4 and ax.get_title() == "block"
    plt.close(fig)


def test_default_sides_face_each_other():
    fig, ax = plt.subplots()
    d = Diagram(ax)
    d.box("a", 0, 0, "a")
    d.box("b", 3, 0, "b")
    (p, q) = d._ends("a", "b", None, None)
    assert p == d.nodes["a"].side("right") and q == d.nodes["b"].side("left")
    plt.close(fig)
