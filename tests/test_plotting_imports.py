"""No import-order dependence in ``utils.plotting`` and ``utils.widgets``.

Each submodule is imported first, in a fresh interpreter of its own, so a module that only works because another
one happened to be imported before it fails here. The topic modules of ``utils.plotting`` take what they share from
``utils.plotting.core``, never from the package that re-exports them (the old cycle).
"""

import ast
import concurrent.futures
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _submodules(package):
    folder = ROOT / "utils" / package
    return sorted(f"utils.{package}.{p.stem}" for p in folder.glob("*.py") if p.stem != "__init__")


MODULES = _submodules("plotting") + _submodules("widgets")


def _import_alone(module):
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def import_results():
    # two at a time: each interpreter spends most of its time importing torch and matplotlib on one core
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(MODULES, pool.map(_import_alone, MODULES)))


@pytest.mark.parametrize("module", MODULES)
def test_submodule_imports_first_in_a_fresh_interpreter(import_results, module):
    result = import_results[module]
    assert result.returncode == 0, f"import {module} alone failed:\n{result.stderr[-2000:]}"


@pytest.mark.parametrize("module", [m for m in _submodules("plotting") if not m.endswith(".core")])
def test_topic_modules_import_shared_names_from_core(module):
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    from_package = [node.lineno for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module == "utils.plotting"]
    assert not from_package, f"{module} imports from the utils.plotting package (use utils.plotting.core): lines {from_package}"


def test_package_reexports_core_and_topic_names():
    import utils.plotting as P
    from utils.plotting import core

    for name in ("COLORS", "CYCLE", "STYLE", "use_course_style", "image_axes", "draw_boxes", "show_image", "subplots"):
        assert getattr(P, name) is getattr(core, name)
    for name in ("draw_iou_pair", "draw_gan_1d", "draw_pr_curve", "draw_size_clusters", "draw_receptive_field",
                 "draw_nms_result"):
        assert callable(getattr(P, name))
