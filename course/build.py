"""Generate the course files that come from the notebooks, so they never drift from them.

    python course/build.py questions        # course/questions.md, its machine-readable twin course/questions.json
                                            # and the copy shipped in the package (one parse, one run)
    python course/build.py errata           # course/errata.md from every notebook's "Correcting the seed"
    python course/build.py syllabus         # the lecture-path timing table inside course/syllabus.md
    python course/build.py slide-metadata   # mark slides in every notebook (see course/slide_metadata.py)
    python course/build.py check            # fail if a generated file is out of date (run by the tests); warn
                                            # about notebooks still in the old question format
    python course/build.py i18n [--check]   # regenerate (or check) the Chinese notebooks: see course/i18n.py

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
"""

import json
import math
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
QUESTIONS = ROOT / "course" / "questions.md"
QUESTIONS_JSON = ROOT / "course" / "questions.json"
# the same file inside the package, for `pip install` users of utils.interview (a test checks it equals the source)
PACKAGED_JSON = ROOT / "utils" / "data" / "reference" / "question_bank.json"
ERRATA = ROOT / "course" / "errata.md"
SYLLABUS = ROOT / "course" / "syllabus.md"
LEVELS = ("warm-up", "core", "deep")
# The short topic names of the bank (the README's "Topic" column); a notebook missing here uses its title.
TOPICS = {
    "00_model_map": "Classic models", "01_iou": "IoU", "02_nms": "NMS", "03_map": "AP and mAP",
    "04_anchor_kmeans": "Anchor k-means", "05_focal_loss": "Focal loss", "06_one_vs_two_stage": "Detector design",
    "07_small_objects": "Small objects", "08_residual_blocks": "ResNet", "09_resnext_grouped_conv": "ResNeXt",
    "10_depthwise_separable": "MobileNet", "11_efficientnet_scaling": "EfficientNet", "12_vit": "ViT",
    "13_repvgg": "RepVGG", "14_fpn": "FPN", "15_spp": "SPP", "16_unet": "U-Net", "17_face_detection": "Face detection",
    "18_gan_minmax": "GAN minimax", "19_classic_gans": "Classic GANs", "20_mock_interview": "Interview technique",
}
WORDS_PER_MINUTE = 130       # a lecturer's speaking pace over the lecture path
MINUTES_PER_FIGURE = 1       # to show and explain one figure


# --- reading notebooks ------------------------------------------------------------------------------------------------

def notebooks():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def markdown_cells(nb):
    return [cell_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]


def title(nb):
    return markdown_cells(nb)[0].splitlines()[0].lstrip("# ").strip()


def topic(path, nb):
    return TOPICS.get(path.stem, title(nb))


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
    """The text from '## Interview questions' to the next level-2 heading."""
    return section_text(nb, r"Interview questions\s*$")


# A link target may hold one level of parentheses: (#Why-the-scores-are-divided-by-sqrt(d_k))
LINK = re.compile(r"\]\(((?:[^()\s]|\([^()\s]*\))+)\)")


CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)   # code is never a link: `blocks[i](x)`


def outside_code(markdown, rewrite):
    """``markdown`` with ``rewrite`` applied to the text outside code spans and fenced blocks."""
    parts = CODE.split(markdown)
    return "".join(rewrite(part) if i % 2 == 0 else part for i, part in enumerate(parts))


def course_links(markdown, path):
    """Rewrite the notebook's relative links so they work from ``course/``: ``#anchor`` becomes
    ``../notebooks/NN_x.ipynb#anchor`` and ``12_vit.ipynb`` becomes ``../notebooks/12_vit.ipynb``."""
    def rewrite(match):
        target = match.group(1)
        if target.startswith("#"):
            target = f"../notebooks/{path.name}{target}"
        elif not re.match(r"^([a-z]+:|/|\.\./)", target):
            target = f"../notebooks/{target}"
        return f"]({target})"

    return outside_code(markdown, lambda text: LINK.sub(rewrite, text))


def link_targets(markdown):
    """The targets of the Markdown links in ``markdown`` (outside code)."""
    found = []
    outside_code(markdown, lambda text: found.extend(LINK.findall(text)) or text)
    return found


# --- the question bank ------------------------------------------------------------------------------------------------

HEADER = re.compile(r"^\*\*(?P<kind>Q|Follow-up)(?: \[(?P<level>[^\]]+)\])?: (?P<q>.+?)\*\*[ \t]*$", re.MULTILINE)
ANSWER = re.compile(r"\s*<details><summary>Answer</summary>(?P<a>.*?)</details>", re.DOTALL)
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


