"""Checkers for the backbone exercises: notebooks 08 (residual Jacobian), 09 (grouped conv) and 10 (separable FLOPs).

Every expected value is computed here by an independent route: torch autograd for the Jacobian, the number
of weights of a real ``nn.Conv2d`` and torch's FLOP counter for the costs.
"""

import numpy as np
import torch
from torch import nn

from utils.checks.core import Case, expect_close, expect_shape, run_cases, to_array
from utils.cost import count_flops


def _autograd_jacobian(x, W1, W2):
    def block(v):
        return v + W2 @ torch.relu(W1 @ v)

    as_t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    W1, W2 = as_t(W1), as_t(W2)
    return torch.autograd.functional.jacobian(block, as_t(x)).numpy()


def residual_jacobian_cases():
    """Cases for ``fn(x, W1, W2) -> dy/dx`` with ``y = x + W2 ReLU(W1 x)``; ``x (n,)``, ``W1 (m, n)``, ``W2 (n, m)``."""
    rng = np.random.default_rng(0)
    x3, W1, W2 = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=(3, 4))
    x2, V1, V2 = np.array([1.0, -2.0]), rng.normal(size=(5, 2)), rng.normal(size=(2, 5))
    off = -np.abs(rng.normal(size=(4, 3)))  # with x > 0, every pre-activation is negative: ReLU all off
    x_pos = np.abs(rng.normal(size=3)) + 0.1
    tiny = 1e-3 * rng.normal(size=(3, 4))
    cases = [
        ("a random 3-d block, hidden size 4", (x3, W1, W2),
         "dy/dx = I + W2 diag(1[W1 x > 0]) W1: the identity, plus the branch's Jacobian."),
        ("hidden size larger than the input (2 -> 5 -> 2)", (x2, V1, V2),
         "the mask has the hidden size m: diag of a length-m vector, between W2 (n, m) and W1 (m, n)."),
        ("every ReLU off: only the shortcut is left", (x_pos, off, W2),
         "when W1 x < 0 everywhere the branch contributes nothing and dy/dx is exactly the identity."),
        ("a branch with tiny weights", (x3, W1, tiny),
         "even when W2 is tiny the identity term keeps dy/dx close to I: did you forget the + I?"),
        ("zero input (ReLU'(0): any value in [0, 1])", (np.zeros(3), W1, W2),
         "every pre-activation is exactly 0, where ReLU has no derivative: any value in [0, 1] is a valid "
         "subgradient (torch uses 0), so the answer is I + W2 diag(s) W1 with s in [0, 1]."),
    ]
    # atol 1e-5: an answer computed in float32 passes; every bug here is off by more than 1e-3.
    return [Case(name, args, _autograd_jacobian(*args), hint, atol=1e-5) for name, args, hint in cases]


def _compare_jacobian(got, case):
    """``I + W2 diag(s) W1`` with ``s = 1[W1 x > 0]``, except that where ``W1 x`` is exactly 0 any ``s`` in
    [0, 1] is accepted (a subgradient of ReLU): fit those ``s`` by least squares, clip them to [0, 1]."""
    x, W1, W2 = case.args
    n = len(x)
    problem = expect_shape(got, (n, n))
    if problem:
        return problem
    pre = W1 @ x
    residual = to_array(got) - np.eye(n) - W2 @ ((pre > 0)[:, None] * W1)
    free = np.flatnonzero(pre == 0)
    if free.size:
        basis = np.stack([np.outer(W2[:, i], W1[i]).ravel() for i in free], axis=1)  # (n*n, free units)
        s = np.clip(np.linalg.lstsq(basis, residual.ravel(), rcond=None)[0], 0, 1)
        residual = residual - (basis @ s).reshape(n, n)
    if np.all(np.abs(residual) <= case.atol):
        return None
    return expect_close(got, case.expected, case.atol, case.rtol) or "expected I + W2 diag(s) W1 with s in [0, 1]"


def check_residual_jacobian(fn):
    """Check ``fn(x, W1, W2)``, the ``(n, n)`` Jacobian of ``y = x + W2 ReLU(W1 x)`` (notebook 08).

    Where a pre-activation is exactly 0, any subgradient of ReLU in [0, 1] is accepted."""
    return run_cases(fn, residual_jacobian_cases(), compare=_compare_jacobian)


def grouped_conv_params_cases():
    """Cases for ``fn(c_in, c_out, k, groups) -> int``, the weights of ``nn.Conv2d(..., groups, bias=False)``."""
    cases = [
        ("standard conv (groups=1)", (64, 64, 3, 1), "c_out filters, each of size c_in x k x k."),
        ("ResNeXt 32x4d 3x3 conv (128 -> 128, 32 groups)", (128, 128, 3, 32),
         "each filter sees only its group's c_in / groups channels: c_out * (c_in / groups) * k^2."),
        ("depthwise (groups = c_in = c_out)", (32, 32, 3, 32), "one k x k filter per channel: c * k^2."),
        ("more outputs than inputs (64 -> 128, 4 groups)", (64, 128, 3, 4),
         "c_out filters of (c_in / groups) x k x k: with c_in != c_out, use each where it belongs "
         "(not c_in twice, nor c_out twice)."),
        ("grouped 1x1 conv (256 -> 512, 8 groups)", (256, 512, 1, 8), "k = 1: k^2 = 1."),
        ("5x5 kernel, 2 groups", (16, 24, 5, 2), "k^2 = 25 weights per input channel of the group."),
    ]
    return [Case(name, args, nn.Conv2d(args[0], args[1], args[2], groups=args[3], bias=False).weight.numel(), hint)
            for name, args, hint in cases]


def check_grouped_conv_params(fn):
    """Check ``fn(c_in, c_out, k, groups)``, the number of weights of a grouped conv without bias (notebook 09)."""
    return run_cases(fn, grouped_conv_params_cases())


def _counted_separable_flops(c_in, c_out, k, h, w):
    layer = nn.Sequential(nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
                          nn.Conv2d(c_in, c_out, 1, bias=False))
    with torch.device("meta"):
        x = torch.empty(1, c_in, h, w)
    return count_flops(layer.to("meta"), x)


def separable_flops_cases():
    """Cases for ``fn(c_in, c_out, k, h, w) -> FLOPs`` of depthwise k x k + pointwise 1x1 on an ``h x w`` map."""
    cases = [
        ("MobileNetV1 layer 32 -> 64, 3x3, 112x112", (32, 64, 3, 112, 112),
         "depthwise: c_in * k^2 * h * w multiply-adds; pointwise: c_in * c_out * h * w; 2 FLOPs per multiply-add."),
        ("c_in != c_out (64 -> 16)", (64, 16, 3, 8, 8),
         "the depthwise conv has c_in filters (one per INPUT channel), not c_out."),
        ("5x5 depthwise kernel", (16, 32, 5, 10, 10), "k^2 = 25 for the depthwise part; the pointwise part is 1x1."),
        ("non-square map (h != w)", (8, 8, 3, 4, 7), "multiply by h * w, not h^2."),
        ("a single input channel", (1, 4, 3, 5, 5), "depthwise over 1 channel is 1 * k^2 per pixel."),
        ("1x1 'depthwise' (k = 1)", (4, 4, 1, 3, 3), "with k = 1 the depthwise part is c_in multiply-adds per pixel."),
    ]
    return [Case(name, args, _counted_separable_flops(*args), hint) for name, args, hint in cases]


def check_separable_flops(fn):
    """Check ``fn(c_in, c_out, k, h, w)``: FLOPs (2 per multiply-add) of a depthwise-separable conv (notebook 10)."""
    return run_cases(fn, separable_flops_cases())
