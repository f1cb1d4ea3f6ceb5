"""Checker for the ViT parameter-count exercise in ``notebooks/12_vit.ipynb``."""

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
