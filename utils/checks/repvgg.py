"""Checker for the BatchNorm-folding exercise in ``notebooks/13_repvgg.ipynb``."""

import torch

from utils.checks.core import Case, expect_close, run_cases, to_parts


def _case_tensors(c_out, c_in, k, seed):
    g = torch.Generator().manual_seed(seed)
    kernel = torch.randn(c_out, c_in, k, k, generator=g, dtype=torch.float64)
    gamma = torch.rand(c_out, generator=g, dtype=torch.float64) + 0.5
    beta = torch.randn(c_out, generator=g, dtype=torch.float64)
    mean = torch.randn(c_out, generator=g, dtype=torch.float64)
    var = torch.rand(c_out, generator=g, dtype=torch.float64) + 0.1
    return kernel, gamma, beta, mean, var


def _folded(kernel, gamma, beta, mean, var, eps):
    scale = gamma / torch.sqrt(var + eps)
    return kernel * scale[:, None, None, None], beta - mean * scale


def fuse_bn_cases():
    """Cases for ``fn(kernel, gamma, beta, running_mean, running_var, eps) -> (kernel, bias)``."""
    cases = []
    ones, zeros = torch.ones(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    k = torch.arange(2 * 1 * 3 * 3, dtype=torch.float64).reshape(2, 1, 3, 3)
    cases.append(Case("identity BatchNorm (eps = 0)", (k, ones, zeros, zeros, ones, 0.0), (k, zeros),
                      "gamma = 1, beta = 0, mean = 0, var = 1 is the identity: the kernel must come back unchanged."))
    cases.append(Case("shift only: beta", (k, ones, 2 * ones, zeros, ones, 0.0), (k, 2 * ones),
                      "beta is added after normalising: it becomes the bias."))
    cases.append(Case("mean only", (k, ones, zeros, 3 * ones, ones, 0.0), (k, -3 * ones),
                      "BN subtracts the running mean: bias = beta - mean * gamma / sigma."))
    cases.append(Case("variance 4 halves the kernel", (k, ones, zeros, zeros, 4 * ones, 0.0), (k / 2, zeros),
                      "divide by the standard deviation sqrt(var + eps), not by the variance."))
    cases.append(Case("eps is inside the square root", (k, ones, zeros, zeros, 3 * ones, 1.0), (k / 2, zeros),
                      "sigma = sqrt(running_var + eps): here sqrt(3 + 1) = 2."))
    for name, shape, seed, hint in [
        ("random 3x3, 4 -> 8 channels", (8, 4, 3), 1,
         "scale each OUTPUT channel (dim 0 of the kernel) by gamma / sigma: reshape the scale to (C_out, 1, 1, 1)."),
        ("random 1x1 kernel", (6, 5, 1), 2, "the same formula works for any kernel size."),
        ("different scale per channel", (3, 3, 3), 3,
         "each output channel has its own gamma, beta, mean and variance: do not average them."),
    ]:
        args = _case_tensors(*shape, seed) + (1e-5,)
        cases.append(Case(name, args, _folded(*args), hint))
    return cases


def _compare(got, case):
    kernel, bias = to_parts(got, 2)
    k_exp, b_exp = case.expected
    problem = expect_close(kernel, k_exp, case.atol, case.rtol)
    if problem:
        return f"fused kernel: {problem}"
    problem = expect_close(bias, b_exp, case.atol, case.rtol)
    return f"fused bias: {problem}" if problem else None


def check_fuse_bn(fn):
    """Check ``fn(kernel, gamma, beta, running_mean, running_var, eps) -> (kernel, bias)``: BatchNorm folded
    into the convolution before it. ``kernel`` is ``(C_out, C_in, k, k)``; the other tensors are ``(C_out,)``."""
    return run_cases(fn, fuse_bn_cases(), compare=_compare)


# --- whiteboard exercise: fuse a whole RepVGG block (3x3 + BN, 1x1 + BN, identity BN) into one 3x3 conv -----------
# Expected answers are computed here with plain torch; tests/test_checks_repvgg.py checks them against the output of
# the three-branch block itself.

def _bn(channels, seed, identity=False):
    bn = torch.nn.BatchNorm2d(channels, dtype=torch.float64).eval()
    if not identity:
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            bn.weight.copy_(torch.rand(channels, generator=g, dtype=torch.float64) + 0.5)
            bn.bias.copy_(torch.randn(channels, generator=g, dtype=torch.float64) * 0.3)
            bn.running_mean.copy_(torch.randn(channels, generator=g, dtype=torch.float64) * 0.5)
            bn.running_var.copy_(torch.rand(channels, generator=g, dtype=torch.float64) + 0.25)
    return bn


def _block_args(c_in, c_out, seed, identity=True, zero_3x3=False, zero_1x1=False, plain_bn=False):
    g = torch.Generator().manual_seed(seed)
    k3 = torch.randn(c_out, c_in, 3, 3, generator=g, dtype=torch.float64) * (0 if zero_3x3 else 1)
    k1 = torch.randn(c_out, c_in, 1, 1, generator=g, dtype=torch.float64) * (0 if zero_1x1 else 1)
    bn0 = _bn(c_in, seed + 3, plain_bn) if identity else None
    return k3, _bn(c_out, seed + 1, plain_bn), k1, _bn(c_out, seed + 2, plain_bn), bn0


@torch.no_grad()
def _fused(k3, bn3, k1, bn1, bn0):
    def fold(kernel, bn):
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        return kernel * scale[:, None, None, None], bn.bias - bn.running_mean * scale

    kernel, bias = fold(k3, bn3)
    k, b = fold(torch.nn.functional.pad(k1, [1, 1, 1, 1]), bn1)
    kernel, bias = kernel + k, bias + b
    if bn0 is not None:
        C = k3.shape[0]
        ident = torch.zeros(C, C, 3, 3, dtype=k3.dtype)
        ident[torch.arange(C), torch.arange(C), 1, 1] = 1.0
        k, b = fold(ident, bn0)
        kernel, bias = kernel + k, bias + b
    return kernel, bias


def fuse_repvgg_block_cases():
    """Cases for ``fn(k3, bn3, k1, bn1, bn0) -> (kernel, bias)``; ``bn0`` is ``None`` without an identity branch."""
    cases = [
        ("identity branch alone", _block_args(4, 4, 1, zero_3x3=True, zero_1x1=True, plain_bn=True),
         "the identity is a 3x3 kernel with a 1 at the centre tap [i, i, 1, 1] of every channel i, zeros elsewhere."),
        ("1x1 branch lands on the centre tap", _block_args(4, 6, 2, identity=False, zero_3x3=True, plain_bn=True),
         "pad the 1x1 kernel with zeros to 3x3 (F.pad(k1, [1, 1, 1, 1])): its weight goes to position [1, 1]."),
        ("three branches, fresh BatchNorms", _block_args(4, 4, 3, plain_bn=True),
         "with identity BatchNorms the fused kernel is k3 + padded k1 + the identity kernel, and the bias is 0."),
        ("each branch folds its own BatchNorm", _block_args(4, 4, 4),
         "fold every BN into its own branch (kernel * gamma / sigma, bias = beta - mean * gamma / sigma) before adding; "
         "sigma = sqrt(running_var + eps)."),
        ("no identity branch (c_in != c_out)", _block_args(3, 5, 5, identity=False),
         "bn0 is None when the shapes differ: only the 3x3 and 1x1 branches are summed."),
        ("identity BN's running mean moves only the bias", _block_args(6, 6, 6),
         "the identity branch's BN adds -mean0 * gamma0 / sigma0 + beta0 to the bias and gamma0 / sigma0 to the centre tap."),
        ("a wider block, 16 channels", _block_args(16, 16, 7),
         "scale along the OUTPUT-channel axis of each kernel (dim 0): reshape gamma / sigma to (C_out, 1, 1, 1)."),
    ]
    # atol 1e-5: an answer computed in float32 passes; the bugs named above are off by far more.
    return [Case(name, args, _fused(*args), hint, atol=1e-5) for name, args, hint in cases]


def check_fuse_repvgg_block(fn):
    """Check ``fn(k3, bn3, k1, bn1, bn0) -> (kernel, bias)``: the trained RepVGG block re-parameterised as one 3x3
    convolution. ``k3`` is ``(C_out, C_in, 3, 3)``, ``k1`` ``(C_out, C_in, 1, 1)``; ``bn3``, ``bn1`` and ``bn0`` are
    eval-mode ``nn.BatchNorm2d`` (``bn0`` is ``None`` when ``C_in != C_out``); the answer is the fused kernel
    ``(C_out, C_in, 3, 3)`` and bias ``(C_out,)`` (groups = 1, stride 1 or 2: the kernel does not depend on it)."""
    return run_cases(fn, fuse_repvgg_block_cases())
