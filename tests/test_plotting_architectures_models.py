"""utils.plotting.architectures_models (notebook 00): ResNet-50's stages and the zoomed block carry the right sizes;
utils.plotting.models: the timeline puts no two labels of a family on the same track where they would overlap."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.data.models import FAMILIES, classic_models  # noqa: E402
from utils.plotting.architectures_models import draw_resnet_with_block  # noqa: E402
from utils.plotting.models import draw_accuracy_vs_cost, draw_timeline  # noqa: E402


@pytest.mark.parametrize("zoom, block_in, block_out", [(0, "x: 64 x 56 x 56", "out: 256 x 56 x 56"),
                                                       (1, "x: 256 x 56 x 56", "out: 512 x 28 x 28"),
                                                       (3, "x: 1024 x 14 x 14", "out: 2048 x 7 x 7")])
def test_resnet_stages_and_zoomed_block(zoom, block_in, block_out):
    fig, ax = plt.subplots()
    d = draw_resnet_with_block(ax, zoom=zoom)
    texts = [t.get_text() for t in ax.texts]
    assert {"conv2_x", "conv3_x", "conv4_x", "conv5_x", "proj", "add"} <= set(d.nodes)
    assert block_in in texts and block_out in texts
    assert "conv5_x: 3 blocks, 2048-d, 7 x 7" in texts
    stride = "/1" if zoom == 0 else "/2"
    assert any(stride in t and "BN" in t for t in texts)  # the projection shortcut carries the block's stride
    plt.close(fig)


def _label_boxes(ax):
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]


def test_timeline_labels_do_not_overlap():
    fig, ax = plt.subplots(figsize=(11, 8.5))
    bands = draw_timeline(ax, classic_models())
    assert list(bands) == list(FAMILIES)
    boxes = _label_boxes(ax)
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not overlaps
    plt.close(fig)


def test_one_family_fills_its_panel():
    fig, ax = plt.subplots()
    bands = draw_timeline(ax, classic_models("detection"))
    assert list(bands) == ["detection"]
    top, bottom = bands["detection"]
    assert ax.get_ylim() == (bottom, top)
    plt.close(fig)


def test_accuracy_chart_plots_every_model_with_both_numbers():
    fig, ax = plt.subplots()
    points = draw_accuracy_vs_cost(ax, classic_models("classification"))
    expected = [m for m in classic_models("classification") if m.top1 is not None and m.gmacs is not None]
    assert len(points) == len(expected) > 10
    plt.close(fig)
