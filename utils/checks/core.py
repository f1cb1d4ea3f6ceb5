"""The exercise checker pattern: run the reader's function on named edge cases, say what is wrong.

A checker is a list of :class:`Case` objects and a call to :func:`run_cases`::

    def area_cases():
        return [
            Case("unit square", ([0, 0, 1, 1],), 1.0, "width times height: (x2 - x1) * (y2 - y1)."),
            Case("zero width", ([2, 0, 2, 5],), 0.0, "a box with x2 == x1 has no area."),
        ]

    def check_area(fn):
        \"\"\"Check ``fn(box) -> float``, the area of one xyxy box.\"\"\"
        return run_cases(fn, area_cases())

By default the answer must equal ``expected`` within ``atol + rtol * |expected|`` (:func:`expect_close`: numbers,
numpy arrays, torch tensors and lists all work; an ``int`` must match exactly; a tuple of arrays such as
``(kernel, bias)`` is compared part by part). For another rule pass ``compare(got, case)``: it returns ``None``
when the answer is right, or one short line saying what is wrong; the ``expect_*`` helpers below return exactly
that, and ``to_number`` / ``to_array`` / ``to_module`` raise :class:`Mismatch` with a plain message when the
answer has the wrong type. To test a module, wrap the reader's code in a small function that builds it and runs
it (see ``check_gradient_penalty`` in ``utils/checks/gan.py``), so that their errors are reported as theirs.

The call and the comparison both run inside the guard, under a time limit of ``seconds`` per case, so a checker
never shows a traceback and never hangs: ``ok``, ``FAIL`` (what differs, and a hint) or ``ERROR`` (the exception
or the time-out, and a hint), at most six lines per case. A function that still raises ``NotImplementedError``
gets a friendly "not implemented yet", so an exercise cell runs as shipped.
"""

import contextlib
import copy
import math
import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch

#: Seconds one case may run before it is reported as an endless loop (``run_cases(..., seconds=...)``).
SECONDS = 5.0
#: After this many time-outs the remaining cases are skipped (a loop that never ends would cost 5 s per case).
MAX_TIMEOUTS = 2

FORGOT_RETURN = "your function returned None: did you forget `return`?"


class Mismatch(Exception):
    """The answer has the wrong type, shape or value; the message says how, in one or two short lines."""


@dataclass
class Case:
    """One named edge case: call ``fn(*args)`` and compare the answer with ``expected``."""

    name: str
    args: tuple
    expected: object
    hint: str = ""
    atol: float = 1e-6
    rtol: float = 1e-6


@dataclass
class CaseResult:
    case: Case
    status: str  # "ok", "FAIL", "ERROR" or "skip"
    got: object = None
    error: str = ""  # the exception the reader's code raised
    message: str = ""  # what is wrong with the answer, or the time-out


