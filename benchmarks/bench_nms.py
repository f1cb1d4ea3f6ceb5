"""NMS on 10,000 boxes clustered around 50 objects, against the classic numpy loop, in the same run.

Targets: ``nms`` at least 1.5x faster than the classic loop (sort, keep the top box, vectorised IoU
against all the rest, repeat) at IoU 0.5; ``batched_nms`` with 80 classes faster than a per-class
Python loop over the classic loop. For scale: torchvision's C++ ``nms`` takes about half the time of the
classic loop on this data (measured by the issue author on this machine: 10 ms vs 20-24 ms).

The reference is :func:`classic_nms` below, a frozen copy of the loop as ``utils.nms.textbook_nms`` had it
before the library's loop was shared with ``nms``: so the ratios stay comparable from one version to the next.
"""

import numpy as np

from benchmarks import median_time, report
from utils.data.nms import clustered_boxes, two_overlapping_objects
from utils.nms import batched_nms, nms, soft_nms, textbook_nms


def classic_nms(boxes, scores, iou_threshold):
    """The classic numpy NMS loop (no validation): one round of vectorised IoU per kept box."""
    x1, y1, x2, y2 = boxes.T
    area = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size > 0:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = w * h
        union = area[i] + area[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[iou <= np.float64(iou_threshold)]
    return np.array(keep, dtype=np.int64)


def per_class_loop(boxes, scores, labels, iou_threshold):
    """Per-class NMS the obvious way: one classic-loop call per class, then merge by score."""
    keep = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        keep.append(idx[classic_nms(boxes[idx], scores[idx], iou_threshold)])
    keep = np.concatenate(keep)
    return keep[np.lexsort((keep, -scores[keep]))]


def widget_update_ms():
    """Median time for the NMS threshold explorer to react to one slider move."""
    from utils.widgets.nms import nms_threshold_explorer

    explorer = nms_threshold_explorer()
    values = iter(np.tile(np.linspace(0.2, 0.8, 13), 4))
    return median_time(lambda: setattr(explorer.controls["iou_threshold"], "value", float(next(values))),
                       repeat=30) * 1e3


def main():
    boxes, scores, _ = clustered_boxes(10_000, 50, seed=0)
    ok = True
    for t, target in ((0.5, 1.5), (0.3, None), (0.7, None)):
        assert np.array_equal(nms(boxes, scores, t), classic_nms(boxes, scores, t))
        assert np.array_equal(nms(boxes, scores, t), textbook_nms(boxes, scores, t))
        ours = median_time(nms, boxes, scores, t, repeat=9)
        reference = median_time(classic_nms, boxes, scores, t, repeat=9)
        kept = len(nms(boxes, scores, t))
        if target is None:
            print(f"  (info) nms at IoU {t} ({kept} kept): speed-up {reference / ours:.1f}x over the classic loop")
        else:
            ok &= report(f"nms 10,000 clustered boxes, IoU {t} ({kept} kept) vs classic loop", ours, reference, target)

    labels = np.random.default_rng(1).integers(0, 80, len(boxes))
    assert np.array_equal(batched_nms(boxes, scores, labels, 0.5), per_class_loop(boxes, scores, labels, 0.5))
    ours = median_time(batched_nms, boxes, scores, labels, 0.5, repeat=9)
    reference = median_time(per_class_loop, boxes, scores, labels, 0.5, repeat=9)
    ok &= report("batched_nms 10,000 boxes, 80 classes vs per-class loop", ours, reference, target=1.0)

    _, few, few_scores, _ = two_overlapping_objects()
    soft = median_time(soft_nms, few, few_scores, repeat=50) * 1e3
    soft_1000 = median_time(soft_nms, boxes[:1000], scores[:1000], repeat=5) * 1e3
    print(f"  (info) soft_nms: {len(few)} boxes {soft:.2f} ms (the Soft-NMS widget runs it twice per move), "
          f"1,000 boxes {soft_1000:.0f} ms")

    update = widget_update_ms()
    print(f"nms_threshold_explorer: one slider update {update:.0f} ms (target < 100 ms) {'OK' if update < 100 else 'MISS'}")
    return ok and update < 100


if __name__ == "__main__":
    main()
