"""Every public function of the compute modules is covered by the robustness contract (see contract.py)."""

import importlib
import pathlib

from robustness.contract import public_functions

HERE = pathlib.Path(__file__).parent


def covered():
    names = set()
    for path in sorted(HERE.glob("test_*.py")):
        if path.stem == "test_coverage":
            continue
        module = importlib.import_module(f"robustness.{path.stem}")
        names |= set(getattr(module, "COVERS", ()))
    return names


def test_every_public_function_is_covered():
    missing = sorted(public_functions() - covered())
    assert not missing, "public functions no robustness test covers (add them to a COVERS list): " + ", ".join(missing)


def test_covers_name_real_functions():
    unknown = sorted(covered() - public_functions())
    assert not unknown, "COVERS names that are not public functions of a compute module: " + ", ".join(unknown)
