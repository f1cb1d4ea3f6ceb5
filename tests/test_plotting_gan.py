"""utils.plotting.gan and utils.plotting.architectures_gan: what each drawing promises (real points above the
generated ones, a fixed colour scale for probabilities, clipped peaks named, diagrams inside their axes)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from utils.plotting.architectures_gan import draw_dcgan_generator, draw_gan_training_step  # noqa: E402
from utils.plotting.gan import draw_gan_1d, draw_gan_2d, draw_mode_counts, draw_mode_shares  # noqa: E402


def inside(ax):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for p in ax.patches:
        b = p.get_extents().transformed(ax.transData.inverted())
        if not (x0 <= b.x0 and b.x1 <= x1 and y0 <= b.y0 and b.y1 <= y1):
            return False
    return True


def test_diagrams_name_their_layers_and_fit():
    fig, (a, b) = plt.subplots(1, 2)
    draw_gan_training_step(a)
    texts = " ".join(t.get_text() for t in a.texts)
    assert "detach()" in texts and "opt_D.step()" in texts and "opt_G.step()" in texts and inside(a)
    draw_dcgan_generator(b)
    shapes = [t.get_text() for t in b.texts if t.get_text().startswith("(B,")]
    assert shapes == ["(B, 1024, 4, 4)", "(B, 512, 8, 8)", "(B, 256, 16, 16)", "(B, 128, 32, 32)", "(B, 3, 64, 64)"]
    assert inside(b)
    plt.close(fig)


def test_draw_gan_2d_real_on_top_fixed_scale_and_colorbar():
    g = np.linspace(-3, 3, 5)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    fig, ax = plt.subplots()
    draw_gan_2d(ax, np.zeros((4, 2)), np.ones((2, 2)), grid, np.full(25, 0.3), real=np.ones((3, 2)), colorbar=True)
    contours, real, fake = ax.collections[:3]  # the order the widget relies on
    assert real.get_zorder() > fake.get_zorder()
    np.testing.assert_allclose(contours.levels, np.linspace(0, 1, 11))  # not fitted to the values: panels compare
    assert len(fig.axes) == 2  # the colourbar
    plt.close(fig)


def test_draw_gan_1d_names_a_clipped_peak():
    x = np.linspace(-3, 3, 61)
    fig, (a, b) = plt.subplots(1, 2)
    draw_gan_1d(a, x, np.zeros_like(x), np.zeros(100), mark_clipped=True)
    assert any("peak" in t.get_text() for t in a.texts)
    draw_gan_1d(b, x, np.zeros_like(x), np.zeros(100), ymax=100.0, mark_clipped=True)
    assert not b.texts and b.get_ylim()[1] == 100.0
    plt.close(fig)


def test_mode_shares_and_counts():
    fig, (a, b) = plt.subplots(1, 2)
    shares = np.eye(8)[[0, 3, 3, 5]]
    image = draw_mode_shares(a, [0, 50, 100, 150], shares)
    assert image.get_array().shape == (8, 4)
    draw_mode_counts(b, np.array([30, 0, 5, 40, 0, 0, 0, 25]), 100, min_share=0.1)
    colors = [tuple(p.get_facecolor()) for p in b.patches]
    assert colors[0] == colors[3] != colors[2]  # 30 and 40 reach 10 of 100 samples, 5 does not
    plt.close(fig)
