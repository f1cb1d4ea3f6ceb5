"""box_iou on 1000 x 1000 float32 boxes vs the textbook numpy broadcast. Target: at least 3x faster."""

import numpy as np

from benchmarks import median_time, report
from utils.boxes import box_iou


def textbook_box_iou(boxes1, boxes2):
    """The usual numpy translation of torchvision's code: (N, M, 2) corner arrays."""
    lt = np.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = np.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    return inter / (area1[:, None] + area2[None, :] - inter)


def random_boxes(n, seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 900, (n, 2))
    wh = rng.uniform(1, 100, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(np.float32)


def widget_update_ms():
    """Median time for the IoU explorer to react to one slider move (compute, redraw, encode PNG)."""
    from utils.widgets import iou_explorer

    explorer = iou_explorer()
    positions = iter(np.tile(np.arange(20.0, 80.0), 10))
    return median_time(lambda: setattr(explorer.controls["cx"], "value", next(positions)), repeat=40) * 1e3


def main():
    a, b = random_boxes(1000, 0), random_boxes(1000, 1)
    assert np.allclose(box_iou(a, b), textbook_box_iou(a, b), atol=1e-6)
    ours = median_time(box_iou, a, b)
    reference = median_time(textbook_box_iou, a, b)
    ok = report("box_iou 1000x1000 float32 vs textbook broadcast", ours, reference, target=3.0)
    update = widget_update_ms()
    print(f"iou_explorer: one slider update {update:.0f} ms (target < 100 ms) {'OK' if update < 100 else 'MISS'}")
    return ok and update < 100


if __name__ == "__main__":
    main()
