"""Widgets for the backbone notebooks: 08 (gradient flow), 09 (cardinality) and 10 (separable convolution)."""

import functools

import ipywidgets as widgets
import numpy as np
import torch

# the numbers each widget shows (re-exported: notebooks 08-10 import them from here too)
from utils.blocks.mobilenet import separable_numbers, separable_ratio  # noqa: F401
from utils.blocks.resnet import gradient_flow_numbers  # noqa: F401
from utils.blocks.resnext import CARDINALITIES, cardinality_numbers  # noqa: F401
from utils.widgets.explorer import Explorer, freeze_axis_labels, freeze_ticks, int_slider, new_figure


def gradient_flow_explorer(depth=30, batchnorm=True, max_depth=80):
    """A depth slider and a BatchNorm switch; gradient norm per layer at initialisation, plain vs residual.

    ``values``: the first layer's gradient norm in each net and its ratio to the last layer's.
    """
    controls = {"depth": int_slider(depth, 1, max_depth, 1, "blocks (depth)"),
                "batchnorm": widgets.Checkbox(value=batchnorm, description="BatchNorm in F")}
    fig, axes = new_figure(figsize=(6.0, 3.6))
    ax = axes[0, 0]
    # Set up once: the log axis, its labels, the two lines and the legend. A move only replaces the lines' data.
    (plain,) = ax.semilogy([], [], "o-", ms=3, label="plain: y = F(x)")
    (residual,) = ax.semilogy([], [], "s-", ms=3, label="residual: y = x + F(x)")
    ax.set(xlabel="weight layer (1 = next to the input)", ylabel="||dL/dW|| at initialisation")
    ax.legend()
    # Two deep nets through a backward pass is most of the cost of a move: keep each (depth, BatchNorm) result.
    @functools.lru_cache(maxsize=None)
    def cached_numbers(depth, batchnorm):
        # One intra-op thread, as notebook 08 runs: these nets are too small to share out (a second thread that
        # waits for a busy core made a move 10-30x slower), and the numbers no longer depend on the core count.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return gradient_flow_numbers(depth, batchnorm)
        finally:
            torch.set_num_threads(threads)

    def draw(depth, batchnorm):
        norms = cached_numbers(depth, batchnorm)
        layers = np.arange(1, depth + 3)
        plain.set_data(layers, norms["plain"])
        residual.set_data(layers, norms["residual"])
        ax.relim()  # the depth and the norms change the data range: rescale both axes to it
        ax.autoscale_view()
        # y=1.0 pins the title where matplotlib would put it anyway (no ticks above the axes), so the redraw
        # skips measuring every tick label to place it.
        ax.set_title(f"{depth} blocks, width 32, " + ("with" if batchnorm else "without") + " BatchNorm", y=1.0)
        return {
            "plain: first layer": float(norms["plain"][0]),
            "residual: first layer": float(norms["residual"][0]),
            "plain: first / last": float(norms["plain"][0] / norms["plain"][-1]),
            "residual: first / last": float(norms["residual"][0] / norms["residual"][-1]),
        }

    return Explorer(controls, fig, draw, title="Gradient flow at initialisation")


