"""Widget for ``notebooks/05_focal_loss.ipynb``: alpha and gamma, the loss curves and who contributes the loss."""

import numpy as np

from utils import losses as L
from utils.plotting import COLORS
from utils.widgets.explorer import Explorer, new_figure, slider


def focal_loss_explorer(alpha=0.25, gamma=2.0, logits=None, targets=None):
    """Sliders for ``alpha`` and ``gamma``. Left: the loss of a positive (weight ``alpha``) and of a negative
    (weight ``1 - alpha``) against ``p_t``, with the cross-entropy for reference. Right: the shares of the total
    loss from positives, hard negatives and easy negatives (``p_t > 0.9``) on a synthetic 1:1000 set
    (:func:`utils.losses.imbalanced_logits` unless ``logits``, ``targets`` are given), for CE and for FL.

    ``values``: the three shares under FL, and the loss of an easy negative (``p_t = 0.9``) relative to CE.
    """
    if logits is None:
        logits, targets = L.imbalanced_logits()
    ce_shares = L.loss_shares(logits, targets, alpha=-1, gamma=0)
    controls = {
        "alpha": slider(alpha, 0.05, 0.95, 0.05, "alpha (positives)"),
        "gamma": slider(gamma, 0.0, 5.0, 0.5, "gamma"),
    }
    fig, axes = new_figure(1, 2, figsize=(7.6, 3.0))
    p_t = np.linspace(0.01, 1.0, 200)
    names = list(ce_shares)

    def draw(alpha, gamma):
        ax, bx = axes[0]
        ax.clear()
        bx.clear()
        ax.plot(p_t, L.focal_loss_pt(p_t, 0.0), color=COLORS["dropped"], label="CE")
        ax.plot(p_t, L.focal_loss_pt(p_t, gamma, alpha), color=COLORS["gt"], label=f"FL, positive (x{alpha:.2f})")
        ax.plot(p_t, L.focal_loss_pt(p_t, gamma, 1 - alpha), "--", color=COLORS["pred"],
                label=f"FL, negative (x{1 - alpha:.2f})")
        ax.set(xlabel="p_t (probability of the right class)", ylabel="loss", ylim=(0, 4.6), title="per example")
        ax.legend()
        fl_shares = L.loss_shares(logits, targets, alpha=alpha, gamma=gamma)
        x = np.arange(len(names))
        bx.bar(x - 0.2, [ce_shares[n] for n in names], 0.4, color=COLORS["dropped"], label="CE")
        bx.bar(x + 0.2, [fl_shares[n] for n in names], 0.4, color=COLORS["kept"], label="FL")
        bx.set_xticks(x, names)
        bx.set(ylim=(0, 1), ylabel="share of the total loss", title="1:1000 synthetic set")
        bx.legend()
        easy = float(L.focal_loss_pt(0.9, gamma, 1 - alpha) / L.focal_loss_pt(0.9, 0.0))
        return {**{f"FL share: {n}": v for n, v in fl_shares.items()}, "easy negative FL / CE (p_t = 0.9)": easy}

    return Explorer(controls, fig, draw, title="Focal loss: alpha and gamma")
