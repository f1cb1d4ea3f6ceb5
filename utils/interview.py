"""Mock-interview drill: load the question bank, draw questions, schedule reviews with spaced repetition.

Taught in ``notebooks/20_mock_interview.ipynb``; the widget around it is :func:`utils.widgets.mock_interview`.

**The bank** is ``course/questions.json``, written with ``course/questions.md`` from the notebooks' *Interview
questions* by ``python course/build.py questions`` (one parse, so the two never disagree). Each record has an ``id``
(``"01_iou/what-is-iou-..."``: notebook stem + slug of the question, stable while the question's text is), a
``topic``, a ``level`` (``warm-up``, ``core``, ``deep``), ``question`` and ``answer`` (Markdown), ``parent`` (the id
of the question a follow-up belongs to, else None), ``section`` (the notebook section that proves the answer) and
``exercise`` (the topic's whiteboard exercise). A copy ships inside the package (``utils/data/reference/``), so
``pip install`` users have it too.

**Two languages.** The Chinese bank, ``course/zh/questions.json`` (``question_bank.zh.json`` in the package), is
generated the same way from the Chinese notebooks (``notebooks/zh/``). Its questions keep the ids of their English
originals, so one progress file serves both languages, and its topics carry ``topic_en``, the English topic name, which
is the key both banks share (``select(bank, ["IoU"])`` works on either). ``lang=None`` means the notebook's language:
``"zh"`` when the kernel runs in a folder named ``zh`` (``notebooks/zh/``), else ``"en"``.

**The schedule: Leitner boxes**, not SM-2. Each card sits in a box 1-6; box ``b`` means "review again in
``BOX_DAYS[b - 1]`` days" (1, 3, 7, 14, 30, 60). A self-grade moves the card:

- ``again``: back to box 1, due in 10 minutes (asked again before the session ends);
- ``hard``: same box, due in half its interval (at least a day);
- ``good``: one box up; ``easy``: two boxes up (the top box stays the top box).

So for a new card (box 1) the four grades give 10 minutes, 1, 3 and 7 days: ``again`` brings a card back first,
``easy`` pushes it furthest. Why Leitner (Leitner 1972): its whole state is one small integer per card, which a
learner can read in the progress file and predict ("box 4: in two weeks"), and it works from the first review. SM-2
(Wozniak 1990) keeps an easiness factor per card instead (2.5 at the start, never below 1.3; on its 0-5 scale a
laboured correct recall, 3, lowers it by 0.14 and a perfect one, 5, raises it by 0.1) and multiplies the last interval
by it: finer, but its benefit builds up over months of reviews, and four buttons would have to be mapped onto six
grades. For a few hundred cards drilled in the weeks before an interview, a fixed ladder is enough.

**Progress** lives in ``~/.cv-interview-notebooks/progress.json`` (or the file named by the environment variable
``CV_INTERVIEW_PROGRESS``), never in the repository: ``{"version": 1, "seed": int, "cards": {id: card}}``, a card
being ``{"box", "due", "reviews", "lapses", "last_grade", "last_review", "seconds"}`` (times in ISO 8601, UTC). It
is written atomically after every grade, so closing the notebook loses nothing: the next session draws the cards
that are due first, then new ones in the same order as before.

Every function that needs the time takes ``now`` (an aware ``datetime``), so tests inject a fixed clock.
"""

import datetime as dt
import json
import os
import pathlib
import random
import secrets
import tempfile

LEVELS = ("warm-up", "core", "deep")
GRADES = ("again", "hard", "good", "easy")
BOX_DAYS = (1, 3, 7, 14, 30, 60)           # box b -> days to the next review
RELEARN = dt.timedelta(minutes=10)         # "again": asked once more, later in the same session
PROGRESS_ENV = "CV_INTERVIEW_PROGRESS"
DEFAULT_PROGRESS = pathlib.Path("~") / ".cv-interview-notebooks" / "progress.json"
_PACKAGE = pathlib.Path(__file__).resolve().parent
BANK_PATHS = (
    _PACKAGE.parent / "course" / "questions.json",             # a clone of the repository: the generated source
    _PACKAGE / "data" / "reference" / "question_bank.json",    # an installed package: the copy shipped with it
)
LANGUAGES = ("en", "zh")
ZH_BANK_PATHS = (
    _PACKAGE.parent / "course" / "zh" / "questions.json",
    _PACKAGE / "data" / "reference" / "question_bank.zh.json",
)


def notebook_language(folder=None):
    """The language of the notebook running in ``folder`` (default: the working directory, which Jupyter sets to the
    notebook's folder): ``"zh"`` in ``notebooks/zh/``, else ``"en"``."""
    name = pathlib.Path(folder if folder is not None else os.getcwd()).name
    return name if name in LANGUAGES else "en"


def _language(lang):
    lang = notebook_language() if lang is None else lang
    if lang not in LANGUAGES:
        raise ValueError(f"lang: {lang!r} is not one of {LANGUAGES}")
    return lang


# --- the bank ---------------------------------------------------------------------------------------------------------

