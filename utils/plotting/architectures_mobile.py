"""Block diagrams of the mobile architectures: depthwise-separable conv, inverted residual, MBConv with SE.

Drawn with :class:`utils.plotting.diagrams.Diagram` (one look for every architecture notebook). Used by
``notebooks/10_depthwise_separable.ipynb`` (MobileNet v1-v3) and ``notebooks/11_efficientnet_scaling.ipynb``
(EfficientNet's MBConv). Each function draws on one ``ax`` and returns the :class:`Diagram`; the channel numbers in
the labels are the caller's (nothing here computes a network).
"""

from utils.plotting.diagrams import Diagram


def _stack(d, x, y0, names_texts, step=0.8, **box_kw):
    """Boxes ``(name, text, kind)`` top to bottom from ``(x, y0)``, joined by arrows; returns the last y."""
    y = y0
    previous = None
    for name, text, kind in names_texts:
        d.box(name, x, y, text, kind=kind, **box_kw)
        if previous:
            d.arrow(previous, name)
        previous, y = name, y - step
    return y + step


def draw_separable_conv(ax, c_in=32, c_out=64, k=3):
    """A standard ``k x k`` conv layer next to MobileNetV1's depthwise-separable layer (V1 paper, Fig. 3).

    Each conv box is labelled with its number of weights, so the ``1/C_out + 1/k^2`` saving is visible.
    """
    d = Diagram(ax, fontsize=8)
    std, dw, pw = c_out * c_in * k * k, c_in * k * k, c_in * c_out
    w = 3.0
    x = 5.6
    _stack(d, x, 0, [
        ("d_in", f"input  {c_in} x H x W", "io"),
        ("d_dw", f"{k}x{k} depthwise, groups={c_in}", "conv"),
        ("d_act1", "BN, ReLU", "act"),
        ("d_pw", f"1x1 conv, {c_in} -> {c_out}", "conv"),
        ("d_act2", "BN, ReLU", "act"),
        ("d_out", f"output  {c_out} x H x W", "io"),
    ], w=w)
    # the standard layer: one tall conv box level with the three boxes it is split into
    d.box("s_in", 0, 0, f"input  {c_in} x H x W", kind="io", w=w)
    d.box("s_conv", 0, -1.6, f"{k}x{k} conv, {c_in} -> {c_out}", w=w, h=2.15)
    d.box("s_act", 0, -3.2, "BN, ReLU", kind="act", w=w)
    d.box("s_out", 0, -4.0, f"output  {c_out} x H x W", kind="io", w=w)
    for a, b in (("s_in", "s_conv"), ("s_conv", "s_act"), ("s_act", "s_out")):
        d.arrow(a, b)
    d.label(w / 2 + 0.15, -1.6, f"{std:,} weights:\nspace and\nchannels at once", ha="left", fontsize=7.5)
    d.label(x + w / 2 + 0.15, -0.8, f"{dw:,} weights: space,\neach channel alone", ha="left", fontsize=7.5)
    d.label(x + w / 2 + 0.15, -2.4, f"{pw:,} weights:\nchannels mix", ha="left", fontsize=7.5)
    d.label(0, 0.55, "standard convolution", fontsize=9, color="#222222")
    d.label(x, 0.55, "depthwise-separable (MobileNetV1)", fontsize=9, color="#222222")
    d.finish()
    ax.set_xlim(ax.get_xlim()[0], x + w / 2 + 2.2)  # room for the right-hand labels
    return d


def _width(c, c_max, narrow=2.0, wide=3.8):
    """Box width for a tensor of ``c`` channels: wider boxes for wider tensors."""
    return narrow + (wide - narrow) * c / c_max


