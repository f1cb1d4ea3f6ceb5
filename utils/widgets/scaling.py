"""Widget for ``notebooks/11_efficientnet_scaling.ipynb``: compound scaling of EfficientNet-B0."""

import functools

import numpy as np

from utils.blocks.efficientnet import (
    ALPHA, B0_RESOLUTION, B0_STAGES, BETA, GAMMA, compound_coefficients, efficientnet_flops, predicted_flops_ratio,
    round_filters, round_repeats,
)
from utils.widgets.explorer import Explorer, new_figure, slider

_B0_CHANNELS = sorted({c for *_, c_in, c_out, _ in B0_STAGES for c in (c_in, c_out)})
_COUNTED_FLOPS = {}


def _counted_flops(w, d, resolution):
    """``efficientnet_flops(w, d, resolution)``, remembered: the count depends on ``w`` and ``d`` only through the
    rounded channel and block counts, so nearby settings share one entry (counting costs about 1 ms). If
    ``efficientnet_flops`` ever depends on ``w`` or ``d`` in another way, the key must change with it."""
    key = (tuple(round_filters(c, w) for c in _B0_CHANNELS), tuple(round_repeats(n, d) for *_, n in B0_STAGES),
           resolution)
    if key not in _COUNTED_FLOPS:
        _COUNTED_FLOPS[key] = efficientnet_flops(w, d, resolution)
    return _COUNTED_FLOPS[key]


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
        "counted FLOPs x": _counted_flops(w, d, resolution) / _counted_flops(1.0, 1.0, B0_RESOLUTION),
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
    # Set up once: the lines with their labels, the legend and the log axis. A move only replaces y data.
    ones = np.ones_like(phis)
    (predicted,) = ax.plot(phis, ones, label="law: (alpha beta^2 gamma^2)^phi")
    (counted,) = ax.plot(phis, ones, "o", ms=3, label="counted (channels, blocks, px rounded)")
    ax.plot(phis, 2.0 ** phis, ":", color="grey", label="2^phi")
    multipliers = [(ax.plot(phis, ones, "--", lw=1, label=name)[0], key, 1 if name == "d" else 2)
                   for name, key in (("d", "d"), ("w^2", "w"), ("r^2", "r"))]
    now_line = ax.axvline(phi, color="k", lw=0.8)
    ax.set(yscale="log", xlabel="phi", ylabel="multiplier vs B0 (log)")
    ax.legend(fontsize=7)
    ax.autoscale_view()
    ax.set_autoscalex_on(False)  # the phi range is fixed; only the y range follows the coefficients

    @functools.lru_cache(maxsize=None)
    def curve(alpha, beta, gamma):  # the whole phi range: moving phi alone recomputes nothing
        return [compound_scaling_numbers(p, alpha, beta, gamma) for p in phis]

    def draw(phi, alpha, beta, gamma):
        numbers = curve(alpha, beta, gamma)
        predicted.set_ydata([c["predicted FLOPs x"] for c in numbers])
        counted.set_ydata([c["counted FLOPs x"] for c in numbers])
        for line, key, power in multipliers:
            line.set_ydata([c[key] ** power for c in numbers])
        now = compound_scaling_numbers(phi, alpha, beta, gamma)
        now_line.set_xdata([phi, phi])
        ax.relim()  # rescale y to the new lines
        ax.autoscale_view()
        # y=1.0 pins the title where matplotlib would put it anyway (no ticks above the axes), so the redraw
        # skips measuring every tick label to place it.
        ax.set_title(f"phi={phi:g}: {now['resolution']} px, {now['blocks']} blocks", y=1.0)
        return now

    return Explorer(controls, fig, draw, title="Compound scaling: depth, width, resolution")
