"""The course layer stays in step with the notebooks: question bank (Markdown and JSON), errata, glossary, syllabus,
README and slides, in English and in Chinese (course/zh/, README.zh-CN.md, notebooks/zh/). Generated files must be
current (`python course/build.py check`); every link must resolve; the Chinese notebooks must be in step with their
English sources (`python course/build.py i18n --check`)."""

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
i18n = build._i18n()
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


COURSE_DOCS = sorted(COURSE.glob("*.md")) + [COURSE / "questions.json"] + sorted((COURSE / "zh").glob("*.md")) + [
    COURSE / "zh" / "questions.json", ROOT / "README.md", ROOT / "README.zh-CN.md"]


@pytest.mark.parametrize("doc", COURSE_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_course_links_point_to_existing_files_and_headings(doc):
    text = doc.read_text(encoding="utf-8")
    if doc.name == "README.zh-CN.md":  # it lists every Chinese notebook; those not generated yet are i18n's concern
        text = re.sub(r"\]\(notebooks/zh/(\d\d_\w+)\.ipynb\)", lambda m: m.group(0) if (
            ROOT / "notebooks" / "zh" / f"{m.group(1)}.ipynb").exists() else "]()", text)
    if doc.suffix == ".json":
        text = "".join(f"]({t})" for t in re.findall(r'"((?:\.\./)+notebooks/[^"]+)"', text)) + text
    ids = set(re.findall(r'id="([^"]+)"', text))
    problems = []
    for target in set(build.link_targets(text)):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, fragment = target.partition("#")
        if not target:
            continue
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


# --- the Chinese edition ----------------------------------------------------------------------------------------------

def test_every_translated_notebook_is_in_step_with_its_english_source():
    """Every notebook with a catalog: no missing or stale cell, no unknown cell, the generated notebook current
    (`python course/build.py i18n --check`, for the catalogs that exist)."""
    problems = i18n.check(require_all=False)
    assert not problems, "\n".join(problems) + "\nrun `python course/build.py i18n --todo NN`, translate, then `i18n`"


def test_every_english_notebook_has_a_chinese_edition_in_step():
    """`python course/build.py i18n --check`: every English notebook has a catalog and a current Chinese edition."""
    problems = i18n.check(require_all=True)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def banks():
    return build.parse_bank("en"), build.parse_bank("zh")


def test_the_chinese_bank_pairs_every_question_with_its_english_original(banks):
    en, zh = banks
    assert [t["notebook"] for t in zh["topics"]] == [t["notebook"] for t in en["topics"]]
    assert all(t["aligned"] for t in zh["topics"]), [t["notebook"] for t in zh["topics"] if not t["aligned"]]
    for key in ("id", "parent", "kind", "level", "notebook"):
        assert [q[key] for q in zh["questions"]] == [q[key] for q in en["questions"]], key
    for t in zh["topics"]:
        assert t["topic_en"] == build.TOPICS[t["notebook"][:-6]] and t["topic"] == build.TOPICS_ZH[t["notebook"][:-6]]
        assert t["translated"] == (ROOT / "notebooks" / "zh" / t["notebook"]).exists()
        assert t["link"] == (f"../../notebooks/zh/{t['notebook']}" if t["translated"] else f"../../notebooks/{t['notebook']}")
    translated = {t["notebook"] for t in zh["topics"] if t["translated"]}
    for q in zh["questions"]:
        if q["notebook"] in translated:
            assert re.search(r"[\u4e00-\u9fff]", q["question"]) and q["answer"], q["id"]
            assert q["section"].startswith(f"../../notebooks/zh/{q['notebook']}") or "notebooks/" in q["section"], q["id"]


def test_the_chinese_markers_are_parsed(tmp_path):
    text = ("## 面试问题\n\n**问 [核心]：为什么？**\n<details><summary>答案</summary>\n\n因为。证据：[§ 3](#3.-证明)。\n</details>\n\n"
            "**追问 [深入]： 还有呢？** \n<details><summary>答案</summary>\n\n没有了。\n</details>\n\n**问：旧格式？**\n\n"
            "### 纠正原文\n\n- **原文：** 「错的」。**结论：** 部分错误。理由。**证据：** [§ 3](#3.-证明)。\n"
            "- **原文：**「对的」。**结论：**正确。\n\n## 练习：写出来\n\n写。\n")
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# 标题\n\n## 3. 证明\n"},
                    {"cell_type": "markdown", "id": "b", "metadata": {}, "source": text}]}
    path = ROOT / "notebooks" / "zh" / "99_x.ipynb"
    records = build.parse_questions(path, nb, COURSE / "zh", "zh")
    assert [(r["kind"], r["level"], r["level_given"], r["question"]) for r in records] == [
        ("question", "core", True, "为什么？"), ("follow-up", "deep", True, "还有呢？"), ("question", "core", False, "旧格式？")]
    assert records[1]["parent"] == records[0]["id"] and records[0]["answer"].startswith("因为")
    assert records[0]["section"] == "../../notebooks/zh/99_x.ipynb#3.-证明"
    assert build.exercise_link(path, nb, COURSE / "zh") == "../../notebooks/zh/99_x.ipynb#练习：写出来"
    entries = build.graded_errata(build.seed_corrections(nb))
    assert [(e["seed"], build.verdict_class(e["verdict"])) for e in entries] == [("「错的」。", "partly wrong"),
                                                                              ("「对的」。", "right")]
    assert entries[0]["evidence"] == "[§ 3](#3.-证明)。" and build.seed_anchor(nb) == "纠正原文"


