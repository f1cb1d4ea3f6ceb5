"""Generate the course files that come from the notebooks, so they never drift from them.

    python course/build.py questions        # course/questions.md, its machine-readable twin course/questions.json
                                            # and the copy shipped in the package (one parse, one run)
    python course/build.py errata           # course/errata.md from every notebook's "Correcting the seed"
    python course/build.py syllabus         # the lecture-path timing table inside course/syllabus.md
    python course/build.py slide-metadata   # mark slides in every notebook (see course/slide_metadata.py)
    python course/build.py check            # fail if a generated file is out of date (run by the tests); warn
                                            # about notebooks still in the old question format
    python course/build.py i18n [--check]   # regenerate (or check) the Chinese notebooks (see course/i18n.py),
                                            # then the Chinese course pages in course/zh/
    python course/build.py syllabus --todo  # the blocks of the syllabus still to translate into Chinese
    python course/build.py questions --lang zh   # one edition only (questions, errata, syllabus; default: en zh)

The notebooks are the single source. A notebook's ``## Interview questions`` section holds, in order:

    **Q [core]: question?**              a question with its difficulty: warm-up, core or deep
    <details><summary>Answer</summary>   its answer, folded; links such as (#3.-Proof) point into the notebook
    ...
    </details>
    **Follow-up [deep]: question?**      a follow-up of the question above it, folded the same way

then ``### Correcting the seed``, one bullet per claim of the seed document:
``- **Seed:** 「quoted Chinese」 ("translation"). **Verdict:** ... **Evidence:** ...``.
Until every notebook is converted, the old forms are read too: ``**Q: ...**`` (no level: ``core`` is inferred),
a ``**Follow-ups an interviewer asks**`` list (``- *question?* answer`` or ``- question? (answer)``), and
free-text seed corrections.

The Chinese edition (``course/zh/``) is generated the same way from the Chinese notebooks (``notebooks/zh/``, made
by ``course/i18n.py``): ``questions.md`` and ``questions.json`` (with a copy in the package), ``errata.md`` and
``syllabus.md``. The parsers read the Chinese markers too (``## 面试问题``, ``**问 [核心]：...**``, ``**追问 [深入]：...**``,
``<summary>答案</summary>``, ``### 纠正原文`` with ``**原文：** ... **结论：** ... **证据：** ...``, ``## 练习``), and
a notebook not translated yet is read in English, so the Chinese pages are complete at every stage of the
translation. A Chinese question keeps the id of its English original (paired by position), so a learner's progress
in the mock interview carries over between the languages. The syllabus has no notebook to come from: its Chinese
text is a catalog, ``course/i18n/zh/syllabus.md``, keyed by the hash of each English block (a heading, a table row, a
list item or a paragraph); a block without a translation stays English.
"""

import importlib.util
import json
import math
import os
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COURSE = ROOT / "course"
QUESTIONS = ROOT / "course" / "questions.md"
QUESTIONS_JSON = ROOT / "course" / "questions.json"
# the same file inside the package, for `pip install` users of utils.interview (a test checks it equals the source)
PACKAGED_JSON = ROOT / "utils" / "data" / "reference" / "question_bank.json"
ERRATA = ROOT / "course" / "errata.md"
SYLLABUS = ROOT / "course" / "syllabus.md"
LEVELS = ("warm-up", "core", "deep")
LANGUAGES = ("en", "zh")
# The Chinese markers of the notebooks' fixed vocabulary (course/i18n.py's translators use exactly these).
LEVEL_NAMES = {"zh": {"warm-up": "入门", "core": "核心", "deep": "深入"}}
LEVEL_OF = {"入门": "warm-up", "核心": "core", "深入": "deep"}
# The short topic names of the bank (the README's "Topic" column); a notebook missing here uses its title.
TOPICS = {
    "00_model_map": "Classic models", "01_iou": "IoU", "02_nms": "NMS", "03_map": "AP and mAP",
    "04_anchor_kmeans": "Anchor k-means", "05_focal_loss": "Focal loss", "06_one_vs_two_stage": "Detector design",
    "07_small_objects": "Small objects", "08_residual_blocks": "ResNet", "09_resnext_grouped_conv": "ResNeXt",
    "10_depthwise_separable": "MobileNet", "11_efficientnet_scaling": "EfficientNet", "12_vit": "ViT",
    "13_repvgg": "RepVGG", "14_fpn": "FPN", "15_spp": "SPP", "16_unet": "U-Net", "17_face_detection": "Face detection",
    "18_gan_minmax": "GAN minimax", "19_classic_gans": "Classic GANs", "20_mock_interview": "Interview technique",
}
# The same topics in Chinese (terms as in course/glossary.md).
TOPICS_ZH = {
    "00_model_map": "经典模型", "01_iou": "交并比（IoU）", "02_nms": "非极大值抑制（NMS）", "03_map": "AP 与 mAP",
    "04_anchor_kmeans": "锚框聚类", "05_focal_loss": "焦点损失", "06_one_vs_two_stage": "检测器设计",
    "07_small_objects": "小目标检测", "08_residual_blocks": "ResNet", "09_resnext_grouped_conv": "ResNeXt",
    "10_depthwise_separable": "MobileNet", "11_efficientnet_scaling": "EfficientNet", "12_vit": "ViT",
    "13_repvgg": "RepVGG", "14_fpn": "FPN", "15_spp": "SPP", "16_unet": "U-Net", "17_face_detection": "人脸检测",
    "18_gan_minmax": "GAN 的极小极大博弈", "19_classic_gans": "经典 GAN", "20_mock_interview": "面试技巧",
}
WORDS_PER_MINUTE = 130       # a lecturer's speaking pace over the lecture path
MINUTES_PER_FIGURE = 1       # to show and explain one figure


# --- reading notebooks ------------------------------------------------------------------------------------------------

def notebooks(lang="en"):
    """The notebooks of an edition in file order. A notebook not translated yet is the English one."""
    english = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if lang == "en":
        return english
    return [NOTEBOOKS / lang / p.name if (NOTEBOOKS / lang / p.name).exists() else p for p in english]


