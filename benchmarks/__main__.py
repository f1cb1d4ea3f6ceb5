"""Run every ``benchmarks/bench_*.py`` and exit non-zero if a target is missed."""

import importlib
import pathlib
import sys

ok = True
for path in sorted(pathlib.Path(__file__).parent.glob("bench_*.py")):
    print(f"== {path.stem}")
    result = importlib.import_module(f"benchmarks.{path.stem}").main()
    ok &= result is not False
sys.exit(0 if ok else 1)
