"""RepVGG: a three-branch block for training, re-parameterised into one 3x3 convolution for inference.

Ding et al., "RepVGG: Making VGG-style ConvNets Great Again" (CVPR 2021). Taught in
``notebooks/13_repvgg.ipynb``. Names follow the reference implementation (``rbr_dense``, ``rbr_1x1``,
``rbr_identity``).

Training-time block: ``y = ReLU(BN(conv3x3(x)) + BN(conv1x1(x)) + BN(x))`` (the identity branch only when
the shape is unchanged). Every branch is linear in ``x`` at inference (BatchNorm then uses its running
statistics), so the sum is ONE 3x3 convolution with a bias:

1. fold each BatchNorm into the convolution before it (:func:`fuse_conv_bn`);
2. pad the 1x1 kernel with zeros to 3x3 (its weight sits at the centre tap);
3. write the identity as a 3x3 kernel with a 1 at the centre tap of channel ``i -> i``;
4. add the three kernels and the three biases.
"""

import torch
import torch.nn.functional as F
from torch import nn

from utils.cost import conv2d_flops, latency


def conv_bn(c_in, c_out, kernel_size, stride=1, padding=0, groups=1):
    """``Conv2d`` (no bias) followed by ``BatchNorm2d``: ``(B, c_in, H, W) -> (B, c_out, H', W')``."""
    if c_in % groups or c_out % groups:
        raise ValueError(f"c_in={c_in} and c_out={c_out} must both be divisible by groups={groups}")
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size, stride, padding, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
    )


def fuse_conv_bn(kernel, bn):
    """Fold an eval-mode BatchNorm into the (bias-free) convolution before it.

    ``BN(W * x) = gamma (W * x - mu) / sigma + beta = (gamma / sigma) W * x + (beta - gamma mu / sigma)``
    with ``sigma = sqrt(running_var + eps)``.

    Args:
        kernel: ``(C_out, C_in / groups, k, k)`` convolution weight.
        bn: the ``nn.BatchNorm2d(C_out)`` that follows it.
    Returns: ``(kernel', bias')`` of shapes ``(C_out, C_in / groups, k, k)`` and ``(C_out,)``.
    """
    if kernel.ndim != 4:
        raise ValueError(f"kernel must be a conv weight (C_out, C_in/groups, k, k), got shape {tuple(kernel.shape)}")
    if kernel.shape[0] != bn.num_features:
        raise ValueError(f"kernel has {kernel.shape[0]} output channels, bn has {bn.num_features}")
    std = (bn.running_var + bn.eps).sqrt()  # sigma, (C_out,)
    scale = bn.weight / std  # gamma / sigma
    return kernel * scale.reshape(-1, 1, 1, 1), bn.bias - bn.running_mean * scale


def pad_1x1_to_3x3(kernel):
    """``(C_out, C_in, 1, 1) -> (C_out, C_in, 3, 3)``: the 1x1 weight at the centre, zeros around it.

    With padding 1 for the 3x3 and 0 for the 1x1 (same output size), the centre tap reads the same pixel.
    """
    return F.pad(kernel, [1, 1, 1, 1])


def identity_kernel(channels, groups=1, kernel_size=3, dtype=torch.float32):
    """The 3x3 kernel of the identity map, ``(channels, channels / groups, 3, 3)``: conv with it returns ``x``.

    Output channel ``i`` reads input channel ``i``, which is index ``i % (channels / groups)`` inside its group.
    """
    if channels % groups:
        raise ValueError(f"channels={channels} must be divisible by groups={groups}")
    c_per_group = channels // groups
    kernel = torch.zeros(channels, c_per_group, kernel_size, kernel_size, dtype=dtype)
    centre = kernel_size // 2
    kernel[torch.arange(channels), torch.arange(channels) % c_per_group, centre, centre] = 1.0
    return kernel


