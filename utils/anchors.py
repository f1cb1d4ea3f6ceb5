"""Anchor boxes from data: k-means on box sizes with the ``1 - IoU`` distance (YOLOv2), and YOLOv5's autoanchor.

Taught in ``notebooks/04_anchor_kmeans.ipynb``.

Conventions:

* A box *size* is a ``(w, h)`` pair in pixels (or grid cells: any unit, as long as it is the same for
  boxes and anchors). Sizes are numpy arrays of shape ``(N, 2)``, every entry finite and > 0.
* Anchor clustering ignores where a box is: every box and every anchor is placed at the **same centre**
  (YOLOv2, Redmon & Farhadi 2017, section "Dimension Clusters"), so the IoU of a size ``(w, h)`` and an
  anchor ``(w', h')`` is ``min(w, w') * min(h, h') / (w h + w' h' - min(w, w') * min(h, h'))``.
* Anchors are returned sorted by area, smallest first (the order a detector assigns them to its levels).
* The IoU is computed by the one IoU kernel of :mod:`utils.boxes` (sizes as boxes ``(0, 0, w, h)``), and
  sizes whose products would overflow or underflow float64 (near 1e154 or 1e-139) are first multiplied by a
  power of two, as there: exact, so the results are those of the scaled sizes (anchors scaled back).
"""

import math
import sys

import numpy as np

from utils.boxes import _check_int, _check_number, _inter_union, _real_array, _safe_divide, _upcast

DISTANCES = ("iou", "euclidean")
METRICS = ("iou", "ratio")


def as_sizes(wh, name="wh"):
    """Validate and return ``wh`` as a float64 ``(N, 2)`` array of widths and heights.

    Raises ``TypeError`` for a dtype that is not a real number (bool, complex, object, str), ``ValueError``
    naming ``name`` for a wrong shape, NaN or inf, or a width or height <= 0. An empty input (shape
    ``(0,)``, ``(0, 0)`` or ``(0, 2)``) becomes an empty ``(0, 2)`` array.
    """
    wh = _real_array(wh, name)
    if wh.size == 0 and wh.shape in ((0,), (0, 0), (0, 2)):
        return np.zeros((0, 2))
    if wh.ndim != 2 or wh.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) (widths, heights), got {wh.shape}")
    wh = wh.astype(np.float64)
    if not np.isfinite(wh).all():
        row = int(np.flatnonzero(~np.isfinite(wh).all(axis=1))[0])
        raise ValueError(f"{name} must be finite, but row {row} is {wh[row].tolist()}")
    if (wh <= 0).any():
        row = int(np.nonzero((wh <= 0).any(axis=1))[0][0])
        raise ValueError(f"{name} must be > 0 (widths and heights), but row {row} is {wh[row].tolist()}")
    return wh


def _check_seed(seed):
    if seed is not None:
        _check_int(seed, "seed", "None or an integer >= 0", 0)
    return seed


def wh_iou(wh, anchors):
    """IoU of boxes and anchors placed at a common centre.

    Args:
        wh: ``(N, 2)`` box sizes ``(w, h)``, > 0.
        anchors: ``(K, 2)`` anchor sizes, > 0, same unit as ``wh``.

    Returns:
        ``(N, K)`` array in (0, 1]: ``min(w, w') min(h, h') / (w h + w' h' - min(w, w') min(h, h'))``.
    """
    (wh, anchors), _, _ = _upcast(as_sizes(wh, "wh"), as_sizes(anchors, "anchors"))
    return _wh_iou(wh, anchors)


def _wh_iou(wh, anchors):
    """:func:`wh_iou` without validation: the IoU kernel of :mod:`utils.boxes` on boxes ``(0, 0, w, h)``.

    A common corner instead of a common centre changes nothing (the overlap is ``min(w, w') x min(h, h')``
    either way) and keeps every coordinate exact: no halving.
    """
    w, h = wh[:, 0:1], wh[:, 1:2]  # (N, 1) each, against (K,): (N, K)
    inter, union = _inter_union((0, 0, w, h), (0, 0, anchors[:, 0], anchors[:, 1]))
    return _safe_divide(inter, union)


