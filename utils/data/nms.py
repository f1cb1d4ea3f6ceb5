"""Synthetic detector outputs for ``notebooks/02_nms.ipynb`` and ``benchmarks/bench_nms.py``.

Everything here is **synthetic** (random boxes from a seed); the real detector output of the notebook
is :func:`utils.data.haar_face_candidates`. Boxes are ``(N, 4)`` float64 xyxy, in pixels.
"""

import numpy as np


def clustered_boxes(n=10_000, n_objects=50, seed=0, image_size=1000.0, size=(10.0, 100.0), jitter=0.22):
    """``n`` candidate boxes clustered around ``n_objects`` objects, as a dense detector emits them.

    Each object has a uniform random centre in ``[0, image_size]^2`` and width and height uniform in
    ``size``; each candidate picks an object and moves its centre by ``jitter`` times the object's size
    and rescales its width and height by ``exp(jitter * normal)``. Scores are uniform in [0, 1)
    (all distinct with probability 1).

    Returns:
        ``(boxes, scores, objects)``: ``(n, 4)`` xyxy, ``(n,)`` scores, ``(n,)`` int64 object of each box.
    """
    rng = np.random.default_rng(seed)
    wh = rng.uniform(*size, (n_objects, 2))  # (n_objects, 2) object width, height
    centre = rng.uniform(0, image_size, (n_objects, 2))
    objects = rng.integers(0, n_objects, n)  # (n,)
    cxcy = centre[objects] + rng.normal(0, jitter, (n, 2)) * wh[objects]
    box_wh = wh[objects] * np.exp(rng.normal(0, jitter, (n, 2)))
    boxes = np.concatenate([cxcy - box_wh / 2, cxcy + box_wh / 2], axis=1)  # (n, 4) xyxy
    return boxes, rng.uniform(0, 1, n), objects.astype(np.int64)


def two_overlapping_objects(n_per_object=6, seed=0, jitter=0.03):
    """A crowded scene in miniature: two people standing side by side (ground-truth IoU 0.64).

    Candidates are jittered copies of each ground-truth box; the best candidate of the person in
    front scores 0.95 and of the one behind 0.8, the rest score lower. Greedy NMS at IoU 0.5 removes
    the person behind; Soft-NMS only lowers its score.

    Returns:
        ``(gt, boxes, scores, owner)``: ``(2, 4)`` ground truth, ``(2 * n_per_object, 4)`` candidates,
        their ``(2 * n_per_object,)`` scores and the ground-truth index (0 or 1) each was made from.
    """
    rng = np.random.default_rng(seed)
    gt = np.array([[100.0, 100.0, 200.0, 300.0], [120.0, 105.0, 220.0, 305.0]])
    size = np.tile(gt[:, 2:] - gt[:, :2], 2)  # (2, 4) w, h, w, h
    owner = np.repeat([0, 1], n_per_object)
    boxes = gt[owner] + rng.normal(0, jitter, (len(owner), 4)) * size[owner]
    boxes[::n_per_object] = gt  # the best candidate of each person sits exactly on it
    boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
    top = np.array([0.95, 0.8])
    scores = top[owner] - 0.1 * rng.uniform(0.05, 1.0, len(owner))
    scores[::n_per_object] = top
    return gt, np.round(boxes, 1), np.round(scores, 3), owner


def portrait_face_candidates():
    """``(image, boxes, scores)``: the Grace Hopper portrait and its raw Haar-cascade face candidates
    (:func:`utils.data.haar_face_candidates`, real detector output), **sorted by decreasing score**
    (then by coordinates).

    OpenCV runs the cascade's scales on several threads, so the order in which it returns the same
    candidates changes from run to run; sorting makes the indices reproducible.
    """
    from utils.data.images import grace_hopper, haar_face_candidates

    image = grace_hopper()
    boxes, scores = haar_face_candidates(image)
    order = np.lexsort((boxes[:, 3], boxes[:, 2], boxes[:, 1], boxes[:, 0], -scores))  # last key first
    return image, boxes[order], scores[order]
