"""Input checks shared by the files of :mod:`utils.detectors`, and the largest pixel value they accept.

Bad input (a bool or a float where an int count is expected, NaN, a non-positive size, ...) raises ``ValueError``
naming the argument.
"""

import numpy as np

from utils import _validate


#: Largest size, shift or coordinate in pixels that :func:`~utils.detectors.small_objects.iou_after_shift` and the
#: box coding of :mod:`utils.detectors.targets` accept: box areas must fit in float64.
MAX_PIXELS = 1e150


def _as_size(size, name):
    """``size`` as a ``(height, width)`` pair of positive ints."""
    return _validate.int_pair(size, name, low=1)


def _as_positive_ints(values, name):
    if not isinstance(values, (tuple, list, np.ndarray)):
        values = [values]
    return [_validate.integer(v, name, low=1) for v in values]


def _as_image(image, name):
    image = np.asarray(image)
    if image.dtype.kind not in "uif" or image.ndim not in (2, 3) or 0 in image.shape[:2]:
        raise ValueError(f"{name} must be a non-empty (H, W) or (H, W, C) array of numbers, "
                         f"got shape {image.shape} and dtype {image.dtype}")
    if image.dtype.kind == "f" and not np.isfinite(image).all():
        raise ValueError(f"{name} contains NaN or inf")
    return image