def avg_iou(wh, anchors):
    """Mean over the boxes of the IoU with their best anchor (YOLOv2's "Avg IoU"). ``wh`` ``(N, 2)``,
    ``anchors`` ``(K, 2)``. Returns a float: NaN for no boxes (a mean over nothing), 0.0 for no anchors."""
    (wh, anchors), _, _ = _upcast(as_sizes(wh, "wh"), as_sizes(anchors, "anchors"))
    if len(wh) == 0:
        return float("nan")
    if len(anchors) == 0:
        return 0.0
    return float(_wh_iou(wh, anchors).max(axis=1).mean())


def _ratio(wh, anchors):
    """``(N, K)``: the worse side's ``min(r, 1/r)`` with ``r = box / anchor``, written ``min / max`` (no division
    by a small ``r``, so no overflow)."""
    w, h = wh[:, 0:1], wh[:, 1:2]
    x = np.minimum(w, anchors[:, 0]) / np.maximum(w, anchors[:, 0])  # (N, K)
    np.minimum(x, np.minimum(h, anchors[:, 1]) / np.maximum(h, anchors[:, 1]), out=x)
    return x


def ratio_metric(wh, anchors):
    """YOLOv5's size-ratio match: ``min(r_w, 1/r_w, r_h, 1/r_h)`` with ``r = box / anchor``, ``(N, K)`` in (0, 1].

    1 means the same size; YOLOv5 matches a box to an anchor when this is above ``1 / anchor_t``
    (``anchor_t = 4``: neither side more than 4x larger or smaller).
    """
    return _ratio(as_sizes(wh, "wh"), as_sizes(anchors, "anchors"))


def best_possible_recall(wh, anchors, threshold=0.5, metric="iou"):
    """Share of boxes that at least one anchor can match: the recall a detector could reach at best.

    Args:
        wh: ``(N, 2)`` box sizes; anchors: ``(K, 2)`` anchor sizes.
        threshold: with ``metric="iou"``, a box counts when its best centre-aligned IoU is >= ``threshold``
            (in (0, 1], e.g. 0.5, a typical positive-anchor threshold). With ``metric="ratio"``, ``threshold``
            (> 0) is YOLOv5's ``anchor_t`` (4.0) and a box counts when its best :func:`ratio_metric` is
            > ``1 / threshold``.
        metric: ``"iou"`` or ``"ratio"``.

    Returns:
        A float in [0, 1]: NaN for no boxes (a share of nothing), 0.0 for no anchors.
    """
    if not (isinstance(metric, str) and metric in METRICS):
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if metric == "iou":
        threshold = _check_number(threshold, "threshold", "a number in (0, 1] for metric='iou'", 0, 1, open_low=True)
    else:
        threshold = _check_number(threshold, "threshold", "a finite number > 0 for metric='ratio'", 0,
                                  sys.float_info.max, open_low=True)
    (wh, anchors), _, _ = _upcast(as_sizes(wh, "wh"), as_sizes(anchors, "anchors"))
    if len(wh) == 0:
        return float("nan")
    if len(anchors) == 0:
        return 0.0
    if metric == "iou":
        return float((_wh_iou(wh, anchors).max(axis=1) >= threshold).mean())
    return float((_ratio(wh, anchors).max(axis=1) > 1 / threshold).mean())


# ---------------------------------------------------------------------------------------------------------
# k-means with the 1 - IoU distance (YOLOv2, "Dimension Clusters"), in steps.


def _distance(wh, centres, distance):
    """``(N, K)`` distances: ``1 - IoU`` or the Euclidean distance between ``(w, h)`` points."""
    if distance == "iou":
        return 1 - _wh_iou(wh, centres)
    dw = wh[:, 0:1] - centres[:, 0]  # (N, K)
    dh = wh[:, 1:2] - centres[:, 1]
    return np.sqrt(dw * dw + dh * dh)


