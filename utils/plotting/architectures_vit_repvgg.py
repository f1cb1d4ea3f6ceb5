"""Architecture diagrams of the Vision Transformer (``notebooks/12_vit.ipynb``) and RepVGG (``notebooks/13_repvgg.ipynb``).

Drawn with :class:`utils.plotting.diagrams.Diagram`, so they look like every other architecture diagram of the
course. Data flows from top to bottom; shapes in the labels are ViT-B/16's at 224 px (``B`` images, ``D = 768``).
"""

from utils.plotting.diagrams import Diagram

_DY = 0.95  # vertical distance between consecutive layers, in grid units


def draw_vit_overview(ax, title="ViT-B/16: image to logits"):
    """The whole model: patch embedding, class token, position embeddings, L blocks, LayerNorm, head (paper eq. 1-4)."""
    d = Diagram(ax)
    chain = [
        ("img", "image (B, 3, 224, 224)", "io"),
        ("patch", "conv 16x16, stride 16\n(one linear map per patch)", "conv"),
        ("cat", None, None),
        ("add", None, None),
        ("blocks", "L = 12 encoder blocks\n(B, 197, 768)", "attn"),
        ("ln", "LayerNorm", "norm"),
        ("cls", "class token only (B, 768)", "other"),
        ("head", "linear head -> (B, 1000)", "conv"),
    ]
    for i, (name, text, kind) in enumerate(chain):
        y = -i * _DY
        if name == "cat":
            d.op(name, 0, y, "C")
        elif name == "add":
            d.op(name, 0, y, "+")
        else:
            d.box(name, 0, y, text, kind=kind, w=3.5, h=0.62 if "\n" in text else 0.5)
    d.box("tok", -3.3, -2 * _DY, "class token\n(1, 1, 768)", kind="other", w=2.4, h=0.62)
    d.box("pos", -3.3, -3 * _DY, "learned positions\n(1, 197, 768)", kind="other", w=2.4, h=0.62)
    for a, b in zip([c[0] for c in chain], [c[0] for c in chain][1:]):
        d.arrow(a, b)
    d.arrow("tok", "cat")
    d.arrow("pos", "add")
    d.label(0.32, -1.5 * _DY, "(B, 196, 768) tokens", ha="left")
    d.label(0.32, -2.5 * _DY, "(B, 197, 768)", ha="left")
    return d.finish(title)


def draw_transformer_block(ax, pre_norm=True, title=None):
    """One encoder block. ``pre_norm=True``: ViT's ``x + MSA(LN(x))``, then ``x + MLP(LN(x))`` (paper eq. 2-3), so the
    skip lanes carry ``x`` unchanged from block to block; ``False``: the original Transformer's ``LN(x + MSA(x))``,
    where every block's output passes through a LayerNorm."""
    d = Diagram(ax)
    msa, mlp = "multi-head self-attention", "MLP: D -> 4D, GELU, -> D"
    if pre_norm:
        chain = [("in", "x (B, T, D)", "io"), ("ln1", "LayerNorm", "norm"), ("msa", msa, "attn"), ("add1", "+", None),
                 ("ln2", "LayerNorm", "norm"), ("mlp", mlp, "conv"), ("add2", "+", None), ("out", "to the next block", "io")]
        skips = [("in", "add1"), ("add1", "add2")]
    else:
        chain = [("in", "x (B, T, D)", "io"), ("msa", msa, "attn"), ("add1", "+", None), ("ln1", "LayerNorm", "norm"),
                 ("mlp", mlp, "conv"), ("add2", "+", None), ("ln2", "LayerNorm", "norm"), ("out", "to the next block", "io")]
        skips = [("in", "add1"), ("ln1", "add2")]
    for i, (name, text, kind) in enumerate(chain):
        if kind is None:
            d.op(name, 0, -i * _DY, text)
        else:
            d.box(name, 0, -i * _DY, text, kind=kind, w=3.1, h=0.5)
    for a, b in zip([c[0] for c in chain], [c[0] for c in chain][1:]):
        d.arrow(a, b)
    for a, b in skips:
        # the lane must clear the wide boxes between the two ends, not only the ends themselves
        offset = 3.1 / 2 + 0.3 - max(d.nodes[a].w, d.nodes[b].w) / 2
        d.skip(a, b, text="x", offset=offset)
    default = "pre-norm (ViT): LN inside each branch" if pre_norm else "post-norm (Transformer, 2017)"
    return d.finish(title or default)


def draw_repvgg_block(ax, deploy=False, identity=True, title=None):
    """A RepVGG block. Training time (``deploy=False``): ``ReLU(BN(conv3x3 x) + BN(conv1x1 x) + BN(x))``, the identity
    branch only when ``identity`` (same shape in and out). Inference (``deploy=True``): one 3x3 conv with a bias, then
    ReLU (the re-parameterised form, paper Fig. 4)."""
    d = Diagram(ax)
    d.box("x", 0, 0, "x (B, C, H, W)", kind="io", w=2.6, h=0.5)
    if deploy:
        d.box("conv", 0, -1.5 * _DY, "3x3 conv + bias\n(= the three branches)", kind="conv", w=3.0, h=0.62)
        last = "conv"
        d.arrow("x", "conv")
    else:
        branches = [("3x3 conv", -2.9), ("1x1 conv", 0.0)] + ([("identity", 2.9)] if identity else [])
        for k, (text, x) in enumerate(branches):
            if text != "identity":
                d.box(f"conv{k}", x, -1 * _DY, text, kind="conv", w=2.3, h=0.5)
                d.arrow("x", f"conv{k}", start="bottom", end="top")
            else:
                d.label(x + 0.25, -1.1 * _DY, "identity\n(C_in = C_out, stride 1)", ha="left")
            d.box(f"bn{k}", x, -2 * _DY, "BN", kind="norm", w=2.3, h=0.5)
            d.arrow(f"conv{k}" if text != "identity" else "x", f"bn{k}", start="bottom", end="top")
        d.op("add", 0, -3 * _DY, "+")
        for k, (_, x) in enumerate(branches):
            d.arrow(f"bn{k}", "add", start="bottom", end="left" if x < 0 else ("right" if x > 0 else "top"))
        last = "add"
    d.box("relu", 0, -4 * _DY, "ReLU", kind="act", w=2.6, h=0.5)
    d.box("y", 0, -5 * _DY, "y", kind="io", w=2.6, h=0.5)
    d.arrow(last, "relu")
    d.arrow("relu", "y")
    default = "inference: one 3x3 conv" if deploy else "training: three branches"
    return d.finish(title or default)
