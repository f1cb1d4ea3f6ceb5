"""Reading and comparing a learner's answer: the helpers a checker's ``compare(got, case)`` is built from.

``to_number``, ``to_array``, ``to_parts`` and ``to_module`` turn an answer into a number, a float64 array, a list
of results or an ``nn.Module``, or raise :class:`Mismatch` with a plain message (None: "did you forget `return`?";
a string, a bool, a ragged list, an int too large for a float, an array where one number is expected, ...).
The ``expect_*`` functions return ``None`` when the answer is right, else one short line saying what differs
("expected shape (3, 3), got (3,)"); :func:`show` prints any value in one short line.
"""

import math

import numpy as np
import torch

FORGOT_RETURN = "your function returned None: did you forget `return`?"


class Mismatch(Exception):
    """The answer has the wrong type, shape or value; the message says how, in one or two short lines."""


# --------------------------------------------------------------------------------------------------- answers


def show(value, width=80):
    """A short one-line text for any value: numbers to 4 decimals, small arrays in full, large ones by shape."""
    try:
        if isinstance(value, torch.Tensor):
            if value.numel() > 8:
                return f"a tensor of shape {tuple(value.shape)}"
            value = value.detach().cpu().numpy()
        if isinstance(value, np.ndarray):
            if value.size > 8:
                return f"an array of shape {value.shape}"
            return np.array2string(value, precision=4, suppress_small=True).replace("\n", "")
        if isinstance(value, (bool, np.bool_)) or value is None:
            return repr(value)
        if isinstance(value, (int, np.integer)):
            text = str(int(value))
            return text if len(text) <= 20 else f"{text[:8]}...{text[-4:]} (an integer with {len(text)} digits)"
        if isinstance(value, (float, np.floating)):
            x = float(value)
            return f"{x:.4f}" if x == 0 or (1e-4 <= abs(x) < 1e6) or not math.isfinite(x) else f"{x:.4g}"
        if isinstance(value, (str, list, tuple, dict, set)):
            text = repr(value)
            if len(text) > width:
                text = text[: width - 24] + f"... ({len(value)} items)"
            return text
        return f"a {type(value).__name__}"
    except Exception:  # noqa: BLE001 - a value whose repr fails
        return f"a {type(value).__name__}"


def _type_problem(value):
    # The message for an answer that is not numbers at all, or None if it might be.
    if value is None:
        return FORGOT_RETURN
    if isinstance(value, (str, bytes)):
        return f"got the text {show(value)}: return numbers, not a string."
    if isinstance(value, (bool, np.bool_)):
        return f"got {value!r} (a bool): return a number."
    return None


def to_number(value):
    """``value`` as a Python number (an ``int`` stays an ``int``); raises :class:`Mismatch` if it is not one number.

    Accepts ints, floats, numpy scalars and 0-d arrays or tensors (with or without ``requires_grad``).
    """
    problem = _type_problem(value)
    if problem:
        raise Mismatch(problem)
    if isinstance(value, (torch.Tensor, np.ndarray, np.generic)):
        if value.ndim != 0:
            raise Mismatch(f"expected a single number, got an array of shape {tuple(value.shape)}: "
                           "return one number (for example with float(x) or x.item()).")
        value = value.item()
        if isinstance(value, bool):
            raise Mismatch(f"got {value!r} (a bool): return a number.")
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)):
        raise Mismatch(f"expected a single number, got a {type(value).__name__} of {len(value)} items.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Mismatch(f"expected a number, got {show(value)}.") from None


def to_array(value):
    """``value`` as a float64 numpy array; raises :class:`Mismatch` with a plain message if it cannot be one.

    Accepts numpy arrays, torch tensors (``requires_grad`` or not, any device), nested lists and tuples.
    """
    problem = _type_problem(value)
    if problem:
        raise Mismatch(problem)
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64).numpy()
    if isinstance(value, (list, tuple)) and any(isinstance(v, (torch.Tensor, list, tuple)) for v in value):
        parts = [to_array(v) for v in value]  # a list of tensors, or of lists holding tensors
        if len({p.shape for p in parts}) > 1:
            raise Mismatch("got a nested list whose items have different lengths: not an array of numbers.")
        return np.stack(parts) if parts else np.zeros(0)
    try:
        return np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise Mismatch("got an integer too large for a float (more than 308 digits).") from None
    except (TypeError, ValueError):
        if isinstance(value, (list, tuple)):
            raise Mismatch(f"got a list that is not a regular array of numbers: {show(value)}") from None
        raise Mismatch(f"expected an array of numbers, got {show(value)}.") from None


def expect_shape(got, shape):
    """``None`` if ``got`` (array, tensor or list) has ``shape``, else "expected shape (3, 3), got (3,)"."""
    try:
        actual = tuple(to_array(got).shape)
    except Mismatch as exc:
        return str(exc)
    return None if actual == tuple(shape) else f"expected shape {tuple(shape)}, got {actual}"


def expect_close(got, expected, atol=1e-6, rtol=1e-6):
    """``None`` if ``got`` matches ``expected`` in type, shape and value, else one short line saying what differs.

    Numbers and arrays match within ``atol + rtol * |expected|`` (NaN matches NaN; float32 answers pass); an
    ``int`` must be matched exactly; a tuple holding arrays or tensors (such as ``(kernel, bias)``) part by part.
    """
    try:
        return _compare_values(got, expected, atol, rtol)
    except Mismatch as exc:  # the answer is of the wrong kind: None, a string, an array for a number, ...
        return str(exc)


