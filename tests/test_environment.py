"""pyproject.toml, constraints.txt and environment.yml describe the same set of packages."""

import pathlib
import re
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def name_of(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {name_of(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {name_of(r) for r in extra}
    return names


def constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name_of(name)] = version
    return pins


def environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if "==" in item:
                    name, version = item.split("==")
                    pins[name_of(name)] = version
        elif "=" in dep:
            name, version = dep.split("=", 1)
            pins[name_of(name)] = version
    return env, pins


def test_every_direct_dependency_is_pinned_in_constraints():
    assert pyproject_packages() == set(constraints())


def test_torch_is_pinned_to_the_cpu_tested_version():
    assert constraints()["torch"] == "2.13.0"


def test_environment_yml_lists_the_same_packages_and_versions():
    env, pins = environment()
    pins.pop("python")
    assert pins == constraints()
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section[-1].startswith("-e ."), "the project itself is installed in editable mode"


def test_requires_python_is_the_tested_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env, pins = environment()
    assert project["requires-python"] == f">={pins['python']}"
