"""Widget for ``notebooks/00_model_map.ipynb``: filter the timeline of classic models by family."""

import ipywidgets as widgets
from matplotlib.text import Annotation

from utils.data.models import FAMILIES, classic_models
from utils.plotting.models import draw_timeline
from utils.widgets.explorer import Explorer, freeze_axis_labels, freeze_ticks, new_figure


def model_map_explorer(family="all", start=2012):
    """A family selector and a start year; ``values`` holds how many models are shown and the span of years."""
    controls = {
        "family": widgets.Dropdown(options=("all",) + FAMILIES, value=family, description="family"),
        "start": widgets.IntSlider(value=start, min=2012, max=2021, description="from year",
                                   continuous_update=True),
    }
    fig, axes = new_figure(figsize=(9.0, 4.2))
    ax = axes[0, 0]
    # Draw the whole timeline once; a move only hides what the filter leaves out and, for one family, zooms to its
    # band. Each family is laid out on its own (draw_timeline), so the models left visible sit where a fresh
    # draw_timeline of that family would put them, at a fraction of the cost.
    everything = classic_models()
    bands = draw_timeline(ax, everything)  # {family: (y_top, y_bottom)}: a filtered family fills the panel
    y_all = (max(b for band in bands.values() for b in band), min(b for band in bands.values() for b in band))
    name_at = {}  # (year, row) of each model's dot -> its name; draw_timeline plots one dot per model, in order
    model_artists = {m.name: [] for m in everything}
    for m, dot in zip(everything, ax.lines):
        name_at[tuple(dot.get_xydata()[0])] = m.name
        model_artists[m.name].append(dot)
    labels = [text for text in ax.texts if not isinstance(text, Annotation)]
    for m, label in zip(everything, labels):
        model_artists[m.name].append(label)
    # each arrow goes from a parent's dot (xyann) to a model's dot (xy)
    arrows = [(arrow, name_at[tuple(arrow.xy)], name_at[tuple(arrow.xyann)])
              for arrow in ax.texts if isinstance(arrow, Annotation)]

    def draw(family, start):
        models = [m for m in classic_models(None if family == "all" else family) if m.year >= start]
        shown = {m.name for m in models}
        for name, artists in model_artists.items():
            for artist in artists:
                artist.set_visible(name in shown)
        for arrow, child, parent in arrows:
            arrow.set_visible(child in shown and parent in shown)
        ax.set_ylim(y_all if family == "all" else bands[family][::-1])
        return {
            "models shown": len(models),
            "first year": min((m.year for m in models), default="-"),
            "with a notebook": sum(m.notebook is not None for m in models),
        }

    explorer = Explorer(controls, fig, draw, title="Classic models by family")
    freeze_ticks(ax)  # the whole timeline is drawn once: fixed limits, ticks and labels
    freeze_axis_labels(ax)
    return explorer
