"""Architecture diagrams of U-Net (``notebooks/16_unet.ipynb``) and LFFD (``notebooks/17_face_detection.ipynb``),
drawn with :mod:`utils.plotting.diagrams`. Only drawing here: the sizes come from
:func:`utils.blocks.unet.unet_size_trace`, the branch numbers from the released LFFD configuration
(:data:`utils.data.detector_facts.LFFD_V1_BRANCHES`).
"""

from utils.blocks.unet import unet_size_trace
from utils.data.detector_facts import LFFD_V1_BRANCHES
from utils.plotting.diagrams import Diagram

SKIP_COLOR = "#1f77b4"


def draw_unet(ax, size=572, depth=4, base=64, classes=2, padding=0, dy=1.25, shift=0.75, title=None):
    """Draw a U-Net: the contracting path down the left, the expanding path up the right, one skip per level.

    Each box is a double 3x3 conv with its channels and the side of its input and output map (``size`` -> ...);
    the blue arrows copy (and, with valid convs, centre-crop) the contracting map into the concatenation ``C``.
    Sizes follow :func:`utils.blocks.unet.unet_size_trace` (which raises ``ValueError`` for a size that does not
    work). Returns the :class:`Diagram`.
    """
    sides = dict(unet_size_trace(size, depth, padding))
    d = Diagram(ax, fontsize=7.5)
    w, h = 2.5, 0.62
    right0 = 2 * depth * shift + 2 * w + 2.2  # x of the top right box: room for the concatenations and the bottom
    d.box("in", 0, 1.05, f"input {size} x {size}", kind="io", w=w, h=0.42)
    previous, s_in = "in", size
    for level in range(depth):
        c = base * 2 ** level
        out = sides[f"down {level + 1} convs"]
        d.box(f"L{level}", level * shift, -level * dy, f"2 x (3x3 conv + ReLU), {c}\n{s_in} -> {out}", w=w, h=h)
        d.arrow(previous, f"L{level}", text="max pool 2x2" if level else None)
        previous, s_in = f"L{level}", sides[f"pool {level + 1}"]
    bottom = sides["bottom convs"]
    d.box("B", right0 / 2, -depth * dy, f"2 x (3x3 conv + ReLU), {base * 2 ** depth}\n{s_in} -> {bottom}", w=w, h=h)
    d.arrow(previous, "B", text="max pool 2x2", start="bottom", end="left")
    below = "B"
    for i, level in enumerate(reversed(range(depth))):
        c = base * 2 ** level
        x = right0 - level * shift
        up = sides[f"up-conv {i + 1}"]
        out = sides[f"up {i + 1} convs"]
        d.op(f"C{level}", x - w / 2 - 0.55, -level * dy, "C")
        d.box(f"R{level}", x, -level * dy, f"2 x (3x3 conv + ReLU), {c}\n{up} -> {out}", w=w, h=h)
        d.arrow(below, f"C{level}", start="top" if below != "B" else "right", end="bottom")
        d.label(x - w / 2 - 0.25, -level * dy - 0.62, f"up-conv 2x2, {c}", ha="left", fontsize=7)
        skip_side = sides[f"down {level + 1} convs"]
        crop = f"copy, crop {skip_side} -> {up}" if skip_side != up else "copy"
        d.arrow(f"L{level}", f"C{level}", color=SKIP_COLOR, style="-|>")
        d.label((level * shift + w / 2 + x - w / 2 - 0.77) / 2, -level * dy + 0.14, crop, color=SKIP_COLOR,
                fontsize=7, va="bottom")
        d.arrow(f"C{level}", f"R{level}")
        below = f"R{level}"
    d.box("out", right0, 1.05, f"1x1 conv -> {classes} classes, {sides[f'up {depth} convs']} x "
          f"{sides[f'up {depth} convs']}", kind="io", w=w + 0.4, h=0.42)
    d.arrow("R0", "out")
    d.label(0, -depth * dy - 0.2, "contracting path\n(context)", fontsize=8)
    d.label(right0, -depth * dy - 0.2, "expanding path\n(localisation)", fontsize=8)
    d.finish(title or f"U-Net ({'valid' if padding == 0 else 'same'} convs): map sides for a {size} x {size} input")
    return d


def draw_lffd(ax, title=None):
    """Draw LFFD v1: the backbone top to bottom (25 3x3 convs, no BN), grouped by stride, and its 8 branches with
    their receptive field, stride and the face sizes each is trained on. Returns the :class:`Diagram`."""
    b = LFFD_V1_BRANCHES
    # (label, branches read after this segment); convs numbered as in the authors' symbol file
    segments = [
        ("conv1-2: two 3x3 convs, stride 2 each\n(no padding), 64 ch", []),
        ("conv3-8: 3 residual units", [0]),
        ("conv9-10: 1 residual unit", [1]),
        ("conv11: 3x3 stride 2\nconv12-13: 1 residual unit", [2]),
        ("conv14-15: 1 residual unit", [3]),
        ("conv16: 3x3 stride 2, 128 ch\nconv17-18: 1 residual unit", [4]),
        ("conv19: 3x3 stride 2\nconv20-21: 1 residual unit", [5]),
        ("conv22-23: 1 residual unit", [6]),
        ("conv24-25: 1 residual unit", [7]),
    ]
    d = Diagram(ax, fontsize=8)
    step, w = 0.8, 3.4
    d.box("in", 0, step, "input image (any size; 640 x 640 in training)", kind="io", w=w, h=0.4)
    previous = "in"
    for i, (text, branches) in enumerate(segments):
        two_lines = "\n" in text
        d.box(f"s{i}", 0, -i * step, text, w=w, h=0.58 if two_lines else 0.4)
        d.arrow(previous, f"s{i}")
        previous = f"s{i}"
        for k in branches:
            d.box(f"h{k}", 4.5, -i * step, f"branch {k + 1}: RF {b['rf'][k]}, stride {b['stride'][k]}, "
                  f"faces {b['face_min'][k]}-{b['face_max'][k]} px", kind="pool", w=4.4, h=0.4)
            d.arrow(f"s{i}", f"h{k}")
    for names, text in ((["s0", "s1", "s2"], "stride 4"), (["s3", "s4"], "stride 8"), (["s5"], "stride 16"),
                        (["s6", "s7", "s8"], "stride 32")):
        top, low = d.nodes[names[0]], d.nodes[names[-1]]
        d.label(-w / 2 - 0.15, (top.y + low.y) / 2, text, ha="right", fontsize=8)
    d.label(4.5, 0.72, "each branch: ReLU, then 1x1 convs ->\n2 scores (face / background) + 4 box offsets",
            fontsize=7)
    d.finish(title or "LFFD v1: 25 convs (only 3x3 and ReLU, no BN), 8 detection branches")
    return d