def pages_dir(lang="en"):
    """Where an edition's course pages live: ``course/`` and ``course/zh/``."""
    return COURSE if lang == "en" else COURSE / lang


def page_link(path, page_dir=COURSE, fragment=""):
    """The link from a page in ``page_dir`` to the file ``path`` (``../notebooks/01_iou.ipynb``)."""
    return os.path.relpath(path, page_dir).replace(os.sep, "/") + (f"#{fragment}" if fragment else "")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def markdown_cells(nb):
    return [cell_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]


def title(nb):
    return markdown_cells(nb)[0].splitlines()[0].lstrip("# ").strip()


def topic(path, nb, lang="en"):
    return (TOPICS_ZH if lang == "zh" else TOPICS).get(path.stem, title(nb))


def headings(nb):
    """``[(level, text)]`` of every Markdown heading, outside fenced code."""
    found = []
    for text in markdown_cells(nb):
        fenced = False
        for line in text.splitlines():
            if line.startswith("```"):
                fenced = not fenced
            match = None if fenced else re.match(r"^(#{1,6}) +(.+?)\s*#*\s*$", line)
            if match:
                found.append((len(match.group(1)), match.group(2)))
    return found


def anchor(heading):
    """JupyterLab's anchor of a heading: its rendered text with spaces replaced by ``-`` (punctuation kept).

    ``## 3. Proof: `box_iou` against a loop`` -> ``3.-Proof:-box_iou-against-a-loop``.
    """
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", heading)           # images render no text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)           # links: their text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")            # HTML tags and code marks
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?![\s*])(.+?)(?<![\s*])[*_](?![\w*])", r"\1", text)
    return text.strip().replace(" ", "-")


def anchors(nb):
    return {anchor(text) for _, text in headings(nb)}


def section_text(nb, heading_pattern, level=2):
    """The Markdown from the first heading matching ``heading_pattern`` to the next heading of ``level`` or above."""
    text = "\n\n".join(markdown_cells(nb))
    match = re.search(rf"^#{{{level}}} {heading_pattern}[^\n]*$(.*?)(?=^#{{1,{level}}} |\Z)", text,
                      re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def interview_section(nb):
    """The text from '## Interview questions' (``## 面试问题``) to the next level-2 heading."""
    return section_text(nb, r"(?:Interview questions|面试问题)\s*$")


SEED_HEADING = r"^### (?:Correcting the seed|纠正原文)"


# A link target may hold one level of parentheses: (#Why-the-scores-are-divided-by-sqrt(d_k))
LINK = re.compile(r"\]\(((?:[^()\s]|\([^()\s]*\))+)\)")


CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)   # code is never a link: `blocks[i](x)`


def outside_code(markdown, rewrite):
    """``markdown`` with ``rewrite`` applied to the text outside code spans and fenced blocks."""
    parts = CODE.split(markdown)
    return "".join(rewrite(part) if i % 2 == 0 else part for i, part in enumerate(parts))


def course_links(markdown, path, page_dir=COURSE):
    """Rewrite the relative links of notebook ``path`` so they work from a page in ``page_dir``: from ``course/``,
    ``#anchor`` becomes ``../notebooks/NN_x.ipynb#anchor`` and ``12_vit.ipynb`` becomes ``../notebooks/12_vit.ipynb``;
    from ``course/zh/``, a Chinese notebook's ``#anchor`` becomes ``../../notebooks/zh/NN_x.ipynb#anchor``. A link to a
    sibling notebook that is not translated yet goes to the English one."""
    def rewrite(match):
        target = match.group(1)
        if re.match(r"^([a-z]+:|/)", target):
            return match.group(0)
        if page_dir == COURSE and path.parent == NOTEBOOKS and target.startswith("../"):
            return match.group(0)  # already right from course/, which is beside notebooks/
        file, _, fragment = target.partition("#")
        dest = path.parent / file if file else path
        if file and re.match(r"^\d\d_[\w-]+\.ipynb$", file) and not dest.exists():
            dest = NOTEBOOKS / file
        return f"]({page_link(dest, page_dir, fragment)})"

    return outside_code(markdown, lambda text: LINK.sub(rewrite, text))


def is_notebook_link(target):
    return ".ipynb" in target and "notebooks/" in target


def link_targets(markdown):
    """The targets of the Markdown links in ``markdown`` (outside code)."""
    found = []
    outside_code(markdown, lambda text: found.extend(LINK.findall(text)) or text)
    return found


# --- the question bank ------------------------------------------------------------------------------------------------

# English and Chinese: **Q [core]: ...** / **问 [核心]：...**, **Follow-up [deep]: ...** / **追问 [深入]：...**
HEADER = re.compile(r"^\*\*(?P<kind>Q|Follow-up|问|追问)(?: ?\[(?P<level>[^\]]+)\])?(?:: |：\s*)(?P<q>.+?)\*\*[ \t]*$",
                    re.MULTILINE)
ANSWER = re.compile(r"\s*<details><summary>(?:Answer|答案)</summary>(?P<a>.*?)</details>", re.DOTALL)
QUESTION_KINDS = {"Q": "question", "问": "question", "Follow-up": "follow-up", "追问": "follow-up"}
OLD_FOLLOW_UPS = re.compile(r"^\*\*Follow-ups an interviewer asks\*\*\s*$", re.MULTILINE)


