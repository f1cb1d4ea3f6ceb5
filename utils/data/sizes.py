"""Synthetic box sizes ``(w, h)`` for anchor clustering, and the anchors YOLOv2 published.

Used by ``notebooks/04_anchor_kmeans.ipynb``, ``tests/test_anchors.py`` and ``benchmarks/bench_anchors.py``.
Everything generated here is **synthetic**: no annotation set (COCO, VOC) ships inside an installable
package. :func:`coco_like_sizes` draws sizes whose small/medium/large mix matches the shares the COCO
detection-evaluation page gives for its objects (cocodataset.org, "Detection Evaluation": about 41% small,
34% medium, 24% large), with a log-normal aspect ratio centred on 1 (symmetric: square anchors come out).
:func:`mixed_shape_sizes` keeps that size mix but draws each box from one of three *shape families* (tall,
compact, wide), so the anchors k-means finds are not all square. Both are stand-ins with plausible
statistics, not real data. (COCO's page measures an object's area on its segmentation mask; here the
shares are applied to the box area ``w h``, which is larger, so these sets hold somewhat more boxes that
count as small than COCO would by box area.)
"""

import numpy as np
from statistics import NormalDist

#: COCO's area ranges (pixels^2): small < 32^2 <= medium < 96^2 <= large.
COCO_AREA_SPLITS = (32**2, 96**2)

#: YOLOv2's five VOC anchors, (w, h) in cells of the 13 x 13 output grid (one cell = 32 px at 416 x 416),
#: from ``[region] anchors`` in pjreddie/darknet's ``cfg/yolov2-voc.cfg`` (``cfg/yolo-voc.cfg`` before 2018).
YOLOV2_VOC_ANCHORS = np.array([
    [1.3221, 1.73145],
    [3.19275, 4.00944],
    [5.05587, 8.09892],
    [9.47112, 4.84053],
    [11.2364, 10.0071],
])


#: Anchors YOLOv3 clustered on COCO, ``(w, h)`` in pixels (Redmon & Farhadi 2018, section 2.3; the paper names
#: no input size; darknet's ``cfg/yolov3.cfg`` and YOLOv5's ``models/yolov5s.yaml`` use them unchanged).
YOLOV3_COCO_ANCHORS = np.array([[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90],
                                [156, 198], [373, 326]], dtype=float)

#: The shape families of :func:`mixed_shape_sizes`: name -> (median ``w / h``, share of the boxes). Chosen by
#: hand to be plausible (standing people and bottles are tall, cars and sofas wide), with more tall than wide
#: boxes as YOLOv2 found in VOC and COCO ("fewer short, wide boxes and more tall, thin boxes", section 2);
#: they are not measured on any data set.
SHAPE_FAMILIES = {"tall": (0.45, 0.45), "compact": (1.0, 0.30), "wide": (1.7, 0.25)}


def _log_normal_sides(rng, n, shares):
    # The side s = sqrt(w h) is log-normal, its two parameters solved so that P(s < 32) = shares[0] and
    # P(s < 96) = shares[0] + shares[1] (COCO's area splits 32^2 and 96^2).
    if len(shares) != 3 or min(shares) <= 0 or abs(sum(shares) - 1) > 1e-6:
        raise ValueError(f"shares must be three positive numbers summing to 1, got {shares}")
    z1, z2 = NormalDist().inv_cdf(shares[0]), NormalDist().inv_cdf(shares[0] + shares[1])
    sigma = np.log(96 / 32) / (z2 - z1)  # the log-side distance between the two splits, in sigmas
    mu = np.log(32) - z1 * sigma
    return np.exp(rng.normal(mu, sigma, n))


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
    rng = np.random.default_rng(seed)
    side = _log_normal_sides(rng, n, shares)
    ratio = np.exp(rng.normal(0.0, aspect_sigma, n))  # w / h
    wh = np.stack([side * np.sqrt(ratio), side / np.sqrt(ratio)], axis=1)  # (n, 2)
    return np.clip(wh, 1.0, image_size)


def mixed_shape_sizes(n=20000, seed=0, shares=(0.41, 0.34, 0.25), families=None, family_sigma=0.25,
                      image_size=640, return_family=False):
    """``(n, 2)`` synthetic box sizes ``(w, h)`` in pixels: COCO's size mix, and shapes from three families.

    The side ``sqrt(w h)`` follows the same log-normal as :func:`coco_like_sizes` (COCO's small/medium/large
    shares). Each box belongs to a family of :data:`SHAPE_FAMILIES` (``families`` overrides it: a dict
    name -> (median ``w / h``, share)), drawn with the family's share; its aspect ratio ``w / h`` is
    log-normal around the family's median with log-standard-deviation ``family_sigma``. Sizes are clipped to
    ``[1, image_size]``. Synthetic: see the module docstring.

    Returns ``wh``, or ``(wh, family)`` with ``family`` ``(n,)`` the index of each box's family (in the order
    of ``families``) if ``return_family``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    families = SHAPE_FAMILIES if families is None else families
    medians = np.array([float(m) for m, _ in families.values()])
    weights = np.array([float(w) for _, w in families.values()])
    if len(medians) == 0 or (medians <= 0).any() or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"families must map names to (median w / h > 0, share >= 0), got {families}")
    rng = np.random.default_rng(seed)
    side = _log_normal_sides(rng, n, shares)
    family = rng.choice(len(medians), n, p=weights / weights.sum())
    ratio = np.exp(rng.normal(np.log(medians[family]), family_sigma))  # w / h
    wh = np.clip(np.stack([side * np.sqrt(ratio), side / np.sqrt(ratio)], axis=1), 1.0, image_size)
    return (wh, family) if return_family else wh


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
