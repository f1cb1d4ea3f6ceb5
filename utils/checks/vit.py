"""Checkers for the ViT exercises in ``notebooks/12_vit.ipynb``: parameter count, patchify, multi-head attention."""

import torch
from torch import nn

from utils.checks.core import Case, run_cases


def vit_params_cases():
    """Cases for ``fn(image_size, patch_size, num_layers, hidden_dim, mlp_dim, num_classes) -> int``.

    Expected values are torchvision's ``num_params`` for its models, and small models counted by building them.
    """
    return [
        Case("ViT-B/16 at 224, 1000 classes", (224, 16, 12, 768, 3072, 1000), 86_567_656,
             "torchvision's vit_b_16. Count per block: attention 4D^2 + 4D, MLP 2 D D_mlp + D_mlp + D, two LayerNorms 4D."),
        Case("ViT-B/32 at 224", (224, 32, 12, 768, 3072, 1000), 88_224_232,
             "bigger patches: fewer position embeddings but a bigger patch projection (3 P^2 D weights)."),
        Case("ViT-L/16 at 224", (224, 16, 24, 1024, 4096, 1000), 304_326_632,
             "torchvision's vit_l_16: 24 blocks of width 1024."),
        Case("ViT-B/16 at 384", (384, 16, 12, 768, 3072, 1000), 86_859_496,
             "only the position embedding grows with the image: (N + 1) D, N = (384 / 16)^2 = 576 patches."),
        Case("no encoder blocks", (32, 8, 0, 64, 128, 10), 3 * 64 * 64 + 64 + 64 + 17 * 64 + 2 * 64 + 64 * 10 + 10,
             "patch embedding (weights and bias), class token, 17 position embeddings (16 patches + class token), "
             "final LayerNorm, head."),
        Case("one tiny block", (32, 8, 1, 64, 128, 10), 3 * 64 * 64 + 64 + 64 + 17 * 64 + 2 * 64 + 64 * 10 + 10
             + (4 * 64 * 64 + 4 * 64) + (2 * 64 * 128 + 128 + 64) + 4 * 64,
             "one block adds attention (Q, K, V and output projections, each D^2 + D), the MLP and two LayerNorms."),
    ]


def check_vit_params(fn):
    """Check ``fn(image_size, patch_size, num_layers, hidden_dim, mlp_dim, num_classes) -> int`` (3 input channels)."""
    return run_cases(fn, vit_params_cases())


# --- whiteboard exercises: patchify and multi-head self-attention ----------------------------------
# Expected answers come from torch itself, not from utils.blocks.vit: nn.Unfold for the patches (the same windows a
# stride-P convolution reads) and nn.MultiheadAttention for attention.


def _patches_by_unfold(x, P):
    # nn.Unfold with kernel = stride = P gives (B, C*P*P, N): each column is one window in (C, P, P) order.
    return nn.functional.unfold(x, kernel_size=P, stride=P).transpose(1, 2)


def patchify_cases():
    """Cases for ``fn(x, patch_size) -> (B, N, C * P * P)``, patches in raster order, each flattened as (C, P, P)."""
    g = torch.Generator().manual_seed(0)
    ramp = torch.arange(16, dtype=torch.float64).reshape(1, 1, 4, 4)
    two_channels = torch.arange(2 * 2 * 2, dtype=torch.float64).reshape(1, 2, 2, 2)
    wide = torch.arange(4 * 8, dtype=torch.float64).reshape(1, 1, 4, 8)
    batch = torch.randn(2, 3, 8, 8, generator=g, dtype=torch.float64)
    vit_like = torch.randn(1, 3, 32, 32, generator=g, dtype=torch.float64)
    cases = [
        ("the image is one patch", (ramp, 4),
         "with P equal to the image size there is one patch: the whole image flattened, shape (1, 1, 16)."),
        ("2 x 2 patches in raster order", (ramp, 2),
         "patches go row by row (top-left, top-right, bottom-left, ...), the order of a convolution's output; "
         "inside a patch, its P x P pixels row by row."),
        ("channels flattened channel by channel", (two_channels, 2),
         "flatten each patch in (C, P, P) order (all of channel 0, then channel 1), the order of a Conv2d weight; "
         "(P, P, C) order is also a ViT, but its linear layer would not match the convolution."),
        ("a wide image, 4 x 8", (wide, 2),
         "H and W can differ: there are (H / P) rows of (W / P) patches. Use W, not H, for the width."),
        ("a batch of 2 RGB images", (batch, 4), "keep the batch dimension first: (B, N, C * P * P)."),
        ("patch size 1: every pixel a token", (batch, 1), "P = 1 gives H * W tokens of C values each."),
        ("ViT-style: 32 x 32 RGB, P = 16", (vit_like, 16),
         "reshape to (B, C, H/P, P, W/P, P), move the two grid axes to the front, then flatten."),
    ]
    return [Case(name, args, _patches_by_unfold(*args), hint, atol=1e-12) for name, args, hint in cases]


