"""Widget for ``notebooks/12_vit.ipynb``: image size and patch size -> tokens, attention memory and cost."""

import ipywidgets as widgets
import numpy as np

from utils.blocks.vit import vit_token_numbers  # noqa: F401 (notebook 12 imports it from here too)
from utils.widgets.explorer import Explorer, freeze_axis_labels, freeze_ticks, int_slider, new_figure

PATCH_SIZES = (8, 16, 32)


def vit_tokens_explorer(image_size=224, patch_size=16, hidden_dim=768, num_heads=12):
    """An image-size slider (multiples of 32 px) and a patch-size choice; plots attention memory per layer
    against image size for every patch size (log-log: slope 4, since ``T ~ (H / P)^2`` and memory ``~ T^2``).

    ``values`` holds :func:`vit_token_numbers` for the current setting (ViT-B widths by default).
    """
    controls = {
        "image_size": int_slider(image_size, 32, 1024, 32, "image size (px)"),
        "patch_size": widgets.Dropdown(options=PATCH_SIZES, value=patch_size, description="patch size (px)",
                                       style={"description_width": "120px"}, layout=widgets.Layout(width="300px")),
    }
    fig, axes = new_figure(figsize=(5.2, 3.6))
    ax = axes[0, 0]
    sizes = np.arange(32, 1025, 32)
    # Set up once: the curves do not depend on the controls, and the current point always lies on one of them, so
    # the log-log axes, labels, limits and legend stay; a move only re-weights the curves and moves the point.
    curves = {}
    for P in PATCH_SIZES:
        mib = [vit_token_numbers(s, P, hidden_dim, num_heads)["attention MiB / layer"] for s in sizes]
        (curves[P],) = ax.plot(sizes, mib, lw=1, label=f"P = {P}")
    (point,) = ax.plot([sizes[0]], [curves[PATCH_SIZES[0]].get_ydata()[0]], "o", color="k")  # placed by draw
    ax.set(xscale="log", yscale="log", xlabel="image side (px)", ylabel="attention matrices, MiB per layer")
    legend_lines = dict(zip(PATCH_SIZES, ax.legend().get_lines()))
    ax.autoscale_view()
    ax.set_autoscale_on(False)  # limits fixed once, to the curves

    def draw(image_size, patch_size):
        for P, line in curves.items():
            line.set_linewidth(2.5 if P == patch_size else 1)
            legend_lines[P].set_linewidth(2.5 if P == patch_size else 1)
        now = vit_token_numbers(image_size, patch_size, hidden_dim, num_heads)
        point.set_data([image_size], [now["attention MiB / layer"]])
        # y=1.0 pins the title where matplotlib would put it anyway (no ticks above the axes), so the redraw
        # skips measuring every tick label to place it.
        ax.set_title(f"{now['tokens T']} tokens -> {now['tokens T'] ** 2:,} scores per head", y=1.0)
        return now

    explorer = Explorer(controls, fig, draw, title="ViT: tokens and attention memory")
    freeze_ticks(ax)  # the limits are fixed: so are the ticks (dozens of minor ones on log-log axes) and the labels
    freeze_axis_labels(ax)
    return explorer