def _init_centres(wh, k, distance, rng):
    """k-means++ seeding (Arthur & Vassilvitskii 2007) with the chosen distance: each new centre is a box
    drawn with probability proportional to its squared distance to the nearest centre so far."""
    centres = [wh[rng.integers(len(wh))]]
    nearest = _distance(wh, np.array(centres), distance)[:, 0]  # (N,) distance to the nearest centre
    for _ in range(1, k):
        weights = nearest**2
        total = weights.sum()
        i = rng.choice(len(wh), p=weights / total) if total > 0 else rng.integers(len(wh))
        centres.append(wh[i])
        np.minimum(nearest, _distance(wh, wh[i : i + 1], distance)[:, 0], out=nearest)
    return np.array(centres)


def _assign(wh, centres, distance, iou):
    """Each box's nearest centre, ``(N,)``; ``iou`` is ``_wh_iou(wh, centres)``, already computed."""
    return iou.argmax(axis=1) if distance == "iou" else _distance(wh, centres, distance).argmin(axis=1)


def _group_medians(wh, assignment, k):
    """Per-cluster median of ``w`` and of ``h``: ``(K, 2)``, NaN rows for empty clusters."""
    order = np.argsort(assignment, kind="stable")
    bounds = np.searchsorted(assignment[order], np.arange(k + 1))  # cluster j is order[bounds[j]:bounds[j + 1]]
    medians = np.full((k, 2), np.nan)
    for j in range(k):
        members = wh[order[bounds[j] : bounds[j + 1]]]
        if len(members):
            medians[j] = np.median(members, axis=0)
    return medians


def _group_means(wh, assignment, k):
    """Per-cluster mean of ``w`` and of ``h``: ``(K, 2)``, NaN rows for empty clusters."""
    counts = np.bincount(assignment, minlength=k)
    sums = np.stack([np.bincount(assignment, wh[:, c], minlength=k) for c in range(2)], axis=1)  # (K, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]


def _update(wh, assignment, k, distance):
    """Move each centre to the per-coordinate median (``"iou"``) or the mean (``"euclidean"``) of its boxes.

    YOLOv2's paper swaps the Euclidean distance of standard k-means for ``d = 1 - IoU`` and does not say how a
    centre moves. AlexeyAB's darknet (``detector calc_anchors``; ``src/matrix.c``: ``kmeans_maximization``) moves
    each centre to the mean, as standard k-means does; lars76/kmeans-anchor-boxes (``kmeans.py``) to the median,
    which the few large boxes pull up less (``notebooks/04_anchor_kmeans.ipynb`` compares both with the IoU-optimal
    centre).
    An empty cluster is re-seeded at the box that the other centres serve worst.
    """
    centres = _group_medians(wh, assignment, k) if distance == "iou" else _group_means(wh, assignment, k)
    for j in np.flatnonzero(np.isnan(centres[:, 0])):
        alive = centres[~np.isnan(centres[:, 0])]
        centres[j] = wh[_wh_iou(wh, alive).max(axis=1).argmin()]
    return centres


def _lloyd(wh, centres, distance, max_iter, tol, history):
    """Lloyd steps (assign, update) from ``centres`` until no box changes cluster, the average IoU moves by
    less than ``tol``, or ``max_iter`` steps. Appends the average IoU of each step to ``history``; returns
    ``(centres, assignment)``."""
    k = len(centres)
    assignment, previous = None, -np.inf
    for _ in range(max_iter):
        iou = _wh_iou(wh, centres)  # (N, K)
        current = float(iou.max(axis=1).mean())
        history.append(current)
        new = _assign(wh, centres, distance, iou)
        if assignment is not None and (np.array_equal(new, assignment) or abs(current - previous) < tol):
            assignment = new
            break
        assignment, previous = new, current
        centres = _update(wh, assignment, k, distance)
    return centres, assignment


