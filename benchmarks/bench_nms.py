"""NMS on 10,000 boxes clustered around 50 objects, against the classic numpy loop, in the same run.

Targets: ``nms`` at least 1.5x faster than ``textbook_nms`` (sort, keep the top box, vectorised IoU
against all the rest, repeat) at IoU 0.5; ``batched_nms`` with 80 classes faster than a per-class
Python loop over ``textbook_nms``. For scale: torchvision's C++ ``nms`` takes about half the time of the
classic loop on this data (measured by the issue author on this machine: 10 ms vs 20-24 ms).
"""

import numpy as np

from benchmarks import median_time, report
from utils.data.nms import clustered_boxes
from utils.nms import batched_nms, nms, textbook_nms


def per_class_loop(boxes, scores, labels, iou_threshold):
    """Per-class NMS the obvious way: one ``textbook_nms`` call per class, then merge by score."""
    keep = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        keep.append(idx[textbook_nms(boxes[idx], scores[idx], iou_threshold)])
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
        assert np.array_equal(nms(boxes, scores, t), textbook_nms(boxes, scores, t))
        ours = median_time(nms, boxes, scores, t, repeat=9)
        reference = median_time(textbook_nms, boxes, scores, t, repeat=9)
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

    update = widget_update_ms()
    print(f"nms_threshold_explorer: one slider update {update:.0f} ms (target < 100 ms) {'OK' if update < 100 else 'MISS'}")
    return ok and update < 100


if __name__ == "__main__":
    main()
