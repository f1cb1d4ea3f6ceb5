"""Widget for ``notebooks/17_face_detection.ipynb``: the receptive field of an LFFD layer on the portrait."""

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np

from utils.blocks.lffd import chain_specs
from utils.data.detector_facts import LFFD_V1_BRANCHES
from utils.data.images import grace_hopper
from utils.plotting import STYLE
from utils.plotting.detectors import draw_receptive_field
from utils.receptive_field import receptive_fields, rf_box
from utils.widgets.explorer import Explorer, int_slider, new_figure


def lffd_branch_fields():
    """The 8 branches' :class:`utils.receptive_field.LayerRF`, computed from the LFFD v1 layer list."""
    kernels, strides, paddings, branch_layers = chain_specs()
    layers = receptive_fields(kernels, strides, paddings)
    return [layers[i] for i in branch_layers]


def lffd_layer_fields():
    """``(labels, fields)`` for the 25 convolutions of LFFD v1: ``"conv8 (branch 1)"``-style labels and their
    :class:`utils.receptive_field.LayerRF`."""
    kernels, strides, paddings, branch_layers = chain_specs()
    fields = receptive_fields(kernels, strides, paddings)
    labels = [f"conv{i + 1}" + (f" (branch {branch_layers.index(i) + 1})" if i in branch_layers else "")
              for i in range(len(fields))]
    return labels, fields


def receptive_field_explorer(layer=15, x=260, y=200):
    """Pick one of LFFD's 25 convolutions and a point of the Grace Hopper portrait: the receptive field of
    the unit whose centre is nearest the point is drawn, with every unit centre of that layer as a dot.

    ``layer`` is 1-based (``conv1`` ... ``conv25``). ``values``: ``receptive field (px)``, ``stride (px)``,
    ``faces it detects (px)`` (``-`` for a layer without a branch), ``unit (row, col)`` and
    ``unit centre (x, y)``.
    """
    image = grace_hopper()
    H, W = image.shape[:2]
    labels, fields = lffd_layer_fields()
    branch_of = {label: int(label.split("branch ")[1][:-1]) for label in labels if "branch" in label}
    controls = {
        "layer": widgets.Dropdown(options=[(label, i + 1) for i, label in enumerate(labels)], value=layer,
                                  description="layer", style={"description_width": "120px"},
                                  layout=widgets.Layout(width="300px")),
        "x": int_slider(x, 0, W - 1, 1, "x (px)"),
        "y": int_slider(y, 0, H - 1, 1, "y (px)"),
    }
    fig, axes = new_figure(figsize=(4.4, 5.0))
    ax = axes[0, 0]
    # Draw the portrait, the unit centres and the receptive field once; a move then only moves the dots and the box
    # and changes the title's text. (axes.titley = 1.0 pins the title where it goes anyway: skips a search for
    # labels above the axes on every redraw.)
    with mpl.rc_context({**STYLE, "axes.titley": 1.0}):
        # the portrait (uint8 RGB) with an opaque alpha channel: the same pixels, but matplotlib no longer has to
        # add that channel to the 600x512 image on every redraw
        rgba = np.dstack([image, np.full((H, W), 255, dtype=np.uint8)])
        draw_receptive_field(ax, rgba, [0, 0, 1, 1], np.zeros((1, 2)), title=" ")
        dots, box = ax.lines[-1], ax.patches[-1]
        ax.title.set_fontsize(9)
        ax.set_autoscale_on(False)

    def draw(layer, x, y):
        f, label = fields[layer - 1], labels[layer - 1]
        # Units whose centres (start + i * jump) fall inside the image.
        n_cols = int(np.floor((W - 1 - f.start) / f.jump)) + 1
        n_rows = int(np.floor((H - 1 - f.start) / f.jump)) + 1
        col = int(np.clip(np.rint((x - f.start) / f.jump), 0, n_cols - 1))
        row = int(np.clip(np.rint((y - f.start) / f.jump), 0, n_rows - 1))
        cx = f.start + np.arange(n_cols) * f.jump
        cy = f.start + np.arange(n_rows) * f.jump
        centres = np.stack(np.meshgrid(cx, cy), axis=-1).reshape(-1, 2)
        if label in branch_of:
            b = branch_of[label] - 1
            faces = f"{LFFD_V1_BRANCHES['face_min'][b]}-{LFFD_V1_BRANCHES['face_max'][b]}"
        else:
            faces = "-"
        dots.set_data(centres[:, 0], centres[:, 1])
        x1, y1, x2, y2 = np.asarray(rf_box(f, row, col), float)
        box.set_bounds(x1, y1, x2 - x1, y2 - y1)
        ax.title.set_text(f"{label}: RF {f.rf} px, stride {f.jump} px, faces {faces} px")
        return {
            "receptive field (px)": f.rf,
            "stride (px)": f.jump,
            "faces it detects (px)": faces,
            "unit (row, col)": f"({row}, {col})",
            "unit centre (x, y)": f"({f.start + col * f.jump:g}, {f.start + row * f.jump:g})",
        }

    return Explorer(controls, fig, draw, title="LFFD: receptive fields as anchors")