class RepVGGBlock(nn.Module):
    """RepVGG block, ``(B, c_in, H, W) -> (B, c_out, H / stride, W / stride)``.

    Training-time form: three parallel branches (3x3 conv + BN, 1x1 conv + BN, and BN alone when
    ``c_in == c_out`` and ``stride == 1``), summed, then ReLU. :meth:`reparameterize` returns the
    inference-time form, one ``Conv2d(3x3, bias=True)`` + ReLU, equal to this block in eval mode.
    """

    def __init__(self, c_in, c_out, stride=1, groups=1):
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        self.c_in, self.c_out, self.stride, self.groups = c_in, c_out, stride, groups
        self.rbr_dense = conv_bn(c_in, c_out, 3, stride, padding=1, groups=groups)
        self.rbr_1x1 = conv_bn(c_in, c_out, 1, stride, padding=0, groups=groups)
        self.rbr_identity = nn.BatchNorm2d(c_in) if c_in == c_out and stride == 1 else None
        self.act = nn.ReLU()

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.c_in:
            raise ValueError(f"x must be (B, {self.c_in}, H, W), got shape {tuple(x.shape)}")
        out = self.rbr_dense(x) + self.rbr_1x1(x)
        if self.rbr_identity is not None:
            out = out + self.rbr_identity(x)
        return self.act(out)

    @torch.no_grad()
    def fused_kernel_and_bias(self):
        """The single 3x3 kernel ``(c_out, c_in / groups, 3, 3)`` and bias ``(c_out,)`` of the eval-mode block."""
        k3, b3 = fuse_conv_bn(self.rbr_dense[0].weight, self.rbr_dense[1])
        k1, b1 = fuse_conv_bn(self.rbr_1x1[0].weight, self.rbr_1x1[1])
        kernel, bias = k3 + pad_1x1_to_3x3(k1), b3 + b1
        if self.rbr_identity is not None:
            k0 = identity_kernel(self.c_in, self.groups, dtype=kernel.dtype).to(kernel.device)
            k0, b0 = fuse_conv_bn(k0, self.rbr_identity)
            kernel, bias = kernel + k0, bias + b0
        return kernel, bias

    def reparameterize(self):
        """The inference-time block: ``nn.Sequential(Conv2d(c_in, c_out, 3, stride, padding=1, bias=True), ReLU)``."""
        kernel, bias = self.fused_kernel_and_bias()
        conv = nn.Conv2d(self.c_in, self.c_out, 3, self.stride, padding=1, groups=self.groups, bias=True)
        conv.weight.data.copy_(kernel)
        conv.bias.data.copy_(bias)
        return nn.Sequential(conv, nn.ReLU()).to(kernel.device)


def randomize_batchnorm(module, seed=0):
    """Give every BatchNorm in ``module`` non-trivial statistics and affine parameters, in place.

    A fresh BatchNorm (mean 0, variance 1, gamma 1, beta 0) is almost the identity, so a fusion bug in
    the BN folding could go unnoticed; a test of re-parameterisation needs this. Returns ``module``.
    """
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=g) * 0.5)
                m.running_var.copy_(torch.rand(n, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.copy_(torch.randn(n, generator=g) * 0.2)
    return module


def conv_density(channels, kernel_size, size=28, batch=1, threads=1, repeat=10, warmup=2, rounds=3):
    """Measured computational density of one ``k x k`` convolution on this machine, in GFLOP/s.

    Density = theoretical FLOPs (``2 C^2 k^2 H W`` per image, multiply-add = 2) / wall time, the
    quantity RepVGG's table 1 reports (there on a GPU). ``channels -> channels``, stride 1, ``'same'``
    padding, a ``(batch, channels, size, size)`` float32 input, no gradient, ``threads`` CPU threads
    (one thread is the stable measurement on a shared machine; torch's setting is restored afterwards).
    The time is the fastest of ``repeat * rounds`` single calls after ``warmup`` calls: load on a shared
    machine only ever slows a call down, so the fastest call estimates the hardware (a median would
    measure the load as well).
    """
    x = torch.randn(batch, channels, size, size)
    conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, bias=False).eval()
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        latency(conv, x, repeat=1, warmup=warmup)
        seconds = min(latency(conv, x, repeat=1, warmup=0) for _ in range(repeat * rounds))
    finally:
        torch.set_num_threads(previous)
    return batch * conv2d_flops(channels, channels, kernel_size, size, size) / seconds / 1e9


def single_channel_block(gamma_3x3=1.0, gamma_1x1=1.0, gamma_id=1.0, running_mean=0.0, running_var=1.0):
    """A 1-channel :class:`RepVGGBlock` in eval mode with fixed conv weights and the given BatchNorm values
    (the same running mean and variance in all three BatchNorms; beta = 0), for ``notebooks/13_repvgg.ipynb``
    and its widget. Every weight is set here; the
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