def parse_questions(path, nb):
    """Every question and follow-up of one notebook, in order, as dicts (the records of ``questions.json``)."""
    section = interview_section(nb)
    section = re.split(r"^### Correcting the seed", section, flags=re.MULTILINE)[0]
    items = []  # (position, kind, level, question, answer)
    for match in HEADER.finditer(section):
        answer = ANSWER.match(section, match.end())
        items.append((match.start(), match.group("kind"), match.group("level"), match.group("q").strip(),
                      answer.group("a").strip() if answer else None))
    for match in OLD_FOLLOW_UPS.finditer(section):
        for q, a in old_follow_ups(section[match.end():]):
            items.append((match.start(), "old follow-up", None, q, a))
    items.sort(key=lambda item: item[0])

    exercise = exercise_link(path, nb)
    records, parent, seen = [], None, set()
    for _, kind, level, question, answer in items:
        base = f"{path.stem}/{slug(question)}"
        qid, n = base, 2
        while qid in seen:
            qid, n = f"{base}-{n}", n + 1
        seen.add(qid)
        answer = course_links(answer or "", path)
        evidence = [t for t in link_targets(answer) if t.startswith("../notebooks/")]
        given = (level or "").strip().lower().replace(" ", "-")
        records.append({
            "id": qid, "topic": topic(path, nb), "notebook": path.name,
            "section": evidence[0] if evidence else f"../notebooks/{path.name}",
            "level": given if given else "core", "level_given": bool(given),
            "kind": "question" if kind == "Q" else "follow-up",
            "question": question, "answer": answer,
            "parent": parent if kind == "Follow-up" else None, "exercise": exercise,
        })
        if kind == "Q":
            parent = qid
    return records


def exercise_link(path, nb):
    for _, text in headings(nb):
        if text.startswith("Exercise"):
            return f"../notebooks/{path.name}#{anchor(text)}"
    return None


def exercise(path, nb):
    """The whiteboard exercise of a notebook: its link, the task (the Markdown under ``## Exercise`` before the
    first code cell), the checker it calls and the folded reference solution (Markdown), or None."""
    cells, start = nb["cells"], None
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and re.search(r"^## Exercise", cell_source(cell), re.MULTILINE):
            start = i
            break
    if start is None:
        return None
    prompt, checker, solution = [], None, ""
    first = re.split(r"^## Exercise.*$", cell_source(cells[start]), maxsplit=1, flags=re.MULTILINE)[1]
    texts = [(cells[start]["cell_type"], first)] + [(c["cell_type"], cell_source(c)) for c in cells[start + 1:]]
    in_prompt = True
    for kind, text in texts:
        if kind == "markdown" and re.match(r"^#{1,2} ", text):
            break
        if kind == "code":
            in_prompt = False
            checker = checker or next(iter(re.findall(r"\b(check_\w+)\(", text)), None)
            continue
        folded = re.search(r"<details><summary>(?:A )?[Rr]eference solutions?</summary>(.*?)</details>", text,
                           re.DOTALL)
        if folded:
            solution = folded.group(1).strip()
            text = text[:folded.start()]
        if in_prompt and text.strip():
            prompt.append(text.strip())
    return {"link": exercise_link(path, nb), "prompt": course_links("\n\n".join(prompt), path),
            "checker": checker, "solution": course_links(solution, path)}


def parse_bank():
    """The whole bank from one parse: ``{"topics": [...], "questions": [...]}`` (what ``questions.json`` holds)."""
    topics, records = [], []
    for path in notebooks():
        nb = load(path)
        found = parse_questions(path, nb)
        if not found:
            continue
        topics.append({"notebook": path.name, "topic": topic(path, nb), "title": title(nb),
                       "link": f"../notebooks/{path.name}", "exercise": exercise(path, nb),
                       "format": "graded" if all(r["level_given"] for r in found) else "old"})
        records += found
    return {"about": "Generated by `python course/build.py questions` from the notebooks' Interview questions "
                     "(do not edit). Links are relative to course/ (they also work from notebooks/).",
            "levels": list(LEVELS), "topics": topics, "questions": records}


def counts_line(records):
    follow = sum(r["kind"] == "follow-up" for r in records)
    levels = ", ".join(f"{sum(r['level'] == level for r in records)} {level}" for level in LEVELS)
    return f"{len(records) - follow} questions and {follow} follow-ups ({levels})"


