"""Small argument checks shared by the compute modules.

Each check returns the value in the form the caller computes with (a float, an int, a float64 array, a
tensor), or raises ``ValueError`` (for a wrong kind of value too, as ``CONTRIBUTING.md`` asks) with a message
that names the argument and says what was expected. Ranges are closed unless ``low_open`` /
``high_open`` says otherwise; ``None`` means no bound.
"""

import numbers

import numpy as np


def _bounds(low, high, low_open, high_open):
    """``"in [0, 1]"``, ``"> 0"``, ``">= 1"``, ... for messages."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high}"
    return "finite"


def _outside(x, low, high, low_open, high_open):
    """True where ``x`` is NaN or outside the bounds (works on floats, numpy arrays and torch tensors)."""
    ok = x == x  # False for NaN
    if low is not None:
        ok = ok & ((x > low) if low_open else (x >= low))
    if high is not None:
        ok = ok & ((x < high) if high_open else (x <= high))
    return ~ok if not isinstance(ok, bool) else not ok


def number(value, name, low=None, high=None, *, low_open=False, high_open=False):
    """``value`` as a finite ``float`` within the bounds (bool, str, None and arrays are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or _outside(value, low, high, low_open, high_open):
        raise ValueError(f"{name} must be a finite number {_bounds(low, high, low_open, high_open)}, got {value!r}")
    return value


def integer(value, name, low=None, high=None):
    """``value`` as an ``int`` within ``[low, high]`` (Python or numpy integers; bool and 2.0 are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if _outside(value, low, high, False, False):
        raise ValueError(f"{name} must be an integer {_bounds(low, high, False, False)}, got {value!r}")
    return value


def choice(value, name, options):
    """``value`` if it is one of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value


def array(value, name, ndim=None, low=None, high=None, *, low_open=False, high_open=False):
    """``value`` as a float64 numpy array of real numbers (ints or floats), finite and within the bounds.

    ``ndim``: the required number of dimensions (an int or a tuple of allowed ones). Empty arrays pass.
    """
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an array of numbers, got {value!r}")
    try:
        x = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be an array of numbers: {error}") from None
    if x.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if ndim is not None and x.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {x.shape}")
    x = x.astype(np.float64, copy=False)
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf")
    if x.size and _outside(x, low, high, low_open, high_open).any():
        raise ValueError(f"{name} must hold values {_bounds(low, high, low_open, high_open)}")
    return x


def tensor(value, name, ndim=None, low=None, high=None, *, low_open=False, high_open=False):
    """``value`` if it is a floating-point torch tensor, finite and within the bounds.

    Half precision (float16, bfloat16) is returned as float32, so that products and sums cannot overflow
    (as torchvision's ``_upcast`` does). The checks use one ``aminmax`` pass, cheap next to any loss.
    """
    import torch

    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a torch tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    if ndim is not None and value.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(value.shape)}")
    if value.numel():
        lo, hi = (float(v) for v in torch.aminmax(value.detach()))  # NaN anywhere makes both NaN
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{name} contains NaN or inf")
        if _outside(lo, low, high, low_open, high_open) or _outside(hi, low, high, low_open, high_open):
            raise ValueError(f"{name} must hold values {_bounds(low, high, low_open, high_open)}, "
                             f"got values from {lo:g} to {hi:g}")
    if value.dtype in (torch.float16, torch.bfloat16):
        value = value.float()
    return value


def int_pair(value, name, low=None):
    """``value`` (an int, or a pair of ints such as ``(height, width)``) as a pair of ints within the bounds."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return tuple(integer(v, name, low) for v in pair)
