"""utils.blocks.efficientnet: shapes, torchvision parameter parity, FLOP formula vs the FLOP counter,
drop path vs DropConnect, compound-scaling arithmetic, bad input; the widget and the checker."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from utils.blocks import efficientnet as E
from utils.checks.scaling import check_compound_scaling
from utils.widgets.scaling import compound_scaling_explorer, compound_scaling_numbers

# torchvision's num_params for efficientnet_b0..b7 and their (width, depth) multipliers.
TORCHVISION = {
    "b0": (1.0, 1.0, 5_288_548), "b1": (1.0, 1.1, 7_794_184), "b2": (1.1, 1.2, 9_109_994),
    "b3": (1.2, 1.4, 12_233_232), "b4": (1.4, 1.8, 19_341_616), "b5": (1.6, 2.2, 30_389_784),
    "b6": (1.8, 2.6, 43_040_704), "b7": (2.0, 3.1, 66_347_960),
}


def counted_flops(model, *inputs):
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(*inputs)
    return counter.get_total_flops()


# --- blocks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("c_in,c_out,t,k,s,hw,out_hw", [
    (16, 16, 6, 3, 1, 8, 8), (16, 24, 6, 5, 2, 9, 5), (32, 16, 1, 3, 1, 7, 7), (8, 8, 4, 5, 2, 8, 4),
])
def test_mbconv_shapes(c_in, c_out, t, k, s, hw, out_hw):
    block = E.MBConv(c_in, c_out, t, k, s)
    assert block(torch.randn(2, c_in, hw, hw)).shape == (2, c_out, out_hw, out_hw)
    assert block.use_residual == (s == 1 and c_in == c_out)


def test_squeeze_excitation_is_a_channel_gate():
    se = E.SqueezeExcitation(8, 2)
    x = torch.randn(3, 8, 5, 5)
    y = se(x)
    assert y.shape == x.shape
    gate = y / x  # one value per (sample, channel), in (0, 1)
    assert torch.allclose(gate, gate[:, :, :1, :1].expand_as(gate), atol=1e-5)
    assert ((gate > 0) & (gate < 1)).all()


def test_mbconv_eval_is_deterministic_and_residual():
    torch.manual_seed(0)
    block = E.MBConv(8, 8, drop_path_rate=0.5).eval()
    x = torch.randn(2, 8, 6, 6)
    assert torch.equal(block(x), block(x))
    assert torch.allclose(block(x), block.block(x) + x)


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_param_count_matches_torchvision(name):
    w, d, expected = TORCHVISION[name]
    with torch.device("meta"):
        model = E.EfficientNet(w, d)
    assert sum(p.numel() for p in model.parameters()) == expected


def test_efficientnet_forward_shape():
    model = E.EfficientNet(num_classes=7).eval()
    assert model(torch.randn(1, 3, 64, 64)).shape == (1, 7)


# --- FLOPs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("w,d,res", [(1.0, 1.0, 224), (1.1, 1.2, 260), (0.5, 0.5, 97), (1.4, 1.8, 64)])
def test_flop_formula_matches_flop_counter(w, d, res):
    with torch.device("meta"):
        model = E.EfficientNet(w, d)
        x = torch.empty(1, 3, res, res)
    assert E.efficientnet_flops(w, d, res) == counted_flops(model, x)


# torchvision's "GFLOPS" (multiply-adds) for b0..b7, measured at its evaluation crop sizes.
TORCHVISION_GMACS = {"b0": (224, 0.39), "b1": (240, 0.69), "b2": (288, 1.09), "b3": (300, 1.83),
                     "b4": (380, 4.39), "b5": (456, 10.27), "b6": (528, 19.07), "b7": (600, 37.75)}


@pytest.mark.parametrize("name", list(TORCHVISION_GMACS))
def test_flops_match_torchvision_published(name):
    w, d, _ = E.EFFICIENTNET_CONFIGS[name]
    crop, gmacs = TORCHVISION_GMACS[name]
    assert round(E.efficientnet_flops(w, d, crop) / 2 / 1e9, 2) == gmacs  # 2 FLOPs per multiply-add
    assert TORCHVISION[name][:2] == (w, d)


# --- scaling arithmetic ---------------------------------------------------------------------------

def test_paper_coefficients_double_flops():
    assert abs(E.ALPHA * E.BETA ** 2 * E.GAMMA ** 2 - 2) < 0.1
    assert E.predicted_flops_ratio(1) == pytest.approx(1.920, abs=1e-3)
    assert E.compound_coefficients(0) == (1, 1, 1)


@settings(max_examples=50, deadline=None)
@given(st.floats(0, 8), st.floats(1, 2), st.floats(1, 2), st.floats(1, 2))
def test_predicted_ratio_is_product_of_powers(phi, a, b, g):
    d, w, r = E.compound_coefficients(phi, a, b, g)
    assert E.predicted_flops_ratio(phi, a, b, g) == pytest.approx(d * w * w * r * r, rel=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(1, 2000))
def test_make_divisible(v):
    c = E.make_divisible(v)
    assert c % 8 == 0 and c >= 8
    assert 0.9 * v <= c < max(v, 8) + 8  # never more than 10% down, less than one step up


def test_round_repeats_rounds_up():
    assert E.round_repeats(3, 1.2) == 4
    assert E.round_repeats(1, 1.0) == 1
    assert E.round_repeats(4, 2.0) == 8


def test_counted_flops_follow_the_law_approximately():
    for phi in range(1, 5):
        numbers = compound_scaling_numbers(phi)
        assert 0.8 < numbers["counted FLOPs x"] / numbers["predicted FLOPs x"] < 1.4


# --- drop path vs DropConnect ---------------------------------------------------------------------

def test_drop_path_zeroes_whole_samples():
    x = torch.ones(1000, 3, 4, 4)
    g = torch.Generator().manual_seed(0)
    y = E.drop_path(x, 0.3, training=True, generator=g)
    per_sample = y.flatten(1)
    dropped = (per_sample == 0).all(1)
    kept = torch.isclose(per_sample, torch.full_like(per_sample, 1 / 0.7)).all(1)
    assert (dropped | kept).all()  # every sample is either all zero or all scaled
    assert abs(dropped.float().mean().item() - 0.3) < 0.05
    assert abs(y.mean().item() - 1.0) < 0.05  # expectation preserved
    assert E.drop_path(x, 0.3, training=False) is x


def test_drop_connect_zeroes_individual_weights():
    w = torch.ones(200, 300)
    y = E.drop_connect(w, 0.25, generator=torch.Generator().manual_seed(0))
    zero = y == 0
    assert abs(zero.float().mean().item() - 0.25) < 0.01
    assert zero.any(1).all() and (~zero).any(1).all()  # every row has both dropped and kept weights
    assert torch.allclose(y[~zero], torch.tensor(1 / 0.75))


# --- bad input ------------------------------------------------------------------------------------

def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="groups"):
        E.conv_bn_act(6, 8, 3, groups=4)
    with pytest.raises(ValueError, match="B, C, H, W"):
        E.MBConv(8, 8)(torch.randn(8, 5, 5))
    with pytest.raises(ValueError, match="channels"):
        E.MBConv(8, 8)(torch.randn(1, 4, 5, 5))
    with pytest.raises(ValueError, match="stride"):
        E.MBConv(8, 8, stride=3)
    with pytest.raises(ValueError, match="p must"):
        E.drop_path(torch.ones(2, 2), 1.0)
    with pytest.raises(ValueError, match="alpha"):
        E.compound_coefficients(1, 0.9, 1.1, 1.1)


# --- widget and checker ---------------------------------------------------------------------------

def test_widget_values_follow_controls():
    explorer = compound_scaling_explorer()
    explorer.controls["phi"].value = 2.0
    v = explorer.values
    assert v["d"] == pytest.approx(1.44) and v["w"] == pytest.approx(1.21) and v["r"] == pytest.approx(1.3225)
    assert v["resolution"] == 296 and v["predicted FLOPs x"] == pytest.approx(1.92027 ** 2, rel=1e-4)
    explorer.controls["phi"].value = 0.0
    assert explorer.values["counted FLOPs x"] == 1.0 and explorer.values["blocks"] == 16


def test_checker():
    def reference(phi, alpha, beta, gamma):
        return alpha ** phi, beta ** phi, gamma ** phi, (alpha * beta ** 2 * gamma ** 2) ** phi

    def linear_in_phi(phi, alpha, beta, gamma):
        return alpha * phi, beta * phi, gamma * phi, 2 ** phi

    def stub(*args):
        raise NotImplementedError

    assert check_compound_scaling(reference).passed
    assert not check_compound_scaling(linear_in_phi).passed
    assert check_compound_scaling(stub).not_implemented
    assert math.isclose(reference(1, 1.2, 1.1, 1.15)[3], 1.92027, rel_tol=1e-5)


def test_mbconv_training_drops_whole_branches_per_sample():
    torch.manual_seed(0)
    block = E.MBConv(8, 8, drop_path_rate=0.5).train()
    x = torch.randn(64, 8, 4, 4)
    with torch.no_grad():
        out = block(x)
    passed_through = torch.tensor([torch.equal(o, i) for o, i in zip(out, x)])
    assert 10 < passed_through.sum() < 54  # about half the samples skip the branch entirely


@pytest.mark.parametrize("c_in, c_out, t, k, s, h", [(32, 16, 1, 3, 1, 16), (16, 24, 6, 3, 2, 16),
                                                     (40, 40, 6, 5, 1, 7), (24, 40, 6, 5, 2, 9)])
def test_mbconv_flops_match_the_counter(c_in, c_out, t, k, s, h):
    from utils.cost import count_flops

    block = E.MBConv(c_in, c_out, t, k, s).eval()
    flops, h_out = E.mbconv_flops(c_in, c_out, t, k, s, h)
    assert flops == count_flops(block, torch.zeros(1, c_in, h, h))
    assert h_out == block(torch.zeros(1, c_in, h, h)).shape[-1]