def render_questions_md(bank):
    lines = [
        "# Interview question bank", "",
        "Generated by `python course/build.py questions` from the *Interview questions* section of every notebook",
        "(the notebooks are the single source of truth; do not edit this file by hand; `course/questions.json` is its",
        "machine-readable twin, which `notebooks/20_mock_interview.ipynb` drills with spaced repetition). Each",
        "question carries its difficulty (`warm-up`, `core` or `deep`) and its topic; a follow-up marked ↳ is asked",
        "right after its question (follow-ups without ↳ come from an old list that belongs to the topic as a whole).",
        "Try to answer before you unfold the answer; its link goes to the notebook section that proves it.", "",
        f"In all: {counts_line(bank['questions'])}.", "",
        "| Topic | Notebook | Questions | Follow-ups | warm-up | core | deep | Whiteboard exercise |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_notebook = {}
    for record in bank["questions"]:
        by_notebook.setdefault(record["notebook"], []).append(record)
    for entry in bank["topics"]:
        found = by_notebook[entry["notebook"]]
        follow = sum(r["kind"] == "follow-up" for r in found)
        levels = " | ".join(str(sum(r["level"] == level for r in found)) for level in LEVELS)
        ex = entry["exercise"]
        ex_cell = f"[{ex['checker'] or 'Exercise'}]({ex['link']})" if ex and ex["link"] else ""
        lines.append(f"| [{entry['topic']}](#{entry['notebook'][:-6]}) | [{entry['notebook'][:-6]}]({entry['link']}) "
                     f"| {len(found) - follow} | {follow} | {levels} | {ex_cell} |")
    lines.append("")
    for entry in bank["topics"]:
        found = by_notebook[entry["notebook"]]
        stem = entry["notebook"][:-6]
        lines += [f"## {entry['title']}", "",
                  f'<a id="{stem}"></a>Topic **{entry["topic"]}**, from [{stem}]({entry["link"]}): '
                  f'{counts_line(found)}.']
        if entry["exercise"] and entry["exercise"]["link"]:
            lines[-1] += f" Whiteboard: [the exercise]({entry['exercise']['link']})."
        if entry["format"] == "old":
            lines[-1] += " Levels marked `core` are inferred: this notebook is not yet in the graded format."
        lines.append("")
        for r in found:
            arrow = "↳ " if r["parent"] else ""
            kind = "Follow-up" if r["kind"] == "follow-up" else "Q"
            answer = r["answer"] or "*No written answer yet.*"
            if not any(t.startswith("../notebooks/") for t in link_targets(answer)):
                answer += f"\n\nIn the notebook: [{r['notebook'][:-6]}](../notebooks/{r['notebook']})."
            header = f"**{arrow}{kind} [{r['level']}] [{r['topic']}]: {r['question']}**"
            lines += [f'<a id="{r["id"]}"></a>', header, "",
                      "<details><summary>Answer</summary>", "", answer, "", "</details>", ""]
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
                parts = re.split(r"^### Correcting the seed.*$", text, maxsplit=1, flags=re.MULTILINE)
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
VERDICTS = ("partly wrong", "partly right", "wrong", "right", "vague")  # "partly ..." first: matched as prefixes
VERDICT_COLUMNS = ("wrong", "partly wrong", "partly right", "vague", "right", "other")


def verdict_class(verdict):
    """The kind of verdict a bullet gives: one of VERDICTS, from the words it starts with, else 'other'."""
    text = verdict.lower().lstrip("*_ ")
    return next((v for v in VERDICTS if text.startswith(v)), "other")


def graded_errata(text):
    """``[{seed, verdict, evidence}]`` from the graded bullets (``- **Seed:** ... **Verdict:** ...``) of ``text``."""
    found = []
    for bullet in re.split(r"^- ", text, flags=re.MULTILINE)[1:]:
        bullet = " ".join(line.strip() for line in bullet.strip().splitlines())
        match = SEED_BULLET.match(bullet)
        if match:
            found.append({k: (v or "").strip() for k, v in match.groupdict().items()})
    return found


def old_errata(path, cells):
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
                                             f"[Correcting the seed](../notebooks/{path.name}#Correcting-the-seed)).")
        pieces.append(course_links(text, path))
    return "\n\n".join(pieces)


def count_old_entries(markdown):
    bullets = re.findall(r"^(?:- |\d+\. )", markdown, re.MULTILINE)
    paragraphs = [p for p in markdown.split("\n\n") if p.strip() and not p.startswith("```")]
    return len(bullets) or len(paragraphs)


