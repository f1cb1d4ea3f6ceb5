"""Detection metrics: precision, recall, AP (three interpolations) and COCO evaluation.

Taught in ``notebooks/03_map.ipynb``. ``ap`` holds the one-class building blocks, ``coco`` the full
COCO evaluation with pycocotools' numbers.
"""

from utils.metrics.ap import AP_METHODS, average_precision, interpolated_precision, precision_envelope, precision_recall
from utils.metrics.coco import STAT_NAMES, CocoEvaluation, coco_evaluate