def draw_inverted_residual(ax, resnet=(256, 64), mobilenet=(24, 144)):
    """ResNet's bottleneck (wide -> narrow -> wide) next to MobileNetV2's inverted residual (narrow -> wide ->
    narrow). Box widths grow with the channels each layer outputs; the shortcut joins the two ends."""
    d = Diagram(ax, fontsize=7.5)
    wide, narrow = resnet
    c, e = mobilenet
    columns = [
        (0.0, "r", "ResNet bottleneck", [
            (f"x   {wide} ch", wide, "io"),
            (f"1x1 conv {wide}->{narrow}\nReLU", narrow, "conv"),
            (f"3x3 conv {narrow}\nReLU", narrow, "conv"),
            (f"1x1 conv {narrow}->{wide}", wide, "conv"),
        ], "add, then ReLU", "shortcut joins\nWIDE tensors"),
        (7.0, "m", "MobileNetV2 inverted residual", [
            (f"x   {c} ch", c, "io"),
            (f"1x1 conv {c}->{e}\nReLU6", e, "conv"),
            (f"3x3 depthwise {e}\nReLU6", e, "conv"),
            (f"1x1 conv {e}->{c}\nLINEAR (no ReLU)", c, "conv"),
        ], "add, no activation", "shortcut joins\nNARROW tensors"),
    ]
    step = 0.85
    for x, p, title, layers, after, skip_text in columns:
        c_max = max(ch for _, ch, _ in layers)
        widths = [_width(ch, c_max) for _, ch, _ in layers]
        names = []
        for i, ((text, ch, kind), w) in enumerate(zip(layers, widths)):
            names.append(f"{p}{i}")
            d.box(names[-1], x, -step * i, text, kind=kind, w=w, h=0.62)
            if i:
                d.arrow(names[-2], names[-1])
        add = f"{p}add"
        d.op(add, x, -step * len(layers) - 0.1, "+")
        d.arrow(names[-1], add)
        # the lane must clear the widest box in between, not only the two ends
        d.skip(names[0], add, side="right", offset=max(widths) / 2 - widths[0] / 2 + 0.3, text=skip_text)
        d.label(x, -step * len(layers) - 0.55, after, fontsize=7.5)
        d.label(x, 0.6, title, fontsize=9, color="#222222")
    d.finish()
    return d


def draw_mbconv(ax, c_in="C", c_mid="6C", c_se="C/4", k="k", act="SiLU", gate="sigmoid", se_act=None,
                drop_path=True, title=None):
    """The mobile inverted bottleneck with squeeze-and-excitation (MBConv: MnasNet, EfficientNet; MobileNetV3's
    ``bneck`` with ``act="h-swish"``, ``gate="hard sigmoid"``).

    Main path top to bottom: 1x1 expand, ``k x k`` depthwise, the SE gate (a side branch on the right that
    multiplies every channel), 1x1 linear projection, optional drop path, then the residual addition.
    ``se_act`` is the activation inside the SE branch (default: ``act``; MobileNetV3 uses ReLU there).
    """
    d = Diagram(ax, fontsize=8)
    w = 3.5
    d.box("in", 0, 0, f"x   {c_in} x H x W", kind="io", w=w)
    d.box("expand", 0, -0.8, f"1x1 conv {c_in} -> {c_mid}, BN, {act}", w=w)
    d.box("dw", 0, -1.6, f"{k}x{k} depthwise {c_mid}, BN, {act}", w=w)
    d.op("mul", 0, -3.2, "x")
    d.box("project", 0, -4.0, f"1x1 conv {c_mid} -> {c_in}, BN, linear", w=w)
    d.arrow("in", "expand")
    d.arrow("expand", "dw")
    d.arrow("dw", "mul")
    d.arrow("mul", "project")
    last = "project"
    if drop_path:
        d.box("drop", 0, -4.8, "drop path (training only)", kind="other", w=w)
        d.arrow("project", "drop")
        last = "drop"
    y_add = -5.6 if drop_path else -4.8
    d.op("add", 0, y_add, "+")
    d.arrow(last, "add")
    d.box("out", 0, y_add - 0.8, f"output  {c_in} x H x W", kind="io", w=w)
    d.arrow("add", "out")
    d.skip("in", "add", side="left", offset=0.4, text="identity (stride 1, same C)")
    # squeeze-and-excitation: a side branch that returns one number per channel
    sx, sw = 4.3, 3.6
    d.box("pool", sx, -2.05, f"global avg pool -> {c_mid} x 1 x 1", kind="pool", w=sw)
    d.box("fc1", sx, -2.65, f"1x1 conv {c_mid} -> {c_se}, {se_act or act}", w=sw)
    d.box("fc2", sx, -3.25, f"1x1 conv {c_se} -> {c_mid}, {gate}", w=sw)
    d.arrow("dw", "pool", start="right", end="left")
    d.arrow("pool", "fc1")
    d.arrow("fc1", "fc2")
    d.arrow("fc2", "mul", start="left", end="right", text=None)
    d.group(["pool", "fc1", "fc2"], "squeeze-and-excitation", pad=0.15)
    d.finish(title)
    return d
