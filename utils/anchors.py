"""Anchor boxes from data: k-means on box sizes with the ``1 - IoU`` distance (YOLOv2), and YOLOv5's autoanchor.

Taught in ``notebooks/04_anchor_kmeans.ipynb``.

Conventions:

* A box *size* is a ``(w, h)`` pair in pixels (or grid cells: any unit, as long as it is the same for
  boxes and anchors). Sizes are numpy arrays of shape ``(N, 2)``, every entry finite and > 0.
* Anchor clustering ignores where a box is: every box and every anchor is placed at the **same centre**
  (YOLOv2, Redmon & Farhadi 2017, section "Dimension Clusters"), so the IoU of a size ``(w, h)`` and an
  anchor ``(w', h')`` is ``min(w, w') * min(h, h') / (w h + w' h' - min(w, w') * min(h, h'))``.
* Anchors are returned sorted by area, smallest first (the order a detector assigns them to its levels).
"""

import numpy as np

DISTANCES = ("iou", "euclidean")


def as_sizes(wh, name="wh"):
    """Validate and return ``wh`` as a float64 ``(N, 2)`` array of widths and heights.

    Raises ``ValueError`` naming ``name`` for a wrong shape, NaN or inf, or a width or height <= 0.
    An empty input becomes an empty ``(0, 2)`` array.
    """
    wh = np.asarray(wh)
    if wh.size == 0:
        return np.zeros((0, 2))
    if wh.ndim != 2 or wh.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) (widths, heights), got {wh.shape}")
    if wh.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold numbers, got dtype {wh.dtype}")
    wh = wh.astype(np.float64)
    if not np.isfinite(wh).all():
        raise ValueError(f"{name} contains NaN or inf")
    if (wh <= 0).any():
        row = int(np.nonzero((wh <= 0).any(axis=1))[0][0])
        raise ValueError(f"{name} must be > 0 (first bad row {row}: {wh[row].tolist()})")
    return wh


def wh_iou(wh, anchors):
    """IoU of boxes and anchors placed at a common centre.

    Args:
        wh: ``(N, 2)`` box sizes ``(w, h)``, > 0.
        anchors: ``(K, 2)`` anchor sizes, > 0, same unit as ``wh``.

    Returns:
        ``(N, K)`` array in (0, 1]: ``min(w, w') min(h, h') / (w h + w' h' - min(w, w') min(h, h'))``.
    """
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    return _wh_iou(wh, anchors)


def _wh_iou(wh, anchors):
    # (N, 1) against (K,) broadcasts to (N, K); one buffer per quantity, updated in place.
    w, h = wh[:, 0:1], wh[:, 1:2]
    inter = np.minimum(w, anchors[:, 0])
    inter *= np.minimum(h, anchors[:, 1])
    union = w * h + anchors.prod(axis=1)  # (N, K)
    union -= inter
    return np.divide(inter, union, out=inter)


def avg_iou(wh, anchors):
    """Mean over the boxes of the IoU with their best anchor (YOLOv2's "Avg IoU"). ``wh`` ``(N, 2)``,
    ``anchors`` ``(K, 2)``. Returns a float (NaN for no boxes)."""
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    if len(wh) == 0:
        return float("nan")
    if len(anchors) == 0:
        return 0.0
    return float(_wh_iou(wh, anchors).max(axis=1).mean())


def ratio_metric(wh, anchors):
    """YOLOv5's size-ratio match: ``min(r_w, 1/r_w, r_h, 1/r_h)`` with ``r = box / anchor``, ``(N, K)`` in (0, 1].

    1 means the same size; YOLOv5 matches a box to an anchor when this is above ``1 / anchor_t``
    (``anchor_t = 4``: neither side more than 4x larger or smaller).
    """
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    r = wh[:, None, :] / anchors[None, :, :]  # (N, K, 2)
    return np.minimum(r, 1 / r).min(axis=2)


