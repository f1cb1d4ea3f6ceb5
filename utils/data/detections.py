"""Synthetic COCO-format detection data: ground truth and detector outputs, generated from a seed.

Used by ``notebooks/03_map.ipynb`` and ``tests/test_metrics.py``. Everything here is **synthetic**:
random boxes on blank images, and "detections" made by jittering the ground truth and adding false
positives, with scores that are higher, on average, for better-placed boxes. No real detector is run.

Boxes are COCO ``[x, y, w, h]`` lists (floats, pixels); the returned ground truth is a COCO dict
(``images``, ``annotations``, ``categories``) and the detections a COCO results list.
"""

import numpy as np


def _jitter(rng, box, scale):
    """Move and resize an xywh box by ``scale`` times its size (normal noise); keep a positive size."""
    x, y, w, h = box
    dx, dy, dw, dh = rng.normal(0, scale, 4)
    w2, h2 = max(w * np.exp(dw), 0.5), max(h * np.exp(dh), 0.5)
    return [x + dx * w + (w - w2) / 2, y + dy * h + (h - h2) / 2, w2, h2]


def _box_iou_xywh(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    inter = max(0.0, min(ax2, bx2) - max(a[0], b[0])) * max(0.0, min(ay2, by2) - max(a[1], b[1]))
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def synthetic_coco(n_images=40, n_categories=3, seed=0, *, max_objects=8, dets_per_object=2, false_positives=4,
                   jitter=0.12, crowd_fraction=0.03, empty_fraction=0.1, tiny_fraction=0.1,
                   score_decimals=2, unused_categories=1, crowded_images=0, image_size=(640, 480)):
    """A random detection data set that exercises every rule of COCO evaluation.

    Args:
        n_images: number of images (ids 1..n_images).
        n_categories: categories that have objects (ids 1..n_categories).
        seed: the random seed; the same seed gives the same data.
        max_objects: up to this many ground-truth boxes per image.
        dets_per_object: up to this many jittered detections per object (duplicates that NMS would remove).
        false_positives: up to this many random boxes per image (some of a category with no ground truth).
        jitter: box noise, as a fraction of the box size.
        crowd_fraction: fraction of ground truth marked ``iscrowd=1`` (large boxes).
        empty_fraction: fraction of images without ground truth; as many other images get no detections.
        tiny_fraction: fraction of boxes 1-12 px wide (COCO "small"), some of them with zero area detections.
        score_decimals: scores are rounded to this many decimals, so ties are common.
        unused_categories: extra category ids (after ``n_categories``) listed but never annotated.
        crowded_images: this many extra images get 120-150 detections each (more than maxDets = 100).
        image_size: ``(width, height)`` in pixels.

    Returns:
        ``(gt, dt)``: a COCO ground-truth dict and a COCO results list. Annotation ``area`` is the box
        area times a random factor in [0.6, 1] (a mask is smaller than its box), as in real COCO.
    """
    rng = np.random.default_rng(seed)
    W, H = image_size
    n_total = n_images + crowded_images
    images = [{"id": i, "width": W, "height": H, "file_name": f"{i:06d}.png"} for i in range(1, n_total + 1)]
    categories = [{"id": c, "name": f"class_{c}"} for c in range(1, n_categories + unused_categories + 1)]
    annotations, results = [], []
    no_gt = set(rng.choice(n_images, int(round(empty_fraction * n_images)), replace=False) + 1)
    rest = [i for i in range(1, n_images + 1) if i not in no_gt]
    no_dt = set(rng.choice(rest, min(len(rest), int(round(empty_fraction * n_images))), replace=False))

    def random_box(tiny):
        w, h = (rng.uniform(1, 12, 2) if tiny else np.exp(rng.uniform(np.log(10), np.log(300), 2)))
        x, y = rng.uniform(0, W - w), rng.uniform(0, H - h)
        return [float(x), float(y), float(w), float(h)]

    def score(value):
        return float(np.round(np.clip(value, 0.001, 1.0), score_decimals))

    for image_id in range(1, n_total + 1):
        objects = []
        if image_id not in no_gt:
            for _ in range(rng.integers(1, max_objects + 1)):
                crowd = rng.random() < crowd_fraction
                box = random_box(tiny=not crowd and rng.random() < tiny_fraction)
                if crowd:
                    box = [box[0] / 2, box[1] / 2, min(W / 2, box[2] * 3), min(H / 2, box[3] * 3)]
                objects.append((int(rng.integers(1, n_categories + 1)), box, crowd))
        for category, box, crowd in objects:
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category,
                                "bbox": box, "area": float(box[2] * box[3] * rng.uniform(0.6, 1.0)),
                                "iscrowd": int(crowd)})
        if image_id in no_dt:
            continue
        dets = []
        for category, box, crowd in objects:
            for _ in range(rng.integers(0 if crowd else 1, dets_per_object + 1)):
                guess = _jitter(rng, box, jitter)
                if box[2] < 12 and rng.random() < 0.2:
                    guess[2] = 0.0  # a degenerate (zero-area) detection
                wrong_class = rng.random() < 0.05
                dets.append((int(rng.integers(1, n_categories + 1)) if wrong_class else category, guess,
                             score(0.3 + 0.6 * _box_iou_xywh(guess, box) + rng.normal(0, 0.15))))
        n_fp = rng.integers(0, false_positives + 1) + (rng.integers(120, 151) if image_id > n_images else 0)
        for _ in range(n_fp):
            category = int(rng.integers(1, n_categories + unused_categories + 1))
            dets.append((category, random_box(tiny=rng.random() < tiny_fraction), score(rng.uniform(0, 0.7))))
        for category, box, s in dets:
            results.append({"image_id": image_id, "category_id": category, "bbox": [float(v) for v in box], "score": s})
    gt = {"images": images, "annotations": annotations, "categories": categories}
    return gt, results


