"""A small REAL dataset for training in seconds: scikit-learn's handwritten digits (no download).

``sklearn.datasets.load_digits`` ships 1,797 grey-level 8x8 images of the digits 0-9 (UCI "Optical
Recognition of Handwritten Digits", pixel values 0-16) inside the scikit-learn package.
Used in ``notebooks/08_residual_blocks.ipynb``.
"""

import torch


def digits(test_fraction=0.2, images=False, seed=0):
    """The digits as torch tensors, split once at random: ``(x_train, y_train, x_test, y_test)``.

    Pixels are scaled to ``[0, 1]``. ``x`` has shape ``(N, 64)``, or ``(N, 1, 8, 8)`` with ``images=True``;
    ``y`` is ``(N,)`` int64 in 0-9. With ``test_fraction=0.2``: 1,438 training and 359 test images.
    The split depends only on ``seed``.
    """
    if not 0 <= test_fraction < 1:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.data, dtype=torch.float32) / 16.0  # (1797, 64), 0..16 -> 0..1
    y = torch.tensor(data.target, dtype=torch.int64)
    if images:
        x = x.reshape(-1, 1, 8, 8)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]