def best_possible_recall(wh, anchors, threshold=0.5, metric="iou"):
    """Share of boxes that at least one anchor can match: the recall a detector could reach at best.

    Args:
        wh: ``(N, 2)`` box sizes; anchors: ``(K, 2)`` anchor sizes.
        threshold: with ``metric="iou"``, a box counts when its best centre-aligned IoU is >= ``threshold``
            (e.g. 0.5, a typical positive-anchor threshold). With ``metric="ratio"``, ``threshold`` is
            YOLOv5's ``anchor_t`` (4.0) and a box counts when its best :func:`ratio_metric` is > ``1 / threshold``.
        metric: ``"iou"`` or ``"ratio"``.

    Returns:
        A float in [0, 1] (NaN for no boxes).
    """
    if metric not in ("iou", "ratio"):
        raise ValueError(f"metric must be 'iou' or 'ratio', got {metric!r}")
    if not np.isfinite(threshold) or threshold <= 0 or (metric == "iou" and threshold > 1):
        raise ValueError(f"threshold must be in (0, 1] for IoU and > 0 for the ratio, got {threshold}")
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    if len(wh) == 0:
        return float("nan")
    if len(anchors) == 0:
        return 0.0
    if metric == "iou":
        return float((_wh_iou(wh, anchors).max(axis=1) >= threshold).mean())
    return float((ratio_metric(wh, anchors).max(axis=1) > 1 / threshold).mean())


