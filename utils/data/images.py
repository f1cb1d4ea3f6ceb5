"""Real images and a real face detector, all shipped inside installed wheels (no network).

* ``grace_hopper()``: the portrait bundled with matplotlib's sample data (600 rows x 512 columns, one face).
* ``haar_face_candidates(image)``: OpenCV's frontal-face Haar cascade (shipped in
  ``opencv-python-headless`` 4.x) run with ``minNeighbors=0``, i.e. *before* any grouping: the raw,
  overlapping candidates with their confidence weights, the real input that NMS exists for.
"""

import functools

import numpy as np


@functools.lru_cache(maxsize=None)
def _grace_hopper():
    import matplotlib.cbook
    import matplotlib.image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        image = matplotlib.image.imread(f, format="jpg")
    image = np.ascontiguousarray(image)
    image.setflags(write=False)
    return image


def grace_hopper():
    """The Grace Hopper portrait from matplotlib's sample data: ``(600, 512, 3)`` uint8 RGB (height 600, width 512), read-only."""
    return _grace_hopper()


def _cascade(name="haarcascade_frontalface_default.xml"):
    import cv2

    if not hasattr(cv2, "data"):
        raise RuntimeError("this OpenCV build ships no Haar cascades: install opencv-python-headless>=4.8,<5")
    return cv2.CascadeClassifier(cv2.data.haarcascades + name)


def haar_face_candidates(image, scale_factor=1.05, min_neighbors=0, min_size=(24, 24)):
    """Raw face candidates from OpenCV's Haar cascade.

    Args:
        image: ``(H, W, 3)`` uint8 RGB or ``(H, W)`` uint8 grey image.
        scale_factor: step between the scales of the image pyramid.
        min_neighbors: 0 keeps every raw detection (no grouping): what NMS is for.
        min_size: smallest face searched, in pixels.

    Returns:
        ``(boxes, scores)``: ``(N, 4)`` float64 xyxy boxes and ``(N,)`` float64 confidence weights
        (the cascade's ``levelWeights``; larger is more face-like).
    """
    import cv2

    image = np.asarray(image)
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError(f"image must be a uint8 (H, W) or (H, W, 3) array, got {image.dtype} {image.shape}")
    rects, _, weights = _cascade().detectMultiScale3(
        image, scaleFactor=scale_factor, minNeighbors=min_neighbors, minSize=min_size, outputRejectLevels=True
    )
    rects = np.asarray(rects, dtype=np.float64).reshape(-1, 4)
    boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1)  # xywh -> xyxy
    return boxes, np.asarray(weights, dtype=np.float64).reshape(-1)