def _refine_iou_centres(wh, centres, assignment, steps=12, start=0.1):
    """Move each centre to (near) the size that maximises the **mean IoU of its own cluster**.

    The mean or median of a cluster is not the centre that maximises its IoU: this is a pattern search
    in log space, trying ``centre * exp(+-delta)`` on ``w``, on ``h`` and on both, keeping the best and
    halving ``delta`` when nothing improves. All clusters move at once: every try is one ``(N,)`` IoU.
    """
    k = len(centres)
    counts = np.maximum(np.bincount(assignment, minlength=k), 1)
    box = (0, 0, wh[:, 0], wh[:, 1])

    def cluster_mean_iou(c):  # c: (K, 2) -> (K,) mean IoU of each cluster with its candidate centre
        inter, union = _inter_union(box, (0, 0, c[assignment, 0], c[assignment, 1]))  # (N,) each
        return np.bincount(assignment, _safe_divide(inter, union), minlength=k) / counts

    moves = np.array([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]], float)
    best = cluster_mean_iou(centres)
    delta = np.full(k, start)
    for _ in range(steps):
        improved = np.zeros(k, bool)
        for move in moves:
            candidate = centres * np.exp(move * delta[:, None])  # (K, 2)
            score = cluster_mean_iou(candidate)
            better = score > best
            centres = np.where(better[:, None], candidate, centres)
            best = np.where(better, score, best)
            improved |= better
        delta = np.where(improved, delta, delta / 2)
    return centres


def _fit(wh, centres, distance, max_iter, tol, history, rounds, steps=12, start=0.1):
    """:func:`_lloyd` from ``centres``, then (``"iou"`` only) ``rounds`` of (:func:`_refine_iou_centres`,
    re-assign). Returns ``(centres, assignment)``."""
    centres, assignment = _lloyd(wh, centres, distance, max_iter, tol, history)
    if distance == "iou":
        for _ in range(rounds):
            centres = _refine_iou_centres(wh, centres, assignment, steps, start)
            assignment = _wh_iou(wh, centres).argmax(axis=1)
    return centres, assignment


