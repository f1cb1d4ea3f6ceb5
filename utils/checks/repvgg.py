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