def parse_errata():
    """``[(path, title, graded_entries, old_markdown)]`` for every notebook with a Correcting the seed subsection."""
    found = []
    for path in notebooks():
        nb = load(path)
        cells = seed_cells(nb)
        text = "\n\n".join(t for kind, t, _ in cells if kind == "markdown")
        if not text.strip():
            continue
        entries = graded_errata(text)
        printed = "\n".join(out.strip() for kind, _, out in cells if kind == "code" and out.strip())
        for entry in entries:
            for key in entry:
                entry[key] = course_links(entry[key], path)
            here = f"[Correcting the seed](../notebooks/{path.name}#Correcting-the-seed)"
            if not entry["evidence"]:
                entry["evidence"] = f"not stated; see the notebook's {here}."
            elif not any(t.startswith("../notebooks/") for t in link_targets(entry["evidence"])):
                entry["evidence"] += f" (in the notebook's {here})"
            # "the cell below" is not on this page: quote what it prints
            entry["printed"] = printed if "below" in entry["evidence"] and len(printed.splitlines()) <= 20 else ""
        found.append((path, title(nb), entries, "" if entries else old_errata(path, cells)))
    return found


def render_errata():
    found = parse_errata()
    lines = [
        "# Errata: what the seed document gets wrong", "",
        "The topics of this course come from a Chinese interview-prep document of 23 questions (the \"seed\"). Each",
        "notebook checks the seed's claims about its topic in *Correcting the seed* (inside *Interview questions*): it",
        "quotes the seed's sentence, translates it, gives a verdict (wrong, partly wrong, vague or right), states the",
        "correction and links the evidence, a notebook section whose printed numbers nbval re-checks on every run.",
        "Generated by `python course/build.py errata` from those subsections (do not edit this file by hand).", "",
        "| Notebook | Entries | " + " | ".join(VERDICT_COLUMNS) + " |", "|---" * (2 + len(VERDICT_COLUMNS)) + "|",
    ]
    totals = [0] * (1 + len(VERDICT_COLUMNS))
    for path, heading, entries, old in found:
        classes = [verdict_class(e["verdict"]) for e in entries]
        row = [len(entries) or count_old_entries(old)] + [classes.count(v) for v in VERDICT_COLUMNS]
        totals = [t + r for t, r in zip(totals, row)]
        cells = " | ".join(str(n) for n in row[1:]) if entries else "not yet graded" + " |" * (len(VERDICT_COLUMNS) - 1)
        lines.append(f"| [{path.stem}](#{path.stem}) | {row[0]} | {cells} |")
    lines += [f"| **All** | **{totals[0]}** | " + " | ".join(f"**{n}**" for n in totals[1:]) + " |", ""]
    for path, heading, entries, old in found:
        lines += [f"## {heading}", "", f'<a id="{path.stem}"></a>From [{path.stem}](../notebooks/{path.name}).', ""]
        for entry in entries:
            lines += [f"- **Seed:** {entry['seed']}", f"  - **Verdict:** {entry['verdict']}"]
            lines += [f"  - **Evidence:** {entry['evidence']}"]
            if entry["printed"]:
                lines += ["", "    ```text", *("    " + line for line in entry["printed"].splitlines()), "    ```"]
        if old:
            lines += ["*Not yet in the graded format (seed quote, verdict, evidence): the notebook's text as it is.*",
                      "", old]
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


def render_timing():
    lines = [TIMING_START, "",
             f"| Notebook | Lecture-path words | Figures | Minutes (words / {WORDS_PER_MINUTE} + "
             f"{MINUTES_PER_FIGURE} per figure, rounded up) |", "|---|---|---|---|"]
    for path in notebooks():
        nb = load(path)
        words, figures = lecture_path(nb)
        lines.append(f"| [{path.stem}](../notebooks/{path.name}) | {words} | {figures} | {lecture_minutes(nb)} |")
    return "\n".join(lines + ["", TIMING_END])


def render_syllabus():
    text = SYLLABUS.read_text(encoding="utf-8")
    start, end = text.index(TIMING_START), text.index(TIMING_END) + len(TIMING_END)
    return text[:start] + render_timing() + text[end:]


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
    return lines


def generated():
    """``{command: [(file, text)]}``: every generated file with the text it must hold."""
    bank = parse_bank()
    as_json = render_questions_json(bank)
    return {"questions": [(QUESTIONS, render_questions_md(bank)), (QUESTIONS_JSON, as_json), (PACKAGED_JSON, as_json)],
            "errata": [(ERRATA, render_errata())], "syllabus": [(SYLLABUS, render_syllabus())]}


def main(argv):
    command = argv[1] if len(argv) > 1 else "check"
    if command in ("questions", "errata", "syllabus"):
        for target, text in generated()[command]:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
        if command == "questions":
            print(counts_line(parse_bank()["questions"]))
    elif command == "slide-metadata":  # where slides start, so each fits a 1280x800 screen: see slide_metadata.py
        import slide_metadata

        return slide_metadata.main()
    elif command == "i18n":  # the Chinese edition: see course/i18n.py
        import i18n

        return i18n.main(argv[2:])
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
