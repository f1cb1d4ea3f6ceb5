"""Diagrams of GAN training and of DCGAN's generator (``notebooks/18_gan_minmax.ipynb``, ``notebooks/19_classic_gans.ipynb``).

Drawn with :class:`utils.plotting.diagrams.Diagram`, so they look like every other architecture diagram of the course.
Data flows from top to bottom. The shapes in the labels are the caller's (nothing here computes a network).
"""

from utils.plotting.diagrams import Diagram

_DY = 0.9  # vertical distance between consecutive boxes, in grid units
_GRAD = "#d62828"  # the path the generator's gradient takes


def draw_gan_training_step(ax, title=None):
    """One training step of a GAN, as code runs it: first a discriminator step on detached fakes, then a generator
    step through the just-updated discriminator (Goodfellow et al., 2014, Algorithm 1 with k = 1; the generator uses
    the non-saturating loss ``-log D(G(z))``, section 3 of the paper)."""
    d = Diagram(ax, fontsize=8)
    w = 3.3
    x_d, x_g = 0.0, 6.2
    # 1. the discriminator step
    d.box("z1", x_d, 0, "noise z ~ N(0, I)", kind="io", w=w)
    d.box("G1", x_d, -_DY, "generator G", kind="conv", w=w)
    d.box("f1", x_d, -2 * _DY, "fake = G(z).detach()", kind="other", w=w)
    d.box("x1", x_d - 3.3, -2 * _DY, "real x ~ p_data", kind="io", w=2.6)
    d.box("D1", x_d, -3 * _DY, "discriminator D (logits)", kind="attn", w=w)
    d.box("L1", x_d, -4 * _DY, "loss_D = BCE(D(x), 1)\n+ BCE(D(fake), 0)", kind="norm", w=w, h=0.7)
    d.box("s1", x_d, -5 * _DY - 0.08, "opt_D.step(): only D moves", kind="io", w=w)
    for a, b in (("z1", "G1"), ("G1", "f1"), ("f1", "D1"), ("D1", "L1"), ("L1", "s1")):
        d.arrow(a, b)
    d.arrow("x1", "D1", start="bottom", end="left")
    d.label(x_d - w / 2 - 0.12, -1.5 * _DY, "detach: no gradient\nflows into G here", ha="right", fontsize=7.5,
            color=_GRAD)
    # 2. the generator step
    d.box("z2", x_g, 0, "the same z (or a new one)", kind="io", w=w)
    d.box("G2", x_g, -_DY, "generator G", kind="conv", w=w)
    d.box("f2", x_g, -2 * _DY, "fake = G(z), not detached", kind="other", w=w)
    d.box("D2", x_g, -3 * _DY, "D, just updated (not stepped)", kind="attn", w=w)
    d.box("L2", x_g, -4 * _DY, "loss_G = BCE(D(fake), 1)\n= -log D(G(z))", kind="norm", w=w, h=0.7)
    d.box("s2", x_g, -5 * _DY - 0.08, "opt_G.step(): only G moves", kind="io", w=w)
    for a, b in (("z2", "G2"), ("G2", "f2"), ("f2", "D2"), ("D2", "L2"), ("L2", "s2")):
        d.arrow(a, b)
    d.skip("L2", "G2", text="gradient flows back through D into G", side="right", offset=0.35, color=_GRAD)
    d.group(["z1", "G1", "f1", "D1", "L1", "s1", "x1"], text="1. discriminator step (k = 1)")
    d.group(["z2", "G2", "f2", "D2", "L2", "s2"], text="2. generator step (non-saturating)")
    return d.finish(title)


def draw_dcgan_generator(ax, z_dim=100, widths=(1024, 512, 256, 128), channels=3, kernel=4, title=None):
    """DCGAN's generator (Radford et al., 2016, Fig. 1): a 1x1 noise map grows to 4x4, then doubles four times to
    64x64 through transposed convolutions; BatchNorm and ReLU after each except the last, which ends in tanh.

    ``kernel`` is the kernel size written in the labels (4 with stride 2 and padding 1 doubles the size exactly; the
    first layer maps 1x1 to 4x4 with stride 1 and no padding, DCGAN's "project and reshape").
    """
    d = Diagram(ax, fontsize=8)
    w = 6.4
    d.box("z", 0, 0, f"z: (B, {z_dim}, 1, 1)", kind="io", w=w)
    names, size, previous = [], 1, "z"
    for i, c in enumerate(list(widths) + [channels]):
        last = i == len(widths)
        stride, pad = (1, 0) if i == 0 else (2, 1)
        size = (size - 1) * stride - 2 * pad + kernel
        after = "tanh" if last else "BN, ReLU"
        text = f"ConvTranspose {kernel}x{kernel}, stride {stride}, pad {pad}; {after}"
        name = f"t{i}"
        d.box(name, 0, -(i + 1) * _DY, text, kind="act" if last else "conv", w=w)
        d.arrow(previous, name)
        d.label(w / 2 + 0.15, -(i + 1) * _DY, f"(B, {c}, {size}, {size})", ha="left", fontsize=8, color="#222222")
        names.append(name)
        previous = name
    d.label(w / 2 + 0.15, 0, "shape after the layer:", ha="left", fontsize=7.5)
    d.finish(title)
    x0, x1 = ax.get_xlim()
    ax.set_xlim(x0, max(x1, w / 2 + 3.2))  # room for the shape labels
    return d
