"""Widget for ``notebooks/16_unet.ipynb``: a threshold on a predicted probability map -> the mask, Dice and IoU."""

import matplotlib as mpl
import numpy as np

from utils.plotting import STYLE, show_image
from utils.segmentation import dice_score, mask_iou
from utils.widgets.explorer import Explorer, new_figure, slider


def mask_threshold_explorer(image, probs, target, threshold=0.5):
    """A threshold slider over ``probs``: shows the image, the probability map, and the mask ``probs > threshold``
    coloured by agreement with ``target`` (white: true positive, orange: false positive, teal: false negative).

    Args:
        image: ``(H, W)`` image. probs: ``(H, W)`` predicted probabilities. target: ``(H, W)`` 0/1 ground truth.
    ``values``: ``threshold``, ``Dice``, ``IoU``, ``predicted pixels``, ``true pixels``.
    """
    image, probs, target = np.asarray(image), np.asarray(probs), np.asarray(target).astype(bool)
    if not (image.shape == probs.shape == target.shape) or probs.ndim != 2:
        raise ValueError(f"image, probs and target must be (H, W) arrays of one shape, got "
                         f"{image.shape}, {probs.shape}, {target.shape}")
    controls = {"threshold": slider(threshold, 0.0, 1.0, 0.01, "threshold")}
    fig, axes = new_figure(1, 3, figsize=(7.5, 2.8))
    tp_c, fp_c, fn_c = np.array([1.0, 1.0, 1.0]), np.array([0.906, 0.435, 0.318]), np.array([0.165, 0.616, 0.561])
    # Show the three panels once; a move of the slider only replaces the mask's pixels and its title's text.
    # (axes.titley = 1.0 pins each title where it goes anyway: skips a search for labels above the axes per redraw.)
    with mpl.rc_context({**STYLE, "axes.titley": 1.0}):
        show_image(axes[0, 0], image, "image (synthetic)")
        show_image(axes[0, 1], probs, "predicted probability")
        axes[0, 1].images[-1].set_cmap("magma")
        axes[0, 1].images[-1].set_clim(0, 1)
        mask_image = show_image(axes[0, 2], np.zeros(probs.shape + (3,)), "mask").images[-1]
        axes[0, 2].title.set_fontsize(8)

    def draw(threshold):
        pred = probs > threshold
        overlay = np.zeros(pred.shape + (3,))
        overlay[pred & target] = tp_c
        overlay[pred & ~target] = fp_c
        overlay[~pred & target] = fn_c
        mask_image.set_data(overlay)
        axes[0, 2].title.set_text(f"mask at {threshold:.2f}: TP white, FP orange, FN teal")
        return {"threshold": float(threshold), "Dice": float(dice_score(pred, target)),
                "IoU": float(mask_iou(pred, target)), "predicted pixels": int(pred.sum()),
                "true pixels": int(target.sum())}

    return Explorer(controls, fig, draw, title="Threshold the probability map")
