"""Widget for ``notebooks/13_repvgg.ipynb``: BatchNorm statistics -> the three branch kernels and the fused one."""

import numpy as np
import torch

from utils.blocks.repvgg import branch_kernels, single_channel_block  # noqa: F401 (notebook 13 imports them from here too)
from utils.widgets.explorer import Explorer, new_figure, slider


def repvgg_fusion_explorer(gamma_3x3=1.0, gamma_1x1=1.0, gamma_id=1.0, running_mean=0.5, running_var=2.0):
    """Sliders for the BatchNorm parameters of a 1-channel RepVGG block; four 3x3 heat maps (the folded
    branches and their sum). ``values``: the fused centre tap and bias, and the max difference between the
    multi-branch block and the fused conv on a fixed random 8x8 input (always ~1e-7: the fusion is exact)."""
    controls = {
        "gamma_3x3": slider(gamma_3x3, 0.0, 2.0, 0.05, "gamma 3x3"),
        "gamma_1x1": slider(gamma_1x1, 0.0, 2.0, 0.05, "gamma 1x1"),
        "gamma_id": slider(gamma_id, 0.0, 2.0, 0.05, "gamma identity"),
        "running_mean": slider(running_mean, -2.0, 2.0, 0.1, "running mean"),
        "running_var": slider(running_var, 0.1, 4.0, 0.1, "running var"),
    }
    fig, axes = new_figure(1, 4, figsize=(8.0, 2.4))
    x = torch.randn(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    # Set up once per panel: a heat map and its nine value labels. A move only updates their data, text and title.
    panels = []
    for ax in axes[0]:
        image = ax.imshow(np.zeros((3, 3)), cmap="RdBu_r", vmin=-2, vmax=2)
        labels = [[ax.text(j, i, "", ha="center", va="center", fontsize=7) for j in range(3)] for i in range(3)]
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        panels.append((ax, image, labels))

    def draw(**bn):
        block = single_channel_block(**bn)
        parts = branch_kernels(block)
        for (ax, image, labels), (name, (k, b)) in zip(panels, parts.items()):
            image.set_data(k.numpy())
            for i in range(3):
                for j in range(3):
                    labels[i][j].set_text(f"{k[i, j]:.2f}")
            ax.set_title(f"{name}\nbias {b:+.2f}", fontsize=9, y=1.0)  # pinned: no re-measuring to place it
        with torch.no_grad(), torch.random.fork_rng(devices=[]):  # the fused conv's constructor draws weights
            diff = (block(x) - block.reparameterize()(x)).abs().max().item()
        k, b = parts["fused = sum"]
        return {"fused centre tap": float(k[1, 1]), "fused bias": b, "max |multi-branch - fused|": diff}

    return Explorer(controls, fig, draw, title="RepVGG: three branches become one 3x3 kernel")