def kmeans_anchors(wh, k, distance="iou", seed=0, max_iter=300, tol=1e-4, sample_size=8192):
    """Cluster box sizes into ``k`` anchors (YOLOv2's dimension clusters).

    Lloyd's algorithm with ``d(box, centre) = 1 - IoU(box, centre)`` (boxes aligned at a common centre)
    or the plain Euclidean distance on ``(w, h)``:

    1. seed ``k`` centres with k-means++ under the same distance (:func:`_init_centres`);
    2. assign every box to its nearest centre (for ``"iou"``: the anchor with the highest IoU; :func:`_assign`);
    3. move each centre: the mean of its boxes (``"euclidean"``, classic k-means) or the per-coordinate
       median (``"iou"``: the mean is not the IoU-optimal centre, and large boxes pull it up); an empty
       cluster is re-seeded with the box that is worst served at the moment (:func:`_update`);
    4. repeat 2-3 until no box changes cluster or the average IoU moves by less than ``tol`` (at most
       ``max_iter`` steps; :func:`_lloyd`);
    5. ``"iou"`` only: a local search moves each centre to maximise its cluster's mean IoU, followed by
       a re-assignment (three rounds; :func:`_refine_iou_centres`).

    Speed: with more than ``sample_size`` boxes, steps 1-5 first run on a random subsample of that many
    boxes (a warm start, the idea of mini-batch k-means), then steps 2-5 continue on all the boxes from
    there (step 5 as one short round of small moves), so only a few passes over the full set are needed.

    Args:
        wh: ``(N, 2)`` box sizes ``(w, h)``, > 0.
        k: number of anchors, an integer with ``1 <= k <= N``.
        distance: ``"iou"`` (``1 - IoU``) or ``"euclidean"``.
        seed: seed of the random draws (subsample, k-means++), an integer >= 0 (or None: fresh entropy);
            the result is deterministic for a seed.
        max_iter: maximum number of Lloyd steps per stage, an integer >= 1.
        tol: stop when a step changes the average IoU by less than this, in [0, 1) (0: until no box moves).
        sample_size: size of the warm-start subsample, an integer >= 1 (``None``: no subsample).

    Returns:
        ``(anchors, assignment, history)``: ``anchors`` ``(k, 2)`` sorted by area; ``assignment`` ``(N,)``
        int index of each box's anchor (in the sorted order); ``history`` ``(T,)`` the average IoU after each
        step (the first entries on the subsample, the rest on all boxes; the last one after step 5).
    """
    if not (isinstance(distance, str) and distance in DISTANCES):
        raise ValueError(f"distance must be one of {DISTANCES}, got {distance!r}")
    wh = as_sizes(wh, "wh")
    k = _check_k(wh, k)
    seed = _check_seed(seed)
    max_iter = _check_int(max_iter, "max_iter", "an integer >= 1", 1)
    tol = _check_number(tol, "tol", "a number in [0, 1)", 0, math.nextafter(1.0, 0.0))
    if sample_size is not None:
        sample_size = _check_int(sample_size, "sample_size", "None or an integer >= 1", 1)
    # Sizes near 1e154 would overflow their products: scale by a power of two (exact; utils.boxes._upcast).
    (wh,), _, e = _upcast(wh)
    rng = np.random.default_rng(seed)
    history = []
    if sample_size is not None and len(wh) > max(sample_size, k):
        sample = wh[rng.choice(len(wh), sample_size, replace=False)]
        centres, _ = _fit(sample, _init_centres(sample, k, distance, rng), distance, max_iter, tol, history, rounds=3)
        # Already close: all boxes, and one short round of small moves.
        centres, assignment = _fit(wh, centres, distance, max_iter, tol, history, rounds=1, steps=6, start=0.02)
    else:
        centres, assignment = _fit(wh, _init_centres(wh, k, distance, rng), distance, max_iter, tol, history, rounds=3)
    if distance == "iou":
        history.append(float(_wh_iou(wh, centres).max(axis=1).mean()))
    order = np.argsort(centres.prod(axis=1), kind="stable")
    rank = np.empty(k, int)
    rank[order] = np.arange(k)
    return np.ldexp(centres[order], e), rank[assignment], np.array(history)


def _check_k(wh, k):
    k = _check_int(k, "k", "an integer >= 1", 1)
    if k > len(wh):
        raise ValueError(f"k must be at most the number of boxes in wh ({len(wh)}), got {k}")
    return k


# ---------------------------------------------------------------------------------------------------------
# YOLOv5's autoanchor (ultralytics/yolov5, utils/autoanchor.py, ``kmean_anchors``), rewritten in numpy.


def _ratio_fitness(wh, anchors, thr):
    """YOLOv5's anchor fitness: mean over boxes of the best ratio metric, counting 0 below ``1 / thr``."""
    best = _ratio(wh, anchors).max(axis=1)  # (N,)
    return float(np.where(best > 1 / thr, best, 0).mean())


def whitened_kmeans(wh, k, seed=0):
    """YOLOv5's first step: Euclidean k-means on *whitened* sizes ``(w / std(w), h / std(h))``, scaled back.

    Whitening makes the two axes count equally when widths and heights spread differently; it does not
    make small boxes count as much as large ones (the distance is still in units of a standard deviation).
    YOLOv5 calls ``scipy.cluster.vq.kmeans`` (30 random restarts); here one k-means++ run of
    :func:`kmeans_anchors`. Returns ``(k, 2)`` anchors sorted by area.
    """
    wh = as_sizes(wh, "wh")
    _check_k(wh, k)
    (wh,), _, e = _upcast(wh)  # the standard deviation squares the sizes
    s = wh.std(axis=0)  # sigmas for whitening
    s = np.where(s > 0, s, 1.0)
    anchors, _, _ = kmeans_anchors(wh / s, k, distance="euclidean", seed=seed)
    return np.ldexp(anchors * s, e)


