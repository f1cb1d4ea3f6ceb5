"""Cost of a network: parameters, FLOPs and measured latency, by formula and by counter.

Course-wide convention, stated once here: **a multiply-add counts as 2 FLOPs** (one multiply, one
add). This is what torch's :class:`torch.utils.flop_counter.FlopCounterMode` counts, so every formula
below can be checked against the counter. Papers often quote *MACs* (multiply-accumulates, also
called "mult-adds" or, confusingly, "FLOPs"): **MACs = FLOPs / 2**. ResNet-50's famous "4.1 GFLOPs"
are in fact 4.1 G multiply-adds, 8.2 GFLOPs in this convention.

What the formulas count: the multiply-adds of convolutions and matrix products (the counter does the
same). Bias adds, normalisation, activations and pooling are left out: they are a few percent of the
work and the counter ignores them too (a ``bias=True`` argument adds the bias adds explicitly).

Formulas (``k`` is the kernel size, ``g`` the number of groups, ``H_out x W_out`` the output size)::

    conv2d params = C_out * (C_in / g) * k^2  (+ C_out with bias)
    conv2d FLOPs  = 2 * C_out * (C_in / g) * k^2 * H_out * W_out  (+ C_out * H_out * W_out with bias)
    linear params = n_out * n_in  (+ n_out with bias)
    linear FLOPs  = 2 * n_out * n_in * tokens

Taught in ``notebooks/08_residual_blocks.ipynb``, ``09_resnext_grouped_conv.ipynb`` and
``10_depthwise_separable.ipynb``; used by the EfficientNet, ViT and RepVGG notebooks (11-13).
"""

import statistics
import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from utils import _validate


def _positive_int(value, name):
    # a Python int, so that products of numpy integers cannot overflow int64
    return _validate.integer(value, name, low=1)


def _check_flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_groups(c_in, c_out, groups):
    c_in, c_out, groups = _positive_int(c_in, "c_in"), _positive_int(c_out, "c_out"), _positive_int(groups, "groups")
    if c_in % groups or c_out % groups:
        raise ValueError(f"c_in ({c_in}) and c_out ({c_out}) must both be divisible by groups ({groups})")
    return c_in, c_out, groups


def _check_module(module):
    if not callable(module):
        raise ValueError(f"module must be callable, got {type(module).__name__}")


def conv2d_params(c_in, c_out, k, groups=1, bias=False):
    """Number of parameters of ``nn.Conv2d(c_in, c_out, k, groups=groups, bias=bias)``.

    Each of the ``c_out`` filters sees only its group's ``c_in / groups`` input channels, over a
    ``k x k`` window: ``c_out * (c_in / groups) * k^2`` weights, plus ``c_out`` biases.
    ``k`` is an int (square kernel) or a pair ``(k_h, k_w)``.
    """
    c_in, c_out, groups = _check_groups(c_in, c_out, groups)
    k_h, k_w = _pair(k, "k")
    return c_out * (c_in // groups) * k_h * k_w + (c_out if _check_flag(bias, "bias") else 0)


def conv2d_flops(c_in, c_out, k, h_out, w_out, groups=1, bias=False):
    """FLOPs (2 per multiply-add) of one image through a 2-D convolution with output ``h_out x w_out``.

    Every output value is a dot product of length ``(c_in / groups) * k^2``; there are
    ``c_out * h_out * w_out`` of them. Multiply by the batch size for a batch. With ``bias=True`` one
    add per output value is included (torch's FLOP counter does not count it).
    """
    c_in, c_out, groups = _check_groups(c_in, c_out, groups)
    h_out, w_out = _positive_int(h_out, "h_out"), _positive_int(w_out, "w_out")
    k_h, k_w = _pair(k, "k")
    outputs = c_out * h_out * w_out
    return 2 * outputs * (c_in // groups) * k_h * k_w + (outputs if _check_flag(bias, "bias") else 0)


def linear_params(n_in, n_out, bias=True):
    """Number of parameters of ``nn.Linear(n_in, n_out, bias=bias)``: ``n_out * n_in (+ n_out)``."""
    n_in, n_out = _positive_int(n_in, "n_in"), _positive_int(n_out, "n_out")
    return n_out * n_in + (n_out if _check_flag(bias, "bias") else 0)


def linear_flops(n_in, n_out, tokens=1):
    """FLOPs (2 per multiply-add) of ``nn.Linear(n_in, n_out)`` applied to ``tokens`` vectors.

    ``tokens`` is everything in front of the last dimension (batch x sequence length). The bias add is
    not counted, as in torch's FLOP counter.
    """
    n_in, n_out, tokens = _positive_int(n_in, "n_in"), _positive_int(n_out, "n_out"), _positive_int(tokens, "tokens")
    return 2 * n_in * n_out * tokens


def count_params(module, trainable_only=False):
    """Number of parameters of ``module``: ``sum(p.numel())`` over its parameters (shared ones once).

    Buffers (BatchNorm running statistics) are not parameters and are not counted.
    """
    if not isinstance(module, torch.nn.Module):
        raise ValueError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    trainable_only = _check_flag(trainable_only, "trainable_only")
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def count_flops(module, *inputs):
    """FLOPs of ``module(*inputs)`` as counted by torch's ``FlopCounterMode`` (2 per multiply-add).

    Runs one forward pass under ``torch.no_grad()``. The count is for the whole batch in ``inputs``;
    inputs on the ``meta`` device work and cost no compute. Element-wise operations are not counted.
    """
    _check_module(module)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(*inputs)
    return int(counter.get_total_flops())


def flops_by_operator(module, *inputs):
    """``{operator name: FLOPs}`` of ``module(*inputs)`` (e.g. ``{"convolution": ..., "addmm": ...}``)."""
    _check_module(module)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        module(*inputs)
    return {str(op).split(".")[-1]: int(n) for op, n in counter.get_flop_counts()["Global"].items()}


def latency(fn, *args, repeat=20, warmup=3, number=1):
    """Median wall-clock seconds of one call ``fn(*args)`` (under ``torch.no_grad()``).

    ``warmup`` untimed calls first (caches, lazy initialisation), then ``repeat`` timings of
    ``number`` calls each; the median of those, divided by ``number``, is returned. The median resists
    the outliers a shared machine produces. Latency depends on the machine and its load: compare two
    latencies measured in the same run (a ratio), never a latency with a number from elsewhere.
    """
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    repeat, number = _positive_int(repeat, "repeat"), _positive_int(number, "number")
    warmup = _validate.integer(warmup, "warmup", low=0)
    times = []
    with torch.no_grad():
        for _ in range(warmup):
            fn(*args)
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                fn(*args)
            times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def _pair(k, name):
    if isinstance(k, (tuple, list)):
        if len(k) != 2:
            raise ValueError(f"{name} must be an int or a pair (k_h, k_w), got {k!r}")
        return _positive_int(k[0], name), _positive_int(k[1], name)
    return _positive_int(k, name), _positive_int(k, name)
