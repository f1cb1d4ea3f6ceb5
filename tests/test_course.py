"""The course layer stays in step with the notebooks: question bank (Markdown and JSON), errata, glossary, syllabus,
README and slides. Generated files must be current (`python course/build.py check`); every link must resolve."""

import importlib.util
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
COURSE = ROOT / "course"
spec = importlib.util.spec_from_file_location("course_build", COURSE / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)
NOTEBOOKS = build.notebooks()
SEED_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem != "20_mock_interview"]  # the topics of the seed's 23 questions


def read(name):
    return (COURSE / name).read_text(encoding="utf-8")


# --- generated files --------------------------------------------------------------------------------------------------

def test_generated_course_files_are_current():
    stale = [str(target.relative_to(ROOT)) for files in build.generated().values() for target, text in files
             if not target.exists() or target.read_text(encoding="utf-8") != text]
    assert not stale, f"out of date: {stale}; run `python course/build.py questions|errata|syllabus`"
    assert build.main(["build.py", "check"]) == 0


# --- the question bank ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bank():
    return json.loads(read("questions.json"))


def test_the_bank_has_enough_questions_with_levels_and_topics(bank):
    records = bank["questions"]
    assert len(records) >= 200, f"{len(records)} questions and follow-ups, the target is 200"
    assert sum(r["kind"] == "follow-up" for r in records) >= 60
    for level in build.LEVELS:
        assert sum(r["level"] == level for r in records) >= 15, f"too few {level} questions"
    for r in records:
        assert r["level"] in build.LEVELS and r["topic"] and r["question"], r["id"]
        assert r["id"] == f"{r['notebook'][:-6]}/{build.slug(r['question'])}" or re.match(
            rf"{re.escape(r['notebook'][:-6])}/{re.escape(build.slug(r['question']))}-\d+$", r["id"]), r["id"]
    for path in SEED_NOTEBOOKS:
        assert sum(r["notebook"] == path.name for r in records) >= 6, f"{path.name}: fewer than 6 questions"


def test_follow_ups_come_right_after_their_question(bank):
    records = bank["questions"]
    for i, r in enumerate(records):
        if r["parent"]:
            j = next(k for k, q in enumerate(records) if q["id"] == r["parent"])
            assert j < i and all(q["parent"] == r["parent"] for q in records[j + 1:i]), r["id"]
            assert r["kind"] == "follow-up"


def test_every_graded_question_in_a_notebook_is_in_the_bank_with_its_answer(bank):
    for path in NOTEBOOKS:
        section = build.interview_section(build.load(path)).split("### Correcting the seed")[0]
        headers = re.findall(r"^\*\*(?:Q|Follow-up) \[(?:warm-up|core|deep)\]: (.+?)\*\*\s*$", section, re.MULTILINE)
        parsed = {r["question"]: r for r in bank["questions"] if r["notebook"] == path.name}
        for question in headers:
            assert question in parsed, f"{path.name}: {question!r} missing from the bank"
            assert parsed[question]["answer"], f"{path.name}: {question!r} has no folded answer"


def test_the_json_twin_holds_what_the_markdown_bank_shows(bank):
    markdown = read("questions.md")
    assert re.findall(r'^<a id="([^"]+/[^"]+)"></a>$', markdown, re.MULTILINE) == [r["id"] for r in bank["questions"]]
    for r in bank["questions"]:
        kind = "Follow-up" if r["kind"] == "follow-up" else "Q"
        header = f"**{'↳ ' if r['parent'] else ''}{kind} [{r['level']}] [{r['topic']}]: {r['question']}**"
        block = markdown.split(f'<a id="{r["id"]}"></a>\n', 1)[1].split("</details>", 1)[0]
        assert block.startswith(header + "\n"), r["id"]
        assert r["answer"] in block, r["id"]
        assert r["section"] in block or r["section"] == f"../notebooks/{r['notebook']}", r["id"]
    assert [t["topic"] for t in bank["topics"]] == re.findall(r"^<a id=\"\d\d_\w+\"></a>Topic \*\*(.+?)\*\*", markdown,
                                                              re.MULTILINE)


def test_every_topic_links_its_exercise(bank):
    for topic in bank["topics"]:
        exercise = topic["exercise"]
        assert exercise and exercise["link"] and exercise["checker"], f"{topic['notebook']}: no exercise found"


# --- links ------------------------------------------------------------------------------------------------------------

