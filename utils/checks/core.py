"""The exercise checker pattern: run the reader's function on named edge cases, say what is wrong.

A checker is a list of :class:`Case` objects (name, arguments, expected answer, a hint naming the likely bug)
and a call to :func:`run_cases`; add it to ``utils/checks/<topic>.py`` and re-export it in ``__init__.py``::

    def check_area(fn):
        \"\"\"Check ``fn(box) -> float``, the area of one xyxy box.\"\"\"
        return run_cases(fn, [
            Case("unit square", ([0, 0, 1, 1],), 1.0, "width times height: (x2 - x1) * (y2 - y1)."),
            Case("zero width", ([2, 0, 2, 5],), 0.0, "a box with x2 == x1 has no area."),
        ])

The default comparison is :func:`expect_close` with the case's ``atol`` and ``rtol``: numbers, numpy arrays, torch
tensors (with ``requires_grad`` too) and lists all work, float32 answers pass, an ``int`` must match exactly, a
tuple of arrays such as ``(kernel, bias)`` is compared part by part. For another rule pass ``compare(got, case)``,
returning ``None`` when the answer is right or one short line saying what is wrong; build it from the helpers of
:mod:`utils.checks.compare` (re-exported here). For a module, wrap the reader's code in a function that builds
and runs it, so that errors in their code are reported as theirs::

    def check_conv_bn(make_block):  # the reader writes make_block(c_in, c_out, stride) -> nn.Module
        @functools.wraps(make_block)  # the report names their function
        def run(c_in, c_out, stride):
            block = to_module(make_block(c_in, c_out, stride))
            return tuple(module_output(block, torch.randn(2, c_in, 8, 8)).shape), count_params(block)
        return run_cases(run, [
            Case("stride 2 halves the map", (16, 32, 2), ((2, 32, 4, 4), 16 * 32 * 9 + 2 * 32),
                 "a 3x3 conv with stride 2 and padding 1, no bias (the BatchNorm has one), then BatchNorm2d."),
        ], compare=lambda got, case: expect_equal(got, case.expected))

Every call and every comparison runs inside the guard, under a time limit of ``seconds`` per case, so a checker
never shows a traceback and never hangs. The report says, per case, ``ok``, ``FAIL`` (what differs, and the hint)
or ``ERROR`` (the exception or the time-out, and the hint), in at most six lines. A function that still raises
``NotImplementedError`` gets a friendly "not implemented yet", so an exercise cell runs as shipped.
"""

import contextlib
import copy
import signal
import threading
import time
from dataclasses import dataclass, field

# The comparison helpers live in compare.py; they are re-exported here so that a checker imports from one place.
from utils.checks.compare import (  # noqa: F401
    FORGOT_RETURN, Mismatch, copy_weights, count_params, expect_close, expect_equal, expect_params, expect_shape,
    module_output, show, to_array, to_module, to_number, to_parts)

#: Seconds one case may run before it is reported as an endless loop (``run_cases(..., seconds=...)``).
SECONDS = 5.0
#: After this many time-outs the remaining cases are skipped (a loop that never ends would cost 5 s per case).
MAX_TIMEOUTS = 2


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
        except NotImplementedError as exc:
            if not report.results:  # the stub as shipped
                report.not_implemented = True
                return report
            result = CaseResult(case, "ERROR", error=_short(f"NotImplementedError: {exc}".rstrip(": "), lines=1))
        timeouts += result.message.startswith("did not finish")
        report.results.append(result)
    if timeouts >= MAX_TIMEOUTS and report.results[-1].status == "skip":
        report.notes.append(f"the cases marked skip did not run: {MAX_TIMEOUTS} cases had already timed out.")
    return report


def _run_case(fn, case, compare, seconds):
    args, got, returned = _fresh(case.args), None, False  # a fresh copy: in-place edits must not leak into the next case
    try:
        with time_limit(seconds):
            got = fn(*args)
            returned = True
            verdict = compare(got, case)
    except _TimeUp:
        return CaseResult(case, "ERROR", got, message=f"did not finish within {seconds:g} s: an endless loop?")
    except Mismatch as exc:
        return CaseResult(case, "FAIL", got, message=_short(str(exc)))
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader's bug is the finding
        if returned and got is None:  # a comparison that tripped over None: say why
            return CaseResult(case, "FAIL", got, message=FORGOT_RETURN)
        return CaseResult(case, "ERROR", got, error=_short(f"{type(exc).__name__}: {exc}".rstrip(": "), lines=1))
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
    if previous is None:  # a handler installed outside Python: restore the default one
        previous = signal.SIG_DFL
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
