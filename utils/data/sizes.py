"""Synthetic box sizes ``(w, h)`` for anchor clustering, and the anchors YOLOv2 published.

Used by ``notebooks/04_anchor_kmeans.ipynb``, ``tests/test_anchors.py`` and ``benchmarks/bench_anchors.py``.
Everything generated here is **synthetic**: no annotation set (COCO, VOC) ships inside an installable
package, so :func:`coco_like_sizes` draws sizes whose small/medium/large mix matches the share COCO
published for its objects (Lin et al. 2014, "Microsoft COCO: Common Objects in Context": about 41% small,
34% medium, 24% large), with a log-normal aspect ratio. It is a stand-in with the right size statistics,
not real data.
"""

import numpy as np
from statistics import NormalDist

#: COCO's area ranges (pixels^2): small < 32^2 <= medium < 96^2 <= large.
COCO_AREA_SPLITS = (32**2, 96**2)

#: YOLOv2's five VOC anchors, (w, h) in cells of the 13 x 13 output grid (one cell = 32 px at 416 x 416),
#: from ``[region] anchors`` in darknet's ``cfg/yolo-voc.cfg`` (pjreddie/darknet).
YOLOV2_VOC_ANCHORS = np.array([
    [1.3221, 1.73145],
    [3.19275, 4.00944],
    [5.05587, 8.09892],
    [9.47112, 4.84053],
    [11.2364, 10.0071],
])


def coco_like_sizes(n=20000, seed=0, shares=(0.41, 0.34, 0.25), aspect_sigma=0.6, image_size=640):
    """``(n, 2)`` synthetic box sizes ``(w, h)`` in pixels with COCO's small/medium/large mix.

    The side ``s = sqrt(w h)`` is log-normal, with its two parameters solved so that
    ``P(s < 32) = shares[0]`` and ``P(s < 96) = shares[0] + shares[1]``; the aspect ratio ``w / h`` is
    log-normal with median 1 and log-standard-deviation ``aspect_sigma``. ``w`` and ``h`` are clipped to
    ``[1, image_size]`` (which moves the shares by a fraction of a percent). Synthetic: see the module
    docstring.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if len(shares) != 3 or min(shares) <= 0 or abs(sum(shares) - 1) > 1e-6:
        raise ValueError(f"shares must be three positive numbers summing to 1, got {shares}")
    z1, z2 = NormalDist().inv_cdf(shares[0]), NormalDist().inv_cdf(shares[0] + shares[1])
    sigma = np.log(96 / 32) / (z2 - z1)  # the log-side distance between the two splits, in sigmas
    mu = np.log(32) - z1 * sigma
    rng = np.random.default_rng(seed)
    side = np.exp(rng.normal(mu, sigma, n))
    ratio = np.exp(rng.normal(0.0, aspect_sigma, n))  # w / h
    wh = np.stack([side * np.sqrt(ratio), side / np.sqrt(ratio)], axis=1)  # (n, 2)
    return np.clip(wh, 1.0, image_size)


def log_uniform_sizes(n=100000, seed=0, low=6.0, high=400.0, aspect_sigma=0.5):
    """``(n, 2)`` synthetic sizes: side ``sqrt(w h)`` log-uniform in ``[low, high]`` px, log-normal ``w / h``
    (median 1, log-standard-deviation ``aspect_sigma``). The benchmark set of ``benchmarks/bench_anchors.py``."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    side = np.exp(rng.uniform(np.log(low), np.log(high), n))
    ratio = np.exp(rng.normal(0.0, aspect_sigma, n))
    return np.stack([side * np.sqrt(ratio), side / np.sqrt(ratio)], axis=1)


def size_shares(wh):
    """Shares of small, medium and large boxes by COCO's area ranges, as a dict of floats."""
    area = np.asarray(wh, float).reshape(-1, 2).prod(axis=1)
    small, large = COCO_AREA_SPLITS
    n = max(len(area), 1)
    return {"small": float((area < small).sum() / n),
            "medium": float(((area >= small) & (area < large)).sum() / n),
            "large": float((area >= large).sum() / n)}