def slug(text, width=60):
    """A stable, readable id from a question: lowercase ASCII words joined by ``-``, cut at a word."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(words) > width:
        words = words[:width].rsplit("-", 1)[0]
    return words or "question"


def old_follow_ups(block):
    """``[(question, answer)]`` from the bullets of an old ``**Follow-ups an interviewer asks**`` list:
    ``- *question?* answer`` or ``- question? (answer)``; a bullet in neither form is a question without answer."""
    bullets = re.split(r"^- ", block.split("\n\n")[0].strip(), flags=re.MULTILINE)
    found = []
    for bullet in filter(None, (" ".join(line.strip() for line in b.splitlines()).strip() for b in bullets)):
        match = re.match(r"^\*(?!\*)(?P<q>.+?)\*\s*(?P<a>.*)$", bullet)
        if not match:
            match = re.match(r"^(?P<q>[^(]+?\?)\s*\((?P<a>.*)\)\.?$", bullet)
        found.append((match.group("q").strip(), match.group("a").strip()) if match else (bullet, ""))
    return found


def parse_questions(path, nb, page_dir=COURSE, lang="en"):
    """Every question and follow-up of one notebook, in order, as dicts (the records of ``questions.json``); links
    as seen from ``page_dir``."""
    section = interview_section(nb)
    section = re.split(SEED_HEADING, section, flags=re.MULTILINE)[0]
    items = []  # (position, kind, level, question, answer)
    for match in HEADER.finditer(section):
        answer = ANSWER.match(section, match.end())
        items.append((match.start(), match.group("kind"), match.group("level"), match.group("q").strip(),
                      answer.group("a").strip() if answer else None))
    for match in OLD_FOLLOW_UPS.finditer(section):
        for q, a in old_follow_ups(section[match.end():]):
            items.append((match.start(), "old follow-up", None, q, a))
    items.sort(key=lambda item: item[0])

    exercise = exercise_link(path, nb, page_dir)
    records, parent, seen = [], None, set()
    for _, kind, level, question, answer in items:
        kind = QUESTION_KINDS.get(kind, kind)
        base = f"{path.stem}/{slug(question)}"
        qid, n = base, 2
        while qid in seen:
            qid, n = f"{base}-{n}", n + 1
        seen.add(qid)
        answer = course_links(answer or "", path, page_dir)
        evidence = [t for t in link_targets(answer) if is_notebook_link(t)]
        given = (level or "").strip()
        given = LEVEL_OF.get(given, given.lower().replace(" ", "-"))
        records.append({
            "id": qid, "topic": topic(path, nb, lang), "notebook": path.name,
            "section": evidence[0] if evidence else page_link(path, page_dir),
            "level": given if given else "core", "level_given": bool(given),
            "kind": "follow-up" if kind == "follow-up" else "question",
            "question": question, "answer": answer,
            "parent": parent if kind == "follow-up" else None, "exercise": exercise,
        })
        if kind == "question":
            parent = qid
    return records


def exercise_link(path, nb, page_dir=COURSE):
    for _, text in headings(nb):
        if text.startswith(("Exercise", "练习")):
            return page_link(path, page_dir, anchor(text))
    return None


def align_ids(records, english):
    """Give the records of a translated notebook the ids (and parents) of their English originals, paired by
    position, so progress in the mock interview is shared by both languages. Returns False, leaving the records
    as they are, when the two do not pair up (a question added or dropped in the translation)."""
    if [r["kind"] for r in records] != [r["kind"] for r in english]:
        return False
    ids = {r["id"]: e["id"] for r, e in zip(records, english)}
    for r in records:
        r["id"], r["parent"] = ids[r["id"]], ids.get(r["parent"])
    return True


def exercise(path, nb, page_dir=COURSE):
    """The whiteboard exercise of a notebook: its link, the task (the Markdown under ``## Exercise`` before the
    first code cell), the checker it calls and the folded reference solution (Markdown), or None."""
    cells, start = nb["cells"], None
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and re.search(r"^## (?:Exercise|练习)", cell_source(cell), re.MULTILINE):
            start = i
            break
    if start is None:
        return None
    prompt, checker, solution = [], None, ""
    first = re.split(r"^## (?:Exercise|练习).*$", cell_source(cells[start]), maxsplit=1, flags=re.MULTILINE)[1]
    texts = [(cells[start]["cell_type"], first)] + [(c["cell_type"], cell_source(c)) for c in cells[start + 1:]]
    in_prompt = True
    for kind, text in texts:
        if kind == "markdown" and re.match(r"^#{1,2} ", text):
            break
        if kind == "code":
            in_prompt = False
            checker = checker or next(iter(re.findall(r"\b(check_\w+)\(", text)), None)
            continue
        folded = re.search(r"<details><summary>(?:(?:A )?[Rr]eference solutions?|参考解答)</summary>(.*?)</details>",
                           text, re.DOTALL)
        if folded:
            solution = folded.group(1).strip()
            text = text[:folded.start()]
        if in_prompt and text.strip():
            prompt.append(text.strip())
    return {"link": exercise_link(path, nb, page_dir), "prompt": course_links("\n\n".join(prompt), path, page_dir),
            "checker": checker, "solution": course_links(solution, path, page_dir)}


def parse_bank(lang="en"):
    """The whole bank from one parse: ``{"topics": [...], "questions": [...]}`` (what ``questions.json`` holds).

    The Chinese bank (``lang="zh"``) reads ``notebooks/zh/`` (the English notebook where no translation exists yet);
    its topics carry ``topic_en`` (the English topic name, a key both banks share) and ``translated``, and its
    questions the ids of their English originals (see :func:`align_ids`)."""
    page_dir, topics, records = pages_dir(lang), [], []
    for path in notebooks(lang):
        nb = load(path)
        found = parse_questions(path, nb, page_dir, lang)
        if not found:
            continue
        entry = {"notebook": path.name, "topic": topic(path, nb, lang), "title": title(nb),
                 "link": page_link(path, page_dir), "exercise": exercise(path, nb, page_dir),
                 "format": "graded" if all(r["level_given"] for r in found) else "old"}
        if lang != "en":
            english_path = NOTEBOOKS / path.name
            english = load(english_path)
            entry["topic_en"] = topic(english_path, english)
            entry["translated"] = path.parent != NOTEBOOKS
            entry["aligned"] = align_ids(found, parse_questions(english_path, english))
        topics.append(entry)
        records += found
    if lang == "zh":
        return {"about": "由 `python course/build.py questions` 根据中文版笔记本的“面试问题”生成（请勿手工编辑）。"
                         "链接相对于 course/zh/（从 notebooks/zh/ 出发同样有效）；问题的 id 与英文题库相同。",
                "lang": lang, "levels": list(LEVELS), "topics": topics, "questions": records}
    return {"about": "Generated by `python course/build.py questions` from the notebooks' Interview questions "
                     "(do not edit). Links are relative to course/ (they also work from notebooks/).",
            "levels": list(LEVELS), "topics": topics, "questions": records}


def counts_line(records, lang="en"):
    follow = sum(r["kind"] == "follow-up" for r in records)
    if lang == "zh":
        levels = "，".join(f"{LEVEL_NAMES['zh'][level]} {sum(r['level'] == level for r in records)}" for level in LEVELS)
        return f"{len(records) - follow} 道问题、{follow} 道追问（{levels}）"
    levels = ", ".join(f"{sum(r['level'] == level for r in records)} {level}" for level in LEVELS)
    return f"{len(records) - follow} questions and {follow} follow-ups ({levels})"


#: The words of the question bank page in each language (the records and anchors are the same).
BANK_WORDS = {
    "en": {
        "title": "# Interview question bank",
        "intro": [
            "Generated by `python course/build.py questions` from the *Interview questions* section of every notebook",
            "(the notebooks are the single source of truth; do not edit this file by hand; `course/questions.json` is its",
            "machine-readable twin, which `notebooks/20_mock_interview.ipynb` drills with spaced repetition). Each",
            "question carries its difficulty (`warm-up`, `core` or `deep`) and its topic; a follow-up marked ↳ is asked",
            "right after its question (follow-ups without ↳ come from an old list that belongs to the topic as a whole).",
            "Try to answer before you unfold the answer; its link goes to the notebook section that proves it.",
        ],
        "in_all": "In all: {}.",
        "pending": None,
        "table": "| Topic | Notebook | Questions | Follow-ups | warm-up | core | deep | Whiteboard exercise |",
        "exercise": "Exercise",
        "topic": "Topic **{topic}**, from [{stem}]({link}): {counts}.",
        "whiteboard": " Whiteboard: [the exercise]({}).",
        "old": " Levels marked `core` are inferred: this notebook is not yet in the graded format.",
        "kinds": {"follow-up": "Follow-up", "question": "Q"},
        "no_answer": "*No written answer yet.*",
        "has_link": lambda target: target.startswith("../notebooks/"),
        "see": "\n\nIn the notebook: [{stem}](../notebooks/{notebook}).",
        "header": "**{arrow}{kind} [{level}] [{topic}]: {question}**",
        "summary": "<details><summary>Answer</summary>",
    },
    "zh": {
        "title": "# 面试题库",
        "intro": [
            "本页由 `python course/build.py questions` 根据中文版笔记本（`notebooks/zh/`）中每一节“面试问题”生成：笔记本是",
            "唯一的来源，请勿手工编辑本文件。`course/zh/questions.json` 是它的机器可读版本，模拟面试笔记本",
            "`notebooks/zh/20_mock_interview.ipynb` 用它做间隔重复练习。每道题都标有难度（入门、核心或深入）和主题；",
            "标 ↳ 的追问紧接在它追问的问题之后。先试着作答，再展开答案；答案末尾的链接指向笔记本中证明它的章节。",
        ],
        "in_all": "共计：{}。",
        "pending": "尚未译成中文的笔记本暂以英文显示：{}。",
        "table": "| 主题 | 笔记本 | 问题 | 追问 | 入门 | 核心 | 深入 | 白板练习 |",
        "exercise": "练习",
        "topic": "主题 **{topic}**，出自 [{stem}]({link})：{counts}。",
        "whiteboard": "白板练习：[本笔记本的练习]({})。",
        "old": "标为“核心”的难度是推断的：这个笔记本还不是分级格式。",
        "kinds": {"follow-up": "追问", "question": "问"},
        "no_answer": "*暂无书面答案。*",
        "has_link": is_notebook_link,
        "see": "\n\n见笔记本：[{stem}]({link})。",
        "header": "**{arrow}{kind} [{level}] [{topic}]：{question}**",
        "summary": "<details><summary>答案</summary>",
    },
}


def render_questions_md(bank):
    """The question bank page (``course/questions.md`` or ``course/zh/questions.md``): a table of topics, then every
    question with its follow-ups, folded answers and anchors. The words come from :data:`BANK_WORDS`."""
    lang = bank.get("lang", "en")
    words = BANK_WORDS[lang]
    level_name = LEVEL_NAMES["zh"] if lang == "zh" else {}
    lines = [words["title"], "", *words["intro"], "", words["in_all"].format(counts_line(bank["questions"], lang)), ""]
    pending = [t["notebook"][:-6] for t in bank["topics"] if not t.get("translated")]
    if words["pending"] and pending:
        lines += [words["pending"].format("、".join(pending)), ""]
    lines += [words["table"], "|---|---|---|---|---|---|---|---|"]
    by_notebook = {}
    for record in bank["questions"]:
        by_notebook.setdefault(record["notebook"], []).append(record)
    for entry in bank["topics"]:
        found = by_notebook[entry["notebook"]]
        follow = sum(r["kind"] == "follow-up" for r in found)
        levels = " | ".join(str(sum(r["level"] == level for r in found)) for level in LEVELS)
        ex = entry["exercise"]
        ex_cell = f"[{ex['checker'] or words['exercise']}]({ex['link']})" if ex and ex["link"] else ""
        lines.append(f"| [{entry['topic']}](#{entry['notebook'][:-6]}) | [{entry['notebook'][:-6]}]({entry['link']}) "
                     f"| {len(found) - follow} | {follow} | {levels} | {ex_cell} |")
    lines.append("")
    for entry in bank["topics"]:
        found = by_notebook[entry["notebook"]]
        stem = entry["notebook"][:-6]
        topic_line = words["topic"].format(topic=entry["topic"], stem=stem, link=entry["link"],
                                           counts=counts_line(found, lang))
        lines += [f"## {entry['title']}", "", f'<a id="{stem}"></a>' + topic_line]
        if entry["exercise"] and entry["exercise"]["link"]:
            lines[-1] += words["whiteboard"].format(entry["exercise"]["link"])
        if entry["format"] == "old":
            lines[-1] += words["old"]
        lines.append("")
        for r in found:
            answer = r["answer"] or words["no_answer"]
            if not any(words["has_link"](t) for t in link_targets(answer)):
                answer += words["see"].format(stem=r["notebook"][:-6], notebook=r["notebook"], link=entry["link"])
            header = words["header"].format(arrow="↳ " if r["parent"] else "",
                                            kind=words["kinds"]["follow-up" if r["kind"] == "follow-up" else "question"],
                                            level=level_name.get(r["level"], r["level"]), topic=r["topic"],
                                            question=r["question"])
            lines += [f'<a id="{r["id"]}"></a>', header, "", words["summary"], "", answer, "", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_questions_json(bank):
    return json.dumps(bank, ensure_ascii=False, indent=1) + "\n"


def render_questions():
    return render_questions_md(parse_bank())


# --- errata -----------------------------------------------------------------------------------------------------------

def seed_cells(nb):
    """The cells of the ``### Correcting the seed`` subsection as ``[(cell_type, text, printed_output)]``: from the
    heading to the next heading of level 1-3 (the heading cell contributes only the text after the heading)."""
    found, inside = [], False
    for cell in nb["cells"]:
        text = cell_source(cell)
        if cell["cell_type"] == "markdown":
            if not inside:
                parts = re.split(SEED_HEADING + ".*$", text, maxsplit=1, flags=re.MULTILINE)
                if len(parts) < 2:
                    continue
                inside, text = True, parts[1]
            stop = re.search(r"^#{1,3} ", text, re.MULTILINE)
            found.append(("markdown", text[:stop.start()] if stop else text, ""))
            if stop:
                break
        elif inside:
            printed = "".join("".join(o.get("text", "")) if o.get("output_type") == "stream"
                              else "".join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", []))
            found.append(("code", text, printed))
    return found


def seed_corrections(nb):
    """The Markdown of the notebook's ``### Correcting the seed`` subsection, or ''."""
    return "\n\n".join(text.strip() for kind, text, _ in seed_cells(nb) if kind == "markdown" and text.strip())


