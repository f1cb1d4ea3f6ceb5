"""Widget for ``notebooks/00_model_map.ipynb``: filter the timeline of classic models by family."""

import ipywidgets as widgets

from utils.data.models import FAMILIES, classic_models
from utils.plotting.models import draw_timeline
from utils.widgets.explorer import Explorer, new_figure


def model_map_explorer(family="all", start=2012):
    """A family selector and a start year; ``values`` holds how many models are shown and the span of years."""
    controls = {
        "family": widgets.Dropdown(options=("all",) + FAMILIES, value=family, description="family"),
        "start": widgets.IntSlider(value=start, min=2012, max=2021, description="from year",
                                   continuous_update=True),
    }
    fig, axes = new_figure(figsize=(9.0, 4.2))
    ax = axes[0, 0]

    def draw(family, start):
        models = [m for m in classic_models(None if family == "all" else family) if m.year >= start]
        ax.clear()
        draw_timeline(ax, models)
        return {
            "models shown": len(models),
            "first year": min((m.year for m in models), default="-"),
            "with a notebook": sum(m.notebook is not None for m in models),
        }

    return Explorer(controls, fig, draw, title="Classic models by family")
