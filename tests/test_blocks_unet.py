"""utils.blocks.unet: the size arithmetic against the real module's output shapes (valid and same convs), the
paper's 572 -> 388, the congruence of valid sizes, bad input, the widget, the checker."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.blocks import unet as U
from utils.checks.multiscale import check_unet_output_size


def test_paper_sizes():
    assert U.unet_output_size(572) == 388
    assert [n for n, _ in U.valid_unet_sizes(540, 610)] == [540, 556, 572, 588, 604]
    assert U.valid_unet_sizes(1, 200) == [(188, 4)]


def test_valid_sizes_congruence():
    # depth 4, valid convs: n works iff n = 12 (mod 16) and n >= 188; the output is n - 184
    sizes = U.valid_unet_sizes(1, 2000)
    assert all(n % 16 == 12 and out == n - 184 for n, out in sizes)
    assert [n for n, _ in sizes] == list(range(188, 2001, 16))
    # same convs: divisibility by 2^depth only, the output has the input's size
    same = U.valid_unet_sizes(1, 200, depth=4, padding=1)
    assert [n for n, _ in same] == list(range(16, 201, 16)) and all(n == o for n, o in same)


@pytest.mark.parametrize("size,depth", [(572, 4), (188, 4), (204, 4), (92, 3), (44, 2), (60, 2), (18, 1)])
def test_arithmetic_matches_module_valid(size, depth):
    torch.manual_seed(0)
    net = U.UNet(1, 2, base=2, depth=depth, padding=0).eval()
    with torch.no_grad():
        y = net(torch.randn(1, 1, size, size))
    out = U.unet_output_size(size, depth)
    assert y.shape == (1, 2, out, out)


def test_non_square_input():
    net = U.UNet(1, 1, base=2, depth=4).eval()
    with torch.no_grad():
        y = net(torch.randn(1, 1, 188, 572))
    assert y.shape == (1, 1, 4, 388)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 8), st.sampled_from([0, 1]))
def test_arithmetic_matches_module_property(depth, k, padding):
    # sizes that work, found by the arithmetic, all run in the module with the predicted output size
    sizes = [n for n, _ in U.valid_unet_sizes(1, 140, depth, padding)]
    n = sizes[(k - 1) % len(sizes)]
    net = U.UNet(1, 1, base=2, depth=depth, padding=padding).eval()
    with torch.no_grad():
        y = net(torch.randn(1, 1, n, n))
    assert y.shape[-1] == U.unet_output_size(n, depth, padding)


def test_invalid_sizes_raise_everywhere():
    # every size the arithmetic rejects is also rejected by the module, with a ValueError naming the size
    net = U.UNet(1, 1, base=2, depth=2).eval()
    valid = {n for n, _ in U.valid_unet_sizes(1, 60, depth=2)}
    for n in range(1, 61):
        if n in valid:
            continue
        with pytest.raises(ValueError, match=f"size {n} "):
            net(torch.randn(1, 1, n, n))
    with pytest.raises(ValueError, match="does not work"):
        U.unet_output_size(570)


def test_same_padding_odd_size_breaks_without_check():
    # Without the check, a size not divisible by 2^depth makes the up-sampled map smaller than the skip map.
    net = U.UNet(1, 1, base=2, depth=2, padding=1).eval()
    x = net.down[0](torch.randn(1, 1, 30, 30))  # 30 -> 30
    x = net.down[1](net.pool(x))  # 15
    assert net.pool(x).shape[-1] == 7 and net.up[1](net.up[0](net.bottom(net.pool(x)))).shape[-1] == 28


def test_center_crop():
    x = torch.arange(36.0).reshape(1, 1, 6, 6)
    assert torch.equal(U.center_crop(x, (2, 2))[0, 0], torch.tensor([[14.0, 15.0], [20.0, 21.0]]))
    with pytest.raises(ValueError, match="centre-crop"):
        U.center_crop(x, (3, 3))


def test_bad_input():
    net = U.UNet(1, 1, base=2, depth=2)
    with pytest.raises(ValueError, match=r"B, 1, H, W"):
        net(torch.randn(1, 44, 44))
    with pytest.raises(ValueError, match=r"B, 1, H, W"):
        net(torch.randn(1, 3, 44, 44))
    with pytest.raises(ValueError, match="size"):
        U.unet_output_size(0)
    with pytest.raises(ValueError, match="size"):
        U.unet_output_size(10.5)
    with pytest.raises(ValueError, match="padding"):
        U.unet_output_size(64, padding=2)
    with pytest.raises(ValueError, match="padding"):
        U.UNet(padding=2)
    with pytest.raises(ValueError, match="too small"):
        U.unet_output_size(172)


def test_batch_norm_variant_shapes():
    net = U.UNet(1, 3, base=4, depth=2, padding=1, batch_norm=True).eval()
    assert net(torch.randn(2, 1, 32, 32)).shape == (2, 3, 32, 32)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())


def test_widget():
    from utils.widgets.unet import mask_threshold_explorer

    rng = np.random.default_rng(0)
    target = np.zeros((16, 16))
    target[4:12, 4:12] = 1
    probs = np.clip(target * 0.8 + rng.uniform(0, 0.3, (16, 16)), 0, 1)
    explorer = mask_threshold_explorer(rng.normal(size=(16, 16)), probs, target)
    explorer.controls["threshold"].value = 0.5
    assert explorer.values["Dice"] == 1.0 and explorer.values["predicted pixels"] == 64
    explorer.controls["threshold"].value = 0.0
    assert explorer.values["predicted pixels"] == 256
    assert explorer.values["IoU"] == pytest.approx(64 / 256)
    with pytest.raises(ValueError, match="one shape"):
        mask_threshold_explorer(np.zeros((4, 4)), np.zeros((4, 5)), np.zeros((4, 4)))


def test_checker():
    def ours(size):
        try:
            return U.unet_output_size(size)
        except ValueError:
            return None

    assert check_unet_output_size(ours).passed
    assert not check_unet_output_size(lambda s: s - 184 if s % 16 == 12 else None).passed
    assert not check_unet_output_size(lambda s: s - 184).passed


@pytest.mark.parametrize("size,depth,padding", [(572, 4, 0), (204, 4, 0), (64, 3, 1)])
def test_trace_matches_every_module_output(size, depth, padding):
    net = U.UNet(1, 1, base=2, depth=depth, padding=padding).eval()
    seen = []
    modules = [*net.down, net.bottom]
    for up, block in zip(net.up, net.up_conv):
        modules += [up, block]
    for m in modules:
        m.register_forward_hook(lambda mod, inp, out: seen.append(out.shape[-1]))
    with torch.no_grad():
        net(torch.randn(1, 1, size, size))
    trace = dict(U.unet_size_trace(size, depth, padding))
    down = [trace[f"down {l + 1} convs"] for l in range(depth)]
    up = [v for l in range(depth) for v in (trace[f"up-conv {l + 1}"], trace[f"up {l + 1} convs"])]
    # forward order: the down blocks, the bottom, then up-conv / up block pairs
    assert seen[:depth] == down and seen[depth] == trace["bottom convs"] and seen[depth + 1:] == up


def test_contracting_specs_give_the_bottleneck_receptive_field():
    from utils.receptive_field import receptive_fields

    assert receptive_fields(*U.contracting_specs())[-1][:2] == (140, 16)
    assert receptive_fields(*U.contracting_specs(2, padding=1))[-1][:2] == (32, 4)
    assert U.contracting_specs(0) == ([3, 3], [1, 1], [0, 0])
    with pytest.raises(ValueError, match="depth"):
        U.contracting_specs(-1)
