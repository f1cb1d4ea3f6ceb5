"""Widget for ``notebooks/11_efficientnet_scaling.ipynb``: compound scaling of EfficientNet-B0."""

import numpy as np

from utils.blocks.efficientnet import (
    ALPHA, B0_RESOLUTION, B0_STAGES, BETA, GAMMA, compound_coefficients, efficientnet_flops, predicted_flops_ratio,
    round_repeats,
)
from utils.widgets.explorer import Explorer, new_figure, slider


def compound_scaling_numbers(phi, alpha=ALPHA, beta=BETA, gamma=GAMMA):
    """What compound scaling by ``phi`` does to B0: multipliers, the resulting network and its FLOPs.

    Returns a dict: ``d, w, r`` (multipliers), ``alpha*beta^2*gamma^2``, ``resolution`` (px, a multiple of 8),
    ``blocks`` (MBConv blocks after rounding each stage up), ``predicted FLOPs x`` (the law) and
    ``counted FLOPs x`` (the rounded network, counted layer by layer, relative to B0 at 224).
    """
    d, w, r = compound_coefficients(phi, alpha, beta, gamma)
    resolution = int(round(B0_RESOLUTION * r / 8)) * 8
    return {
        "d": d, "w": w, "r": r,
        "alpha*beta^2*gamma^2": alpha * beta ** 2 * gamma ** 2,
        "resolution": resolution,
        "blocks": sum(round_repeats(n, d) for *_, n in B0_STAGES),
        "predicted FLOPs x": predicted_flops_ratio(phi, alpha, beta, gamma),
        "counted FLOPs x": efficientnet_flops(w, d, resolution) / efficientnet_flops(),
    }


def compound_scaling_explorer(phi=1.0, alpha=ALPHA, beta=BETA, gamma=GAMMA, phi_max=6.0):
    """Sliders for ``phi`` and the three coefficients; a plot of FLOPs growth, predicted vs counted.

    ``values`` holds :func:`compound_scaling_numbers` at the current setting.
    """
    controls = {
        "phi": slider(phi, 0, phi_max, 0.25, "phi"),
        "alpha": slider(alpha, 1.0, 2.0, 0.01, "alpha (depth)"),
        "beta": slider(beta, 1.0, 1.5, 0.01, "beta (width)"),
        "gamma": slider(gamma, 1.0, 1.5, 0.01, "gamma (resolution)"),
    }
    fig, axes = new_figure(figsize=(5.6, 3.8))
    ax = axes[0, 0]
    phis = np.arange(0, phi_max + 1e-9, 0.25)

    def draw(phi, alpha, beta, gamma):
        curve = [compound_scaling_numbers(p, alpha, beta, gamma) for p in phis]
        ax.clear()
        ax.plot(phis, [c["predicted FLOPs x"] for c in curve], label="law: (alpha beta^2 gamma^2)^phi")
        ax.plot(phis, [c["counted FLOPs x"] for c in curve], "o", ms=3, label="counted (channels, blocks, px rounded)")
        ax.plot(phis, 2.0 ** phis, ":", color="grey", label="2^phi")
        for name, key, style in (("d", "d", "--"), ("w^2", "w", "--"), ("r^2", "r", "--")):
            power = 1 if name == "d" else 2
            ax.plot(phis, [c[key] ** power for c in curve], style, lw=1, label=name)
        now = compound_scaling_numbers(phi, alpha, beta, gamma)
        ax.axvline(phi, color="k", lw=0.8)
        ax.set(yscale="log", xlabel="phi", ylabel="multiplier vs B0 (log)",
               title=f"phi={phi:g}: {now['resolution']} px, {now['blocks']} blocks")
        ax.legend(fontsize=7)
        return now

    return Explorer(controls, fig, draw, title="Compound scaling: depth, width, resolution")
