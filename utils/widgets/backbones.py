"""Widgets for the backbone notebooks: 08 (gradient flow), 09 (cardinality) and 10 (separable convolution)."""

import ipywidgets as widgets
import numpy as np
import torch

from utils.blocks.mobilenet import separable_conv_cost, separable_ratio, standard_conv_cost
from utils.blocks.resnet import bottleneck_flops, bottleneck_params, deep_mlp, gradient_norms
from utils.blocks.resnext import resnext_block_params, width_for_budget
from utils.widgets.explorer import Explorer, int_slider, new_figure


def gradient_flow_numbers(depth, batchnorm=True, width=32, batch=256, seed=0):
    """Per-layer ``||dL/dW||`` at initialisation of :func:`deep_mlp` with and without shortcuts.

    One cross-entropy loss on ``batch`` random digit-like inputs (uniform in [0, 1], random labels: at
    initialisation the data hardly matter). Returns ``{"plain": (depth + 2,) array, "residual": ...}``.
    """
    x = torch.rand(batch, 64, generator=torch.Generator().manual_seed(seed))
    y = torch.randint(0, 10, (batch,), generator=torch.Generator().manual_seed(seed + 1))
    norms = {}
    for name, shortcut in (("plain", False), ("residual", True)):
        torch.manual_seed(seed)
        model = deep_mlp(depth, width, shortcut=shortcut, batchnorm=batchnorm)
        norms[name] = gradient_norms(model, x, y).numpy()
    return norms


def gradient_flow_explorer(depth=30, batchnorm=True, max_depth=80):
    """A depth slider and a BatchNorm switch; gradient norm per layer at initialisation, plain vs residual.

    ``values``: the first layer's gradient norm in each net and its ratio to the last layer's.
    """
    controls = {"depth": int_slider(depth, 1, max_depth, 1, "blocks (depth)"),
                "batchnorm": widgets.Checkbox(value=batchnorm, description="BatchNorm in F")}
    fig, axes = new_figure(figsize=(6.0, 3.6))
    ax = axes[0, 0]

    def draw(depth, batchnorm):
        norms = gradient_flow_numbers(depth, batchnorm)
        ax.clear()
        layers = np.arange(1, depth + 3)
        ax.semilogy(layers, norms["plain"], "o-", ms=3, label="plain: y = F(x)")
        ax.semilogy(layers, norms["residual"], "s-", ms=3, label="residual: y = x + F(x)")
        ax.set(xlabel="weight layer (1 = next to the input)", ylabel="||dL/dW|| at initialisation",
               title=f"{depth} blocks, width 32, " + ("with" if batchnorm else "without") + " BatchNorm")
        ax.legend()
        return {
            "plain: first layer": float(norms["plain"][0]),
            "residual: first layer": float(norms["residual"][0]),
            "plain: first / last": float(norms["plain"][0] / norms["plain"][-1]),
            "residual: first / last": float(norms["residual"][0] / norms["residual"][-1]),
        }

    return Explorer(controls, fig, draw, title="Gradient flow at initialisation")


CARDINALITIES = (1, 2, 4, 8, 16, 32, 64)


def cardinality_numbers(cardinality, budget=69_632, size=56):
    """ResNeXt block at the parameter budget of ResNet-50's conv2 block: ``d``, width and the costs.

    Returns a dict with ``d`` (width per path), ``width C*d``, the block's ``params`` (conv weights) and
    ``GFLOPs`` on a ``size x size`` map, and the same two numbers relative to the ResNet block.
    """
    d = width_for_budget(budget, 256, 256, cardinality)
    params = resnext_block_params(256, 256, cardinality, d)
    flops = bottleneck_flops(256, cardinality * d, 256, size, size, groups=cardinality)
    return {
        "d": d, "width C*d": cardinality * d, "params": params,
        "params / ResNet": params / bottleneck_params(256, 64, 256),
        "GFLOPs": flops / 1e9, "FLOPs / ResNet": flops / bottleneck_flops(256, 64, 256, size, size),
    }


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

    def draw(cardinality):
        numbers = cardinality_numbers(cardinality)
        d, width = numbers["d"], numbers["width C*d"]
        parts = [256 * width, 9 * width * d, width * 256]  # 1x1 reduce, grouped 3x3 (C groups of d), 1x1 expand
        ax.clear()
        positions = np.arange(3)
        ax.bar(positions - 0.2, reference, 0.4, label="ResNet-50 (64 wide)")
        ax.bar(positions + 0.2, parts, 0.4, label=f"ResNeXt {cardinality}x{d}d ({width} wide)")
        ax.set_xticks(positions, ["1x1 reduce", "3x3 (grouped)", "1x1 expand"])
        ax.set(ylabel="weights", title=f"C = {cardinality}, d = {d}: {numbers['params']:,} weights in all")
        ax.legend()
        return numbers

    return Explorer(controls, fig, draw, title="ResNeXt at ResNet-50's cost")


def separable_numbers(c_in, c_out, k, size):
    """Params and FLOPs of a standard vs a depthwise-separable ``k x k`` conv on a ``size x size`` map."""
    p_std, f_std = standard_conv_cost(c_in, c_out, k, size, size)
    p_sep, f_sep = separable_conv_cost(c_in, c_out, k, size, size)
    return {
        "standard params": p_std, "separable params": p_sep,
        "standard MFLOPs": f_std / 1e6, "separable MFLOPs": f_sep / 1e6,
        "FLOPs ratio": f_sep / f_std, "1/C_out + 1/k^2": separable_ratio(c_out, k),
    }


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

    def draw(c_in, c_out, k, size):
        numbers = separable_numbers(c_in, c_out, k, size)
        ax_bar.clear()
        ax_bar.bar([0, 1], [numbers["standard MFLOPs"], numbers["separable MFLOPs"]], color=["#264653", "#e76f51"])
        ax_bar.set_xticks([0, 1], ["standard", "separable"])
        ax_bar.set(ylabel="MFLOPs (one image)", title=f"{c_in} -> {c_out}, {k}x{k}, {size}x{size}")
        ax_ratio.clear()
        ax_ratio.semilogx(c_outs, 1 / c_outs + 1 / k ** 2, label=f"1/C_out + 1/{k * k}")
        ax_ratio.axhline(1 / k ** 2, color="grey", ls=":", label=f"floor 1/k^2 = {1 / k ** 2:.3f}")
        ax_ratio.plot([c_out], [numbers["FLOPs ratio"]], "o", color="#e76f51")
        ax_ratio.set(xlabel="C_out", ylabel="separable / standard", ylim=(0, 1.05), title="cost ratio")
        ax_ratio.legend()
        return numbers

    return Explorer(controls, fig, draw, title="Standard vs depthwise-separable convolution")
