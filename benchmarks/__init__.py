"""Speed ratios against reference implementations, measured in the same run (``make bench``).

Each ``bench_<topic>.py`` module defines ``main()`` which prints lines of the form
``<what>: ours X ms, reference Y ms, ratio R (target >= T) OK|MISS``. Absolute times vary between
machines; the ratio is what a target is stated in.
"""

import statistics
import time


def median_time(fn, *args, repeat=15, warmup=2):
    """Median wall time of ``fn(*args)`` in seconds over ``repeat`` runs (after ``warmup`` runs)."""
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(what, ours, reference, target):
    """Print one benchmark line: ``ours`` and ``reference`` in seconds, ``target`` the minimum speed-up."""
    ratio = reference / ours
    status = "OK" if ratio >= target else "MISS"
    print(f"{what}: ours {ours * 1e3:.2f} ms, reference {reference * 1e3:.2f} ms, "
          f"speed-up {ratio:.1f}x (target >= {target}x) {status}")
    return ratio >= target
