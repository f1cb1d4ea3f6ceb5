"""The one widget pattern of the course: controls, a live figure and a read-out of the numbers.

Every interactive figure is an :class:`Explorer`. It uses only core ipywidgets (sliders, an ``Image``
showing a PNG, an ``HTML`` read-out), so it works in JupyterLab, Voila, VS Code and Colab alike.
The figure is a plain ``matplotlib.figure.Figure`` (not a pyplot figure), updated in place and
rendered to PNG on each change: 20-60 ms, well under the 100 ms that feels instant
(``benchmarks/bench_widgets.py`` measures every widget).

Tests drive an explorer in the kernel: set ``explorer.controls["name"].value`` and read
``explorer.values``, the numbers the read-out shows.
"""

import io

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.image
import matplotlib.layout_engine
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

from utils.plotting import STYLE


def new_figure(nrows=1, ncols=1, figsize=(6.4, 4.0), **subplot_kw):
    """A figure for a widget (not registered with pyplot, so it is never shown twice)."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize, dpi=STYLE["figure.dpi"], layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    return fig, axes


def clear_artists(ax):
    """Remove what was drawn on ``ax`` (lines, patches, texts, collections, images, legend) but keep its set-up.

    Cheaper than ``ax.clear()`` in a widget update: the axis, ticks and labels are not rebuilt on every move.
    """
    for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.containers.clear()  # bar charts keep their bars in a container too


def freeze_axis_labels(*axes):
    """Keep the x and y labels of ``axes`` where the first render placed them (call it after that render).

    For axes whose tick labels keep their size. Otherwise every draw measures all the tick labels again to
    move the axis labels clear of them: a noticeable part of a redraw.
    """
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            in_pixels = axis.label.get_transform().transform(axis.label.get_position())
            axis.set_label_coords(*ax.transAxes.inverted().transform(in_pixels))


def freeze_ticks(*axes):
    """Keep the ticks and tick labels of ``axes`` as they are now (fixed limits only; call it after the first render).

    Each draw otherwise asks the tick locator and formatter again for the same positions and labels (for a log
    axis, dozens of minor ticks); fixed ones give the same ticks, with none of that work.
    """
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            major, minor = axis.get_majorticklocs(), axis.get_minorticklocs()
            labels, minor_labels = axis.major.formatter.format_ticks(major), axis.minor.formatter.format_ticks(minor)
            offset = axis.major.formatter.get_offset()  # e.g. "1e6" above a scalar axis: keep it
            axis.set_major_locator(mpl.ticker.FixedLocator(major))
            axis.set_minor_locator(mpl.ticker.FixedLocator(minor))
            axis.set_major_formatter(mpl.ticker.FixedFormatter(labels))
            axis.set_minor_formatter(mpl.ticker.FixedFormatter(minor_labels))
            axis.major.formatter.set_offset_string(offset)


def pin_titles(*axes):
    """Keep each title of ``axes`` at the top of its axes, where matplotlib puts it when no tick labels are above.

    An explicit title position switches off the automatic one, which measures every tick label on each draw to
    check the title clears them. Later ``set_title`` calls keep the pinned position.
    """
    for ax in axes:
        ax.set_title(ax.get_title(), y=1.0)


class _GlyphRecorder:
    """Stands in for Agg's C++ renderer while one text is drawn: passes every call on, and keeps a copy of the
    glyph bitmaps drawn and where (``draw_text_image(bitmap, x, y, angle, gc)``)."""

    def __init__(self, target):
        self.target, self.glyphs = target, []

    def draw_text_image(self, image, x, y, angle, gc):
        self.glyphs.append((np.array(image, copy=True), x, y, angle))
        self.target.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        return getattr(self.target, name)


class _TextCachingRenderer(RendererAgg):
    """``RendererAgg`` that renders each distinct text once: the same string, font, angle and position give the
    same glyph bitmaps, so later draws only paste them (in the current colour). The pixels are identical.

    Rasterising glyphs is the largest single cost of a widget redraw (tick labels, legends, titles), and most
    texts are the same from one update to the next.
    """

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._texts = {}

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath and self.mathtext_parser.parse(s, self.dpi, prop, antialiased=gc.get_antialiased()).rects:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)  # fraction bars etc.: not cached
        key = (s, ismath, hash(prop), prop.get_size_in_points(), tuple(prop.get_family()), angle, x, y,
               gc.get_antialiased(), None if mtext is None else (mtext.get_fontfeatures(), mtext.get_language()))
        glyphs = self._texts.get(key)
        if glyphs is None:
            recorder = self._renderer = _GlyphRecorder(self._renderer)
            try:
                super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            finally:
                self._renderer = recorder.target
            if len(self._texts) > 5000:  # a bound on memory, far above what one widget shows
                self._texts.clear()
            self._texts[key] = recorder.glyphs
        else:
            for image, gx, gy, gangle in glyphs:
                self._renderer.draw_text_image(image, gx, gy, gangle, gc)


class _WidgetCanvas(FigureCanvasAgg):
    """The Agg canvas of a widget's figure, with a :class:`_TextCachingRenderer`."""

    def get_renderer(self):
        key = (*self.get_width_height(physical=True), self.figure.dpi)
        if self._lastKey != key:
            self.renderer = _TextCachingRenderer(*key)
            self._lastKey = key
        return self.renderer