SEED_BULLET = re.compile(r"^\*\*Seed:\*\*\s*(?P<seed>.*?)\s*\*\*Verdict:\*\*\s*(?P<verdict>.*?)"
                         r"(?:\s*\*\*Evidence:\*\*\s*(?P<evidence>.*))?$", re.DOTALL)
# the Chinese form, with the colon inside or after the bold: - **原文：**「...」。**结论：** 部分错误。... **证据：** ...
SEED_BULLET_ZH = re.compile(r"^\*\*原文[：:]?\*\*[：:]?\s*(?P<seed>.*?)\s*\*\*结论[：:]?\*\*[：:]?\s*(?P<verdict>.*?)"
                            r"(?:\s*\*\*证据[：:]?\*\*[：:]?\s*(?P<evidence>.*))?$", re.DOTALL)
VERDICTS = ("partly wrong", "partly right", "wrong", "right", "vague")  # "partly ..." first: matched as prefixes
VERDICTS_ZH = {"部分错误": "partly wrong", "部分正确": "partly right", "错误": "wrong", "正确": "right", "含糊": "vague"}
VERDICT_COLUMNS = ("wrong", "partly wrong", "partly right", "vague", "right", "other")
VERDICT_COLUMNS_ZH = ("错误", "部分错误", "部分正确", "含糊", "正确", "其他")