@dataclass
class CheckReport:
    """What a checker found. ``passed`` is True when every case is ``ok``."""

    function: str
    results: list = field(default_factory=list)
    not_implemented: bool = False
    notes: list = field(default_factory=list)
    problem: str = ""  # set when no case could run at all

    @property
    def passed(self):
        return not (self.not_implemented or self.problem) and all(r.status == "ok" for r in self.results)

    @property
    def failures(self):
        """Names of the cases that did not pass."""
        return [r.case.name for r in self.results if r.status != "ok"]

    def __str__(self):
        if self.not_implemented:
            return f"{self.function}: not implemented yet. Write the body, then run this cell again."
        if self.problem:
            return f"{self.function}: {self.problem}"
        ok = sum(r.status == "ok" for r in self.results)
        lines = [f"{self.function}: {ok} of {len(self.results)} cases pass" + ("  -- well done!" if self.passed else "")]
        for r in self.results:
            lines.append(f"  {r.status:<5} {r.case.name}")
            detail = r.message or (f"raised {r.error}" if r.error else "")
            lines += ["        " + line for line in detail.splitlines()[:3]]
            if r.status in ("FAIL", "ERROR") and r.case.hint:
                lines.append(f"        hint: {r.case.hint}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    __repr__ = __str__


# ----------------------------------------------------------------------------------------- running the cases


def run_cases(fn, cases, compare=None, seconds=None):
    """Run ``fn`` on every case and return a :class:`CheckReport`; never raises because of ``fn``.

    ``compare(got, case)`` returns ``None`` (or ``True``) when ``got`` is right, else a short message (``False``
    gives "expected ..., got ..."); it may raise :class:`Mismatch`. The default is :func:`expect_close` with the
    case's tolerances. ``seconds`` limits each case (call and comparison); ``None`` means :data:`SECONDS`.
    """
    compare = compare or (lambda got, case: expect_close(got, case.expected, case.atol, case.rtol))
    seconds = SECONDS if seconds is None else seconds
    report = CheckReport(getattr(fn, "__name__", "your function"))
    if not callable(fn):
        report.problem = f"expected a function, got {show(fn)}: pass the function itself, without () after its name."
        return report
    if not _can_time():
        report.notes.append("no time limit here (Windows, or not the main thread): an endless loop would hang this cell.")
    timeouts = 0
    for case in cases:
        if timeouts >= MAX_TIMEOUTS:
            report.results.append(CaseResult(case, "skip"))
            continue
        try:
            result = _run_case(fn, case, compare, seconds)
        except NotImplementedError:
            report.not_implemented = True
            return report
        timeouts += result.message.startswith("did not finish")
        report.results.append(result)
    if timeouts >= MAX_TIMEOUTS and report.results[-1].status == "skip":
        report.notes.append(f"the cases marked skip did not run: {MAX_TIMEOUTS} cases had already timed out.")
    return report


def _run_case(fn, case, compare, seconds):
    args, got = _fresh(case.args), None  # a fresh copy: an in-place edit must not leak into the next case
    try:
        with time_limit(seconds):
            got = fn(*args)
            verdict = compare(got, case)
    except _TimeUp:
        return CaseResult(case, "ERROR", got, message=f"did not finish within {seconds:g} s: an endless loop?")
    except Mismatch as exc:
        return CaseResult(case, "FAIL", got, message=_short(str(exc)))
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader's bug is the finding
        return CaseResult(case, "ERROR", got, error=_short(f"{type(exc).__name__}: {exc}".rstrip(": ")))
    if verdict is None or verdict is True:
        return CaseResult(case, "ok", got)
    message = f"expected {show(case.expected)}, got {show(got)}" if verdict is False else str(verdict)
    return CaseResult(case, "FAIL", got, message=_short(message))


def _fresh(args):
    try:
        return copy.deepcopy(args)
    except Exception:  # noqa: BLE001 - an argument that cannot be copied is passed as it is
        return args


def _short(text, lines=3, width=240):
    kept = [line if len(line) <= width else line[: width - 3] + "..." for line in str(text).splitlines()[:lines]]
    return "\n".join(kept)


class _TimeUp(BaseException):
    # A BaseException, so that an `except Exception:` in the reader's code does not swallow it.
    pass


def _can_time():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds):
    """Interrupt the block after ``seconds`` (SIGALRM; Linux and macOS, main thread, so inside a Jupyter kernel too).

    Elsewhere, or with ``seconds`` 0 or ``None``, the block runs without a limit. The previous handler and any
    previous timer are restored afterwards.
    """
    if not seconds or not _can_time():
        yield
        return

    def alarm(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, alarm)
    start = time.monotonic()
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # someone else's timer was running: give it back what is left of it
            left = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


# ------------------------------------------------------------------------------ reading and comparing answers


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
    actual = tuple(to_array(got).shape)
    return None if actual == tuple(shape) else f"expected shape {tuple(shape)}, got {actual}"


def expect_close(got, expected, atol=1e-6, rtol=1e-6):
    """``None`` if ``got`` matches ``expected`` in type, shape and value, else one short line saying what differs.

    Numbers and arrays match within ``atol + rtol * |expected|`` (NaN matches NaN; float32 answers pass); an
    ``int`` must be matched exactly; a tuple holding arrays or tensors (such as ``(kernel, bias)``) part by part.
    """
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
            f"expected {show(want[where])}, got {show(array[where])}")


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