def check_patchify(fn):
    """Check ``fn(x, patch_size) -> (B, N, C * P * P)``: ``x`` is ``(B, C, H, W)`` (float64), ``N = (H/P)(W/P)``."""
    return run_cases(fn, patchify_cases())


def _attention_by_torch(x, w_qkv, b_qkv, w_out, b_out, num_heads):
    D = x.shape[-1]
    mha = nn.MultiheadAttention(D, num_heads, batch_first=True, dtype=x.dtype)
    with torch.no_grad():
        mha.in_proj_weight.copy_(w_qkv)
        mha.in_proj_bias.copy_(b_qkv)
        mha.out_proj.weight.copy_(w_out)
        mha.out_proj.bias.copy_(b_out)
        return mha(x, x, x, need_weights=False)[0]


def _attention_args(B, T, D, heads, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, T, D, generator=g, dtype=torch.float64) * scale
    w_qkv = torch.randn(3 * D, D, generator=g, dtype=torch.float64) / D ** 0.5
    b_qkv = torch.randn(3 * D, generator=g, dtype=torch.float64) * 0.1
    w_out = torch.randn(D, D, generator=g, dtype=torch.float64) / D ** 0.5
    b_out = torch.randn(D, generator=g, dtype=torch.float64) * 0.1
    return x, w_qkv, b_qkv, w_out, b_out, heads


def multi_head_attention_cases():
    """Cases for ``fn(x, w_qkv, b_qkv, w_out, b_out, num_heads) -> (B, T, D)`` (weights as in ``nn.Linear``)."""
    cases = [
        ("one head: softmax(Q K^T / sqrt(D)) V", _attention_args(1, 5, 8, 1, 1),
         "Q, K, V = split(x @ w_qkv.T + b_qkv) into three (B, T, D); softmax over the LAST axis (the keys); "
         "then the output projection y @ w_out.T + b_out."),
        ("one token attends only to itself", _attention_args(2, 1, 8, 2, 2),
         "with T = 1 the softmax is 1: the output is the projected value, w_out @ v + b_out."),
        ("two heads", _attention_args(1, 6, 8, 2, 3),
         "split D into heads: (B, T, D) -> (B, T, h, D/h) -> transpose to (B, h, T, D/h); each head has its own softmax."),
        ("scale by sqrt(d_head), not sqrt(D)", _attention_args(1, 6, 16, 4, 4, scale=3.0),
         "the scores are divided by sqrt(D / h), the width of one head: Q K^T / sqrt(d_k), d_k = D / num_heads."),
        ("more tokens than head width (reshape order)", _attention_args(1, 12, 8, 4, 5),
         "reshape (B, T, D) to (B, T, h, D/h) BEFORE moving heads forward; reshaping straight to (B, h, T, D/h) "
         "mixes tokens and features."),
        ("heads put back side by side", _attention_args(2, 7, 12, 3, 6),
         "after A V, transpose (B, h, T, d) back to (B, T, h, d) and reshape to (B, T, D) before the output projection."),
        ("a batch of 3, ViT-like widths", _attention_args(3, 10, 24, 6, 7),
         "every image in the batch attends only within itself: no mixing across the batch dimension."),
    ]
    # atol 1e-5: an answer computed in float32 passes; the bugs named above are off by far more.
    return [Case(name, args, _attention_by_torch(*args), hint, atol=1e-5) for name, args, hint in cases]


def check_multi_head_attention(fn):
    """Check ``fn(x, w_qkv, b_qkv, w_out, b_out, num_heads) -> (B, T, D)``, multi-head self-attention as in
    ``nn.MultiheadAttention``: ``x`` is ``(B, T, D)``, ``w_qkv`` ``(3D, D)`` and ``b_qkv`` ``(3D,)`` stack the Q, K
    and V projections, ``w_out`` ``(D, D)`` and ``b_out`` ``(D,)`` are the output projection (all float64)."""
    return run_cases(fn, multi_head_attention_cases())