def crowded_scenes(n_images=30, seed=0, *, n_categories=2, objects=(3, 9), candidates=(4, 8), jitter=0.1,
                   image_size=(320, 240)):
    """Rows of overlapping objects (people in a queue, cars in a lot) and *raw* detector candidates.

    Each object gets several jittered candidate boxes, as a dense detector produces before
    non-maximum suppression (NMS); neighbours overlap each other with IoU about 0.2-0.6, so an NMS
    threshold that is too low deletes real objects and one that is too high keeps duplicates.

    Returns:
        ``(gt, dt)`` as :func:`synthetic_coco` (synthetic data; ``area`` = box area, no crowd regions).
    """
    rng = np.random.default_rng(seed)
    W, H = image_size
    images = [{"id": i, "width": W, "height": H, "file_name": f"{i:06d}.png"} for i in range(1, n_images + 1)]
    categories = [{"id": c, "name": f"class_{c}"} for c in range(1, n_categories + 1)]
    annotations, results = [], []
    for image_id in range(1, n_images + 1):
        n = rng.integers(objects[0], objects[1] + 1)
        w, h = rng.uniform(25, 50), rng.uniform(40, 80)
        x, y = rng.uniform(0, W / 4), rng.uniform(0, H - h)
        category = int(rng.integers(1, n_categories + 1))
        for _ in range(n):
            box = [float(x), float(y + rng.normal(0, 5)), float(w * rng.uniform(0.9, 1.1)), float(h * rng.uniform(0.9, 1.1))]
            x += w * rng.uniform(0.35, 0.8)  # the next object overlaps this one
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": category,
                                "bbox": box, "area": box[2] * box[3], "iscrowd": 0})
            quality = rng.uniform(0.4, 1.0)  # some objects are easy, some hard
            for _ in range(rng.integers(candidates[0], candidates[1] + 1)):
                guess = _jitter(rng, box, jitter)
                s = quality * (0.3 + 0.7 * _box_iou_xywh(guess, box)) + rng.normal(0, 0.05)
                results.append({"image_id": image_id, "category_id": category, "bbox": [float(v) for v in guess],
                                "score": float(np.clip(s, 0.01, 1.0))})
        for _ in range(rng.integers(0, 4)):  # background clutter
            bw, bh = rng.uniform(20, 60, 2)
            results.append({"image_id": image_id, "category_id": int(rng.integers(1, n_categories + 1)),
                            "bbox": [float(rng.uniform(0, W - bw)), float(rng.uniform(0, H - bh)), float(bw), float(bh)],
                            "score": float(rng.uniform(0.05, 0.5))})
    return {"images": images, "annotations": annotations, "categories": categories}, results