def verdict_class(verdict):
    """The kind of verdict a bullet gives: one of VERDICTS, from the words it starts with (English or Chinese),
    else 'other'."""
    text = verdict.lower().lstrip("*_ ")
    found = next((v for v in VERDICTS if text.startswith(v)), None)
    return found or next((v for k, v in VERDICTS_ZH.items() if text.startswith(k)), "other")


def graded_errata(text):
    """``[{seed, verdict, evidence}]`` from the graded bullets (``- **Seed:** ... **Verdict:** ...``, or
    ``- **原文：** ... **结论：** ...``) of ``text``."""
    found = []
    for bullet in re.split(r"^- ", text, flags=re.MULTILINE)[1:]:
        bullet = " ".join(line.strip() for line in bullet.strip().splitlines())
        match = SEED_BULLET.match(bullet) or SEED_BULLET_ZH.match(bullet)
        if match:
            found.append({k: (v or "").strip() for k, v in match.groupdict().items()})
    return found


def old_errata(path, cells, page_dir=COURSE):
    """The free-text corrections of a notebook not yet converted, as Markdown. A paragraph that ends with a colon
    introduced the code cell after it, which the page does not show: its printed output is quoted instead, or,
    when the cell prints nothing, the colon becomes a pointer to the notebook."""
    pieces = []
    for i, (kind, text, _) in enumerate(cells):
        if kind != "markdown" or not text.strip():
            continue
        text = text.strip()
        if text.endswith(":"):
            printed = cells[i + 1][2].strip() if i + 1 < len(cells) and cells[i + 1][0] == "code" else ""
            if printed and len(printed.splitlines()) <= 20:
                text += "\n\n```text\n" + printed + "\n```"
            else:
                text = text[:-1].rstrip() + (f" (the notebook's next cell shows it: "
                                             f"[Correcting the seed]({page_link(path, page_dir)}#Correcting-the-seed)).")
        pieces.append(course_links(text, path, page_dir))
    return "\n\n".join(pieces)


def count_old_entries(markdown):
    bullets = re.findall(r"^(?:- |\d+\. )", markdown, re.MULTILINE)
    paragraphs = [p for p in markdown.split("\n\n") if p.strip() and not p.startswith("```")]
    return len(bullets) or len(paragraphs)


