"""Widget for ``notebooks/17_face_detection.ipynb``: one LFFD branch's receptive field on the portrait."""

import ipywidgets as widgets
import numpy as np

from utils.blocks.lffd import chain_specs
from utils.data.detector_facts import LFFD_V1_BRANCHES
from utils.data.images import grace_hopper
from utils.plotting.detectors import draw_receptive_field
from utils.receptive_field import receptive_fields, rf_box
from utils.widgets.explorer import Explorer, int_slider, new_figure


def lffd_branch_fields():
    """The 8 branches' :class:`utils.receptive_field.LayerRF`, computed from the LFFD v1 layer list."""
    kernels, strides, paddings, branch_layers = chain_specs()
    layers = receptive_fields(kernels, strides, paddings)
    return [layers[i] for i in branch_layers]


def receptive_field_explorer(branch=4, x=260, y=200):
    """Pick an LFFD branch and a point of the Grace Hopper portrait: the receptive field of the unit
    whose centre is nearest the point is drawn, with every unit centre of that branch as a dot.

    ``values``: ``receptive field (px)``, ``stride (px)``, ``faces it detects (px)``, ``unit (row, col)``
    and ``unit centre (x, y)``.
    """
    image = grace_hopper()
    H, W = image.shape[:2]
    fields = lffd_branch_fields()
    controls = {
        "branch": widgets.Dropdown(options=list(range(1, 9)), value=branch, description="branch",
                                   style={"description_width": "120px"}, layout=widgets.Layout(width="300px")),
        "x": int_slider(x, 0, W - 1, 1, "x (px)"),
        "y": int_slider(y, 0, H - 1, 1, "y (px)"),
    }
    fig, axes = new_figure(figsize=(4.4, 5.0))
    ax = axes[0, 0]

    def draw(branch, x, y):
        f = fields[branch - 1]
        # Units whose centres (start + i * jump) fall inside the image.
        n_cols = int(np.floor((W - 1 - f.start) / f.jump)) + 1
        n_rows = int(np.floor((H - 1 - f.start) / f.jump)) + 1
        col = int(np.clip(np.rint((x - f.start) / f.jump), 0, n_cols - 1))
        row = int(np.clip(np.rint((y - f.start) / f.jump), 0, n_rows - 1))
        cx = f.start + np.arange(n_cols) * f.jump
        cy = f.start + np.arange(n_rows) * f.jump
        centres = np.stack(np.meshgrid(cx, cy), axis=-1).reshape(-1, 2)
        lo, hi = LFFD_V1_BRANCHES["face_min"][branch - 1], LFFD_V1_BRANCHES["face_max"][branch - 1]
        ax.clear()
        draw_receptive_field(ax, image, rf_box(f, row, col), centres,
                             title=f"branch {branch}: RF {f.rf} px, stride {f.jump} px, faces {lo}-{hi} px")
        ax.title.set_fontsize(9)
        return {
            "receptive field (px)": f.rf,
            "stride (px)": f.jump,
            "faces it detects (px)": f"{lo}-{hi}",
            "unit (row, col)": f"({row}, {col})",
            "unit centre (x, y)": f"({f.start + col * f.jump:g}, {f.start + row * f.jump:g})",
        }

    return Explorer(controls, fig, draw, title="LFFD: receptive fields as anchors")
