"""The timeline of classic models for ``notebooks/00_model_map.ipynb``, and the accuracy-for-cost chart.

Only drawing here: the facts come from :mod:`utils.data.models`.
"""

import numpy as np

from utils.data.models import FAMILIES
from utils.plotting.core import CYCLE

FAMILY_COLORS = dict(zip(FAMILIES, CYCLE))
_BAND = "#f2f2f2"  # the shade of every other family's band


def _label(m):
    return m.name + (f" ({m.params_m:g}M)" if m.params_m else "")


def timeline_layout(models, ax, fontsize=8.5, x_range=(2011.6, 2023.4), gap=0.12):
    """Where :func:`draw_timeline` puts each model: ``({name: (x, y)}, {family: (y_top, y_bottom)})``.

    One band per family (in the order of ``FAMILIES``, only those present), top to bottom. Inside a band a model
    goes to the first track whose last label ends before the model's year, so no two labels overlap; the label
    widths are estimated from ``ax``'s width in pixels and the number of characters.
    """
    width_px = ax.get_window_extent().width * 0.9  # the y tick labels take part of the axes once laid out
    years_per_px = (x_range[1] - x_range[0]) / width_px
    char_px = 0.55 * fontsize * ax.figure.dpi / 72  # an average character of the sans-serif font
    position, bands, y = {}, {}, 0.0
    for family in FAMILIES:
        rows = sorted((m for m in models if m.family == family), key=lambda m: (m.year, m.name))
        if not rows:
            continue
        track_ends = []  # x where the last label of each track ends
        for m in rows:
            start = m.year - gap
            track = next((t for t, end in enumerate(track_ends) if end <= start), len(track_ends))
            end = m.year + 0.04 + len(_label(m)) * char_px * years_per_px
            if track == len(track_ends):
                track_ends.append(end)
            track_ends[track] = end
            position[m.name] = (m.year, y + track)
        bands[family] = (y - 0.6, y + len(track_ends) - 0.4)
        y += len(track_ends) + 0.5  # half a track between families
    return position, bands


def draw_timeline(ax, models, show_links=True, fontsize=8.5):
    """One band per family, one dot per model at its year; arrows from each model to the ones it builds on.

    Arrows inside a family are solid, arrows between families dashed and lighter. Returns the family bands
    ``{family: (y_top, y_bottom)}`` in data units (``ax.set_ylim(y_bottom, y_top)`` shows one family alone).
    Drawing order (relied on by ``utils.widgets.models``): one dot per model in the order of ``models``, then one
    label per model in that order, then the arrows (annotations from the parent's dot to the model's dot).
    """
    x_range = (2011.6, 2023.4)
    ax.set_xlim(*x_range)
    position, bands = timeline_layout(models, ax, fontsize=fontsize, x_range=x_range)
    for m in models:
        x, y = position[m.name]
        ax.plot(x, y, "o", color=FAMILY_COLORS[m.family], ms=6, zorder=3)
    shaded = {family for i, family in enumerate(bands) if i % 2 == 0}  # every other band, so the eye keeps a row
    for m in models:
        x, y = position[m.name]
        # above the dot, so that arrows along the row pass under it; an opaque background hides crossing arrows
        ax.text(x + 0.04, y - 0.14, _label(m), fontsize=fontsize, va="bottom", zorder=4,
                bbox=dict(facecolor=_BAND if m.family in shaded else "white", edgecolor="none", pad=0.6))
    if show_links:
        family_of = {m.name: m.family for m in models}
        for m in models:
            for parent in m.builds_on:
                if parent not in position:
                    continue
                same = family_of[parent] == m.family
                # curved between families and within one year (a straight line there would run through the dots
                # of the same year in between)
                bend = 0.12 if not same else (0.35 if position[parent][0] == position[m.name][0] else 0.0)
                ax.annotate("", xy=position[m.name], xytext=position[parent], zorder=2,
                            arrowprops=dict(arrowstyle="-|>", mutation_scale=8, shrinkA=3.5, shrinkB=3.5,
                                            color="#4d4d4d" if same else "#9a9a9a", lw=0.9 if same else 0.7,
                                            linestyle="-" if same else (0, (3, 2)),
                                            connectionstyle=f"arc3,rad={bend}"))
    for family in shaded:
        ax.axhspan(*bands[family], color=_BAND, zorder=0, lw=0)
    ax.set_yticks([(top + bottom) / 2 for top, bottom in bands.values()], list(bands))
    ax.tick_params(axis="y", length=0)
    everything = [b for band in bands.values() for b in band]
    ax.set_ylim(max(everything), min(everything))  # first family at the top
    ax.set_xticks(range(2012, 2023, 2))
    ax.set_xlabel("year of the first public version")
    ax.grid(axis="y", alpha=0)
    return bands


def draw_accuracy_vs_cost(ax, models, fontsize=8):
    """ImageNet top-1 against multiply-adds (log axis) for the models that have both, labelled, one colour per
    idea: a CNN, a mobile CNN (under 1 G multiply-adds) and a Transformer. Returns the points drawn."""
    points = [m for m in models if m.top1 is not None and m.gmacs is not None]
    kinds = {"CNN": CYCLE[0], "mobile CNN": CYCLE[2], "Transformer": CYCLE[1]}

    def kind(m):
        if m.name.startswith(("ViT", "Swin")):
            return "Transformer"
        return "mobile CNN" if m.name.startswith(("MobileNet", "ShuffleNet", "EfficientNet")) else "CNN"

    for name, color in kinds.items():
        chosen = [m for m in points if kind(m) == name]
        ax.scatter([m.gmacs for m in chosen], [m.top1 for m in chosen], s=28, color=color, label=name, zorder=3)
    for m in points:
        # labels to the right, except where a neighbour sits there
        left = m.name in ("ResNeXt-50", "SE-ResNet-50", "Swin-T", "EfficientNet-B0")
        text = m.name + (" (10-crop)" if "10-crop" in m.note else "")
        ax.annotate(text, (m.gmacs, m.top1), xytext=(-5 if left else 5, 0), textcoords="offset points",
                    ha="right" if left else "left", va="center", fontsize=fontsize)
    ax.set_xscale("log")
    ticks = [0.25, 0.5, 1, 2, 4, 8, 16]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_xlim(0.15, 30)
    ax.set_xlabel("multiply-adds per 224 x 224 image (G, log scale)")
    ax.set_ylabel("ImageNet top-1 (%)")
    ax.legend(loc="lower right")
    return np.array([[m.gmacs, m.top1] for m in points])
