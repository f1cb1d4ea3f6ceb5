"""The networks: the toy GANs' ``mlp`` and DCGAN's generator, with the size arithmetic of its layers.

Taught in ``notebooks/18_gan_minmax.ipynb`` (``mlp``: G and D of the 1-D and 2-D GANs) and
``notebooks/19_classic_gans.ipynb`` (DCGAN's transposed convolutions; nothing is trained there).
Bad input (a size below 1, a bool where a count is expected, ...) raises ``ValueError`` naming the argument.
"""

import torch
from torch import nn

from utils import _validate


# --- the toy GANs: G and D are small MLPs ---------------------------------------------------------------

def mlp(in_dim, out_dim, hidden=64, depth=2):
    """``depth`` hidden layers of ``hidden`` units with LeakyReLU(0.2): the G and D of the toy GANs."""
    in_dim, out_dim = _validate.integer(in_dim, "in_dim", low=1), _validate.integer(out_dim, "out_dim", low=1)
    hidden, depth = _validate.integer(hidden, "hidden", low=1), _validate.integer(depth, "depth", low=0)
    layers, width = [], in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


# --- DCGAN's generator: transposed convolutions (image GANs; nothing is trained here) ----------------------

def conv_transpose_size(size, kernel, stride=1, padding=0, output_padding=0):
    """Output size of ``nn.ConvTranspose2d`` along one axis (torch's formula, dilation 1)::

        (size - 1) * stride - 2 * padding + kernel + output_padding

    It inverts the size formula of ``nn.Conv2d`` with the same ``kernel, stride, padding``. DCGAN's layers:
    ``kernel 4, stride 1, padding 0`` turns 1 into 4; ``kernel 4, stride 2, padding 1`` doubles any size.
    ``output_padding`` must be smaller than ``stride`` (torch's rule); a result below 1 raises ``ValueError``.
    """
    size, kernel = _validate.integer(size, "size", low=1), _validate.integer(kernel, "kernel", low=1)
    stride, padding = _validate.integer(stride, "stride", low=1), _validate.integer(padding, "padding", low=0)
    output_padding = _validate.integer(output_padding, "output_padding", low=0)
    if output_padding >= stride:
        raise ValueError(f"output_padding must be smaller than stride ({stride}), got {output_padding}")
    out = (size - 1) * stride - 2 * padding + kernel + output_padding
    if out < 1:
        raise ValueError(f"padding {padding} is too large: the output size would be {out}")
    return out


def dcgan_generator(z_dim=100, widths=(1024, 512, 256, 128), channels=3):
    """DCGAN's generator (Radford et al., 2016, section 3 and Fig. 1), as ``nn.Sequential`` (untrained).

    ``(B, z_dim, 1, 1)`` noise -> ``(B, channels, S, S)`` images in [-1, 1] with ``S = 4 * 2 ** len(widths)``
    (64 for the default). The first transposed convolution (kernel 4, stride 1) is the paper's "project and
    reshape" to a 4x4 map of ``widths[0]`` channels; each next one (kernel 4, stride 2, padding 1) doubles the size.
    BatchNorm and ReLU after every layer but the last, which ends in tanh; no pooling, no fully connected layer.
    The default widths are the paper's Fig. 1; torch's ``examples/dcgan/main.py`` uses half of them (``ngf = 64``).
    """
    z_dim, channels = _validate.integer(z_dim, "z_dim", low=1), _validate.integer(channels, "channels", low=1)
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of channel counts, got {widths!r}")
    widths = [_validate.integer(w, "widths", low=1) for w in widths]
    layers, c_in = [], z_dim
    for i, c_out in enumerate(widths):
        stride, padding = (1, 0) if i == 0 else (2, 1)  # 1x1 -> 4x4, then 2x per layer
        # no bias: the BatchNorm that follows has its own shift
        layers += [nn.ConvTranspose2d(c_in, c_out, 4, stride, padding, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        c_in = c_out
    layers += [nn.ConvTranspose2d(c_in, channels, 4, 2, 1, bias=False), nn.Tanh()]  # no BatchNorm on the output
    return nn.Sequential(*layers)


def shape_trace(model, x):
    """The shape after every layer of an ``nn.Sequential``: ``[("input", shape), ("0 ConvTranspose2d", shape), ...]``.

    Runs ``x`` (a tensor) through the layers one at a time, without gradients and in eval mode (BatchNorm then
    accepts a batch of one); the model's mode is restored afterwards.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"model must be an nn.Sequential, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"x must be a float tensor, got {type(x).__name__}")
    trace, was_training = [("input", tuple(x.shape))], model.training
    model.eval()
    try:
        with torch.no_grad():
            for i, layer in enumerate(model):
                x = layer(x)
                trace.append((f"{i} {type(layer).__name__}", tuple(x.shape)))
    finally:
        model.train(was_training)
    return trace
