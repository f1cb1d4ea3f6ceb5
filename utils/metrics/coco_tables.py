"""COCO evaluation, steps 1-2: the ground truth and the detections as flat numpy tables, ranked.

Part of :mod:`utils.metrics.coco` (read its docstring first: the six steps and pycocotools' rules). Here:
:func:`load_coco` turns the COCO ground-truth dict and the results list into :class:`GroundTruth` and
:class:`Detections` (one row per annotation or detection, boxes in xywh), and :func:`rank_detections` sorts the
detections of each (image, category) by score with a stable sort and keeps the top ``max_det``.
"""


import json
import pathlib
from dataclasses import dataclass

import numpy as np

from utils._ragged import ranks_in_groups
from utils._validate import integer
from utils.metrics._validate import (
    flag_array,
    index_array,
    instance,
    real_array,
    record_boxes,
    record_flags,
    record_ids,
    record_numbers,
    same_lengths,
    sorted_ids,
    xywh_boxes,
)

# Built exactly as pycocotools builds them (np.arange would give slightly different floats).
# Built exactly as pycocotools builds them (np.arange would give slightly different floats).
IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)  # (T,) = (10,)
RECALL_THRESHOLDS = np.linspace(0.0, 1.0, int(np.round((1.0 - 0.0) / 0.01)) + 1, endpoint=True)  # (R,) = (101,)
MAX_DETS = (1, 10, 100)  # (M,)
AREA_RANGES = {"all": (0, 1e5**2), "small": (0, 32**2), "medium": (32**2, 96**2), "large": (96**2, 1e5**2)}  # (A,)
STAT_NAMES = ("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl")
_TABLE = " (a table from load_coco)"


@dataclass
class GroundTruth:
    """Ground-truth boxes as columns, ``G`` rows in annotation order (checked when built)."""

    image: np.ndarray  # (G,) index into the sorted image ids
    category: np.ndarray  # (G,) index into the sorted category ids
    box: np.ndarray  # (G, 4) xywh
    area: np.ndarray  # (G,) the annotation's "area" field
    crowd: np.ndarray  # (G,) bool, iscrowd
    image_ids: np.ndarray  # (I,) sorted image ids
    category_ids: np.ndarray  # (K,) sorted category ids

    def __post_init__(self):
        self.image_ids = sorted_ids(self.image_ids, "image_ids")
        self.category_ids = sorted_ids(self.category_ids, "category_ids")
        self.image, self.category = index_array(self.image, "image"), index_array(self.category, "category")
        for column, ids in (("image", self.image_ids), ("category", self.category_ids)):
            if getattr(self, column).max(initial=-1) >= len(ids):
                raise ValueError(f"{column} holds index {getattr(self, column).max()}, "
                                 f"but {column}_ids has only {len(ids)} ids")
        self.box, self.area = xywh_boxes(self.box, "box"), real_array(self.area, "area", lo=0.0)
        self.crowd = flag_array(self.crowd, "crowd")
        same_lengths(image=self.image, category=self.category, box=self.box, area=self.area, crowd=self.crowd)


@dataclass
class Detections:
    """Detections as columns, ``D`` rows (checked when built)."""

    image: np.ndarray  # (D,) index into GroundTruth.image_ids
    category: np.ndarray  # (D,) index into GroundTruth.category_ids
    box: np.ndarray  # (D, 4) xywh
    score: np.ndarray  # (D,)
    rank: np.ndarray = None  # (D,) position by score within its (image, category), set by rank_detections

    def __post_init__(self):
        self.image, self.category = index_array(self.image, "image"), index_array(self.category, "category")
        self.box, self.score = xywh_boxes(self.box, "box"), real_array(self.score, "score")
        ranks = {} if self.rank is None else {"rank": index_array(self.rank, "rank")}
        self.rank = ranks.get("rank")
        same_lengths(image=self.image, category=self.category, box=self.box, score=self.score, **ranks)

    @property
    def area(self):
        return self.box[:, 2] * self.box[:, 3]  # w * h, as pycocotools' loadRes

    def take(self, idx):
        return Detections(self.image[idx], self.category[idx], self.box[idx], self.score[idx],
                          None if self.rank is None else self.rank[idx])


@dataclass
class CocoEvaluation:
    """What :func:`coco_evaluate` returns.

    ``stats``: the 12 numbers by name (:data:`STAT_NAMES`). ``per_category``: ``{category_id: {"AP": ...,
    "AP50": ...}}`` (area "all", 100 detections; -1 for a category without ground truth).
    ``precision``: ``(T, R, K, A, M)`` and ``recall``: ``(T, K, A, M)``, laid out like pycocotools'
    ``eval["precision"]`` and ``eval["recall"]`` (-1 where a category has no ground truth).
    """

    stats: dict
    per_category: dict
    precision: np.ndarray
    recall: np.ndarray
    category_ids: np.ndarray

    def __post_init__(self):
        instance(self.stats, "stats", dict), instance(self.per_category, "per_category", dict)
        self.precision = real_array(self.precision, "precision", ndim=5, lo=-1.0, hi=1.0)
        self.recall = real_array(self.recall, "recall", ndim=4, lo=-1.0, hi=1.0)
        self.category_ids = sorted_ids(self.category_ids, "category_ids")
        T, R, K, A, M = self.precision.shape
        if self.recall.shape != (T, K, A, M) or len(self.category_ids) != K:
            raise ValueError(f"precision (T, R, K, A, M) = {self.precision.shape}, recall (T, K, A, M) = "
                             f"{self.recall.shape} and category_ids (K,) = {self.category_ids.shape} must agree")


