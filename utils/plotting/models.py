"""The timeline of classic models for ``notebooks/00_model_map.ipynb``."""

from utils.data.models import FAMILIES
from utils.plotting.core import CYCLE

FAMILY_COLORS = dict(zip(FAMILIES, CYCLE))


def draw_timeline(ax, models, show_links=True):
    """One row per family, one dot per model at its year; arrows from each model to the ones it builds on."""
    rows = {family: i for i, family in enumerate(FAMILIES)}
    position = {}
    offsets = {}
    for m in models:
        # Spread models of the same family and year vertically so labels do not overlap.
        k = offsets.get((m.family, m.year), 0)
        offsets[(m.family, m.year)] = k + 1
        position[m.name] = (m.year, rows[m.family] + 0.22 * k)
    if show_links:
        for m in models:
            for parent in m.builds_on:
                if parent in position:
                    ax.annotate("", xy=position[m.name], xytext=position[parent],
                                arrowprops=dict(arrowstyle="->", color="#999999", lw=0.6, alpha=0.6))
    for m in models:
        x, y = position[m.name]
        ax.plot(x, y, "o", color=FAMILY_COLORS[m.family], ms=6, zorder=3)
        label = m.name + (f" ({m.params_m:g}M)" if m.params_m else "")
        ax.text(x + 0.08, y + 0.05, label, fontsize=7, va="bottom", zorder=4)
    ax.set_yticks(range(len(FAMILIES)), FAMILIES)
    ax.set_ylim(-0.5, len(FAMILIES) + 0.2)
    ax.set_xlim(2011.5, 2022)
    ax.set_xlabel("year of the first public version")
    ax.grid(axis="y", alpha=0)
    return ax
