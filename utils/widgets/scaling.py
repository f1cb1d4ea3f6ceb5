"""Widget for ``notebooks/11_efficientnet_scaling.ipynb``: compound scaling of EfficientNet-B0."""

import functools

import numpy as np

from utils.blocks.efficientnet import (  # compound_scaling_numbers: notebook 11 imports it from here too
    ALPHA, BETA, GAMMA, compound_scaling_numbers,
)
from utils.widgets.explorer import Explorer, new_figure, slider

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
