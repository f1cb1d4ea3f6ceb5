"""Checker for the compound-scaling exercise in ``notebooks/11_efficientnet_scaling.ipynb``."""

from utils.checks.core import Case, run_cases


def compound_scaling_cases():
    """Cases for ``fn(phi, alpha, beta, gamma) -> (d, w, r, flops_ratio)``."""
    return [
        Case("phi = 0 is the baseline", (0, 1.2, 1.1, 1.15), (1.0, 1.0, 1.0, 1.0),
             "anything to the power 0 is 1: phi = 0 must give back B0 unchanged."),
        Case("the paper's coefficients, phi = 1", (1, 1.2, 1.1, 1.15), (1.2, 1.1, 1.15, 1.2 * 1.1 ** 2 * 1.15 ** 2),
             "d = alpha^phi, w = beta^phi, r = gamma^phi; FLOPs grow with d * w^2 * r^2."),
        Case("phi = 3", (3, 1.2, 1.1, 1.15), (1.2 ** 3, 1.1 ** 3, 1.15 ** 3, (1.2 * 1.1 ** 2 * 1.15 ** 2) ** 3),
             "raise each coefficient to the power phi (not multiply by phi)."),
        Case("depth only", (2, 2.0, 1.0, 1.0), (4.0, 1.0, 1.0, 4.0),
             "FLOPs are LINEAR in depth: twice the layers, twice the work."),
        Case("width only", (1, 1.0, 2.0, 1.0), (1.0, 2.0, 1.0, 4.0),
             "FLOPs are QUADRATIC in width: a conv layer's cost is C_in * C_out, and both double."),
        Case("resolution only", (1, 1.0, 1.0, 2.0), (1.0, 1.0, 2.0, 4.0),
             "FLOPs are QUADRATIC in resolution: H and W both grow by r."),
        Case("fractional phi", (0.5, 1.2, 1.1, 1.15), (1.2 ** 0.5, 1.1 ** 0.5, 1.15 ** 0.5,
                                                       (1.2 * 1.1 ** 2 * 1.15 ** 2) ** 0.5),
             "phi need not be an integer; use ** rather than a loop."),
    ]


def check_compound_scaling(fn):
    """Check ``fn(phi, alpha, beta, gamma) -> (d, w, r, flops_ratio)`` (multipliers relative to the baseline)."""
    return run_cases(fn, compound_scaling_cases())
