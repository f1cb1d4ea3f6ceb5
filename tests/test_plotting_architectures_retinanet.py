"""utils.plotting.architectures_retinanet: the RetinaNet head diagram draws every level and both subnets."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.plotting.architectures_retinanet import draw_retinanet_head  # noqa: E402


@pytest.mark.parametrize("convs, classes, anchors", [(4, 80, 9), (2, 20, 3)])
def test_head_has_each_level_and_two_subnets(convs, classes, anchors):
    fig, ax = plt.subplots()
    d = draw_retinanet_head(ax, convs=convs, classes=classes, anchors_per_location=anchors)
    names = set(d.nodes)
    assert {f"P{l}" for l in range(3, 8)} <= names
    for prefix in "cb":
        assert {f"{prefix}{i}" for i in range(convs)} | {f"{prefix}last", f"{prefix}out"} <= names
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"= {classes * anchors} filters" in texts and f"= {4 * anchors} filters" in texts
    assert "stride 8" in texts and "stride 128" in texts and "512-813 px" in texts
    plt.close(fig)
