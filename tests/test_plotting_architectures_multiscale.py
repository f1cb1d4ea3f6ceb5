"""utils.plotting.architectures_multiscale: the FPN, SPPNet and SPP/SPPF diagrams draw every node they name."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.plotting.architectures_multiscale import draw_fpn, draw_spp_vs_sppf, draw_sppnet  # noqa: E402


@pytest.mark.parametrize("p6", [True, False])
def test_fpn_has_one_lateral_merge_and_output_per_level(p6):
    fig, ax = plt.subplots()
    d = draw_fpn(ax, channels=(8, 16, 32), d=4, p6=p6)
    names = set(d.nodes)
    for l in (2, 3, 4):
        assert {f"C{l}", f"L{l}", f"M{l}", f"S{l}", f"P{l}"} <= names
    assert ("P6" in names) == p6
    assert sum(n.round for n in d.nodes.values()) == 2  # additions at the two finer levels; the top has none
    plt.close(fig)


def test_sppnet_and_spp_sppf_label_their_sizes():
    fig, (a1, a2) = plt.subplots(1, 2)
    d = draw_sppnet(a1, levels=(6, 3, 2, 1), channels=256)
    assert {"pool6", "pool3", "pool2", "pool1", "cat", "vec"} <= set(d.nodes)
    assert any("12,800" in t.get_text() for t in a1.texts)  # 50 bins x 256
    d = draw_spp_vs_sppf(a2)
    texts = " ".join(t.get_text() for t in a2.texts)
    assert "275 reads" in texts and "75 reads" in texts and "window 13x13" in texts
    plt.close(fig)
