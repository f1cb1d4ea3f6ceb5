"""utils.plotting.architectures_unet_faces: the U-Net and LFFD diagrams draw every level and branch."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from utils.plotting.architectures_unet_faces import draw_lffd, draw_unet  # noqa: E402


def test_unet_diagram_has_a_concatenation_per_level_and_the_paper_sizes():
    fig, ax = plt.subplots()
    d = draw_unet(ax)
    assert sum(n.round for n in d.nodes.values()) == 4  # one "C" per level
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "572 -> 568" in texts and "392 -> 388" in texts and "crop 568 -> 392" in texts
    plt.close(fig)
    fig, ax = plt.subplots()
    draw_unet(ax, size=64, depth=2, base=8, padding=1)
    assert "crop" not in " ".join(t.get_text() for t in ax.texts)  # same convs: nothing to crop
    with pytest.raises(ValueError, match="size 570"):
        draw_unet(ax, size=570)
    plt.close(fig)


def test_lffd_diagram_draws_eight_branches():
    fig, ax = plt.subplots()
    d = draw_lffd(ax)
    assert sum(name.startswith("h") for name in d.nodes) == 8
    assert "branch 8: RF 639, stride 32, faces 400-560 px" in [t.get_text() for t in ax.texts]
    plt.close(fig)