def load_bank(path=None, lang=None):
    """The question bank: ``{"levels", "topics", "questions"}`` as written by ``course/build.py``.

    Args:
        path: a ``questions.json``; default: the repository's ``course/questions.json`` (``course/zh/questions.json``
            for ``lang="zh"``), else the copy shipped inside the package.
        lang: ``"en"`` or ``"zh"``; None: the notebook's language (:func:`notebook_language`).
    Raises:
        FileNotFoundError: no bank found, with how to get one.
        ValueError: the file is not a question bank, or ``lang`` is unknown.
    """
    lang = _language(lang)
    candidates = [pathlib.Path(path)] if path is not None else list(BANK_PATHS if lang == "en" else ZH_BANK_PATHS)
    for candidate in candidates:
        if candidate.is_file():
            bank = json.loads(candidate.read_text(encoding="utf-8"))
            if not isinstance(bank, dict) or not isinstance(bank.get("questions"), list):
                raise ValueError(f"path: {candidate.name} is not a question bank (no 'questions' list)")
            return bank
    raise FileNotFoundError(
        "No question bank found (looked for " + ", ".join(str(c) for c in candidates) + "). In a clone of the "
        "course, run `python course/build.py questions`; or reinstall the package (it ships a copy), or pass "
        "path= to a questions.json."
    )


def topics(bank):
    """The bank's topic names, in course-file order."""
    return [entry["topic"] for entry in bank["topics"]]


def topic_key(entry):
    """The name that identifies a topic in both languages: the English topic name (``entry`` from ``bank["topics"]``)."""
    return entry.get("topic_en", entry["topic"])


def _chosen(bank, topics):
    """The notebook file names of the ``topics`` chosen by name (either language) or notebook stem; None: all."""
    if topics is None:
        return None
    wanted = set(topics)
    return {e["notebook"] for e in bank["topics"]
            if {e["topic"], topic_key(e), e["notebook"][:-6]} & wanted} | {
        q["notebook"] for q in bank["questions"] if q["topic"] in wanted or q["notebook"][:-6] in wanted}


def select(bank, topics=None, levels=None):
    """The questions of the chosen ``topics`` (names in either language, or notebook stems) and ``levels`` (None:
    all), in bank order."""
    for level in levels or ():
        if level not in LEVELS:
            raise ValueError(f"levels: {level!r} is not one of {LEVELS}")
    chosen = _chosen(bank, topics)
    return [q for q in bank["questions"]
            if (chosen is None or q["notebook"] in chosen) and (levels is None or q["level"] in levels)]


EXERCISE_WORDS = {
    "en": {"run": " Then run `{}(your_function)` in the notebook.", "task": "The whiteboard exercise of {}.",
           "none": "No reference solution in the notebook.", "open": "[Open the exercise]({})."},
    "zh": {"run": "然后在笔记本中运行 `{}(your_function)`。", "task": "{} 的白板练习。",
           "none": "笔记本中没有参考解答。", "open": "[打开练习]({})。"},
}


def exercise_cards(bank, topics=None):
    """Whiteboard cards: one per topic with an exercise, ``{"id": "<stem>/exercise", ...}`` shaped like a question
    (``question``: the task; ``answer``: the reference solution and the link to the exercise), in the bank's
    language."""
    chosen, words = _chosen(bank, topics), EXERCISE_WORDS[bank.get("lang", "en")]
    cards = []
    for entry in bank["topics"]:
        stem, exercise = entry["notebook"][:-6], entry.get("exercise")
        if not exercise or (chosen is not None and entry["notebook"] not in chosen):
            continue
        checker = words["run"].format(exercise["checker"]) if exercise["checker"] else ""
        cards.append({
            "id": f"{stem}/exercise", "topic": entry["topic"], "notebook": entry["notebook"], "level": "core",
            "kind": "exercise", "parent": None, "section": exercise["link"], "exercise": exercise["link"],
            "question": exercise["prompt"] or words["task"].format(stem),
            "answer": (exercise["solution"] or words["none"]) + "\n\n" + words["open"].format(exercise["link"])
                      + checker,
        })
    return cards


# --- the schedule -----------------------------------------------------------------------------------------------------

def _utc(now):
    if not isinstance(now, dt.datetime):
        raise ValueError(f"now: expected a datetime, got {type(now).__name__}")
    return now.replace(tzinfo=dt.timezone.utc) if now.tzinfo is None else now.astimezone(dt.timezone.utc)


def review(card, grade, now, seconds=None):
    """The card after one self-grade (Leitner boxes; see the module docstring). Pure: returns a new dict.

    Args:
        card: the card's progress (``{"box", "due", ...}``) or None for a card never graded (box 1).
        grade: one of ``GRADES``.
        now: the time of the grade (an aware ``datetime``; a naive one is taken as UTC).
        seconds: how long the answer took (stored for the learner's record), or None.
    """
    if grade not in GRADES:
        raise ValueError(f"grade: {grade!r} is not one of {GRADES}")
    now, card = _utc(now), dict(card or {})
    box = int(card.get("box", 1))
    if grade == "again":
        box, wait = 1, RELEARN
    elif grade == "hard":
        wait = max(dt.timedelta(days=1), dt.timedelta(days=BOX_DAYS[box - 1]) / 2)
    else:
        box = min(box + (1 if grade == "good" else 2), len(BOX_DAYS))
        wait = dt.timedelta(days=BOX_DAYS[box - 1])
    card.update(box=box, due=(now + wait).isoformat(), reviews=card.get("reviews", 0) + 1,
                lapses=card.get("lapses", 0) + (grade == "again"), last_grade=grade, last_review=now.isoformat())
    if seconds is not None:
        card["seconds"] = int(seconds)
    return card


