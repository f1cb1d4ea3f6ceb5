"""The course layer stays in step with the notebooks: question bank, syllabus, README, errata, glossary."""

import importlib.util
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("course_build", ROOT / "course" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)
NOTEBOOKS = build.notebooks()


def test_question_bank_is_generated_from_the_current_notebooks():
    assert (ROOT / "course" / "questions.md").read_text(encoding="utf-8") == build.render_questions(), (
        "run `python course/build.py questions`"
    )


def test_errata_are_generated_from_the_current_notebooks():
    assert (ROOT / "course" / "errata.md").read_text(encoding="utf-8") == build.render_errata(), (
        "run `python course/build.py errata`"
    )


def test_every_notebook_corrects_the_seed():
    for path in NOTEBOOKS:
        assert build.seed_corrections(build.load(path)), f"{path.name}: no '### Correcting the seed' subsection"


def test_every_question_in_a_notebook_is_parsed_into_the_bank():
    for path in NOTEBOOKS:
        nb = build.load(path)
        written = len(re.findall(r"^\*\*Q: ", build.interview_section(nb), re.MULTILINE))
        assert len(build.questions(nb)) == written, f"{path.name}: a question without a folded answer?"


def test_syllabus_covers_all_23_seed_questions_and_every_notebook():
    syllabus = (ROOT / "course" / "syllabus.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \|.*\]\(\.\./notebooks/", syllabus, re.MULTILINE)  # the question table
    assert [int(r) for r in rows] == list(range(1, 24))
    for path in NOTEBOOKS:
        assert path.stem in syllabus, f"{path.name} missing from the syllabus"


def test_syllabus_status_matches_the_notebooks_on_disk():
    syllabus = (ROOT / "course" / "syllabus.md").read_text(encoding="utf-8")
    for number, target, status in re.findall(r"^\| (\d+) \|.*?\]\(\.\./notebooks/([^)]+)\) \| (\w+) \|$", syllabus, re.MULTILINE):
        exists = (ROOT / "notebooks" / target).exists()
        assert status == ("done" if exists else "planned"), f"seed question {number}: status {status}, notebook exists: {exists}"


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"{path.name} missing from the README table"


def test_course_links_point_to_existing_files():
    for doc in (ROOT / "course").glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if target.startswith("http"):
                continue
            assert (doc.parent / target).resolve().exists(), f"{doc.name} links to missing {target}"


def test_slides_are_marked_in_every_notebook():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        kinds = [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in cells]
        assert kinds[0] == "slide" and None not in kinds, f"{path.name}: run `python course/build.py slide-metadata`"