def _compare_values(got, expected, atol, rtol):
    if isinstance(expected, tuple) and any(isinstance(e, (np.ndarray, torch.Tensor)) for e in expected):
        parts = to_parts(got, len(expected))
        for i, (g, e) in enumerate(zip(parts, expected)):
            problem = expect_close(g, e, atol, rtol)
            if problem:
                return f"result {i} of {len(expected)}: {problem}"
        return None
    want = to_array(expected)
    if want.ndim == 0:
        number = to_number(got)
        if isinstance(expected, (int, np.integer)) and not isinstance(expected, bool):
            same = number == int(expected)
        else:
            number, w = _as_float(number), float(want)
            same = (math.isnan(number) and math.isnan(w)) or abs(number - w) <= atol + rtol * abs(w)
        return None if same else f"expected {show(expected)}, got {show(number)}" + _differs(number, expected)
    array = to_array(got)
    if array.ndim == 0:
        return f"expected an array of shape {want.shape}, got the single number {show(array.item())}"
    if array.shape != want.shape:
        return f"expected shape {want.shape}, got {array.shape}"
    with np.errstate(all="ignore"):
        bad = ~np.isclose(array, want, atol=atol, rtol=rtol, equal_nan=True)
        if not bad.any():
            return None
        if want.size <= 8:
            return f"expected {show(want)}, got {show(array)}" + _differs(array, want)
        diff = np.where(bad, np.nan_to_num(np.abs(array - want), nan=np.inf), 0)
    where = np.unravel_index(int(np.argmax(diff)), want.shape)
    return (f"{int(bad.sum())} of {want.size} values differ; the largest difference is at {list(map(int, where))}: "
            f"expected {show(want[where])}, got {show(array[where])}" + _differs(array[where], want[where]))


def _as_float(number):
    try:
        return float(number)
    except OverflowError:
        raise Mismatch(f"got {show(number)}: too large for a float.") from None


def _differs(got, expected):
    # When both print the same at 4 decimals, say by how much they differ.
    if show(got) != show(expected):
        return ""
    with np.errstate(all="ignore"):
        gap = np.nanmax(np.abs(np.asarray(got, dtype=float) - np.asarray(expected, dtype=float)))
    return f" (they differ by {gap:.1e})"


def to_parts(got, n):
    """``got`` as a list of ``n`` results (from a tuple or list); raises :class:`Mismatch` otherwise."""
    if got is None:
        raise Mismatch(FORGOT_RETURN)
    if not isinstance(got, (tuple, list)):
        raise Mismatch(f"expected {n} results (a tuple), got {show(got)}")
    if len(got) != n:
        raise Mismatch(f"expected {n} results, got {len(got)}")
    return list(got)


def expect_equal(got, expected):
    """``None`` if ``got == expected`` exactly (names, lists of names, ints), else where the first difference is."""
    if got is None and expected is not None:
        return FORGOT_RETURN
    if isinstance(expected, (list, tuple)):
        if isinstance(got, (str, bytes)) or not hasattr(got, "__iter__"):
            return f"expected a list, got {show(got)}"
        got = list(got)
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                return f"first difference at position {i}: expected {show(e)}, got {show(g)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} items, got {len(got)}: {show(got)}"
        return None
    return None if got == expected else f"expected {show(expected)}, got {show(got)}"


# -------------------------------------------------------------------------------------------- torch modules


def to_module(value):
    """``value`` if it is an ``nn.Module`` instance; raises :class:`Mismatch` with a plain message otherwise."""
    if value is None:
        raise Mismatch(FORGOT_RETURN)
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        raise Mismatch(f"got the class {value.__name__}: return an instance, {value.__name__}(...).")
    if not isinstance(value, torch.nn.Module):
        raise Mismatch(f"expected an nn.Module, got {show(value)}.")
    return value


def count_params(module):
    """The number of trainable weights of a module (what ``sum(p.numel() for p in m.parameters())`` counts)."""
    return sum(p.numel() for p in to_module(module).parameters() if p.requires_grad)


def expect_params(module, expected):
    """``None`` if the module has ``expected`` trainable weights, else the two counts and their difference."""
    n = count_params(module)
    return None if n == expected else f"expected {expected:,} parameters, got {n:,} ({n - expected:+,})"


def module_output(module, *inputs):
    """Run ``module(*inputs)`` in eval mode without gradients (train mode is restored); the output tensor."""
    module = to_module(module)
    training = module.training
    try:
        with torch.no_grad():
            return module.eval()(*inputs)
    finally:
        module.train(training)


def copy_weights(source, target):
    """Copy ``source``'s parameters and buffers into ``target``, in registration order, so that both compute the
    same function; raises :class:`Mismatch` naming the first tensor whose shape differs."""
    src, dst = list(to_module(source).state_dict().values()), to_module(target).state_dict()
    if len(src) != len(dst):
        raise Mismatch(f"expected {len(src)} weight and buffer tensors, your module has {len(dst)}")
    for (name, t), s in zip(dst.items(), src):
        if t.shape != s.shape:
            raise Mismatch(f"{name}: expected shape {tuple(s.shape)}, got {tuple(t.shape)}")
    target.load_state_dict(dict(zip(dst.keys(), src)))
