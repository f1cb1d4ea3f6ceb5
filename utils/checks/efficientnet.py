"""Checker for the whiteboard exercise of ``notebooks/11_efficientnet_scaling.ipynb``: drop path.

The reader writes ``fn(x, p, training)``: stochastic depth on the output ``x`` of a residual branch, one coin per
sample. Each case calls it (with ``torch.manual_seed(0)`` first, so a correct function gives the same answer on
every run) and measures one property: all-or-nothing per sample, the 1/(1-p) scale, the fraction dropped, no
change at evaluation time, no change to the input.
"""

import torch

from utils.checks.core import Case, expect_close, run_cases


def _probe(fn, what, shape, p, training):
    torch.manual_seed(0)
    x = torch.ones(shape) if what != "unchanged" else torch.randn(shape)
    before = x.clone()
    out = fn(x, p, training)
    if what == "unchanged":
        return bool(torch.equal(out, x))
    if what == "input untouched":
        return bool(torch.equal(x, before))
    if what == "shape":
        return tuple(out.shape)
    per_sample = out.reshape(shape[0], -1)
    if what == "mixed samples":  # samples that are neither all zero nor all one value
        constant = (per_sample == per_sample[:, :1]).all(dim=1)
        return int((~constant).sum())
    if what == "kept value":
        kept = per_sample[per_sample[:, 0] != 0]
        return float(kept[0, 0]) if len(kept) else 0.0
    if what == "fraction dropped":
        return float((per_sample == 0).all(dim=1).float().mean())
    raise ValueError(f"unknown probe {what!r}")


def drop_path_cases():
    """Cases for ``fn(x, p, training) -> tensor``; ``args = (what, shape, p, training)``."""
    return [
        Case("evaluation mode returns x unchanged", ("unchanged", (8, 3, 4, 4), 0.5, False), True,
             "at test time nothing is dropped and nothing is rescaled: return x when training is False."),
        Case("p = 0 keeps every sample as it is", ("unchanged", (8, 3, 4, 4), 0.0, True), True,
             "with p = 0 the keep probability is 1 and the scale 1 / (1 - p) is 1."),
        Case("the output has the input's shape", ("shape", (8, 3, 4, 4), 0.5, True), (8, 3, 4, 4),
             "multiply x by a mask that broadcasts: shape (B, 1, 1, 1) for images."),
        Case("one coin per sample: each sample all zero or all kept", ("mixed samples", (64, 3, 4, 4), 0.5, True), 0,
             "draw the mask with shape (B, 1, 1, 1), not x.shape: drop path removes a sample's WHOLE branch "
             "(per-element masks are dropout)."),
        Case("kept samples are scaled by 1 / (1 - p)", ("kept value", (64, 3, 4, 4), 0.25, True), 1 / 0.75,
             "divide the kept branches by the keep probability 1 - p, so the expected output equals x.", atol=1e-5),
        Case("about a fraction p of the samples is dropped", ("fraction dropped", (5000, 1, 2, 2), 0.3, True), 0.3,
             "keep a sample with probability 1 - p (e.g. torch.rand(...) < 1 - p); p is the DROP probability.",
             atol=0.03),
        Case("works for tokens (B, N, D), not only images", ("shape", (16, 5, 8), 0.5, True), (16, 5, 8),
             "build the mask shape from x.ndim: (B,) + (1,) * (x.ndim - 1); a (B, 1, 1, 1) mask broadcasts a "
             "(B, N, D) tensor to (B, B, N, D)."),
        Case("the input is not modified in place", ("input untouched", (16, 3, 2, 2), 0.5, True), True,
             "return x * mask / (1 - p) as a new tensor; x.mul_(...) would change the caller's tensor."),
    ]


def _compare(got, case):
    # yes/no properties are answered by the checker's probe itself (a bool); numbers and shapes as usual
    if isinstance(case.expected, bool):
        return None if got is case.expected else f"expected {case.expected}, got {got}"
    return expect_close(got, case.expected, case.atol, case.rtol)


def check_drop_path(fn):
    """Check ``fn(x, p, training)``: drop path (stochastic depth) on a residual branch's output ``x (B, ...)``."""

    def called(what, shape, p, training):
        return _probe(fn, what, shape, p, training)

    called.__name__ = getattr(fn, "__name__", "your function")
    return run_cases(called, drop_path_cases(), compare=_compare)