def test_the_chinese_errata_grade_the_same_claims_as_the_english():
    """Each Chinese verdict starts with the fixed word of its English one (错误, 部分错误, 部分正确, 含糊, 正确)."""
    en, zh = build.parse_errata("en"), build.parse_errata("zh")
    assert [p.name for p, *_ in zh] == [p.name for p, *_ in en]
    for (path, _, a, _), (_, _, b, _) in zip(en, zh):
        assert [build.verdict_class(e["verdict"]) for e in b] == [build.verdict_class(e["verdict"]) for e in a], path.name
        for entry in b:
            assert re.findall(r"「[^」]+」", entry["seed"]), f"{path.name}: the seed is not quoted: {entry['seed']!r}"
            assert any(build.is_notebook_link(t) for t in build.link_targets(entry["evidence"])), path.name


def test_the_chinese_json_twin_holds_what_the_chinese_bank_shows():
    bank = json.loads((COURSE / "zh" / "questions.json").read_text(encoding="utf-8"))
    markdown = (COURSE / "zh" / "questions.md").read_text(encoding="utf-8")
    assert re.findall(r'^<a id="([^"]+/[^"]+)"></a>$', markdown, re.MULTILINE) == [r["id"] for r in bank["questions"]]
    names = build.LEVEL_NAMES["zh"]
    for r in bank["questions"]:
        kind = "追问" if r["kind"] == "follow-up" else "问"
        header = f"**{'↳ ' if r['parent'] else ''}{kind} [{names[r['level']]}] [{r['topic']}]：{r['question']}**"
        block = markdown.split(f'<a id="{r["id"]}"></a>\n', 1)[1].split("</details>", 1)[0]
        assert block.startswith(header + "\n") and "<summary>答案</summary>" in block, r["id"]
        assert r["answer"] in block, r["id"]


def test_the_chinese_syllabus_has_the_english_plan_and_links_the_chinese_notebooks():
    en, zh = read("syllabus.md"), (COURSE / "zh" / "syllabus.md").read_text(encoding="utf-8")
    # the same plan: sessions, the notebooks of each row and the minutes (numbers are never translated)
    row = r"^\| [^|]+ \| (\d\d_\w+|) \| (\d+) \|"
    assert re.findall(row, zh, re.MULTILINE) == re.findall(row, en, re.MULTILINE)
    assert len(re.findall(r"^### ", zh, re.MULTILINE)) == len(re.findall(r"^### ", en, re.MULTILINE))
    for stem in re.findall(r"\]\(\.\./\.\./notebooks/(?:zh/)?(\d\d_\w+)\.ipynb", zh):
        translated = (ROOT / "notebooks" / "zh" / f"{stem}.ipynb").exists()
        assert (f"../../notebooks/zh/{stem}.ipynb" in zh) == translated, stem
    assert build.TIMING_START in zh and "| 笔记本 | 讲授路径词数 |" in zh


def test_the_readmes_link_each_other_and_the_chinese_one_lists_every_notebook():
    en = (ROOT / "README.md").read_text(encoding="utf-8")
    zh = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "(README.zh-CN.md)" in en.splitlines()[0] and "(README.md)" in zh.splitlines()[0]
    for path in NOTEBOOKS:
        assert f"](notebooks/zh/{path.name})" in zh, f"{path.name} missing from README.zh-CN.md"
    assert "make lab" in zh and "make test" in zh and "notebooks/zh/" in zh and "make site" in zh


def test_the_chinese_anchors_follow_the_same_rule_as_the_english_ones():
    """course/i18n.py rewrites links to translated headings with the anchors course/build.py checks: one rule."""
    for heading in ["3b. The identity V(D*, G) = -log 4 + 2 JSD, computed both ways", "3. Proof: `box_iou` **fast**",
                    "Why divide by *sqrt(d_k)*?", "## 练习：在白板上写一个`BasicBlock`"]:
        assert i18n.anchor(heading) == build.anchor(heading), heading
