"""utils.blocks.vit: shapes, patch embedding == patchify + linear, parameter formula vs built models
(torchvision's counts), FLOP formula vs the FLOP counter, attention against torch's, bad input; widget, checker."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from utils.blocks import vit as V
from utils.checks.vit import check_vit_params
from utils.widgets.vit import vit_token_numbers, vit_tokens_explorer

# torchvision's num_params at 224 px, 1000 classes.
TORCHVISION = {"vit_b_16": 86_567_656, "vit_b_32": 88_224_232, "vit_l_16": 304_326_632,
               "vit_l_32": 306_535_400, "vit_h_14": 632_045_800}


def small_vit(**kw):
    args = dict(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=5)
    args.update(kw)
    return V.VisionTransformer(**args)


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_built_model_param_count_matches_torchvision_and_formula(name):
    with torch.device("meta"):
        model = V.vit(name)
    P, L, _, D, D_mlp = V.VIT_CONFIGS[name]
    built = sum(p.numel() for p in model.parameters())
    assert built == TORCHVISION[name] == V.vit_num_params(224, P, L, D, D_mlp, 1000)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([4, 8]), st.integers(1, 4), st.integers(0, 2), st.sampled_from([8, 16]),
       st.integers(1, 40), st.integers(1, 3))
def test_param_formula_matches_built_model(P, n, L, D, K, C):
    model = V.VisionTransformer(P * n, P, L, 2, D, 2 * D, K, in_channels=C)
    assert sum(p.numel() for p in model.parameters()) == V.vit_num_params(P * n, P, L, D, 2 * D, K, C)


def test_forward_shapes_recorded():
    shapes = []
    y = small_vit().eval()(torch.randn(3, 3, 32, 32), shapes)
    assert y.shape == (3, 5)
    assert dict(shapes) == {
        "image": (3, 3, 32, 32), "patch embedding": (3, 16, 32), "class token prepended": (3, 17, 32),
        "+ position embedding": (3, 17, 32), "after encoder blocks": (3, 17, 32),
        "class token output": (3, 32), "logits": (3, 5),
    }


@pytest.mark.parametrize("P,C,size", [(4, 3, 16), (8, 1, 32), (16, 3, 48)])
def test_patch_embedding_equals_patchify_plus_linear(P, C, size):
    torch.manual_seed(0)
    emb = V.PatchEmbedding(size, P, C, 24)
    x = torch.randn(2, C, size, size)
    assert emb(x).shape == (2, (size // P) ** 2, 24)
    assert (emb(x) - V.patch_embedding_as_linear(x, emb)).abs().max() < 1e-5


def test_patchify_order_is_raster_and_channel_major():
    x = torch.arange(2 * 4 * 4, dtype=torch.float32).reshape(1, 2, 4, 4)
    p = V.patchify(x, 2)
    assert p.shape == (1, 4, 8)
    # second patch (top-right): channel 0 rows 0-1 cols 2-3, then channel 1
    assert p[0, 1].tolist() == [2, 3, 6, 7, 18, 19, 22, 23]


def test_attention_matches_torch_sdpa():
    torch.manual_seed(0)
    attn = V.MultiHeadSelfAttention(32, 4)
    x = torch.randn(2, 9, 32)
    q, k, v = attn.qkv(x).split(32, dim=2)
    q, k, v = (t.reshape(2, 9, 4, 8).transpose(1, 2) for t in (q, k, v))
    ref = attn.proj(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(2, 9, 32))
    assert torch.allclose(attn(x), ref, atol=1e-5)


def test_attention_param_count_equals_nn_multiheadattention():
    ours = sum(p.numel() for p in V.MultiHeadSelfAttention(64, 8).parameters())
    assert ours == sum(p.numel() for p in torch.nn.MultiheadAttention(64, 8).parameters()) == 4 * 64 * 64 + 4 * 64


@pytest.mark.parametrize("size,P,L,D", [(32, 8, 2, 32), (48, 16, 1, 64), (64, 8, 3, 16)])
def test_flop_formula_matches_flop_counter(size, P, L, D):
    model = V.VisionTransformer(size, P, L, 4, D, 3 * D, 7).eval()
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.randn(1, 3, size, size))
    assert counter.get_total_flops() == V.vit_flops(size, P, L, D, 3 * D, 7)


def test_vit_b16_flops_match_published():
    # torchvision: 17.56 GFLOPS (multiply-adds) for vit_b_16 at 224
    assert round(V.vit_flops() / 2 / 1e9, 2) == 17.56


def test_attention_cost_is_quadratic_in_tokens():
    assert V.attention_flops(2 * 197, 768) == 4 * V.attention_flops(197, 768)
    assert V.num_patches(448, 16) == 4 * V.num_patches(224, 16)
    assert V.attention_memory_bytes(197, 12) == 12 * 197 ** 2 * 4


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError, match="not divisible by patch_size"):
        V.num_patches(225, 16)
    with pytest.raises(ValueError, match="not divisible by patch_size"):
        V.VisionTransformer(image_size=100, patch_size=16)
    with pytest.raises(ValueError, match="B, C, H, W"):
        V.PatchEmbedding(32, 8, 3, 16)(torch.randn(3, 32, 32))
    with pytest.raises(ValueError, match="32x32"):
        V.PatchEmbedding(32, 8, 3, 16)(torch.randn(1, 3, 40, 40))
    with pytest.raises(ValueError, match="not divisible by patch_size"):
        V.patchify(torch.randn(1, 3, 30, 32), 8)
    with pytest.raises(ValueError, match="num_heads"):
        V.MultiHeadSelfAttention(30, 4)
    with pytest.raises(ValueError, match="name"):
        V.vit("vit_s_16")


def test_widget_values_follow_controls():
    explorer = vit_tokens_explorer()
    assert explorer.values["tokens T"] == 197
    explorer.controls["image_size"].value = 448
    assert explorer.values["patches N"] == 784
    explorer.controls["patch_size"].value = 32
    v = explorer.values
    assert v["tokens T"] == 197 and v["attention MiB / layer"] == pytest.approx(12 * 197 ** 2 * 4 / 2 ** 20)
    assert v == vit_token_numbers(448, 32)


def test_checker():
    assert check_vit_params(lambda s, P, L, D, Dm, K: V.vit_num_params(s, P, L, D, Dm, K)).passed
    no_bias = lambda s, P, L, D, Dm, K: V.vit_num_params(s, P, L, D, Dm, K) - L * (4 * D + Dm + D)  # noqa: E731
    assert not check_vit_params(no_bias).passed

    def stub(*args):
        raise NotImplementedError

    assert check_vit_params(stub).not_implemented


# --- position-embedding interpolation (another image size) -----------------------------------------

def test_interpolation_matches_the_reference_codes_scipy_zoom():
    # google-research/vision_transformer, vit_jax/checkpoint.py: scipy.ndimage.zoom(grid, zoom, order=1)
    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    torch.manual_seed(0)
    pos = torch.randn(1, 1 + 14 * 14, 6, dtype=torch.float64)
    ours = V.interpolate_pos_embedding(pos, 24)
    grid = pos[0, 1:].reshape(14, 14, 6).numpy()
    ref = scipy_ndimage.zoom(grid, (24 / 14, 24 / 14, 1), order=1).reshape(576, 6)
    assert ours.shape == (1, 577, 6)
    assert abs(ours[0, 1:].numpy() - ref).max() < 1e-12
    assert torch.equal(ours[:, :1], pos[:, :1])  # the class token's embedding is kept as it is


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_interpolation_to_the_same_grid_is_the_identity(mode):
    pos = torch.randn(1, 1 + 7 * 7, 5, dtype=torch.float64)
    assert torch.allclose(V.interpolate_pos_embedding(pos, 7, mode=mode), pos, atol=1e-12)


def test_interpolation_keeps_a_linear_ramp_exact():
    # a position embedding that is linear in (row, col) stays linear: bilinear interpolation reproduces it exactly
    r, c = torch.meshgrid(torch.arange(4.0), torch.arange(4.0), indexing="ij")
    pos = torch.cat([torch.zeros(1, 1, 2), torch.stack([r, c], -1).reshape(1, 16, 2)], dim=1).double()
    out = V.interpolate_pos_embedding(pos, 7)[0, 1:].reshape(7, 7, 2)
    r7, c7 = torch.meshgrid(torch.linspace(0, 3, 7), torch.linspace(0, 3, 7), indexing="ij")
    assert torch.allclose(out, torch.stack([r7, c7], -1).double(), atol=1e-12)


def test_resize_vit_runs_at_the_new_size_and_keeps_every_other_weight():
    torch.manual_seed(0)
    model = small_vit().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    V.resize_vit(model, 48)
    assert model.pos_embedding.shape == (1, 1 + 6 * 6, 32) and model.pos_embedding.requires_grad
    assert model(torch.randn(2, 3, 48, 48)).shape == (2, 5)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if k != "pos_embedding")
    with pytest.raises(ValueError, match="48x48"):
        model(torch.randn(1, 3, 32, 32))


def test_interpolation_bad_input():
    with pytest.raises(ValueError, match="pos_embedding"):
        V.interpolate_pos_embedding(torch.randn(197, 8), 14)
    with pytest.raises(ValueError, match="square"):
        V.interpolate_pos_embedding(torch.randn(1, 1 + 15, 8), 4)
    with pytest.raises(ValueError, match="mode"):
        V.interpolate_pos_embedding(torch.randn(1, 17, 8), 4, mode="nearest")
    with pytest.raises(ValueError, match="new_grid"):
        V.interpolate_pos_embedding(torch.randn(1, 17, 8), 0)
    with pytest.raises(ValueError, match="not divisible by patch_size"):
        V.resize_vit(small_vit(), 50)