def _read(obj, name):
    """A COCO dict or list, or the path of the JSON file that holds it."""
    if not isinstance(obj, (str, pathlib.Path)):
        return obj
    try:
        with open(obj) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise ValueError(f"{name}: cannot read a COCO JSON file at {str(obj)!r} ({error})") from None


def load_coco(gt, dt):
    """Step 1: COCO ground truth and results -> (:class:`GroundTruth`, :class:`Detections`).

    Args:
        gt: a dict with ``images``, ``annotations`` (``id``, ``image_id``, ``category_id``, ``bbox`` as
            ``[x, y, w, h]``, ``area``, ``iscrowd``) and ``categories``, or a path to its JSON file.
        dt: a list of ``{"image_id", "category_id", "bbox", "score"}``, or a path to its JSON file.

    Ids must be integers (2.9 or "3" are refused, never rounded); annotation ids must be unique, and 0 is
    allowed (see the module docstring). ``area`` is required: COCO's area is the object's segment area,
    which pycocotools reads and never computes from the box (it fails with a KeyError without it).
    A missing ``iscrowd`` counts as 0. Annotations and detections of categories not listed in
    ``gt["categories"]`` are dropped (as pycocotools does); a detection on an image not in ``gt["images"]``
    is an error (pycocotools refuses it too).
    """
    gt, dt = _read(gt, "gt"), _read(dt, "dt")
    if not isinstance(gt, dict) or not {"images", "annotations", "categories"} <= gt.keys():
        raise ValueError("gt must be a COCO dict with 'images', 'annotations' and 'categories' (or a path to one), "
                         f"got {type(gt).__name__}" + (f" with keys {sorted(gt)}" if isinstance(gt, dict) else ""))
    if not isinstance(dt, (list, tuple)):
        raise TypeError(f"dt must be a list of detection dicts (or a path to one), got {type(dt).__name__}")
    image_ids = np.unique(record_ids(gt["images"], "id", "gt['images']"))
    category_ids = np.unique(record_ids(gt["categories"], "id", "gt['categories']"))

    anns, where = gt["annotations"], "gt['annotations']"
    ann_ids = record_ids(anns, "id", where)
    unique_ids, counts = np.unique(ann_ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{where} ids must be unique, but id {unique_ids[counts > 1][0]} appears {counts.max()} times")
    g_image, g_cat = record_ids(anns, "image_id", where), record_ids(anns, "category_id", where)
    g_box, g_area = record_boxes(anns, "bbox", where), record_numbers(anns, "area", where, lo=0.0)
    g_crowd = record_flags(anns, "iscrowd", where)
    keep = np.isin(g_image, image_ids) & np.isin(g_cat, category_ids)
    gt_table = GroundTruth(np.searchsorted(image_ids, g_image[keep]), np.searchsorted(category_ids, g_cat[keep]),
                           g_box[keep], g_area[keep], g_crowd[keep], image_ids, category_ids)

    d_image, d_cat = record_ids(dt, "image_id", "dt"), record_ids(dt, "category_id", "dt")
    d_box, d_score = record_boxes(dt, "bbox", "dt"), record_numbers(dt, "score", "dt")
    unknown = np.flatnonzero(~np.isin(d_image, image_ids))
    if len(unknown):
        raise ValueError(f"dt[{unknown[0]}] has image_id {d_image[unknown[0]]}, which is not in gt['images']")
    keep = np.isin(d_cat, category_ids)
    dt_table = Detections(np.searchsorted(image_ids, d_image[keep]), np.searchsorted(category_ids, d_cat[keep]),
                          d_box[keep], d_score[keep])
    return gt_table, dt_table


def _rank_within_groups(*keys):
    """Position of each row within its run of equal ``keys`` (the rows are sorted by the keys).
    Shapes: key columns ``(D,)`` each -> ``(D,)`` ints 0, 1, ... restarting at every new key.
    Why: sorted by (image, category, -score), it is the rank by score that ``maxDets`` caps."""
    keys = np.stack(keys)  # (k, D)
    starts = np.flatnonzero(np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)])  # first row of each run
    return ranks_in_groups(np.diff(np.r_[starts, keys.shape[1]]))


def rank_detections(dt, max_det=100):
    """Step 2: order detections by (image, category, decreasing score) and keep the top ``max_det``
    (an integer >= 1) of each (image, category). Ties keep their input order (``np.lexsort`` is stable).

    Returns a new :class:`Detections` with ``rank`` = 0, 1, ... within each (image, category).
    """
    instance(dt, "dt", Detections, _TABLE)
    max_det = integer(max_det, "max_det", low=1)
    order = np.lexsort((-dt.score, dt.category, dt.image))
    dt = dt.take(order)
    dt.rank = _rank_within_groups(dt.image, dt.category)
    return dt.take(dt.rank < max_det)


def _check_tables(gt, dt):
    """Both tables from :func:`load_coco`, and ``dt``'s image and category indices point into ``gt``."""
    instance(gt, "gt", GroundTruth, _TABLE), instance(dt, "dt", Detections, _TABLE)
    for column, ids in (("image", gt.image_ids), ("category", gt.category_ids)):
        if len(dt.score) and getattr(dt, column).max() >= len(ids):
            raise ValueError(f"dt.{column} holds index {getattr(dt, column).max()}, but gt has only {len(ids)} "
                             f"{column} ids: dt and gt must come from the same load_coco call")


def _check_ranked(dt):
    instance(dt, "dt", Detections, _TABLE)
    if dt.rank is None:
        raise ValueError("dt must be ranked: pass it through rank_detections first (dt.rank is None)")
