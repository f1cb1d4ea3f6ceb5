"""The contract every public function of the compute modules keeps, and the helpers that assert it.

The contract (issue 11, "never silently wrong"):

1. **Malformed input** (wrong shape, wrong dtype, NaN/inf where numbers are required, ``x2 < x1``, an unknown
   format or method, an out-of-range value, ``None`` where a number is expected) raises ``ValueError`` or
   ``TypeError`` whose message **names the argument** (its parameter name appears in the message).
2. **Valid input never gives a silent 0 or NaN from overflow**: results are computed in a dtype that holds
   them (float16 is computed in float32, as torchvision does), or the function refuses with a ValueError.
3. **Empty input** gives an empty result or a documented value (what a mean over nothing returns is in the
   docstring and pinned by a test).
4. **Nothing loops forever**: every call here runs under :func:`time_limit`.
5. **Inputs are never modified in place**: :func:`call_unchanged` checks it.

Each ``tests/robustness/test_<module>.py`` lists the functions it covers in a module-level ``COVERS`` (qualified
names such as ``"utils.boxes.box_iou"``); ``test_coverage.py`` fails when a public function of a compute module is
covered by no file, so a new function cannot skip the contract.
"""

import contextlib
import copy
import importlib
import inspect
import pkgutil
import signal

import numpy as np
import pytest

#: The compute modules whose every public function keeps the contract (packages are walked).
COMPUTE_MODULES = (
    "utils.boxes",
    "utils.nms",
    "utils.metrics",
    "utils.anchors",
    "utils.losses",
    "utils.cost",
    "utils.receptive_field",
    "utils.segmentation",
    "utils.detectors",
    "utils.gan",
)

#: Seconds any single call may take before it counts as an endless loop.
CALL_SECONDS = 20


def _modules():
    for name in COMPUTE_MODULES:
        module = importlib.import_module(name)
        yield module
        if hasattr(module, "__path__"):  # a package: its submodules too (private ones excluded)
            for info in pkgutil.iter_modules(module.__path__):
                if not info.name.startswith("_"):
                    yield importlib.import_module(f"{name}.{info.name}")


def public_functions():
    """Qualified names of every public function and class defined in a compute module."""
    names = set()
    for module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # imported from elsewhere: covered where it is defined
            names.add(f"{module.__name__}.{name}")
    return names


class Timeout(Exception):
    """A call ran longer than its time limit (an endless loop, for the contract)."""


@contextlib.contextmanager
def time_limit(seconds=CALL_SECONDS):
    """Raise :class:`Timeout` if the block runs longer than ``seconds`` (Unix, main thread)."""

    def _alarm(signum, frame):
        raise Timeout(f"did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def rejects(fn, *args, argument, exc=(ValueError, TypeError), **kwargs):
    """Assert that ``fn(*args, **kwargs)`` raises ``ValueError``/``TypeError`` naming ``argument``.

    ``argument`` is the parameter name the message must contain (a string, or a tuple of acceptable names).
    Returns the message, for further asserts.
    """
    names = (argument,) if isinstance(argument, str) else tuple(argument)
    with time_limit():
        with pytest.raises(exc) as info:
            fn(*args, **kwargs)
    message = str(info.value)
    assert any(n in message for n in names), (
        f"{getattr(fn, '__qualname__', fn)} raised {type(info.value).__name__}({message!r}), "
        f"which does not name the argument {names}"
    )
    return message


def _snapshot(value):
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if isinstance(value, np.ndarray):
        return value.copy()
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().clone()
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - modules, generators and the like: compare by identity only
        return value


def _same(a, b):
    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if torch is not None and isinstance(a, torch.Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a.nan_to_num(), b.nan_to_num()))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or a is b
    except Exception:  # noqa: BLE001
        return a is b


def call_unchanged(fn, *args, **kwargs):
    """Call ``fn`` under the time limit and assert that no argument was modified in place. Returns the result."""
    before = [_snapshot(a) for a in args], {k: _snapshot(v) for k, v in kwargs.items()}
    with time_limit():
        result = fn(*args, **kwargs)
    for i, (old, new) in enumerate(zip(before[0], args)):
        assert _same(old, new), f"{fn.__qualname__} modified argument {i} in place"
    for k in kwargs:
        assert _same(before[1][k], kwargs[k]), f"{fn.__qualname__} modified argument {k!r} in place"
    return result


def assert_finite(value, what="result"):
    """Assert that an array, tensor or number holds no NaN or inf (the 'no silent NaN' half of the contract)."""
    arr = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value, dtype=float)
    assert np.isfinite(arr).all(), f"{what} holds NaN or inf: {arr!r}"


def parameter_names(fn):
    """The parameter names of ``fn`` (for messages that must name one of them)."""
    return list(inspect.signature(fn).parameters)
