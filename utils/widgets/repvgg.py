"""Widget for ``notebooks/13_repvgg.ipynb``: BatchNorm statistics -> the three branch kernels and the fused one."""

import numpy as np
import torch

from utils.blocks.repvgg import RepVGGBlock, fuse_conv_bn, identity_kernel, pad_1x1_to_3x3
from utils.widgets.explorer import Explorer, new_figure, slider

_BRANCHES = ("rbr_dense", "rbr_1x1", "rbr_identity")


def single_channel_block(gamma_3x3=1.0, gamma_1x1=1.0, gamma_id=1.0, running_mean=0.0, running_var=1.0):
    """A 1-channel :class:`RepVGGBlock` in eval mode with fixed conv weights and the given BatchNorm values
    (the same running mean and variance in all three BatchNorms; beta = 0). Every weight is set here; the
    constructor's default initialisation draws from the global generator, which is put back as it was."""
    with torch.random.fork_rng(devices=[]):
        block = RepVGGBlock(1, 1).eval()
    with torch.no_grad():
        block.rbr_dense[0].weight.copy_(torch.linspace(-1, 1, 9).reshape(1, 1, 3, 3))
        block.rbr_1x1[0].weight.fill_(0.5)
        bns = (block.rbr_dense[1], block.rbr_1x1[1], block.rbr_identity)
        for bn, gamma in zip(bns, (gamma_3x3, gamma_1x1, gamma_id)):
            bn.weight.fill_(gamma)
            bn.bias.zero_()
            bn.running_mean.fill_(running_mean)
            bn.running_var.fill_(running_var)
    return block


def branch_kernels(block):
    """The three BN-folded 3x3 kernels of a 1-channel block and their sum: ``{name: ((3, 3) kernel, bias)}``."""
    with torch.no_grad():
        k3, b3 = fuse_conv_bn(block.rbr_dense[0].weight, block.rbr_dense[1])
        k1, b1 = fuse_conv_bn(block.rbr_1x1[0].weight, block.rbr_1x1[1])
        k0, b0 = fuse_conv_bn(identity_kernel(1), block.rbr_identity)
        k1 = pad_1x1_to_3x3(k1)
    parts = {"3x3 + BN": (k3, b3), "1x1 + BN, padded": (k1, b1), "identity BN": (k0, b0),
             "fused = sum": (k3 + k1 + k0, b3 + b1 + b0)}
    return {name: (k[0, 0], float(b[0])) for name, (k, b) in parts.items()}


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