#: YOLOv5 draws mutations until one changes an anchor; here at most this many draws per generation.
MAX_DRAWS = 100


def genetic_refine(wh, anchors, thr=4.0, generations=1000, mutation_prob=0.9, sigma=0.1, seed=0, min_size=2.0):
    """YOLOv5's "genetic" anchor evolution: random multiplicative mutations, kept when the fitness improves.

    Fitness (:func:`_ratio_fitness`): for every box the best ``min(r, 1/r)`` over anchors, with
    ``r = box side / anchor side`` and the worse of the two sides; boxes with a best value at or below
    ``1 / thr`` count 0 (YOLOv5's ``anchor_t = 4``: an anchor is matched when no side differs by more
    than 4x). Each generation multiplies every anchor coordinate, with probability ``mutation_prob``, by
    ``1 + u * sigma * N(0, 1)`` (``u ~ U(0, 1)`` once per generation, the factor clipped to [0.3, 3]);
    anchors stay >= ``min_size``. YOLOv5 draws again until some factor differs from 1; here at most
    ``MAX_DRAWS`` times, after which the generation changes nothing (only with ``mutation_prob`` or
    ``sigma`` near 0). Strictly it is a (1+1) evolution strategy: one parent, no crossover.

    Args:
        wh: ``(N, 2)`` box sizes, N >= 1; anchors: ``(K, 2)`` starting anchors, K >= 1 (e.g. :func:`whitened_kmeans`).
        thr: ``anchor_t``, a number > 1. generations: an integer >= 0. mutation_prob: in (0, 1].
        sigma: > 0. seed: an integer >= 0 or None. min_size: >= 0, in the unit of ``wh``.

    Returns:
        ``(anchors, history)``: ``(K, 2)`` evolved anchors sorted by area, and ``(generations + 1,)`` the
        best fitness so far after each generation.
    """
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    if len(wh) == 0:
        raise ValueError("wh must hold at least one box to fit the anchors to, got none")
    if len(anchors) == 0:
        raise ValueError("anchors must hold at least one anchor, got none")
    largest = sys.float_info.max
    thr = _check_number(thr, "thr", "a finite number > 1", 1, largest, open_low=True)
    generations = _check_int(generations, "generations", "an integer >= 0", 0)
    mutation_prob = _check_number(mutation_prob, "mutation_prob", "a number in (0, 1]", 0, 1, open_low=True)
    sigma = _check_number(sigma, "sigma", "a finite number > 0", 0, largest, open_low=True)
    seed = _check_seed(seed)
    min_size = _check_number(min_size, "min_size", "a finite number >= 0", 0, largest)
    rng = np.random.default_rng(seed)
    best_k, best_f = anchors.copy(), _ratio_fitness(wh, anchors, thr)
    history = [best_f]
    for _ in range(generations):
        for _ in range(MAX_DRAWS):  # draw until something changes
            mutate = rng.random(anchors.shape) < mutation_prob
            v = (mutate * rng.random() * rng.standard_normal(anchors.shape) * sigma + 1).clip(0.3, 3.0)
            if (v != 1).any():
                break
        with np.errstate(over="ignore"):
            candidate = (best_k * v).clip(min_size, largest)
        f = _ratio_fitness(wh, candidate, thr)
        if f > best_f:
            best_k, best_f = candidate, f
        history.append(best_f)
    (scaled,), _, _ = _upcast(best_k)  # areas of sizes near 1e154 would overflow
    return best_k[np.argsort(scaled.prod(axis=1), kind="stable")], np.array(history)


def yolov5_autoanchor(wh, k, thr=4.0, generations=1000, seed=0):
    """Whitened k-means, then :func:`genetic_refine`: YOLOv5's ``kmean_anchors``. Returns ``(k, 2)`` anchors."""
    anchors = whitened_kmeans(wh, k, seed=seed)
    anchors, _ = genetic_refine(wh, anchors, thr=thr, generations=generations, seed=seed)
    return anchors