def seed_anchor(nb):
    """The anchor of the notebook's ``### Correcting the seed`` (``### 纠正原文``) heading."""
    for _, text in headings(nb):
        if re.match(SEED_HEADING[5:], text):
            return anchor(text)
    return "Correcting-the-seed"


def parse_errata(lang="en"):
    """``[(path, title, graded_entries, old_markdown)]`` for every notebook with a Correcting the seed subsection."""
    found, page_dir = [], pages_dir(lang)
    for path in notebooks(lang):
        nb = load(path)
        cells = seed_cells(nb)
        text = "\n\n".join(t for kind, t, _ in cells if kind == "markdown")
        if not text.strip():
            continue
        entries = graded_errata(text)
        printed = "\n".join(out.strip() for kind, _, out in cells if kind == "code" and out.strip())
        for entry in entries:
            for key in entry:
                entry[key] = course_links(entry[key], path, page_dir)
            link = page_link(path, page_dir, seed_anchor(nb))
            if lang == "zh":
                if not entry["evidence"]:
                    entry["evidence"] = f"未说明；见笔记本的[纠正原文]({link})。"
                elif not any(is_notebook_link(t) for t in link_targets(entry["evidence"])):
                    entry["evidence"] += f"（见笔记本的[纠正原文]({link})）"
            elif not entry["evidence"]:
                entry["evidence"] = f"not stated; see the notebook's [Correcting the seed]({link})."
            elif not any(is_notebook_link(t) for t in link_targets(entry["evidence"])):
                entry["evidence"] += f" (in the notebook's [Correcting the seed]({link}))"
            # "the cell below" is not on this page: quote what it prints
            below = re.search(r"below|下面|下方|下一个单元格", entry["evidence"])
            entry["printed"] = printed if below and len(printed.splitlines()) <= 20 else ""
        found.append((path, title(nb), entries, "" if entries else old_errata(path, cells, page_dir)))
    return found


#: The words of the errata page in each language (the entries come from the notebooks of that language).
ERRATA_WORDS = {
    "en": {
        "intro": [
            "# Errata: what the seed document gets wrong", "",
            "The topics of this course come from a Chinese interview-prep document of 23 questions (the \"seed\"). Each",
            "notebook checks the seed's claims about its topic in *Correcting the seed* (inside *Interview questions*): it",
            "quotes the seed's sentence, translates it, gives a verdict (wrong, partly wrong, vague or right), states the",
            "correction and links the evidence, a notebook section whose printed numbers nbval re-checks on every run.",
            "Generated by `python course/build.py errata` from those subsections (do not edit this file by hand).", "",
        ],
        "columns": ("Notebook", "Entries", *VERDICT_COLUMNS),
        "not_graded": "not yet graded",
        "all": "All",
        "source": "From [{stem}]({link}).",
        "bullets": ("Seed", "Verdict", "Evidence", ":"),
        "old": "*Not yet in the graded format (seed quote, verdict, evidence): the notebook's text as it is.*",
    },
    "zh": {
        "intro": [
            "# 勘误：原文错在哪里", "",
            "本课程的主题来自一份包含 23 道题的中文面试准备文档（下称“原文”）。每个笔记本在“面试问题”一节的",
            "“纠正原文”中检查原文对本主题的说法：引用原文，给出结论（错误、部分错误、部分正确、含糊或正确），说明更正，",
            "并链接证据，即笔记本中的一个章节，其中打印的数字每次运行都由 nbval 重新检查。",
            "本页由 `python course/build.py errata` 根据中文版笔记本的这些小节生成（请勿手工编辑）；",
            "尚未译成中文的条目暂以英文显示。", "",
        ],
        "columns": ("笔记本", "条目", *VERDICT_COLUMNS_ZH),
        "not_graded": "尚未分级",
        "all": "合计",
        "source": "出自 [{stem}]({link})。",
        "bullets": ("原文", "结论", "证据", "："),
        "old": "*尚未采用分级格式（原文引用、结论、证据）：以下是笔记本中的原样文字。*",
    },
}


