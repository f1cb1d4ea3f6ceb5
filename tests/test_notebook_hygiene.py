"""Every notebook is what a reader should get: a clean top-to-bottom run, no errors or warnings, no machine
paths, the course's anatomy (questions, widget, exercise), and a modest size."""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MACHINE_PATH = re.compile(r"(/root/|/home/\w+|/tmp/|/Users/\w+|/private/var/|/work/|C:\\\\Users|site-packages)")
MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-f]{6,}")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def output_text(output):
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    data = output.get("data", {})
    return "".join(data.get("text/plain", "")) + "".join(data.get("text/html", "")) + "".join(data.get("text/markdown", ""))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, load(request.param)


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_executed_top_to_bottom_in_order(notebook):
    path, nb = notebook
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run it with `make notebooks` (got {counts})"


def test_no_errors_warnings_paths_or_addresses(notebook):
    path, nb = notebook
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{path.name} cell {index}: {output.get('ename')}"
            text = output_text(output)
            if output["output_type"] == "stream" and output["name"] == "stderr":
                raise AssertionError(f"{path.name} cell {index} writes to stderr: {text[:200]!r}")
            assert "Warning" not in text, f"{path.name} cell {index}: {text[:200]!r}"
            assert not MACHINE_PATH.search(text), f"{path.name} cell {index}: machine path in {text[:200]!r}"
            assert not MEMORY_ADDRESS.search(text), f"{path.name} cell {index}: memory address"


def test_anatomy(notebook):
    path, nb = notebook
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# "), "title first"
    text = markdown(nb)
    assert re.search(r"^## Interview questions", text, re.MULTILINE), f"{path.name}: no Interview questions section"
    section = text.split("## Interview questions", 1)[1]
    # "**Q [core]: ...**" and "**Follow-up [deep]: ...**" (the level is optional in the old format "**Q: ...**")
    questions = re.findall(r"^\*\*(?:Q|Follow-up)(?: \[(?:warm-up|core|deep)\])?: ", section, re.MULTILINE)
    assert len(questions) >= 6, f"{path.name}: {len(questions)} interview questions, want at least 6"
    assert section.count("<details>") >= len(questions), f"{path.name}: fold every answer in <details>"
    assert re.search(r"^## Exercise", text, re.MULTILINE), f"{path.name}: no Exercise section"
    source = "\n".join("".join(c["source"]) for c in code_cells(nb))
    assert "show_source(" in source, f"{path.name}: show the real code from utils with show_source"
    assert re.search(r"\bcheck_\w+\(", source), f"{path.name}: the exercise needs a checker from utils.checks"


def test_has_a_live_widget(notebook):
    path, nb = notebook
    widget_outputs = [
        o for c in code_cells(nb) for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widget_outputs, f"{path.name}: no ipywidgets output"


def test_size(notebook):
    path, _ = notebook
    assert path.stat().st_size < 2_000_000, f"{path.name} is {path.stat().st_size / 1e6:.1f} MB"
