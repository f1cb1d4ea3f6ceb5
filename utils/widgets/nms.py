"""Widgets for ``notebooks/02_nms.ipynb``: greedy NMS step by step, and its two thresholds, on real
face-detector candidates (OpenCV's Haar cascade on the Grace Hopper portrait)."""

import functools

import numpy as np

from utils.data.nms import portrait_face_candidates, two_overlapping_objects
from utils.nms import nms, nms_steps, soft_nms
from utils.plotting import COLORS, draw_boxes, image_axes, show_image
from utils.plotting.nms import draw_nms_result
from utils.widgets.explorer import Explorer, clear_artists, freeze_axis_labels, freeze_ticks, int_slider, new_figure, pin_titles, slider


def _portrait_axes(figsize=(4.2, 4.4)):
    """A widget figure showing the portrait once; updates then only replace the boxes (faster)."""
    image, _, _ = portrait_candidates()
    fig, axes = new_figure(figsize=figsize)
    ax = axes[0, 0]
    show_image(ax, image[::2, ::2])  # half resolution is plenty on screen and renders faster
    ax.images[0].set_extent((0, image.shape[1], image.shape[0], 0))  # keep pixel coordinates of the full image
    ax.set_autoscale_on(False)  # the image fixes the limits: boxes drawn later need no data-limit bookkeeping
    return fig, ax


def _clear_boxes(ax):
    for artist in [*ax.patches, *ax.texts]:
        artist.remove()


@functools.lru_cache(maxsize=None)
def portrait_candidates():
    """``(image, boxes, scores)``: the portrait and the cascade's 66 raw candidates, best first (computed once)."""
    return portrait_face_candidates()


def nms_steps_explorer(iou_threshold=0.3, step=1):
    """A step slider through greedy NMS on the portrait's face candidates.

    Step 0 shows every candidate; step ``k`` has kept ``k`` boxes. Colours: dashed = still undecided,
    thick teal = the box kept at this step, orange = suppressed by it, grey = suppressed earlier,
    dark blue = kept. ``values``: ``step``, ``kept``, ``suppressed``, ``remaining``, ``current score``.
    """
    _, boxes, scores = portrait_candidates()
    steps = nms_steps(boxes, scores, iou_threshold)
    controls = {"step": int_slider(step, 0, len(steps) - 1, 1, "step")}
    fig, ax = _portrait_axes()

    def draw(step):
        s = steps[step]
        _clear_boxes(ax)
        draw_nms_result(ax, None, boxes, scores, s["kept"], s["suppressed"], s["remaining"], s["current"],
                        s["newly_suppressed"], title=f"greedy NMS at IoU {iou_threshold}: step {step} of {len(steps) - 1}")
        return {
            "step": step,
            "kept": len(s["kept"]),
            "suppressed": len(s["suppressed"]),
            "remaining": len(s["remaining"]),
            "current score": float(scores[s["current"]]) if s["current"] is not None else "-",
        }

    return Explorer(controls, fig, draw, title="Greedy NMS, one kept box per step")


def nms_threshold_explorer(iou_threshold=0.3, score_threshold=0.0):
    """IoU threshold and score threshold on the portrait's face candidates, kept vs suppressed drawn live.

    First the score threshold drops weak candidates, then NMS at the IoU threshold. ``values``:
    ``candidates``, ``above score threshold``, ``kept``, ``suppressed``.
    """
    _, boxes, scores = portrait_candidates()
    controls = {
        "iou_threshold": slider(iou_threshold, 0.0, 1.0, 0.05, "IoU threshold", readout_format=".2f"),
        "score_threshold": slider(score_threshold, -3.0, 7.0, 0.25, "score threshold", readout_format=".2f"),
    }
    fig, ax = _portrait_axes()

    def draw(iou_threshold, score_threshold):
        above = np.flatnonzero(scores >= score_threshold)
        kept = above[nms(boxes[above], scores[above], iou_threshold)]
        suppressed = np.setdiff1d(above, kept)
        _clear_boxes(ax)
        draw_nms_result(ax, None, boxes, scores, kept, suppressed,
                        title=f"score >= {score_threshold:.2f}, then NMS at IoU {iou_threshold:.2f}")
        return {
            "candidates": len(boxes),
            "above score threshold": len(above),
            "kept": len(kept),
            "suppressed": len(suppressed),
        }

    return Explorer(controls, fig, draw, title="Two thresholds: score, then IoU")



def soft_nms_explorer(sigma=0.5, linear_threshold=0.3):
    """Greedy NMS vs Soft-NMS (linear and Gaussian) on two overlapping people (synthetic data).

    Each panel draws the two best boxes after (soft) suppression, with their final scores, over the
    dotted ground truth. ``values``: the best final score among the second person's candidates
    (0 = all removed).
    """

    gt, boxes, scores, owner = two_overlapping_objects()
    controls = {
        "sigma": slider(sigma, 0.05, 2.0, 0.05, "Gaussian sigma", readout_format=".2f"),
        "linear_threshold": slider(linear_threshold, 0.0, 0.9, 0.05, "linear N_t", readout_format=".2f"),
    }
    fig, axes = new_figure(1, 3, figsize=(9.0, 3.6))
    second = np.flatnonzero(owner == 1)
    greedy = nms(boxes, scores, 0.5)  # does not depend on the sliders: computed once
    # Each panel's axes are set up once (image coordinates, zoom on the two people); updates only redraw the boxes.
    for ax in axes[0]:
        image_axes(ax, 330, 400)
        ax.set_xlim(70, 260)
        ax.set_ylim(340, 70)  # zoom on the two people (y grows down)
    pin_titles(*axes[0])

    drawn = {}  # panel -> (its setting, its value) as last drawn: a move changes one slider, so redraws one panel

    def draw(sigma, linear_threshold):
        panels = (
            ("greedy NMS (0.5)", None, lambda: (greedy, scores[greedy])),
            (f"linear (N_t={linear_threshold:.2f})", linear_threshold,
             lambda: soft_nms(boxes, scores, "linear", iou_threshold=linear_threshold)),
            (f"Gaussian (sigma={sigma:.2f})", sigma, lambda: soft_nms(boxes, scores, "gaussian", sigma=sigma)),
        )
        values = {}
        for ax, (name, setting, run) in zip(axes[0], panels):
            if ax not in drawn or drawn[ax][0] != (name, setting):
                keep, new = run()
                shown = np.zeros(len(boxes))  # the score each box ends with (0 = removed)
                shown[keep] = new
                top = keep[:2]  # the two best boxes after (soft) suppression: ideally one per person
                clear_artists(ax)
                ax.set_title(name)
                draw_boxes(ax, gt, color=COLORS["gt"], linewidth=1.0, linestyle=":")
                draw_nms_result(ax, None, boxes, shown, top, suppressed=np.setdiff1d(np.arange(len(boxes)), top))
                drawn[ax] = (name, setting), float(shown[second].max())
            values[name.split(" (")[0] + ": 2nd person"] = drawn[ax][1]
        return values

    explorer = Explorer(controls, fig, draw, title="Soft-NMS keeps the person behind")
    freeze_ticks(*axes[0])  # the panels keep their limits
    freeze_axis_labels(*axes[0])
    return explorer