def headings_of(path):
    return build.anchors(build.load(path)) if path.suffix == ".ipynb" else set()


@pytest.mark.parametrize("doc", sorted(COURSE.glob("*.md")) + [COURSE / "questions.json"], ids=lambda p: p.name)
def test_course_links_point_to_existing_files_and_headings(doc):
    text = doc.read_text(encoding="utf-8")
    if doc.suffix == ".json":
        text = "".join(f"]({t})" for t in re.findall(r'"(\.\./notebooks/[^"]+)"', text)) + text
    ids = set(re.findall(r'id="([^"]+)"', text))
    problems = []
    for target in set(build.link_targets(text)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, fragment = target.partition("#")
        if not file:
            if fragment not in ids | {build.anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}:
                problems.append(f"#{fragment} (in-page)")
            continue
        resolved = (doc.parent / file).resolve()
        if not resolved.exists():
            problems.append(f"{file}: no such file")
        elif fragment and fragment not in headings_of(resolved):
            problems.append(f"{file}#{fragment}: no such heading")
    assert not problems, f"{doc.name}: " + "; ".join(sorted(problems))


# --- errata -----------------------------------------------------------------------------------------------------------

def test_every_seed_notebook_corrects_the_seed():
    for path in SEED_NOTEBOOKS:
        assert build.seed_corrections(build.load(path)), f"{path.name}: no '### Correcting the seed' subsection"


def test_graded_errata_quote_translate_judge_and_link():
    count = 0
    for path, _, entries, _ in build.parse_errata():
        for entry in entries:
            count += 1
            quotes = re.findall(r"「([^」]+)」", entry["seed"])
            assert quotes, f"{path.name}: the seed is not quoted in 「」: {entry['seed']!r}"
            if any(re.search(r"[\u4e00-\u9fff]", q) for q in quotes):  # a quote of the seed's code needs none
                assert re.search(r"\(\"[^\"]+\"", entry["seed"]), f"{path.name}: no translation in {entry['seed']!r}"
            assert entry["verdict"], f"{path.name}: no verdict"
            assert any(t.startswith("../notebooks/") for t in build.link_targets(entry["evidence"])), path.name
    assert count > 0


def test_errata_have_no_dangling_colons():
    blocks = [b for b in re.split(r"\n\s*\n", read("errata.md")) if b.strip()]
    for block, following in zip(blocks, blocks[1:] + [""]):
        if block.rstrip().endswith(":"):
            assert re.match(r"\s*(```|- |\d+\. |\|)", following), f"a colon introduces nothing: {block[-120:]!r}"


# --- glossary ---------------------------------------------------------------------------------------------------------

REQUIRED_TERMS = ["转置卷积", "上采样", "最大池化", "有效感受野", "空洞卷积", "级联", "难例挖掘", "最优判别器", "非饱和损失",
                  "极小极大博弈", "KL散度", "条件生成对抗网络", "循环一致性损失", "感知损失", "利普希茨约束", "模式坍塌",
                  "模式崩溃"]


def glossary_rows():
    rows = []
    for line in read("glossary.md").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and not set(cells[0]) <= set("-: ") and cells[0] != "中文":
            rows.append(cells)
    return rows


def test_glossary_has_150_terms_each_with_chinese_english_definition_and_notebook():
    rows = glossary_rows()
    assert len(rows) >= 150, f"{len(rows)} terms"
    for chinese, english, definition, where in rows:
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"no Chinese in {chinese!r}"
        assert re.search(r"[A-Za-z]", english) and len(definition.split()) >= 4, (chinese, english)
        links = re.findall(r"\]\(\.\./notebooks/(\d\d_[\w]+\.ipynb)(?:#[^)]*)?\)", where)
        assert links, f"{chinese}: no notebook link"
        for name in links:
            assert (ROOT / "notebooks" / name).exists(), f"{chinese}: {name} does not exist"


def test_glossary_terms_are_unique_and_the_searched_ones_are_there():
    rows = glossary_rows()
    chinese = [term.strip() for row in rows for term in re.split(r"\s*/\s*", row[0])]
    english = [row[1].lower() for row in rows]
    assert len(chinese) == len(set(chinese)), sorted({t for t in chinese if chinese.count(t) > 1})
    assert len(english) == len(set(english)), sorted({t for t in english if english.count(t) > 1})
    for term in REQUIRED_TERMS:
        assert term in chinese, f"{term} missing from the glossary"


# --- syllabus ---------------------------------------------------------------------------------------------------------

def sessions():
    """``{number: [(part, notebook, minutes)]}`` from the timed plans, with each plan's stated total."""
    found = {}
    for match in re.finditer(r"^### Session (\d+):.*?$(.*?)(?=^### |^## |\Z)", read("syllabus.md"),
                             re.MULTILINE | re.DOTALL):
        rows = re.findall(r"^\| ([A-Z][\w ]+?) \| (\w*) \| (\d+) \|", match.group(2), re.MULTILINE)
        total = re.search(r"^\| \*\*Total\*\* \| \| \*\*(\d+)\*\* \|", match.group(2), re.MULTILINE)
        found[int(match.group(1))] = ([(p, nb, int(m)) for p, nb, m in rows], int(total.group(1)) if total else None)
    return found


def test_every_session_adds_up_to_90_minutes():
    plans = sessions()
    assert len(plans) >= 10
    for number, (rows, total) in plans.items():
        assert sum(m for _, _, m in rows) == 90 == total, f"session {number}: {sum(m for _, _, m in rows)} min"


def test_every_notebook_is_taught_with_all_five_parts_and_gans_have_their_own_session():
    plans = sessions()
    taught = {}
    for number, (rows, _) in plans.items():
        for part, nb, _ in rows:
            if nb:
                taught.setdefault(nb, set()).add(part)
    for path in NOTEBOOKS:
        assert taught.get(path.stem) == {"Lecture path", "Live demo", "Widget", "Exercise", "Questions to the class"}, (
            f"{path.stem}: parts {taught.get(path.stem)}")
    gans = [n for n, (rows, _) in plans.items() if any(nb == "18_gan_minmax" for _, nb, _ in rows)]
    assert {nb for _, nb, _ in plans[gans[0]][0] if nb} == {"18_gan_minmax", "19_classic_gans"}


def test_lecture_minutes_cover_what_the_notebooks_need():
    short = []
    for rows, _ in sessions().values():
        for part, nb, minutes in rows:
            if part == "Lecture path":
                need = build.lecture_minutes(build.load(ROOT / "notebooks" / f"{nb}.ipynb"))
                if minutes < need:
                    short.append(f"{nb}: {minutes} planned, {need} needed")
    assert not short, "; ".join(short)


def test_teacher_notes_name_widgets_and_checkers_the_notebooks_use():
    text = read("syllabus.md")
    for match in re.finditer(r"^### Session \d+:.*?$(.*?)(?=^### |^## |\Z)", text, re.MULTILINE | re.DOTALL):
        body = match.group(1)
        code = "\n".join(build.cell_source(c) for stem in set(re.findall(r"\| (\d\d_\w+) \|", body))
                         for c in build.load(ROOT / "notebooks" / f"{stem}.ipynb")["cells"] if c["cell_type"] == "code")
        for name in set(re.findall(r"`((?:check_|mock_interview)\w*|\w+_explorer)\b", body)):
            assert name in code, f"the syllabus names `{name}`, which its notebooks do not use"
        assert "Run live" in body and "Widget:" in body and "Ask:" in body


def test_syllabus_covers_all_23_seed_questions_and_every_notebook():
    syllabus = read("syllabus.md")
    table = syllabus.split("## The 23 seed questions", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \|.*\]\(\.\./notebooks/", table, re.MULTILINE)
    assert [int(r) for r in rows] == list(range(1, 24))
    plan = syllabus.split("## Lecture plan", 1)[1]
    for path in NOTEBOOKS:
        assert path.stem in plan, f"{path.name} missing from the lecture plan"


def test_syllabus_status_matches_the_notebooks_on_disk():
    syllabus = read("syllabus.md")
    for number, target, status in re.findall(r"^\| (\d+) \|.*?\]\(\.\./notebooks/([^)]+)\) \| (\w+) \|$", syllabus,
                                             re.MULTILINE):
        exists = (ROOT / "notebooks" / target).exists()
        assert status == ("done" if exists else "planned"), f"seed question {number}: status {status}, exists: {exists}"


# --- README and slides ------------------------------------------------------------------------------------------------

def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, f"{path.name} missing from the README table"


def test_slides_are_marked_in_every_notebook():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        kinds = [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in cells]
        assert kinds[0] == "slide" and None not in kinds, f"{path.name}: run `python course/build.py slide-metadata`"