def _check_k(wh, k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be an integer, got {k!r}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if k > len(wh):
        raise ValueError(f"k must be at most the number of boxes ({len(wh)}), got {k}")


def _distance(wh, centres, distance):
    """``(N, K)`` distances: ``1 - IoU`` or the Euclidean distance between ``(w, h)`` points."""
    if distance == "iou":
        return 1 - _wh_iou(wh, centres)
    dw = wh[:, 0:1] - centres[:, 0]  # (N, K)
    dh = wh[:, 1:2] - centres[:, 1]
    return np.sqrt(dw * dw + dh * dh)


def _seed_centres(wh, k, distance, rng):
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


def _group_medians(wh, assignment, k):
    """Per-cluster median of ``w`` and of ``h``: ``(K, 2)``, NaN rows for empty clusters."""
    order = np.argsort(assignment, kind="stable")
    bounds = np.searchsorted(assignment[order], np.arange(k + 1))
    medians = np.full((k, 2), np.nan)
    for j in range(k):
        members = wh[order[bounds[j] : bounds[j + 1]]]
        if len(members):
            medians[j] = np.median(members, axis=0)
    return medians


def _group_means(wh, assignment, k):
    counts = np.bincount(assignment, minlength=k)
    sums = np.stack([np.bincount(assignment, wh[:, c], minlength=k) for c in range(2)], axis=1)  # (K, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]


def _refine_iou_centres(wh, centres, assignment, steps=12, start=0.1):
    """Move each centre to (near) the size that maximises the **mean IoU of its own cluster**.

    The mean or median of a cluster is not the centre that maximises its IoU: this is a pattern search
    in log space, trying ``centre * exp(+-delta)`` on ``w``, on ``h`` and on both, keeping the best and
    halving ``delta`` when nothing improves. All clusters move at once: every try is one ``(N,)`` IoU.
    """
    k = len(centres)
    counts = np.maximum(np.bincount(assignment, minlength=k), 1)
    w, h = wh[:, 0], wh[:, 1]
    area = w * h

    def cluster_mean_iou(c):  # c: (K, 2) -> (K,) mean IoU of each cluster with its candidate centre
        cw, ch = c[assignment, 0], c[assignment, 1]  # (N,) each
        inter = np.minimum(w, cw) * np.minimum(h, ch)
        return np.bincount(assignment, inter / (area + cw * ch - inter), minlength=k) / counts

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


def _refine(wh, centres, assignment, rounds, steps=12, start=0.1):
    """``rounds`` of (:func:`_refine_iou_centres`, re-assign); returns ``(centres, assignment)``."""
    for _ in range(rounds):
        centres = _refine_iou_centres(wh, centres, assignment, steps, start)
        assignment = _wh_iou(wh, centres).argmax(axis=1)
    return centres, assignment


def _lloyd(wh, centres, distance, max_iter, tol, history):
    """Lloyd steps from ``centres`` until no box changes cluster or the average IoU moves by less than
    ``tol``. Appends the average IoU of each step to ``history``; returns ``(centres, assignment)``."""
    k = len(centres)
    update = _group_medians if distance == "iou" else _group_means
    assignment, previous = None, -np.inf
    for _ in range(max_iter):
        iou = _wh_iou(wh, centres)  # (N, K)
        current = float(iou.max(axis=1).mean())
        history.append(current)
        new = iou.argmax(axis=1) if distance == "iou" else _distance(wh, centres, distance).argmin(axis=1)
        if assignment is not None and (np.array_equal(new, assignment) or abs(current - previous) < tol):
            assignment = new
            break
        assignment, previous = new, current
        centres = update(wh, assignment, k)
        for j in np.flatnonzero(np.isnan(centres[:, 0])):  # empty cluster: re-seed at the worst-served box
            alive = centres[~np.isnan(centres[:, 0])]
            centres[j] = wh[_wh_iou(wh, alive).max(axis=1).argmin()]
    return centres, assignment


def kmeans_anchors(wh, k, distance="iou", seed=0, max_iter=300, tol=1e-4, sample_size=8192):
    """Cluster box sizes into ``k`` anchors (YOLOv2's dimension clusters).

    Lloyd's algorithm with ``d(box, centre) = 1 - IoU(box, centre)`` (boxes aligned at a common centre)
    or the plain Euclidean distance on ``(w, h)``:

    1. seed ``k`` centres with k-means++ under the same distance;
    2. assign every box to its nearest centre (for ``"iou"``: the anchor with the highest IoU);
    3. move each centre: the mean of its boxes (``"euclidean"``, classic k-means) or the per-coordinate
       median (``"iou"``: the mean is not the IoU-optimal centre, and large boxes pull it up); an empty
       cluster is re-seeded with the box that is worst served at the moment;
    4. repeat until no box changes cluster or the average IoU moves by less than ``tol`` (or
       ``max_iter`` steps);
    5. ``"iou"`` only: a local search moves each centre to maximise its cluster's mean IoU, followed by
       a re-assignment (three rounds).

    Speed: with more than ``sample_size`` boxes, steps 1-4 first run on a random subsample of that many
    boxes (a warm start, the idea of mini-batch k-means), then steps 2-5 continue on all the boxes from
    there (step 5 as one short round of small moves), so only a few passes over the full set are needed.

    Args:
        wh: ``(N, 2)`` box sizes ``(w, h)``, > 0.
        k: number of anchors, ``1 <= k <= N``.
        distance: ``"iou"`` (``1 - IoU``) or ``"euclidean"``.
        seed: seed of the random draws (subsample, k-means++); the result is deterministic for a seed.
        max_iter: maximum number of Lloyd steps per stage.
        tol: stop when a step changes the average IoU by less than this (0: until no box moves).
        sample_size: size of the warm-start subsample (``None``: no subsample).

    Returns:
        ``(anchors, assignment, history)``: ``anchors`` ``(k, 2)`` sorted by area; ``assignment`` ``(N,)``
        int index of each box's anchor (in the sorted order); ``history`` ``(T,)`` the average IoU after each
        step (the first entries on the subsample, the rest on all boxes; the last one after step 5).
    """
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {DISTANCES}, got {distance!r}")
    wh = as_sizes(wh, "wh")
    _check_k(wh, k)
    if max_iter < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter}")
    if not 0 <= tol < 1:
        raise ValueError(f"tol must be in [0, 1), got {tol}")
    if sample_size is not None and sample_size < 1:
        raise ValueError(f"sample_size must be >= 1 or None, got {sample_size}")
    rng = np.random.default_rng(seed)
    history = []
    if sample_size is not None and len(wh) > max(sample_size, k):
        sample = wh[rng.choice(len(wh), sample_size, replace=False)]
        centres = _seed_centres(sample, k, distance, rng)
        centres, assignment = _lloyd(sample, centres, distance, max_iter, tol, history)
        if distance == "iou":
            centres, _ = _refine(sample, centres, assignment, rounds=3)
        centres, assignment = _lloyd(wh, centres, distance, max_iter, tol, history)
        if distance == "iou":  # already close: one short round with small moves
            centres, assignment = _refine(wh, centres, assignment, rounds=1, steps=6, start=0.02)
    else:
        centres = _seed_centres(wh, k, distance, rng)
        centres, assignment = _lloyd(wh, centres, distance, max_iter, tol, history)
        if distance == "iou":
            centres, assignment = _refine(wh, centres, assignment, rounds=3)
    if distance == "iou":
        history.append(avg_iou(wh, centres))
    order = np.argsort(centres.prod(axis=1), kind="stable")
    rank = np.empty(k, int)
    rank[order] = np.arange(k)
    return centres[order], rank[assignment], np.array(history)