def render_errata(lang="en"):
    """The errata page (``course/errata.md`` or ``course/zh/errata.md``): a table of verdicts per notebook, then every
    "Correcting the seed" entry with its evidence. The words come from :data:`ERRATA_WORDS`."""
    words = ERRATA_WORDS[lang]
    columns = words["columns"]
    seed, verdict, evidence, colon = words["bullets"]
    lines = [*words["intro"], "| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    found = parse_errata(lang)
    totals = [0] * (1 + len(VERDICT_COLUMNS))
    for path, heading, entries, old in found:
        classes = [verdict_class(e["verdict"]) for e in entries]
        row = [len(entries) or count_old_entries(old)] + [classes.count(v) for v in VERDICT_COLUMNS]
        totals = [t + r for t, r in zip(totals, row)]
        cells = (" | ".join(str(n) for n in row[1:]) if entries
                 else words["not_graded"] + " |" * (len(VERDICT_COLUMNS) - 1))
        lines.append(f"| [{path.stem}](#{path.stem}) | {row[0]} | {cells} |")
    lines += [f"| **{words['all']}** | **{totals[0]}** | " + " | ".join(f"**{n}**" for n in totals[1:]) + " |", ""]
    for path, heading, entries, old in found:
        source = words["source"].format(stem=path.stem, link=page_link(path, pages_dir(lang)))
        lines += [f"## {heading}", "", f'<a id="{path.stem}"></a>{source}', ""]
        for entry in entries:
            lines += [f"- **{seed}{colon}** {entry['seed']}", f"  - **{verdict}{colon}** {entry['verdict']}"]
            lines += [f"  - **{evidence}{colon}** {entry['evidence']}"]
            if entry["printed"]:
                lines += ["", "    ```text", *("    " + line for line in entry["printed"].splitlines()), "    ```"]
        if old:
            lines += [words["old"], "", old]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- the syllabus's timing table --------------------------------------------------------------------------------------

TIMING_START = "<!-- timing: generated by `python course/build.py syllabus`; do not edit by hand -->"
TIMING_END = "<!-- end of timing -->"


def lecture_path(nb):
    """``(words, figures)`` of the lecture path: Markdown outside ``<details>`` and code before ``## Going deeper``
    (counted as ``lecture_rubric.py`` counts it), and the figures on it (images in outputs or Markdown)."""
    texts, figures = [], 0
    for cell in nb["cells"]:
        text = cell_source(cell)
        if cell["cell_type"] == "markdown":
            parts = re.split(r"^#+ .*(?:Going deeper|Appendix).*$", text, maxsplit=1, flags=re.MULTILINE | re.I)
            texts.append(parts[0])
            figures += len(re.findall(r"!\[", parts[0]))
            if len(parts) > 1:
                break
        else:
            figures += sum(any(k.startswith("image/") for k in o.get("data", {})) for o in cell.get("outputs", []))
    text = re.sub(r"<details>.*?</details>", " ", "\n\n".join(texts), flags=re.DOTALL)
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*|[\u4e00-\u9fff]", text)), figures


def lecture_minutes(nb):
    words, figures = lecture_path(nb)
    return math.ceil(words / WORDS_PER_MINUTE + figures * MINUTES_PER_FIGURE)


def render_timing(lang="en"):
    """The timing table. The Chinese syllabus shows the English notebooks' numbers: the plan is the same lecture."""
    if lang == "zh":
        lines = [TIMING_START, "",
                 f"| 笔记本 | 讲授路径词数 | 图 | 分钟（词数 / {WORDS_PER_MINUTE} + 每图 {MINUTES_PER_FIGURE} 分钟，向上取整） |",
                 "|---|---|---|---|"]
    else:
        lines = [TIMING_START, "",
                 f"| Notebook | Lecture-path words | Figures | Minutes (words / {WORDS_PER_MINUTE} + "
                 f"{MINUTES_PER_FIGURE} per figure, rounded up) |", "|---|---|---|---|"]
    for path, shown in zip(notebooks(), notebooks(lang)):
        nb = load(path)
        words, figures = lecture_path(nb)
        lines.append(f"| [{path.stem}]({page_link(shown, pages_dir(lang))}) | {words} | {figures} | "
                     f"{lecture_minutes(nb)} |")
    if lang == "zh":
        lines += ["", "词数和图数按英文笔记本统计（中文版的讲授内容与之相同），语速按每分钟 130 个英文词计。"]
    return "\n".join(lines + ["", TIMING_END])


def render_syllabus(lang="en"):
    text = SYLLABUS.read_text(encoding="utf-8")
    start, end = text.index(TIMING_START), text.index(TIMING_END) + len(TIMING_END)
    if lang == "en":
        return text[:start] + render_timing() + text[end:]
    return translate_page(text[:start], lang) + render_timing(lang) + translate_page(text[end:], lang)


# --- the Chinese syllabus: a catalog of translated blocks -------------------------------------------------------------

SYLLABUS_CATALOG = COURSE / "i18n" / "zh" / "syllabus.md"


def _i18n():
    """``course/i18n.py`` (its catalog format and anchors), loaded from this folder."""
    spec = importlib.util.spec_from_file_location("course_i18n", COURSE / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blocks(markdown):
    """``markdown`` as translation units, in order: a heading, a table row or a list item (with its indented
    continuation lines) is one block, a paragraph is one; blank lines are ``""``. Joining with newlines gives the
    text back."""
    found = []
    for line in markdown.split("\n"):
        starts = not line.strip() or re.match(r"^(#{1,6} |\||- |\d+\. |<!--)", line)
        if starts or not found or not found[-1] or found[-1].startswith(("#", "|", "<!--")):
            found.append(line if line.strip() else "")
        elif found[-1].startswith("- ") and not line.startswith(" "):
            found.append(line)  # a paragraph right after a list
        else:
            found[-1] += "\n" + line
    return found


def translatable(block):
    """A block with words in it (a table's |---| line, a blank line or a comment is kept as it is)."""
    return bool(re.search(r"[A-Za-z]{2}", block)) and not block.startswith("<!--")


def block_key(block):
    return _i18n().sha(block)


def zh_page_links(markdown, i18n=None):
    """Links of a page in ``course/`` rewritten for its Chinese twin in ``course/zh/``: notebooks go to their Chinese
    editions (English section anchors to the translated headings), course pages to their Chinese versions when they
    exist, anything else one folder further up."""
    i18n = i18n or _i18n()
    maps = {}

    def rewrite(match):
        target = match.group(1)
        if re.match(r"^([a-z]+:|/|#)", target):
            return match.group(0)
        file, _, fragment = target.partition("#")
        dest = (COURSE / file).resolve()
        if dest.parent == NOTEBOOKS and (NOTEBOOKS / "zh" / dest.name).exists():
            if fragment:
                if dest.name not in maps:
                    maps[dest.name] = i18n.anchor_map(dest)
                fragment = maps[dest.name].get(fragment, fragment)
            dest = NOTEBOOKS / "zh" / dest.name
        elif dest.parent == COURSE and dest.name in ZH_PAGES:
            dest = COURSE / "zh" / dest.name
        return f"]({page_link(dest, COURSE / 'zh', fragment)})"

    return outside_code(markdown, lambda text: LINK.sub(rewrite, text))


ZH_PAGES = ("questions.md", "errata.md", "syllabus.md")


def translate_page(markdown, lang="zh"):
    """``markdown`` (a page of ``course/``) with every block that has a translation in the catalog replaced by it;
    the others stay English."""
    i18n = _i18n()
    catalog = {key: text for key, (_, text) in i18n.read_catalog(SYLLABUS_CATALOG).items()}
    out = [catalog.get(i18n.sha(b), b) if translatable(b) else b for b in blocks(markdown)]
    return zh_page_links(i18n.fix_emphasis("\n".join(out)), i18n)


def syllabus_blocks():
    """The translatable blocks of the English syllabus outside its generated timing table, each once, in order."""
    text = SYLLABUS.read_text(encoding="utf-8")
    text = text[:text.index(TIMING_START)] + text[text.index(TIMING_END) + len(TIMING_END):]
    return list(dict.fromkeys(b for b in blocks(text) if translatable(b)))


def syllabus_todo():
    """Catalog entries (marker + English text) for the syllabus blocks without a Chinese translation: paste them into
    ``course/i18n/zh/syllabus.md``, translate, and run ``python course/build.py syllabus``."""
    i18n = _i18n()
    done = i18n.read_catalog(SYLLABUS_CATALOG)
    return "\n".join(f"<!-- cell: {i18n.sha(b)} en: {i18n.sha(b)} -->\n{b}\n" for b in syllabus_blocks()
                     if i18n.sha(b) not in done)


def syllabus_catalog_problems():
    """Blocks still to translate and catalog entries no block uses any more (the English changed)."""
    i18n = _i18n()
    keys = [i18n.sha(b) for b in syllabus_blocks()]
    done = i18n.read_catalog(SYLLABUS_CATALOG)
    missing = [k for k in keys if k not in done]
    unused = [k for k in done if k not in keys]
    lines = []
    if missing:
        lines.append(f"course/zh/syllabus.md: {len(missing)} of {len(keys)} blocks still in English "
                     "(`python course/build.py syllabus --todo` lists them)")
    if unused:
        lines.append(f"{SYLLABUS_CATALOG.relative_to(ROOT)}: {len(unused)} entries translate English text the syllabus "
                     f"no longer has: {', '.join(unused[:5])}")
    return lines


# --- checks -----------------------------------------------------------------------------------------------------------

def warnings():
    """What the notebooks' format makes hard for the bank, one line per notebook (``check`` prints them; they do
    not fail it: notebooks in the old format are being converted)."""
    lines = []
    for path in notebooks():
        nb = load(path)
        records, problems = parse_questions(path, nb), []
        if any(not r["level_given"] for r in records):
            problems.append("questions without a level ('**Q: ...**', 'core' inferred)")
        if OLD_FOLLOW_UPS.search(interview_section(nb)):
            problems.append("an old 'Follow-ups an interviewer asks' list (no parent, no level)")
        unknown = sorted({r["level"] for r in records} - set(LEVELS))
        if unknown:
            problems.append(f"unknown level(s) {unknown}")
        missing = sum(not r["answer"] for r in records)
        if missing:
            problems.append(f"{missing} question(s) without a folded answer")
        unlinked = sum(bool(r["answer"]) and r["section"] == f"../notebooks/{path.name}" for r in records)
        if unlinked:
            problems.append(f"{unlinked} of {len(records)} answers link no notebook section")
        if seed_corrections(nb) and not graded_errata(seed_corrections(nb)):
            problems.append("seed corrections not in the graded format (Seed / Verdict / Evidence)")
        if problems:
            lines.append(f"{path.name}: " + "; ".join(problems))
    return lines + translation_warnings()


def translation_warnings(lang="zh"):
    """Where the Chinese pages cannot follow the English: questions that do not pair up with the English ones (a
    question dropped or added in a translation), unknown levels, and the syllabus's untranslated blocks."""
    lines = []
    for entry in parse_bank(lang)["topics"]:
        if not entry["aligned"]:
            lines.append(f"notebooks/{lang}/{entry['notebook']}: its questions and follow-ups do not pair up with the "
                         "English ones (a question added or dropped in the translation?): their ids differ")
    unknown = sorted({r["level"] for r in parse_bank(lang)["questions"]} - set(LEVELS))
    if unknown:
        lines.append(f"notebooks/{lang}/: unknown level(s) {unknown} (use 入门, 核心, 深入)")
    return lines + syllabus_catalog_problems()


def generated():
    """``{command: [(file, text)]}``: every generated file with the text it must hold (English and Chinese)."""
    files = {"questions": [], "errata": [], "syllabus": []}
    for lang in LANGUAGES:
        bank = parse_bank(lang)
        as_json = render_questions_json(bank)
        pages = pages_dir(lang)
        packaged = PACKAGED_JSON if lang == "en" else PACKAGED_JSON.with_name(f"question_bank.{lang}.json")
        files["questions"] += [(pages / "questions.md", render_questions_md(bank)), (pages / "questions.json", as_json),
                               (packaged, as_json)]
        files["errata"].append((pages / "errata.md", render_errata(lang)))
        files["syllabus"].append((pages / "syllabus.md", render_syllabus(lang)))
    return files


def write(commands, languages=LANGUAGES):
    """Write the generated files of ``commands`` for ``languages``."""
    files = generated()
    for command in commands:
        for target, text in files[command]:
            if target.parent == COURSE / "zh" or ".zh." in target.name:
                if "zh" not in languages:
                    continue
            elif "en" not in languages:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")


def main(argv):
    command = argv[1] if len(argv) > 1 else "check"
    if command == "syllabus" and "--todo" in argv:
        print(syllabus_todo())
    elif command in ("questions", "errata", "syllabus"):
        write([command], languages=argv[argv.index("--lang") + 1:] if "--lang" in argv else LANGUAGES)
        if command == "questions":
            print(counts_line(parse_bank()["questions"]))
    elif command == "slide-metadata":  # where slides start, so each fits a 1280x800 screen: see slide_metadata.py
        import slide_metadata

        return slide_metadata.main()
    elif command == "i18n":  # the Chinese edition: see course/i18n.py
        import i18n

        status = i18n.main(argv[2:])
        if not set(argv[2:]) & {"--check", "--todo"}:  # the Chinese course pages follow the Chinese notebooks
            write(["questions", "errata", "syllabus"], languages=("zh",))
        return status
    elif command == "check":
        for line in warnings():
            print(f"warning: {line}")
        stale = [(command, target) for command, files in generated().items() for target, text in files
                 if not target.exists() or target.read_text(encoding="utf-8") != text]
        for command, target in stale:
            print(f"{target.relative_to(ROOT)} is out of date: run `python course/build.py {command}`")
        if stale:
            return 1
        print("generated course files are current")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