def cardinality_explorer(cardinality=32):
    """A cardinality selector (1-64) at a fixed parameter budget; bars of each conv's weights.

    The paper's table 2: as C grows at constant cost, each path gets narrower (d falls) but the block
    gets wider (C * d grows). ``values`` holds :func:`cardinality_numbers`.
    """
    controls = {"cardinality": widgets.SelectionSlider(options=CARDINALITIES, value=cardinality,
                                                       description="cardinality C",
                                                       style={"description_width": "120px"})}
    fig, axes = new_figure(figsize=(6.0, 3.4))
    ax = axes[0, 0]
    reference = [256 * 64, 9 * 64 * 64, 64 * 256]
    # Set up once: both sets of bars (a move only changes the ResNeXt heights), the ticks and the legend.
    positions = np.arange(3)
    ax.bar(positions - 0.2, reference, 0.4, label="ResNet-50 (64 wide)")
    resnext_bars = ax.bar(positions + 0.2, reference, 0.4, label="ResNeXt")
    ax.set_xticks(positions, ["1x1 reduce", "3x3 (grouped)", "1x1 expand"])
    ax.set(ylabel="weights")
    resnext_label = ax.legend().get_texts()[1]

    def draw(cardinality):
        numbers = cardinality_numbers(cardinality)
        d, width = numbers["d"], numbers["width C*d"]
        parts = [256 * width, 9 * width * d, width * 256]  # 1x1 reduce, grouped 3x3 (C groups of d), 1x1 expand
        for bar, height in zip(resnext_bars, parts):
            bar.set_height(height)
        resnext_label.set_text(f"ResNeXt {cardinality}x{d}d ({width} wide)")
        ax.relim()  # rescale the y axis to the new bars
        ax.autoscale_view()
        # y=1.0: the title stays where matplotlib puts it, without re-measuring (see gradient_flow_explorer)
        ax.set_title(f"C = {cardinality}, d = {d}: {numbers['params']:,} weights in all", y=1.0)
        return numbers

    return Explorer(controls, fig, draw, title="ResNeXt at ResNet-50's cost")


def separable_conv_explorer(c_in=32, c_out=64, k=3, size=56):
    """Sliders for C_in, C_out, k and the map size; the cost ratio against C_out for the chosen k.

    ``values`` holds :func:`separable_numbers`.
    """
    controls = {
        "c_in": int_slider(c_in, 1, 512, 1, "C_in"),
        "c_out": int_slider(c_out, 1, 1024, 1, "C_out"),
        "k": int_slider(k, 1, 7, 2, "kernel k"),
        "size": int_slider(size, 7, 224, 7, "H = W"),
    }
    fig, axes = new_figure(1, 2, figsize=(8.0, 3.4))
    ax_bar, ax_ratio = axes[0]
    c_outs = np.arange(1, 1025)
    # Set up once: the artists and labels; a move only changes bar heights, line data, legend texts and titles.
    bars = ax_bar.bar([0, 1], [1, 1], color=["#264653", "#e76f51"])
    ax_bar.set_xticks([0, 1], ["standard", "separable"])
    ax_bar.set(ylabel="MFLOPs (one image)")
    (curve,) = ax_ratio.semilogx(c_outs, 1 / c_outs + 1 / k ** 2, label="1/C_out + 1/k^2")
    floor = ax_ratio.axhline(1 / k ** 2, color="grey", ls=":", label="floor 1/k^2")
    (point,) = ax_ratio.plot([c_out], [separable_ratio(c_out, k)], "o", color="#e76f51")
    ax_ratio.set(xlabel="C_out", ylabel="separable / standard", ylim=(0, 1.05))
    ax_ratio.set_title("cost ratio", y=1.0)  # y=1.0: see gradient_flow_explorer
    ax_ratio.autoscale_view()
    ax_ratio.set_autoscale_on(False)  # the x range (C_out from 1 to 1024) and the y range never change
    curve_label, floor_label = ax_ratio.legend().get_texts()

    def draw(c_in, c_out, k, size):
        numbers = separable_numbers(c_in, c_out, k, size)
        bars[0].set_height(numbers["standard MFLOPs"])
        bars[1].set_height(numbers["separable MFLOPs"])
        ax_bar.relim()  # rescale the y axis to the new bars
        ax_bar.autoscale_view()
        ax_bar.set_title(f"{c_in} -> {c_out}, {k}x{k}, {size}x{size}", y=1.0)  # y=1.0: as above
        curve.set_ydata(1 / c_outs + 1 / k ** 2)
        curve_label.set_text(f"1/C_out + 1/{k * k}")
        floor.set_ydata([1 / k ** 2, 1 / k ** 2])
        floor_label.set_text(f"floor 1/k^2 = {1 / k ** 2:.3f}")
        point.set_data([c_out], [numbers["FLOPs ratio"]])
        return numbers

    explorer = Explorer(controls, fig, draw, title="Standard vs depthwise-separable convolution")
    freeze_ticks(ax_ratio)  # the ratio panel's limits never change (the bars' y axis follows the costs)
    freeze_axis_labels(ax_ratio)
    return explorer
