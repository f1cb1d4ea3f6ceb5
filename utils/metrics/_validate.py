"""Input checks for :mod:`utils.metrics` (private; the teaching code calls them in one line each).

The metrics-specific ones: arrays of numbers, flags, indices and xywh boxes, and the fields of COCO JSON
records; scalars use the library-wide :mod:`utils._validate`. Every check raises ``TypeError`` (not a number,
not the expected kind of object) or ``ValueError`` (wrong shape, NaN, out of range) with a message that starts
with the argument's name, so a learner sees at once which argument is wrong and what was expected.
"""

import numbers

import numpy as np

from utils._validate import integer


def _asarray(x, name, what):
    """``np.asarray(x)``, refusing None, strings and ragged nested lists with a message naming ``name``."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of {what}, got {type(x).__name__}")
    try:
        return np.asarray(x)
    except (ValueError, TypeError, OverflowError) as error:  # ragged nested lists, huge ints
        raise ValueError(f"{name} must be a rectangular array of {what} ({error})") from None


def real_array(x, name, ndim=1, lo=-np.inf, hi=np.inf):
    """``x`` as a float64 array with ``ndim`` axes (None: any), every value finite and in ``[lo, hi]``.

    Refuses None, strings, bools, complex numbers, objects, ragged lists, NaN and inf (float16 and ints are
    widened to float64, so nothing computed from the result overflows).
    """
    arr = _asarray(x, name, "numbers")
    if arr.size and arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    if (arr < lo).any() or (arr > hi).any():
        raise ValueError(f"{name} must lie in [{lo:g}, {hi:g}], got values from {arr.min():g} to {arr.max():g}")
    return arr


def flag_array(x, name, ndim=1):
    """``x`` as a bool array with ``ndim`` axes (None: any): bools, or numbers that are exactly 0 or 1."""
    arr = _asarray(x, name, "bools")
    if arr.size and arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold bools (or 0 and 1), got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.dtype.kind != "b" and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must hold only True/False or 0/1 (NaN is neither)")
    return arr.astype(bool, copy=False)


def index_array(x, name, ndim=1, lo=0, hi=None):
    """``x`` as an int64 array with ``ndim`` axes and values in ``[lo, hi)`` (None: no bound on that side)."""
    arr = _asarray(x, name, "integers")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and ((lo is not None and arr.min() < lo) or (hi is not None and arr.max() >= hi)):
        bounds = " and ".join(s for s in (lo is not None and f">= {lo}", hi is not None and f"< {hi}") if s)
        raise ValueError(f"{name} must hold integers {bounds}, got values from {arr.min()} to {arr.max()}")
    return arr


def sorted_ids(x, name):
    """``x`` as an int64 ``(N,)`` array of ids in strictly increasing order (unique)."""
    ids = index_array(x, name, lo=None)
    if (np.diff(ids) <= 0).any():
        raise ValueError(f"{name} must be sorted and unique (as np.unique returns them)")
    return ids


def positive_ints(x, name):
    """``x`` as a non-empty tuple of integers ``>= 1`` (for example ``max_dets``)."""
    if not isinstance(x, (list, tuple, np.ndarray)) or (isinstance(x, np.ndarray) and x.ndim != 1) or len(x) == 0:
        raise TypeError(f"{name} must be a non-empty list of integers >= 1, got {x!r}")
    return tuple(integer(v, f"{name}[{i}]", low=1) for i, v in enumerate(x))


def area_bounds(area_ranges, name="area_ranges"):
    """``{range name: (lo, hi)}`` -> ``lo, hi``, two ``(A, 1)`` float arrays (finite, ``lo <= hi``)."""
    if not isinstance(area_ranges, dict):
        raise TypeError(f"{name} must be a dict {{name: (lo, hi)}}, got {type(area_ranges).__name__}")
    bounds = real_array(list(area_ranges.values()) or np.zeros((0, 2)), name, ndim=2)
    if bounds.shape[1] != 2 or (bounds[:, 0] > bounds[:, 1]).any():
        raise ValueError(f"{name} must map each name to a pair (lo, hi) with lo <= hi, got {area_ranges!r}")
    return bounds.T[..., None]


def pair_table(pairs, D, G):
    """``pairs`` as :func:`utils.metrics.coco.pair_ious` returns them: ``(det, gt_index, iou)``, three ``(P,)``
    arrays, ``det`` sorted and below ``D``, ``gt_index`` below ``G``, ``iou >= 0`` (rounding can put it above 1)."""
    if not isinstance(pairs, (tuple, list)) or len(pairs) != 3:
        raise TypeError(f"pairs must be the (det, gt_index, iou) triple from pair_ious, got {type(pairs).__name__}")
    det = index_array(pairs[0], "pairs' det", hi=D)
    gt_index = index_array(pairs[1], "pairs' gt_index", hi=G)
    iou = real_array(pairs[2], "pairs' iou", lo=0.0)
    same_lengths(det=det, gt_index=gt_index, iou=iou)
    if (np.diff(det) < 0).any():
        raise ValueError("pairs' det must be sorted (pairs grouped by detection, as pair_ious returns them)")
    return det, gt_index, iou


def same_length(name_a, a, name_b, b):
    """Refuse two arrays whose first axes differ."""
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}")


def same_lengths(**columns):
    """Refuse columns of a table whose first axes differ (``rows=...`` keyword names, arrays as values)."""
    lengths = {name: len(column) for name, column in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the columns {', '.join(lengths)} must have the same length, got {lengths}")


def xywh_boxes(x, name, ndim=2):
    """``x`` as a float64 array of ``[x, y, w, h]`` boxes: finite, ``w >= 0``, ``h >= 0``.

    Shape ``(N, 4)`` (any ``(..., 4)`` with ``ndim=None``); an empty input becomes ``(0, 4)``.
    """
    empty = (isinstance(x, (list, tuple)) and len(x) == 0) or (isinstance(x, np.ndarray) and x.ndim and not x.size)
    if ndim == 2 and empty:
        return np.zeros((0, 4))
    arr = real_array(x, name, ndim=ndim)
    if arr.ndim == 0 or arr.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), one [x, y, w, h] per box, got {arr.shape}")
    negative = (arr[..., 2:] < 0).any(axis=-1)
    if negative.any():
        first = tuple(int(i) for i in np.argwhere(negative)[0])
        raise ValueError(f"{name} has a negative width or height (first at {first}: {arr[first].tolist()})")
    return arr


def instance(x, name, cls, hint=""):
    """Refuse anything that is not a ``cls`` (the COCO steps take the tables :func:`load_coco` builds)."""
    if not isinstance(x, cls):
        raise TypeError(f"{name} must be a {cls.__name__}{hint}, got {type(x).__name__}")
    return x


# ----------------------------------------------------------------------------- COCO json records


def field(records, key, name, default=None, required=True):
    """``[r[key] for r in records]`` (``r.get(key, default)`` if not ``required``), or an error naming the
    first record that is not a dict or lacks ``key``, with its index and id: ``gt['annotations'][3] (id 17)``."""
    if not isinstance(records, (list, tuple)):
        raise TypeError(f"{name} must be a list of dicts, got {type(records).__name__}")
    try:
        return [r[key] for r in records] if required else [r.get(key, default) for r in records]
    except (KeyError, TypeError, AttributeError):
        for i, r in enumerate(records):
            if not isinstance(r, dict):
                raise TypeError(f"{name}[{i}] must be a dict, got {type(r).__name__}") from None
            if key not in r:
                raise ValueError(f"{name}[{i}]{_id(r)} has no {key!r}") from None
        raise


def _id(record):
    return f" (id {record['id']!r})" if isinstance(record, dict) and "id" in record else ""


def _first_bad(values, name, key, ok, expected, records, type_ok=lambda v: False):
    """Raise for the first value that fails ``ok``: ``name[i] (id ..) 'key' must be <expected>, got <value>``
    (a ``ValueError`` if ``type_ok(value)``, the value being of the right kind but out of range, else ``TypeError``)."""
    i = next((i for i, v in enumerate(values) if not ok(v)), None)
    if i is None:  # only the whole column is wrong (for example bools mixed into numbers)
        raise ValueError(f"{name}: every {key!r} must be {expected}")
    error = ValueError if type_ok(values[i]) else TypeError
    raise error(f"{name}[{i}]{_id(records[i])} {key!r} must be {expected}, got {values[i]!r}")


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _is_real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) and bool(np.isfinite(v))


def _as_array(values):
    """``np.array(values)``, or an empty object array when numpy cannot build one (ragged, too large)."""
    try:
        return np.array(values)
    except (ValueError, TypeError, OverflowError):
        return np.array([], dtype=object)


def _has_bools(values):
    """A bool among numbers (numpy would read True as 1): one ``type`` per value, the cheapest full check."""
    types = set(map(type, values))
    return bool in types or np.bool_ in types


def record_ids(records, key, name):
    """The integer field ``key`` of every record as an int64 array; 2.9, "3", True and None are refused."""
    values = field(records, key, name)
    ids = _as_array(values)
    if len(values) and (ids.dtype.kind not in "iu" or ids.shape != (len(values),) or _has_bools(values)):
        _first_bad(values, name, key, _is_int, "an integer", records)
    return ids.astype(np.int64).reshape(-1)


def record_numbers(records, key, name, lo=-np.inf):
    """The number field ``key`` of every record as a float64 array: finite, ``>= lo`` (no bools, strings, None)."""
    values = field(records, key, name)
    arr = _as_array(values)
    if len(values) and (arr.dtype.kind not in "iuf" or arr.shape != (len(values),) or not np.isfinite(arr).all()
                        or (arr < lo).any() or _has_bools(values)):
        _first_bad(values, name, key, lambda v: _is_real(v) and v >= lo,
                   "a finite number" + (f" >= {lo:g}" if lo > -np.inf else ""), records, type_ok=_is_number)
    return arr.astype(np.float64).reshape(-1)


def record_flags(records, key, name, default=0):
    """The 0/1 field ``key`` (for example ``iscrowd``, ``default`` when missing) of every record as bools."""
    values = field(records, key, name, default, required=False)
    arr = _as_array(values)

    def ok(v):
        return isinstance(v, numbers.Real) and v in (0, 1)

    if len(values) and (arr.dtype.kind not in "biuf" or arr.shape != (len(values),) or not np.isin(arr, (0, 1)).all()):
        _first_bad(values, name, key, ok, "0 or 1", records, type_ok=lambda v: isinstance(v, numbers.Real))
    return arr.astype(bool).reshape(-1)


def record_boxes(records, key, name):
    """The ``[x, y, w, h]`` field ``key`` of every record as a float64 ``(N, 4)`` array (finite, w, h >= 0)."""
    values = field(records, key, name)

    def four_numbers(box):
        return isinstance(box, (list, tuple, np.ndarray)) and len(box) == 4 and all(map(_is_number, box))

    def ok(box):
        return four_numbers(box) and all(map(_is_real, box)) and box[2] >= 0 and box[3] >= 0

    if not values:
        return np.zeros((0, 4))
    boxes = _as_array(values)  # no dtype: a string or None in a box leaves a non-number dtype behind
    if boxes.dtype.kind not in "iuf" or boxes.shape != (len(values), 4):
        _first_bad(values, name, key, ok, "[x, y, w, h]: four finite numbers", records, type_ok=four_numbers)
    boxes = boxes.astype(np.float64)
    if not np.isfinite(boxes).all() or (boxes[:, 2:] < 0).any():
        _first_bad(values, name, key, ok, "[x, y, w, h]: four finite numbers, w >= 0 and h >= 0", records,
                   type_ok=four_numbers)
    return boxes