# ---------------------------------------------------------------------------------------------------------
# YOLOv5's autoanchor (ultralytics/yolov5, utils/autoanchor.py, ``kmean_anchors``), rewritten in numpy.


def _ratio_fitness(wh, anchors, thr):
    """YOLOv5's anchor fitness: mean over boxes of the best ratio metric, counting 0 below ``1 / thr``."""
    w, h = wh[:, 0:1], wh[:, 1:2]
    # min(r, 1/r) for r = w / a equals min(w, a) / max(w, a): no division by a small r.
    x = np.minimum(w, anchors[:, 0]) / np.maximum(w, anchors[:, 0])  # (N, K)
    np.minimum(x, np.minimum(h, anchors[:, 1]) / np.maximum(h, anchors[:, 1]), out=x)
    best = x.max(axis=1)  # (N,)
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
    s = wh.std(axis=0)  # sigmas for whitening
    s = np.where(s > 0, s, 1.0)
    anchors, _, _ = kmeans_anchors(wh / s, k, distance="euclidean", seed=seed)
    return anchors * s


def genetic_refine(wh, anchors, thr=4.0, generations=1000, mutation_prob=0.9, sigma=0.1, seed=0, min_size=2.0):
    """YOLOv5's "genetic" anchor evolution: random multiplicative mutations, kept when the fitness improves.

    Fitness (:func:`_ratio_fitness`): for every box the best ``min(r, 1/r)`` over anchors, with
    ``r = box side / anchor side`` and the worse of the two sides; boxes with a best value at or below
    ``1 / thr`` count 0 (YOLOv5's ``anchor_t = 4``: an anchor is matched when no side differs by more
    than 4x). Each generation multiplies every anchor coordinate, with probability ``mutation_prob``, by
    ``1 + u * sigma * N(0, 1)`` (``u ~ U(0, 1)`` once per generation, the factor clipped to [0.3, 3]);
    anchors stay >= ``min_size``. Strictly it is a (1+1) evolution strategy: one parent, no crossover.

    Args:
        wh: ``(N, 2)`` box sizes; anchors: ``(K, 2)`` starting anchors (e.g. :func:`whitened_kmeans`).

    Returns:
        ``(anchors, history)``: ``(K, 2)`` evolved anchors sorted by area, and ``(generations + 1,)`` the
        best fitness so far after each generation.
    """
    wh, anchors = as_sizes(wh, "wh"), as_sizes(anchors, "anchors")
    if len(anchors) == 0:
        raise ValueError("anchors must not be empty")
    if thr <= 1:
        raise ValueError(f"thr must be > 1, got {thr}")
    rng = np.random.default_rng(seed)
    best_k, best_f = anchors.copy(), _ratio_fitness(wh, anchors, thr)
    history = [best_f]
    for _ in range(generations):
        v = np.ones(anchors.shape)
        while (v == 1).all():  # mutate until something changes
            mutate = rng.random(anchors.shape) < mutation_prob
            v = (mutate * rng.random() * rng.standard_normal(anchors.shape) * sigma + 1).clip(0.3, 3.0)
        candidate = (best_k * v).clip(min=min_size)
        f = _ratio_fitness(wh, candidate, thr)
        if f > best_f:
            best_k, best_f = candidate, f
        history.append(best_f)
    return best_k[np.argsort(best_k.prod(axis=1), kind="stable")], np.array(history)


def yolov5_autoanchor(wh, k, thr=4.0, generations=1000, seed=0):
    """Whitened k-means, then :func:`genetic_refine`: YOLOv5's ``kmean_anchors``. Returns ``(k, 2)`` anchors."""
    anchors = whitened_kmeans(wh, k, seed=seed)
    anchors, _ = genetic_refine(wh, anchors, thr=thr, generations=generations, seed=seed)
    return anchors