def figure_to_png(fig):
    """Render ``fig`` to PNG bytes: one Agg draw and a fast PNG encoding (``savefig`` costs about 40% more).

    The figure keeps its Agg canvas between calls, so matplotlib's caches (text sizes, the renderer and its
    rendered texts) survive from one update to the next; the bytes are the same as with a new canvas.
    """
    with mpl.rc_context(STYLE):
        canvas = fig.canvas if isinstance(fig.canvas, _WidgetCanvas) else _WidgetCanvas(fig)
        canvas.draw()
    buffer = io.BytesIO()
    mpl.image.imsave(buffer, np.asarray(canvas.buffer_rgba()), format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _format(value):
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


class Explorer(widgets.HBox):
    """Controls on the left; the figure and a table of numbers on the right.

    Args:
        controls: ``{name: widget}``; each widget's ``value`` is passed to ``draw`` under that name.
        fig: the ``Figure`` that ``draw`` updates.
        draw: ``draw(**values) -> dict``: updates ``fig`` in place and returns the numbers to display
            (``{label: number or text}``); they are also kept in ``self.values``.
        title: a line of text above the controls.
    """

    def __init__(self, controls, fig, draw, title=None):
        self.controls = dict(controls)
        self.fig = fig
        self.values = {}
        self._draw = draw
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto"))
        self.readout = widgets.HTML()
        header = [widgets.HTML(f"<b>{title}</b>")] if title else []
        left = widgets.VBox(header + list(self.controls.values()), layout=widgets.Layout(min_width="300px"))
        super().__init__([left, widgets.VBox([self.image, self.readout])])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change):
        self.update()

    def update(self):
        """Recompute, redraw and refresh the read-out from the current control values."""
        kwargs = {name: control.value for name, control in self.controls.items()}
        self.values = self._draw(**kwargs)
        self.image.value = figure_to_png(self.fig)
        # Constrained layout is half the cost of a redraw. The first render has placed the axes; the controls only
        # change what is drawn inside them, so keep those positions and skip the layout on every later update.
        if isinstance(self.fig.get_layout_engine(), mpl.layout_engine.ConstrainedLayoutEngine):
            self.fig.set_layout_engine("none")
        rows = "".join(
            f"<tr><td style='padding-right:1em'>{k}</td><td style='text-align:right'><code>{_format(v)}</code></td></tr>"
            for k, v in self.values.items()
        )
        self.readout.value = f"<table>{rows}</table>"

    def __repr__(self):
        # The default repr of a widget lists every child, PNG bytes included: keep stored outputs small.
        return f"{type(self).__name__}(controls={list(self.controls)})"


def slider(value, min, max, step, description, readout_format=None, continuous_update=True):
    """A float slider with the course's layout (wide description, live updates while dragging)."""
    kwargs = {} if readout_format is None else {"readout_format": readout_format}
    return widgets.FloatSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=continuous_update, style={"description_width": "120px"},
        layout=widgets.Layout(width="300px"), **kwargs,
    )


def int_slider(value, min, max, step, description, continuous_update=True):
    """An integer slider with the course's layout."""
    return widgets.IntSlider(
        value=value, min=min, max=max, step=step, description=description,
        continuous_update=continuous_update, style={"description_width": "120px"},
        layout=widgets.Layout(width="300px"),
    )
