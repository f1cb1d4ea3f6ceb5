"""The robustness contract (contract.py) for every public function of utils.cost.

The formulas take counts: a bool, a float, ``None`` or a non-positive value is refused naming the argument; numpy
integers are accepted and computed as Python ints, so products never overflow int64 (measured: ``np.int64``
channel counts of 2**40 used to wrap around silently). ``latency`` runs only with tiny repeat counts here.
"""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustness.contract import call_unchanged, rejects
from robustness.strategies import BAD_COUNTS
from utils import cost

COVERS = [f"utils.cost.{name}" for name in (
    "conv2d_params", "conv2d_flops", "linear_params", "linear_flops", "count_params", "count_flops",
    "flops_by_operator", "latency")]

SETTINGS = settings(max_examples=60, deadline=None)
BAD_FLAGS = (None, "yes", 1, 0.0, [True])
counts = st.integers(1, 2**40)


@SETTINGS
@given(counts, counts, st.integers(1, 7), st.integers(1, 64), st.booleans(), st.booleans())
def test_formulas_are_exact_for_big_numpy_integers(c, g_c, k, groups, bias, as_numpy):
    c_in, c_out = c * groups, g_c * groups
    args = [np.int64(v) if as_numpy else v for v in (c_in, c_out, k, groups)]
    params = call_unchanged(cost.conv2d_params, *args[:3], groups=args[3], bias=bias)
    assert isinstance(params, int) and params == c_out * c * k * k + (c_out if bias else 0)
    flops = call_unchanged(cost.conv2d_flops, *args[:3], np.int64(3), 5, groups=args[3], bias=bias)
    assert isinstance(flops, int) and flops == 2 * c_out * 15 * c * k * k + (c_out * 15 if bias else 0)
    assert call_unchanged(cost.linear_params, args[0], args[1], bias) == c_in * c_out + (c_out if bias else 0)
    assert call_unchanged(cost.linear_flops, args[0], args[1], args[2]) == 2 * c_in * c_out * k


def test_formulas_reject():
    for bad in BAD_COUNTS:
        for name in ("c_in", "c_out", "k", "groups"):
            kwargs = {"c_in": 4, "c_out": 4, "k": 3, "groups": 1, name: bad}
            rejects(cost.conv2d_params, **kwargs, argument=name)
            rejects(cost.conv2d_flops, **kwargs, h_out=2, w_out=2, argument=name)
        rejects(cost.conv2d_flops, 4, 4, 3, bad, 2, argument="h_out")
        rejects(cost.conv2d_flops, 4, 4, 3, 2, bad, argument="w_out")
        rejects(cost.linear_params, bad, 2, argument="n_in")
        rejects(cost.linear_params, 2, bad, argument="n_out")
        rejects(cost.linear_flops, 2, 2, bad, argument="tokens")
    for bad in ((3, 3, 3), (3, 0), (3, None), "3"):
        rejects(cost.conv2d_params, 4, 4, bad, argument="k")
    rejects(cost.conv2d_params, 6, 4, 3, groups=4, argument="groups")
    for bad in BAD_FLAGS:
        rejects(cost.conv2d_params, 4, 4, 3, bias=bad, argument="bias")
        rejects(cost.conv2d_flops, 4, 4, 3, 2, 2, bias=bad, argument="bias")
        rejects(cost.linear_params, 4, 4, bias=bad, argument="bias")


def _model():
    with torch.random.fork_rng():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(16, 2))


def test_counters_valid():
    model, x = _model(), torch.zeros(1, 3, 4, 4)
    assert cost.count_params(model) == 3 * 4 * 9 + 4 + 16 * 2 + 2  # (call_unchanged compares modules by identity)
    model[0].weight.requires_grad_(False)
    assert cost.count_params(model, trainable_only=True) == 4 + 16 * 2 + 2
    flops = cost.conv2d_flops(3, 4, 3, 2, 2) + cost.linear_flops(16, 2)
    assert call_unchanged(lambda t: cost.count_flops(model, t), x) == flops
    assert sum(call_unchanged(lambda t: cost.flops_by_operator(model, t), x).values()) == flops
    assert cost.count_params(torch.nn.ReLU()) == 0 and cost.count_flops(torch.nn.ReLU(), x) == 0  # nothing to count


def test_counters_reject():
    x = torch.zeros(1, 3, 4, 4)
    for bad in (None, "model", 3, [torch.nn.ReLU()]):
        rejects(cost.count_params, bad, argument="module")
        rejects(cost.count_flops, bad, x, argument="module")
        rejects(cost.flops_by_operator, bad, x, argument="module")
    for bad in BAD_FLAGS:
        rejects(cost.count_params, _model(), bad, argument="trainable_only")


def test_latency_valid_and_rejects():
    calls = []
    seconds = call_unchanged(lambda t: cost.latency(lambda u: calls.append(1) or u, t, repeat=2, warmup=0), [1.0])
    assert seconds >= 0 and len(calls) == 2
    for bad in (None, "abs", 3):
        rejects(cost.latency, bad, argument="fn")
    for name in ("repeat", "number"):
        for bad in BAD_COUNTS:
            rejects(cost.latency, abs, 1.0, **{name: bad}, argument=name)
    for bad in (-1, 1.5, None, True):
        rejects(cost.latency, abs, 1.0, warmup=bad, argument="warmup")
