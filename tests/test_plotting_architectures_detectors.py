"""utils.plotting.architectures_detectors: the two-stage, dense-head and tiled-inference diagrams draw every node
they name and print the caller's numbers."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from utils.plotting.architectures_detectors import (  # noqa: E402
    draw_dense_head, draw_tiled_inference, draw_two_stage)


def _texts(ax):
    return " ".join(t.get_text() for t in ax.texts)


def test_two_stage_has_both_stages_and_the_callers_counts():
    fig, ax = plt.subplots()
    d = draw_two_stage(ax, anchors="12,345", proposals=300, roi=14, fc=512, classes=20)
    assert {"img", "bb", "fpn", "rpn", "nms1", "align", "head", "out", "nms2"} <= set(d.nodes)
    text = _texts(ax)
    assert "12,345 anchors" in text and "top 300 proposals" in text and "RoIAlign 14x14" in text
    assert "2 fc x 512" in text and "21 class scores" in text and "stage 2: once per proposal" in text
    plt.close(fig)


def test_dense_head_multiplies_anchors_by_classes():
    fig, ax = plt.subplots()
    d = draw_dense_head(ax, anchors=3, classes=20, num_convs=2, candidates="1,000")
    assert {"fpn", "c", "b", "c2", "b2", "sel"} <= set(d.nodes)
    text = _texts(ax)
    assert "3 x 20 = 60" in text and "3 x 4 = 12" in text and "2 x (3x3 conv 256" in text and "1,000 anchors" in text
    plt.close(fig)


def test_tiled_inference_names_tile_overlap_and_scale():
    fig, ax = plt.subplots()
    d = draw_tiled_inference(ax, tile=512, overlap=64, upscale=2)
    assert {"cut", "up", "det", "shift", "nms", "full"} <= set(d.nodes)
    text = _texts(ax)
    assert "512 px" in text and "overlap 64 px" in text and "x 2" in text and "boxes / 2" in text
    plt.close(fig)
