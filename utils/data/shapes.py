"""A synthetic segmentation set: random discs, squares and triangles on a noisy, shaded background.

SYNTHETIC data, generated here (nothing is downloaded); used by ``notebooks/16_unet.ipynb`` to train a small
U-Net in seconds. The task is binary segmentation: the mask is 1 on every shape. It is not solvable by a global
intensity threshold: the background has a random brightness gradient, the shapes a random contrast, and
Gaussian noise is added.
"""

import numpy as np

SHAPES = ("disc", "square", "triangle")


def _shape_mask(kind, cx, cy, r, yy, xx):
    if kind == "disc":
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    if kind == "square":
        return (np.abs(xx - cx) <= r * 0.85) & (np.abs(yy - cy) <= r * 0.85)
    # triangle pointing up: below the two slanted edges, above the base
    return (yy <= cy + r * 0.8) & (yy >= cy - r + 2 * np.abs(xx - cx))


def make_shapes(n, size=32, max_shapes=3, noise=0.15, seed=0):
    """``n`` images with their masks.

    Args:
        n: number of images.
        size: side of the square images, in pixels.
        max_shapes: each image has 1 to ``max_shapes`` shapes (radius ``size/10`` to ``size/5``), may overlap.
        noise: standard deviation of the Gaussian pixel noise.
        seed: seed of the ``numpy`` generator (the same seed gives the same set).

    Returns:
        ``(images, masks)``: ``(n, 1, size, size)`` float32 in about [-0.5, 1.5] and ``(n, 1, size, size)``
        float32 in {0, 1}.
    """
    if n < 0 or size < 8 or max_shapes < 1:
        raise ValueError(f"need n >= 0, size >= 8 and max_shapes >= 1, got n={n}, size={size}, max_shapes={max_shapes}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    images = np.empty((n, 1, size, size), np.float32)
    masks = np.zeros((n, 1, size, size), np.float32)
    for i in range(n):
        gx, gy = rng.uniform(-0.4, 0.4, size=2)
        background = 0.3 + (gx * (xx - size / 2) + gy * (yy - size / 2)) / size  # a shaded background
        image = background.copy()
        for _ in range(rng.integers(1, max_shapes + 1)):
            kind = SHAPES[rng.integers(len(SHAPES))]
            r = rng.uniform(size / 10, size / 5)
            cx, cy = rng.uniform(r, size - r, size=2)
            m = _shape_mask(kind, cx, cy, r, yy, xx)
            image[m] = background[m] + rng.uniform(0.3, 0.7)  # a random contrast above the local background
            masks[i, 0][m] = 1.0
        images[i, 0] = image + rng.normal(0, noise, size=(size, size))
    return images, masks
