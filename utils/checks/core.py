"""The exercise checker pattern: run the reader's function on named edge cases, say what is wrong.

A checker is a list of :class:`Case` objects and a call to :func:`run_cases`. The result is a
:class:`CheckReport`; a notebook cell that ends with it shows, for each case, ``ok``, ``FAIL``
(expected vs got, and a hint) or ``ERROR`` (the exception, and a hint). A function that still raises
``NotImplementedError`` gets a friendly "not implemented yet" instead of a traceback, so an exercise
cell runs as shipped.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Case:
    """One named edge case: call ``fn(*args)`` and compare with ``expected``."""

    name: str
    args: tuple
    expected: object
    hint: str = ""
    atol: float = 1e-6


@dataclass
class CaseResult:
    case: Case
    status: str  # "ok", "FAIL" or "ERROR"
    got: object = None
    error: str = ""


@dataclass
class CheckReport:
    """What a checker found. ``passed`` is True when every case is ``ok``."""

    function: str
    results: list = field(default_factory=list)
    not_implemented: bool = False

    @property
    def passed(self):
        return not self.not_implemented and all(r.status == "ok" for r in self.results)

    @property
    def failures(self):
        """Names of the cases that did not pass."""
        return [r.case.name for r in self.results if r.status != "ok"]

    def __str__(self):
        if self.not_implemented:
            return f"{self.function}: not implemented yet. Write the body, then run this cell again."
        ok = sum(r.status == "ok" for r in self.results)
        lines = [f"{self.function}: {ok} of {len(self.results)} cases pass" + ("  -- well done!" if self.passed else "")]
        for r in self.results:
            lines.append(f"  {r.status:<5} {r.case.name}")
            if r.status == "FAIL":
                lines.append(f"        expected {_show(r.case.expected)}, got {_show(r.got)}")
            elif r.status == "ERROR":
                lines.append(f"        raised {r.error}")
            if r.status != "ok" and r.case.hint:
                lines.append(f"        hint: {r.case.hint}")
        return "\n".join(lines)

    __repr__ = __str__


def _show(value):
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4f}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, suppress_small=True)
    return repr(value)


def _close(got, expected, atol):
    try:
        got = np.asarray(got, dtype=float)
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected, atol=atol, rtol=0, equal_nan=False))


def run_cases(fn, cases, compare=None):
    """Run ``fn`` on every case and return a :class:`CheckReport`.

    ``compare(got, case) -> bool`` overrides the default check (numbers equal within ``case.atol``).
    """
    compare = compare or (lambda got, case: _close(got, case.expected, case.atol))
    report = CheckReport(getattr(fn, "__name__", "your function"))
    for case in cases:
        try:
            got = fn(*case.args)
        except NotImplementedError:
            report.not_implemented = True
            return report
        except Exception as exc:  # noqa: BLE001 - the reader's bug is the finding
            report.results.append(CaseResult(case, "ERROR", error=f"{type(exc).__name__}: {exc}"))
            continue
        report.results.append(CaseResult(case, "ok" if compare(got, case) else "FAIL", got=got))
    return report
