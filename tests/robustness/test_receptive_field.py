"""The robustness contract (contract.py) for every public function of utils.receptive_field.

Layer lists hold ints (a bool, a float, ``None`` or a negative value is refused naming the list and the index); an
empty stack gives ``[]``. ``conv_specs`` used to read only the first value of a non-square kernel (silently wrong):
it now refuses it, and a string padding such as ``"same"``. ``measured_receptive_field`` refuses a unit outside the
output (negative indices used to wrap around) and a model whose output does not depend on the input.
"""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from robustness.contract import call_unchanged, rejects
from utils import receptive_field as rf

COVERS = [f"utils.receptive_field.{name}" for name in (
    "LayerRF", "receptive_fields", "rf_box", "positive_copy", "measured_receptive_field", "conv_specs")]

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def conv_stack(draw, max_layers=6):
    n = draw(st.integers(0, max_layers))
    ints = lambda low, high: st.lists(st.integers(low, high), min_size=n, max_size=n)  # noqa: E731
    return draw(ints(1, 7)), draw(ints(1, 3)), draw(ints(0, 3)), draw(ints(1, 3))


@SETTINGS
@given(conv_stack())
def test_receptive_fields_valid(stack):
    kernels, strides, paddings, dilations = stack
    layers = call_unchanged(rf.receptive_fields, kernels, strides, paddings, dilations)
    assert len(layers) == len(kernels) and all(isinstance(layer, rf.LayerRF) for layer in layers)
    assert [layer.jump for layer in layers] == list(np.cumprod(strides).astype(int))
    assert all(b.rf >= a.rf for a, b in zip([rf.LayerRF(1, 1, 0.0)] + layers, layers))
    for layer in layers:
        box = call_unchanged(rf.rf_box, layer, 2, 1)
        assert box.shape == (4,) and box[2] - box[0] == box[3] - box[1] == layer.rf


def test_receptive_fields_rejects():
    ok = [3, 3]
    for bad in (None, 3, "33"):
        rejects(rf.receptive_fields, bad, ok, argument="kernels")
        rejects(rf.receptive_fields, ok, bad, argument="strides")
    for bad in ([3, 0], [3, -1], [3, 2.5], [3, True], [3, None], [3, np.nan]):
        rejects(rf.receptive_fields, bad, ok, argument="kernels")
        rejects(rf.receptive_fields, ok, bad, argument="strides")
        rejects(rf.receptive_fields, ok, ok, ok, bad, argument="dilations")
    rejects(rf.receptive_fields, ok, ok, [0, -1], argument="paddings")
    rejects(rf.receptive_fields, ok, [1], argument="strides")
    rejects(rf.receptive_fields, ok, ok, [0], argument="paddings")
    assert rf.receptive_fields([], []) == []


def test_layer_rf_and_rf_box_reject():
    layer = rf.LayerRF(7, 4, 3.0)
    assert layer.rf == 7 and layer.jump == 4 and layer.start == 3.0  # plain data: rf_box checks what it gets
    assert np.array_equal(rf.rf_box((7, 4, 3.0), 0, 0), rf.rf_box(layer, 0, 0))
    for bad in (None, 7, (7, 4), "layer", np.array([7, 4, 3.0])):
        rejects(rf.rf_box, bad, 0, 0, argument="layer")
    for bad in (rf.LayerRF(0, 4, 3.0), rf.LayerRF(7, 0, 3.0), rf.LayerRF(7, 4, np.nan), rf.LayerRF(7.5, 4, 3.0)):
        rejects(rf.rf_box, bad, 0, 0, argument="layer")
    for bad in (-1, 1.5, None, True, "1"):
        rejects(rf.rf_box, layer, bad, 0, argument="row")
        rejects(rf.rf_box, layer, 0, bad, argument="col")


def _chain():
    with torch.random.fork_rng():
        return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, stride=2), torch.nn.ReLU(),
                                   torch.nn.Conv2d(2, 1, 3, padding=1, dilation=2), torch.nn.AvgPool2d(2))


def test_positive_copy_and_measurement_valid():
    model = _chain()
    weights = [p.detach().clone() for p in model.parameters()]
    copy = rf.positive_copy(model)
    assert all(p.dtype == torch.float64 and (p >= 0).all() for p in copy.parameters())
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))  # the original is untouched
    k, s, p, d = rf.conv_specs(model)
    assert (k, s, p, d) == ([3, 3, 2], [2, 1, 2], [0, 1, 0], [1, 2, 1])
    last = rf.receptive_fields(k, s, p, d)[-1]
    m = rf.measured_receptive_field(model, 40, in_channels=1)
    assert m["rf"] == (last.rf, last.rf)
    assert np.array_equal(m["box"], rf.rf_box(last, *m["unit"]))
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))
    assert rf.measured_receptive_field(model, (40, 44), 1, unit=(0, 0))["unit"] == (0, 0)
    assert rf.conv_specs(torch.nn.ReLU()) == ([], [], [], [])


def test_measurement_and_specs_reject():
    model = _chain()
    for bad in (None, "model", 3):
        rejects(rf.positive_copy, bad, argument="model")
        rejects(rf.conv_specs, bad, argument="module")
        rejects(rf.measured_receptive_field, bad, 40, 1, argument="model")
    for bad in (0, -5, 2.5, None, (40,), (40, 40, 40), True):
        rejects(rf.measured_receptive_field, model, bad, 1, argument="input_size")
    for bad in (0, 1.5, None):
        rejects(rf.measured_receptive_field, model, 40, bad, argument="in_channels")
    for bad in ((-1, 0), (0, 100), (1.5, 0), "centre"):
        rejects(rf.measured_receptive_field, model, 40, 1, unit=bad, argument="unit")
    rejects(rf.measured_receptive_field, lambda x: x.sum((1, 2, 3)), 8, 1, argument="model")  # not (1, C, h, w)
    rejects(rf.measured_receptive_field, lambda x: 0 * x, 8, 1, argument="model")  # output ignores the input
    rejects(rf.conv_specs, torch.nn.Conv2d(1, 1, (3, 5)), argument="module")  # measured: read as 3 x 3
    rejects(rf.conv_specs, torch.nn.Conv2d(1, 1, 3, stride=(1, 2)), argument="module")
    rejects(rf.conv_specs, torch.nn.Conv2d(1, 1, 3, padding="same"), argument="module")
