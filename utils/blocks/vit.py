"""Vision Transformer (ViT): patch embedding, class token, position embeddings, pre-norm encoder blocks.

Dosovitskiy et al., "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale" (ICLR 2021).
Taught in ``notebooks/12_vit.ipynb``. Names and layer order follow torchvision's ``VisionTransformer``
(``image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim``), so ViT-B/16 built here has
torchvision's parameter count, 86,567,656 for 1000 classes.

Shapes, with ``P`` the patch size, ``N = (H / P) * (W / P)`` patches and ``D = hidden_dim``:

    image (B, C, H, W) -> patch embedding (B, N, D) -> [class token; patches] + position (B, N + 1, D)
    -> L encoder blocks (B, N + 1, D) -> LayerNorm -> class token (B, D) -> head (B, num_classes)
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


def _check_patch_size(image_size, patch_size):
    if patch_size < 1 or image_size < 1:
        raise ValueError(f"image_size and patch_size must be positive, got {image_size} and {patch_size}")
    if image_size % patch_size:
        raise ValueError(f"image_size={image_size} is not divisible by patch_size={patch_size}: "
                         f"the patches would not tile the image (crop or resize it to a multiple of {patch_size})")


def num_patches(image_size, patch_size):
    """Number of patches ``N = (image_size / patch_size) ** 2`` of a square image (the class token not included)."""
    _check_patch_size(image_size, patch_size)
    return (image_size // patch_size) ** 2


# --- patch embedding: a strided convolution == reshape + linear -----------------------------------

def patchify(x, patch_size):
    """Cut ``(B, C, H, W)`` images into non-overlapping patches, each flattened in ``(C, P, P)`` order.

    Returns ``(B, N, C * P * P)``, patches in raster order (row by row), the order of a convolution's output.
    """
    if x.ndim != 4:
        raise ValueError(f"x must be a batch of images (B, C, H, W), got shape {tuple(x.shape)}")
    B, C, H, W = x.shape
    P = patch_size
    _check_patch_size(H, P)
    _check_patch_size(W, P)
    x = x.reshape(B, C, H // P, P, W // P, P)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, H/P, W/P, C, P, P)
    return x.reshape(B, (H // P) * (W // P), C * P * P)


class PatchEmbedding(nn.Module):
    """Split an image into ``P x P`` patches and project each linearly to ``D`` dimensions.

    ``(B, C, H, W) -> (B, N, D)``. Implemented, as in the reference code and torchvision (``conv_proj``),
    as ONE convolution with ``kernel_size = stride = P``: each output position sees exactly one patch,
    so the convolution is the same linear map applied to every patch (:func:`patch_embedding_as_linear`).
    """

    def __init__(self, image_size=224, patch_size=16, in_channels=3, hidden_dim=768):
        super().__init__()
        _check_patch_size(image_size, patch_size)
        self.image_size, self.patch_size = image_size, patch_size
        self.proj = nn.Conv2d(in_channels, hidden_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        if x.ndim != 4:
            raise ValueError(f"x must be a batch of images (B, C, H, W), got shape {tuple(x.shape)}")
        if x.shape[-2:] != (self.image_size, self.image_size):
            raise ValueError(f"x must be {self.image_size}x{self.image_size} images, got {tuple(x.shape[-2:])}")
        x = self.proj(x)  # (B, D, H/P, W/P)
        return x.flatten(2).transpose(1, 2)  # (B, N, D)


def patch_embedding_as_linear(x, embedding):
    """The same computation as ``embedding(x)`` written as patchify + matrix product: ``(B, N, D)``.

    The convolution's weight ``(D, C, P, P)`` reshaped to ``(D, C * P * P)`` is the linear layer ``E`` of
    the paper (eq. 1, ``x_p E``); its bias is the linear layer's bias.
    """
    E = embedding.proj.weight.flatten(1)  # (D, C*P*P)
    return patchify(x, embedding.patch_size) @ E.T + embedding.proj.bias  # (B, N, D)


# --- the transformer encoder --------------------------------------------------------------------

class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention, ``(B, T, D) -> (B, T, D)``: every token attends to every token.

    ``softmax(Q K^T / sqrt(d_head)) V`` per head, written out with two batched matrix products (so the
    ``(B, heads, T, T)`` attention matrix, the ``O(T^2)`` cost, is visible). Parameters as
    ``nn.MultiheadAttention``: ``4 D^2 + 4 D``.
    """

    def __init__(self, hidden_dim, num_heads, dropout=0.0):
        super().__init__()
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim={hidden_dim} must be divisible by num_heads={num_heads}")
        self.num_heads = num_heads
        self.qkv = nn.Linear(hidden_dim, 3 * hidden_dim)  # W_Q, W_K, W_V stacked
        self.proj = nn.Linear(hidden_dim, hidden_dim)  # W_O
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        B, T, D = x.shape
        h = self.num_heads
        q, k, v = self.qkv(x).split(D, dim=2)
        q, k, v = (t.reshape(B, T, h, D // h).transpose(1, 2) for t in (q, k, v))  # (B, h, T, D/h)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D // h)  # (B, h, T, T)
        att = self.dropout(att.softmax(dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, D)  # heads side by side again
        return self.proj(y)


class EncoderBlock(nn.Module):
    """Pre-norm transformer block, ``(B, T, D) -> (B, T, D)``: ``x + MSA(LN(x))`` then ``x + MLP(LN(x))``.

    The MLP is ``Linear(D, mlp_dim) -> GELU -> Linear(mlp_dim, D)`` (paper eq. 2-3).
    """

    def __init__(self, hidden_dim, num_heads, mlp_dim, dropout=0.0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.attn = MultiHeadSelfAttention(hidden_dim, num_heads, dropout)
        self.ln_2 = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.mlp = nn.Sequential(
            nn.Linear(hidden_dim, mlp_dim), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(mlp_dim, hidden_dim), nn.Dropout(dropout),
        )

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class VisionTransformer(nn.Module):
    """ViT classifier, ``(B, C, image_size, image_size) -> (B, num_classes)``.

    ``forward(x, shapes=[])`` also appends ``(stage name, shape)`` for every stage to the given list.
    """

    def __init__(self, image_size=224, patch_size=16, num_layers=12, num_heads=12, hidden_dim=768,
                 mlp_dim=3072, num_classes=1000, in_channels=3, dropout=0.0):
        super().__init__()
        self.patch_embedding = PatchEmbedding(image_size, patch_size, in_channels, hidden_dim)
        N = num_patches(image_size, patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.pos_embedding = nn.Parameter(torch.empty(1, N + 1, hidden_dim).normal_(std=0.02))  # learned, 1-D
        self.layers = nn.Sequential(*[EncoderBlock(hidden_dim, num_heads, mlp_dim, dropout) for _ in range(num_layers)])
        self.ln = nn.LayerNorm(hidden_dim, eps=1e-6)
        self.head = nn.Linear(hidden_dim, num_classes)

    def forward(self, x, shapes=None):
        record = (lambda name, t: shapes.append((name, tuple(t.shape)))) if shapes is not None else (lambda *a: None)
        record("image", x)
        x = self.patch_embedding(x)  # (B, N, D)
        record("patch embedding", x)
        cls = self.class_token.expand(x.shape[0], -1, -1)  # (B, 1, D)
        x = torch.cat([cls, x], dim=1)  # (B, N + 1, D)
        record("class token prepended", x)
        x = x + self.pos_embedding
        record("+ position embedding", x)
        x = self.layers(x)  # (B, N + 1, D)
        record("after encoder blocks", x)
        x = self.ln(x)[:, 0]  # (B, D): the class token's final state summarises the image
        record("class token output", x)
        x = self.head(x)
        record("logits", x)
        return x


#: torchvision's ViT sizes: (patch_size, num_layers, num_heads, hidden_dim, mlp_dim).
VIT_CONFIGS = {
    "vit_b_16": (16, 12, 12, 768, 3072),
    "vit_b_32": (32, 12, 12, 768, 3072),
    "vit_l_16": (16, 24, 16, 1024, 4096),
    "vit_l_32": (32, 24, 16, 1024, 4096),
    "vit_h_14": (14, 32, 16, 1280, 5120),
}


def vit(name, image_size=224, num_classes=1000):
    """Build one of :data:`VIT_CONFIGS` (tip: inside ``with torch.device("meta"):`` it costs no memory)."""
    if name not in VIT_CONFIGS:
        raise ValueError(f"name must be one of {sorted(VIT_CONFIGS)}, got {name!r}")
    P, L, heads, D, D_mlp = VIT_CONFIGS[name]
    return VisionTransformer(image_size, P, L, heads, D, D_mlp, num_classes)


# --- cost formulas ----------------------------------------------------------------------------------

def vit_num_params(image_size=224, patch_size=16, num_layers=12, hidden_dim=768, mlp_dim=3072,
                   num_classes=1000, in_channels=3):
    """Parameter count of :class:`VisionTransformer` from the formula (ViT-B/16 at 224: 86,567,656).

    patch embedding ``C P^2 D + D``; class token ``D``; position embedding ``(N + 1) D``; per block
    ``4 D^2 + 4 D`` (attention) ``+ 2 D D_mlp + D_mlp + D`` (MLP) ``+ 4 D`` (two LayerNorms); final LayerNorm
    ``2 D``; head ``D K + K``. Only the position embedding depends on the image size.
    """
    N = num_patches(image_size, patch_size)
    D, D_mlp, K = hidden_dim, mlp_dim, num_classes
    embedding = in_channels * patch_size ** 2 * D + D + D + (N + 1) * D
    block = (4 * D * D + 4 * D) + (2 * D * D_mlp + D_mlp + D) + 4 * D
    return embedding + num_layers * block + 2 * D + D * K + K


def attention_flops(tokens, hidden_dim):
    """FLOPs of the two ``T x T`` products of one attention layer, ``Q K^T`` and ``A V``: ``4 T^2 D``.

    (Multiply-add = 2 FLOPs; independent of the number of heads, which split ``D``.) Quadratic in tokens,
    so ``(image_size / patch_size) ** 4``: doubling the image side multiplies it by 16.
    """
    return 4 * tokens ** 2 * hidden_dim


def vit_flops(image_size=224, patch_size=16, num_layers=12, hidden_dim=768, mlp_dim=3072, num_classes=1000,
              in_channels=3):
    """Forward FLOPs of :class:`VisionTransformer` for one image, counting matrix products only (as
    ``torch.utils.flop_counter.FlopCounterMode`` does; LayerNorm, softmax, GELU and additions are ignored).

    patch embedding ``2 N C P^2 D``; per block, with ``T = N + 1`` tokens: QKV and output projections
    ``8 T D^2``, attention ``4 T^2 D``, MLP ``4 T D D_mlp``; head ``2 D K``.
    """
    N = num_patches(image_size, patch_size)
    T, D = N + 1, hidden_dim
    block = 8 * T * D * D + attention_flops(T, D) + 4 * T * D * mlp_dim
    return 2 * N * in_channels * patch_size ** 2 * D + num_layers * block + 2 * D * num_classes


def attention_memory_bytes(tokens, num_heads, batch_size=1, bytes_per_element=4):
    """Memory of one layer's attention matrices ``(B, heads, T, T)``: ``B * heads * T^2 * bytes`` (float32: 4)."""
    return batch_size * num_heads * tokens ** 2 * bytes_per_element


# --- another image size: interpolate the learned position embeddings -----------------------------

def interpolate_pos_embedding(pos_embedding, new_grid, num_prefix_tokens=1, mode="bilinear"):
    """Resize learned position embeddings ``(1, prefix + g * g, D) -> (1, prefix + new_grid ** 2, D)``.

    The class token's embedding (the first ``num_prefix_tokens``) has no position and is kept; the ``g x g`` patch
    part is reshaped to its 2-D grid and interpolated, each of the ``D`` channels as an image (paper section 3.2,
    "2D interpolation of the pre-trained position embeddings"). ``mode="bilinear"`` with the corner samples kept in
    place (``align_corners=True``) is what the original code does (``vit_jax/checkpoint.py``, ``load_pretrained``:
    ``scipy.ndimage.zoom(grid, zoom, order=1)``); torchvision's ``interpolate_embeddings`` defaults to ``"bicubic"``.
    """
    if pos_embedding.ndim != 3 or pos_embedding.shape[0] != 1:
        raise ValueError(f"pos_embedding must be (1, tokens, D), got shape {tuple(pos_embedding.shape)}")
    if mode not in ("bilinear", "bicubic"):
        raise ValueError(f"mode must be 'bilinear' or 'bicubic', got {mode!r}")
    if new_grid < 1:
        raise ValueError(f"new_grid must be a positive number of patches per side, got {new_grid}")
    prefix, grid = pos_embedding[:, :num_prefix_tokens], pos_embedding[:, num_prefix_tokens:]
    N, D = grid.shape[1], grid.shape[2]
    g = math.isqrt(N)
    if g * g != N:
        raise ValueError(f"pos_embedding has {N} patch positions after {num_prefix_tokens} prefix token(s): "
                         "not a square grid")
    grid = grid.reshape(1, g, g, D).permute(0, 3, 1, 2)  # (1, D, g, g): every channel is a g x g image
    grid = F.interpolate(grid, size=(new_grid, new_grid), mode=mode, align_corners=True)
    grid = grid.permute(0, 2, 3, 1).reshape(1, new_grid * new_grid, D)  # raster order again
    return torch.cat([prefix, grid], dim=1)


def resize_vit(model, image_size, mode="bilinear"):
    """Make a :class:`VisionTransformer` accept ``image_size`` images, in place (e.g. fine-tuning at 384 after
    pre-training at 224): the patch size and every weight stay; only the position embeddings are interpolated to
    the new grid (:func:`interpolate_pos_embedding`). Returns ``model``."""
    P = model.patch_embedding.patch_size
    new_grid = math.isqrt(num_patches(image_size, P))
    pos = interpolate_pos_embedding(model.pos_embedding.detach(), new_grid, mode=mode)
    model.pos_embedding = nn.Parameter(pos)
    model.patch_embedding.image_size = image_size
    return model


def vit_token_numbers(image_size, patch_size, hidden_dim=768, num_heads=12, mlp_dim=None):
    """Token count and attention cost of one ViT layer on one square image (``notebooks/12_vit.ipynb``, its widget).

    Returns a dict: ``patches N``, ``tokens T`` (``N + 1``, with the class token), ``attention MiB / layer``
    (float32 ``(heads, T, T)`` matrices, batch 1), ``attention GFLOPs / layer`` (``4 T^2 D``) and
    ``attention share of block FLOPs`` (attention products over the whole block's matrix products:
    ``T / (T + 2 D + D_mlp)`` with ``D_mlp = 4 D`` by default).
    """
    N = num_patches(image_size, patch_size)
    T, D = N + 1, hidden_dim
    D_mlp = 4 * D if mlp_dim is None else mlp_dim
    att = attention_flops(T, D)
    block = 8 * T * D * D + att + 4 * T * D * D_mlp
    return {
        "patches N": N,
        "tokens T": T,
        "attention MiB / layer": attention_memory_bytes(T, num_heads) / 2 ** 20,
        "attention GFLOPs / layer": att / 1e9,
        "attention share of block FLOPs": att / block,
    }
