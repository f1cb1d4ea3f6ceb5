"""Widget for ``notebooks/05_focal_loss.ipynb``: alpha and gamma, the loss curves and who contributes the loss."""

import matplotlib as mpl
import numpy as np

from utils import losses as L
from utils.plotting import COLORS, STYLE
from utils.widgets.explorer import Explorer, freeze_axis_labels, freeze_ticks, new_figure, slider


def _loss_shares_function(logits, targets, easy=0.9):
    """``(alpha, gamma) -> L.loss_shares(logits, targets, alpha, gamma, easy)``, the same numbers, about 5x faster:
    the parts that do not depend on ``alpha`` and ``gamma`` (the softplus terms of
    :func:`utils.losses.focal_loss_float64`, ``p_t`` and the three groups) are computed once, not on every move."""
    x, y = np.asarray(logits, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    z = np.where(y == 1, x, -x)

    def softplus(u):
        return np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))

    ce, log_one_minus_pt = softplus(-z), -softplus(z)
    positive = y == 1
    p_t = np.where(positive, 1 / (1 + np.exp(-x)), 1 / (1 + np.exp(x)))
    easy_negative = (y == 0) & (p_t > easy)
    hard_negative = (y == 0) & ~easy_negative

    def shares(alpha, gamma):
        loss = np.where(positive, alpha, 1 - alpha) * (ce * np.exp(gamma * log_one_minus_pt))
        total = loss.sum()
        return {"positives": float(loss[positive].sum() / total),
                "hard negatives": float(loss[hard_negative].sum() / total),
                "easy negatives": float(loss[easy_negative].sum() / total)}

    return shares


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
    fl_shares_of = _loss_shares_function(logits, targets)
    controls = {
        "alpha": slider(alpha, 0.05, 0.95, 0.05, "alpha (positives)"),
        "gamma": slider(gamma, 0.0, 5.0, 0.5, "gamma"),
    }
    fig, axes = new_figure(1, 2, figsize=(7.6, 3.0))
    ax, bx = axes[0]
    p_t = np.linspace(0.01, 1.0, 200)
    names = list(ce_shares)
    x = np.arange(len(names))

    # Set the axes up once (lines, bars, labels, limits, legends); a move of a slider only updates the FL curves,
    # the FL bars and the legend's labels in place, which is far cheaper than clearing and redrawing everything.
    # (axes.titley = 1.0 pins each title where it goes anyway: skips a search for labels above the axes per redraw.)
    with mpl.rc_context({**STYLE, "axes.titley": 1.0}):
        ax.plot(p_t, L.focal_loss_pt(p_t, 0.0), color=COLORS["dropped"], label="CE")
        positive, = ax.plot(p_t, L.focal_loss_pt(p_t, gamma, alpha), color=COLORS["gt"], label="FL, positive")
        negative, = ax.plot(p_t, L.focal_loss_pt(p_t, gamma, 1 - alpha), "--", color=COLORS["pred"],
                            label="FL, negative")
        ax.set(xlabel="p_t (probability of the right class)", ylabel="loss", ylim=(0, 4.6), title="per example")
        ax.set_autoscale_on(False)
        legend_texts = ax.legend().get_texts()
        bx.bar(x - 0.2, [ce_shares[n] for n in names], 0.4, color=COLORS["dropped"], label="CE")
        fl_bars = bx.bar(x + 0.2, [0.0] * len(names), 0.4, color=COLORS["kept"], label="FL")
        bx.set_xticks(x, names)
        bx.set(ylim=(0, 1), ylabel="share of the total loss", title="1:1000 synthetic set")
        bx.set_autoscale_on(False)
        bx.legend()

    def draw(alpha, gamma):
        positive.set_ydata(L.focal_loss_pt(p_t, gamma, alpha))
        negative.set_ydata(L.focal_loss_pt(p_t, gamma, 1 - alpha))
        legend_texts[1].set_text(f"FL, positive (x{alpha:.2f})")
        legend_texts[2].set_text(f"FL, negative (x{1 - alpha:.2f})")
        fl_shares = fl_shares_of(alpha, gamma)
        for bar, n in zip(fl_bars, names):
            bar.set_height(fl_shares[n])
        easy = float(L.focal_loss_pt(0.9, gamma, 1 - alpha) / L.focal_loss_pt(0.9, 0.0))
        return {**{f"FL share: {n}": v for n, v in fl_shares.items()}, "easy negative FL / CE (p_t = 0.9)": easy}

    explorer = Explorer(controls, fig, draw, title="Focal loss: alpha and gamma")
    freeze_ticks(ax, bx)  # the limits never change: neither do the ticks
    freeze_axis_labels(ax, bx)
    return explorer
