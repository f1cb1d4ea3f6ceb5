"""utils.plotting.architectures: every block and form draws, the shortcut lane clears every node, limits can be shared."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.plotting.architectures import draw_residual_block, draw_resnext_form, share_limits  # noqa: E402


def _lane_x(ax):
    # the skip lane is the only 3-point line: (out of a, along the lane, down to b)
    lines = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert len(lines) == 1
    return lines[0].get_xdata()[1]


@pytest.mark.parametrize("kind, ops", [("basic", 1), ("bottleneck", 1), ("preact", 1)])
def test_residual_blocks_draw_a_branch_and_a_lane(kind, ops):
    fig, ax = plt.subplots()
    d = draw_residual_block(ax, kind)
    nodes = [n for name, n in d.nodes.items() if not name.startswith("_group")]
    assert sum(n.round for n in nodes) == ops  # one addition
    assert _lane_x(ax) > max(n.x + n.w / 2 for n in nodes)
    assert ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize("form", ["a", "b", "c"])
def test_resnext_forms_keep_the_lane_right_of_every_path(form):
    fig, ax = plt.subplots()
    d = draw_resnext_form(ax, form)
    assert _lane_x(ax) > max(n.x + n.w / 2 for n in d.nodes.values())
    assert ax.get_title().startswith(f"({form})")
    plt.close(fig)


def test_share_limits_gives_equal_spans_and_rejects_unknown_kinds():
    fig, axes = plt.subplots(1, 2)
    draw_residual_block(axes[0], "basic")
    draw_residual_block(axes[1], "bottleneck")
    share_limits(axes)
    spans = [(ax.get_xlim()[1] - ax.get_xlim()[0], ax.get_ylim()[1] - ax.get_ylim()[0]) for ax in axes]
    assert spans[0] == pytest.approx(spans[1])
    with pytest.raises(ValueError, match="kind"):
        draw_residual_block(axes[0], "dense")
    with pytest.raises(ValueError, match="form"):
        draw_resnext_form(axes[0], "d")
    plt.close(fig)