def due_time(card):
    return dt.datetime.fromisoformat(card["due"])


def draw(cards, progress, now, limit=10, seed=0):
    """The questions of one session, follow-ups right after their question.

    Cards that are due come first (earliest due first), then cards never graded, in an order shuffled by
    ``seed`` (the same seed gives the same order, so an interrupted session resumes where it stopped); cards not due
    yet are left out. A question and its follow-ups form one thread that is drawn whole: the draw stops before a
    thread that would pass ``limit`` (a first thread longer than ``limit`` is cut).

    Args:
        cards: question records (``select(bank, ...)`` or ``exercise_cards(bank)``), in bank order.
        progress: ``{"cards": {id: card}}`` as :func:`load_progress` returns it.
        now: the current time (an aware ``datetime``).
    Returns:
        a list of records from ``cards``.
    """
    if limit < 1:
        raise ValueError(f"limit: expected at least 1, got {limit}")
    now, known = _utc(now), progress.get("cards", {})
    threads = {}
    for q in cards:
        card = known.get(q["id"])
        if card is None or due_time(card) <= now:
            threads.setdefault(q["parent"] or q["id"], []).append(q)
    order = list(threads)
    random.Random(seed).shuffle(order)
    rank = {root: i for i, root in enumerate(order)}

    def priority(root):
        due = [due_time(known[q["id"]]) for q in threads[root] if q["id"] in known]
        return (0, min(due), 0) if due else (1, now, rank[root])

    drawn = []
    for root in sorted(threads, key=priority):
        if drawn and len(drawn) + len(threads[root]) > limit:
            break
        drawn += threads[root]
    return drawn[:limit]


def schedule(progress, now, bank=None):
    """The reviews to come, soonest first: ``[{"id", "box", "due", "in"}]`` (``in``: "10 min", "3 days", "now").

    With ``bank``, only its questions (and exercises) are listed: cards of questions since removed are skipped.
    """
    now = _utc(now)
    known = progress.get("cards", {})
    if bank is not None:
        ids = {q["id"] for q in bank["questions"]} | {c["id"] for c in exercise_cards(bank)}
        known = {k: v for k, v in known.items() if k in ids}
    rows = [{"id": k, "box": v["box"], "due": v["due"], "in": wait_text(due_time(v) - now)} for k, v in known.items()]
    return sorted(rows, key=lambda row: (dt.datetime.fromisoformat(row["due"]), row["id"]))


def wait_text(delta, lang="en"):
    """A waiting time in words: "now", "10 min", "5 h", "3 days" (``lang="zh"``: "现在", "10 分钟", "5 小时", "3 天")."""
    minutes = delta.total_seconds() / 60
    if lang == "zh":
        if minutes <= 0:
            return "现在"
        if minutes < 60:
            return f"{round(minutes)} 分钟"
        return f"{round(minutes / 60)} 小时" if minutes < 24 * 60 else f"{round(minutes / 1440)} 天"
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"{round(minutes)} min"
    if minutes < 24 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / 1440)} days" if round(minutes / 1440) != 1 else "1 day"


# --- progress on disk -------------------------------------------------------------------------------------------------

def progress_path(path=None):
    """Where progress is kept: ``path``, else ``$CV_INTERVIEW_PROGRESS``, else ``~/.cv-interview-notebooks/``."""
    chosen = path if path is not None else os.environ.get(PROGRESS_ENV) or DEFAULT_PROGRESS
    return pathlib.Path(chosen).expanduser()


def new_progress(seed=None):
    """Empty progress; ``seed`` fixes the order of new cards (None: a random one, kept in the file)."""
    return {"version": 1, "seed": secrets.randbelow(2**31) if seed is None else int(seed), "cards": {}}


def load_progress(path=None):
    """The saved progress, or a new one if there is no file yet.

    Raises:
        ValueError: the file exists but is not progress of this drill (it is left untouched).
    """
    path = progress_path(path)
    if not path.exists():
        return new_progress()
    try:
        progress = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"path: {path.name} is not valid JSON ({error.msg}); move it away to start afresh") from None
    if not isinstance(progress, dict) or not isinstance(progress.get("cards"), dict):
        raise ValueError(f"path: {path.name} holds no 'cards'; move it away to start afresh")
    progress.setdefault("seed", 0)
    return progress


def save_progress(progress, path=None):
    """Write ``progress`` atomically (a temporary file renamed over the old one); returns the path."""
    path = progress_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(progress, file, indent=1, sort_keys=True)
    os.replace(temporary, path)
    return path
