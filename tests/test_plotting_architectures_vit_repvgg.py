"""utils.plotting.architectures_vit_repvgg: the diagrams draw every layer they name, and nothing leaves the axes."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.plotting.architectures_vit_repvgg import (  # noqa: E402
    draw_repvgg_block, draw_transformer_block, draw_vit_overview,
)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def inside(ax):
    # every node patch lies inside the axes limits set by Diagram.finish
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for p in ax.patches:
        b = p.get_extents().transformed(ax.transData.inverted())
        if not (x0 <= b.x0 and b.x1 <= x1 and y0 <= b.y0 and b.y1 <= y1):
            return False
    return True


@pytest.mark.parametrize("pre_norm", [True, False])
def test_transformer_block_places_layernorm_where_asked(pre_norm):
    fig, ax = plt.subplots()
    draw_transformer_block(ax, pre_norm=pre_norm)
    labels = [t for t in texts(ax) if t in ("LayerNorm", "multi-head self-attention", "+")]
    # pre-norm: LN before attention; post-norm: attention, then the sum, then LN
    assert labels[:2] == (["LayerNorm", "multi-head self-attention"] if pre_norm else ["multi-head self-attention", "+"])
    assert texts(ax).count("LayerNorm") == 2 and inside(ax)
    plt.close(fig)


def test_vit_overview_and_repvgg_blocks_draw():
    fig, axes = plt.subplots(1, 4)
    draw_vit_overview(axes[0])
    draw_repvgg_block(axes[1])
    draw_repvgg_block(axes[2], identity=False)
    draw_repvgg_block(axes[3], deploy=True)
    assert any("class token" in t for t in texts(axes[0])) and any("position" in t for t in texts(axes[0]))
    assert texts(axes[1]).count("BN") == 3 and texts(axes[2]).count("BN") == 2 and "BN" not in texts(axes[3])
    assert all(inside(ax) for ax in axes)
    plt.close(fig)
