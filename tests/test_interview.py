"""The mock-interview drill: the Leitner schedule, the draw (follow-ups after their parent), progress on disk, the
bank and its packaged copy, and the widget driven in the kernel (controls set, buttons clicked, values read)."""

import datetime as dt
import json
import pathlib
import re

import pytest

from utils import interview
from utils.widgets.mock_interview import BUTTONS, mock_interview

ROOT = pathlib.Path(__file__).resolve().parent.parent
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


def record(qid, topic="IoU", level="core", parent=None):
    return {"id": qid, "topic": topic, "notebook": f"{qid.split('/')[0]}.ipynb", "level": level,
            "kind": "follow-up" if parent else "question", "parent": parent, "question": f"{qid}?",
            "answer": f"answer of {qid}", "section": "../notebooks/x.ipynb#A",
            "exercise": "../notebooks/x.ipynb#Exercise"}


def small_bank():
    """Two topics; IoU has a question with two follow-ups and a lone question; NMS one question and a follow-up."""
    questions = [
        record("01_iou/a", level="warm-up"),
        record("01_iou/a1", parent="01_iou/a"),
        record("01_iou/a2", level="deep", parent="01_iou/a"),
        record("01_iou/b"),
        record("02_nms/c", topic="NMS"),
        record("02_nms/c1", topic="NMS", level="deep", parent="02_nms/c"),
    ]
    exercise = {"link": "../notebooks/01_iou.ipynb#Exercise", "prompt": "Write IoU.", "checker": "check_iou",
                "solution": "```python\ndef iou(a, b): ...\n```"}
    topics = [{"notebook": "01_iou.ipynb", "topic": "IoU", "title": "IoU", "link": "../notebooks/01_iou.ipynb",
               "exercise": exercise, "format": "graded"},
              {"notebook": "02_nms.ipynb", "topic": "NMS", "title": "NMS", "link": "../notebooks/02_nms.ipynb",
               "exercise": None, "format": "graded"}]
    return {"levels": list(interview.LEVELS), "topics": topics, "questions": questions}


# --- the schedule -----------------------------------------------------------------------------------------------------

def test_the_four_grades_of_a_new_card_are_ordered_again_first_easy_last():
    due = {g: interview.due_time(interview.review(None, g, T0)) - T0 for g in interview.GRADES}
    assert due == {"again": dt.timedelta(minutes=10), "hard": dt.timedelta(days=1), "good": dt.timedelta(days=3),
                   "easy": dt.timedelta(days=7)}


@pytest.mark.parametrize("box", range(1, len(interview.BOX_DAYS) + 1))
def test_from_every_box_again_comes_back_first_and_easy_goes_furthest(box):
    card = {"box": box, "due": T0.isoformat()}
    due = [interview.due_time(interview.review(card, g, T0)) for g in interview.GRADES]
    assert due[0] < due[1] < due[2] <= due[3]  # good and easy meet only at the top box
    assert (due[2] == due[3]) == (box >= len(interview.BOX_DAYS) - 1)


def test_leitner_box_moves():
    card = interview.review({"box": 3, "due": T0.isoformat(), "reviews": 4, "lapses": 1}, "good", T0, seconds=42)
    assert (card["box"], card["reviews"], card["lapses"], card["last_grade"], card["seconds"]) == (4, 5, 1, "good", 42)
    assert interview.review(card, "easy", T0)["box"] == 6
    assert interview.review({"box": 6}, "easy", T0)["box"] == 6
    hard = interview.review({"box": 4}, "hard", T0)
    assert hard["box"] == 4 and interview.due_time(hard) - T0 == dt.timedelta(days=7)
    again = interview.review({"box": 5, "lapses": 0}, "again", T0)
    assert (again["box"], again["lapses"]) == (1, 1)


def test_review_is_pure_and_checks_its_arguments():
    card = {"box": 2, "due": T0.isoformat()}
    interview.review(card, "good", T0)
    assert card == {"box": 2, "due": T0.isoformat()}
    with pytest.raises(ValueError, match="grade"):
        interview.review(card, "great", T0)
    with pytest.raises(ValueError, match="now"):
        interview.review(card, "good", "2025-03-03")
    naive = interview.review(None, "good", T0.replace(tzinfo=None))  # a naive time is taken as UTC
    assert interview.due_time(naive) == T0 + dt.timedelta(days=3)


def test_schedule_lists_the_soonest_review_first():
    progress = {"cards": {}}
    for qid, grade in zip(["01_iou/a", "01_iou/b", "02_nms/c", "01_iou/a1"], ["easy", "good", "again", "hard"]):
        progress["cards"][qid] = interview.review(None, grade, T0)
    rows = interview.schedule(progress, T0)
    assert [r["id"] for r in rows] == ["02_nms/c", "01_iou/a1", "01_iou/b", "01_iou/a"]
    assert [r["in"] for r in rows] == ["10 min", "1 day", "3 days", "7 days"]
    assert [r["in"] for r in interview.schedule(progress, T0 + dt.timedelta(days=2))][:2] == ["now", "now"]
    progress["cards"]["99_gone/x"] = interview.review(None, "again", T0)
    assert "99_gone/x" not in [r["id"] for r in interview.schedule(progress, T0, small_bank())]


# --- the draw ---------------------------------------------------------------------------------------------------------

def test_follow_ups_come_right_after_their_parent():
    bank = small_bank()
    for seed in range(5):
        drawn = [q["id"] for q in interview.draw(bank["questions"], {"cards": {}}, T0, limit=10, seed=seed)]
        assert sorted(drawn) == sorted(q["id"] for q in bank["questions"])
        for child, parent in [("01_iou/a1", "01_iou/a"), ("01_iou/a2", "01_iou/a1"), ("02_nms/c1", "02_nms/c")]:
            assert drawn.index(child) == drawn.index(parent) + 1


def test_due_cards_first_then_new_ones_and_cards_not_due_are_left_out():
    bank = small_bank()
    progress = {"cards": {"01_iou/b": interview.review(None, "again", T0),          # due at 9:10
                          "02_nms/c": interview.review(None, "good", T0),           # due in 3 days
                          "02_nms/c1": interview.review(None, "hard", T0 - dt.timedelta(days=2))}}  # overdue
    drawn = [q["id"] for q in interview.draw(bank["questions"], progress, T0 + dt.timedelta(minutes=11), seed=0)]
    assert drawn[:2] == ["02_nms/c1", "01_iou/b"]           # the most overdue first; c1 without its parent c
    assert "02_nms/c" not in drawn
    assert sorted(drawn[2:]) == ["01_iou/a", "01_iou/a1", "01_iou/a2"]


def test_the_draw_is_repeatable_and_keeps_threads_whole():
    bank = small_bank()
    first = interview.draw(bank["questions"], {"cards": {}}, T0, limit=4, seed=3)
    assert first == interview.draw(bank["questions"], {"cards": {}}, T0, limit=4, seed=3)
    assert len(first) <= 4 and not first[0]["parent"]
    roots = {q["parent"] or q["id"] for q in first}
    assert all(q["id"] in {f["id"] for f in first} for q in bank["questions"] if (q["parent"] or q["id"]) in roots)
    assert len(interview.draw(bank["questions"], {"cards": {}}, T0, limit=1, seed=0)) == 1
    with pytest.raises(ValueError, match="limit"):
        interview.draw(bank["questions"], {"cards": {}}, T0, limit=0)


def test_select_by_topic_and_level():
    bank = small_bank()
    assert [q["id"] for q in interview.select(bank, ["NMS"], ["deep"])] == ["02_nms/c1"]
    assert len(interview.select(bank, ["01_iou"])) == 4
    with pytest.raises(ValueError, match="levels"):
        interview.select(bank, None, ["hard"])
    (card,) = interview.exercise_cards(bank)
    assert card["id"] == "01_iou/exercise" and "../notebooks/01_iou.ipynb#Exercise" in card["answer"]


# --- progress on disk -------------------------------------------------------------------------------------------------

def test_progress_round_trip_and_where_it_lives(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(interview.PROGRESS_ENV, raising=False)
    default = interview.progress_path()
    assert default == tmp_path / "home" / ".cv-interview-notebooks" / "progress.json"
    assert not default.is_relative_to(ROOT)
    monkeypatch.setenv(interview.PROGRESS_ENV, str(tmp_path / "mine.json"))
    assert interview.progress_path() == tmp_path / "mine.json"
    progress = interview.load_progress()
    assert progress["cards"] == {} and not (tmp_path / "mine.json").exists()  # loading never writes
    progress["cards"]["01_iou/a"] = interview.review(None, "good", T0)
    interview.save_progress(progress)
    assert interview.load_progress() == progress
    assert [p.name for p in tmp_path.iterdir()] == ["mine.json"]  # no temporary file left behind


def test_a_damaged_progress_file_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        interview.load_progress(path)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="cards"):
        interview.load_progress(path)
    assert path.read_text(encoding="utf-8") == "[]"


# --- the bank ---------------------------------------------------------------------------------------------------------

def test_the_packaged_bank_is_a_copy_of_the_generated_one():
    source = ROOT / "course" / "questions.json"
    assert (ROOT / "utils" / "data" / "reference" / "question_bank.json").read_bytes() == source.read_bytes(), (
        "run `python course/build.py questions`")
    assert interview.BANK_PATHS[0] == source


def test_the_bank_loads_and_its_records_are_well_formed():
    bank = interview.load_bank()
    ids = [q["id"] for q in bank["questions"]]
    assert len(ids) == len(set(ids)) >= 200 - 60  # the target is 200; the notebooks are being converted
    seen = set()
    for q in bank["questions"]:
        assert q["level"] in interview.LEVELS and q["kind"] in ("question", "follow-up")
        assert q["parent"] is None or q["parent"] in seen, f"{q['id']}: its parent must come before it"
        assert q["id"].startswith(q["notebook"][:-6] + "/")
        seen.add(q["id"])
    assert set(interview.topics(bank)) >= {"IoU", "NMS", "ResNet", "Classic GANs"}


def test_an_installed_package_reads_its_own_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(interview, "BANK_PATHS", (tmp_path / "no-clone" / "questions.json", interview.BANK_PATHS[1]))
    shipped = json.loads(interview.BANK_PATHS[1].read_text(encoding="utf-8"))
    assert interview.load_bank()["questions"] == shipped["questions"]


def test_a_missing_bank_says_how_to_get_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="build.py questions"):
        interview.load_bank(tmp_path / "questions.json")
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="not a question bank"):
        interview.load_bank(tmp_path / "other.json")


# --- the widget, in the kernel ----------------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv(interview.PROGRESS_ENV, str(tmp_path / "progress.json"))
    return tmp_path / "progress.json"


def answer_text(w):
    return "".join(o["data"]["text/markdown"] for o in w.answer.outputs)


def test_controls_and_buttons_have_stable_descriptions(progress_file):
    w = mock_interview(small_bank(), clock=Clock(), seed=0)
    assert {k: c.description for k, c in w.controls.items()} == {
        "topics": "Topics", "levels": "Levels", "mode": "Mode", "limit": "Questions", "lang": "Language"}
    assert [b.description for b in w.buttons.values()] == ["Start", "Show answer", "Again", "Hard", "Good", "Easy"]
    assert BUTTONS["show"] == "Show answer" and "mock-interview-show" in w.buttons["show"]._dom_classes
    assert "MockInterview(" in repr(w) and len(repr(w)) < 200


def test_a_session_hides_the_answer_until_asked_and_grades_into_the_schedule(progress_file):
    clock = Clock()
    w = mock_interview(small_bank(), clock=clock, seed=0)
    w.controls["topics"].value = ("IoU",)
    w.controls["levels"].value = ("warm-up", "core", "deep")
    w.buttons["start"].click()
    assert w.values["drawn"] == 4 and w.values["position"] == 1
    assert [q["id"] for q in w.queue].index("01_iou/a1") == [q["id"] for q in w.queue].index("01_iou/a") + 1
    assert answer_text(w) == "" and not w.values["answer shown"]
    assert w.buttons["again"].disabled and not w.buttons["show"].disabled
    w.buttons["again"].click()                                   # no grade before the answer is shown
    assert w.values["graded again"] == 0 and not progress_file.exists()
    first = w.values["id"]
    w.buttons["show"].click()
    assert "answer of " + first in answer_text(w) and w.values["answer shown"]
    assert not w.buttons["again"].disabled and w.buttons["show"].disabled
    w.buttons["again"].click()
    assert w.values["last grade"] == "again" and w.values["next review in"] == "10 min"
    assert w.values["drawn"] == 5 and w.queue[-1]["id"] == first   # asked once more before the end
    saved = json.loads(progress_file.read_text(encoding="utf-8"))
    assert saved["cards"][first]["box"] == 1 and saved["seed"] == 0
    for grade in ("hard", "good", "easy"):
        w.buttons["show"].click()
        w.buttons[grade].click()
    rows = interview.schedule(w.progress, clock.now)
    assert [w.progress["cards"][r["id"]]["last_grade"] for r in rows] == ["again", "hard", "good", "easy"]


def test_a_new_widget_resumes_from_the_saved_schedule(progress_file):
    clock = Clock()
    w = mock_interview(small_bank(), clock=clock, seed=0)
    w.controls["limit"].value = 2
    w.buttons["start"].click()
    first = w.values["id"]
    w.buttons["show"].click()
    w.buttons["good"].click()
    w.buttons["show"].click()
    w.buttons["again"].click()
    again = w.progress["cards"]
    clock.now = T0 + dt.timedelta(minutes=15)
    resumed = mock_interview(small_bank(), clock=clock)                   # the seed comes from the file
    resumed.buttons["start"].click()
    assert resumed.values["reviews scheduled"] == 2 and resumed.values["due now"] == 1
    (due_id,) = [k for k, v in again.items() if v["last_grade"] == "again"]
    assert resumed.values["id"] == due_id                                # the "again" card comes back first
    assert first not in [q["id"] for q in resumed.queue]                 # "good": not due for 3 days


def test_whiteboard_mode_links_each_topics_exercise(progress_file):
    w = mock_interview(small_bank(), clock=Clock(), seed=0)
    w.controls["mode"].value = "whiteboard"
    assert "../notebooks/01_iou.ipynb#Exercise" in w.question.outputs[0]["data"]["text/markdown"]
    w.buttons["start"].click()
    assert (w.values["kind"], w.values["drawn"]) == ("exercise", 1)     # NMS has no exercise in this bank
    w.buttons["show"].click()
    assert "check_iou" in answer_text(w) and "#Exercise" in answer_text(w)


def test_nothing_due_says_so(progress_file):
    w = mock_interview(small_bank(), clock=Clock(), seed=0)
    w.controls["topics"].value = ()
    w.buttons["start"].click()
    assert w.values["drawn"] == 0 and "Nothing to ask" in w.question.outputs[0]["data"]["text/markdown"]
    assert w.buttons["show"].disabled and w.buttons["good"].disabled


def test_the_widget_on_the_real_bank_follows_up_in_order(progress_file):
    w = mock_interview(clock=Clock(), seed=1)
    w.controls["limit"].value = 30
    w.buttons["start"].click()
    ids = [q["id"] for q in w.queue]
    for i, q in enumerate(w.queue):
        if q["parent"] and q["parent"] in ids:
            assert ids.index(q["parent"]) < i and all(w.queue[j]["parent"] == q["parent"]
                                                      for j in range(ids.index(q["parent"]) + 1, i))


# --- two languages ----------------------------------------------------------------------------------------------------

def test_the_chinese_bank_is_packaged_and_pairs_with_the_english_one():
    source = ROOT / "course" / "zh" / "questions.json"
    assert (ROOT / "utils" / "data" / "reference" / "question_bank.zh.json").read_bytes() == source.read_bytes(), (
        "run `python course/build.py questions`")
    en, zh = interview.load_bank(lang="en"), interview.load_bank(lang="zh")
    assert zh["lang"] == "zh" and "lang" not in en
    # questions keep their English ids (tests/test_course.py checks the pairing on freshly parsed notebooks), so one
    # progress file serves both languages
    assert all(re.match(r"^\d\d_\w+/[a-z0-9-]+$", q["id"]) and q["id"] != f"{q['notebook'][:-6]}/question"
               for q in zh["questions"])
    assert [interview.topic_key(t) for t in zh["topics"]] == interview.topics(en)
    assert "交并比（IoU）" in interview.topics(zh)
    by_key, by_name = interview.select(zh, ["IoU"]), interview.select(zh, ["交并比（IoU）"])
    assert by_key and by_key == by_name == interview.select(zh, ["01_iou"])
    assert {q["notebook"] for q in by_key} == {q["notebook"] for q in interview.select(en, ["IoU"])} == {"01_iou.ipynb"}
    translated = [t for t in zh["topics"] if t["translated"]]
    assert translated, "no Chinese notebook yet"
    for t in translated:
        assert t["link"] == f"../../notebooks/zh/{t['notebook']}"
        assert any(re.search(r"[\u4e00-\u9fff]", q["question"]) for q in zh["questions"] if q["notebook"] == t["notebook"])


def test_the_notebook_language_comes_from_its_folder(tmp_path, monkeypatch):
    assert interview.notebook_language(ROOT / "notebooks") == "en"
    assert interview.notebook_language(ROOT / "notebooks" / "zh") == "zh"
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")
    assert interview.load_bank()["lang"] == "zh"
    with pytest.raises(ValueError, match="lang"):
        interview.load_bank(lang="fr")


def test_the_widget_starts_in_the_notebooks_language(tmp_path, progress_file, monkeypatch):
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")                                   # as in notebooks/zh/20_mock_interview.ipynb
    w = mock_interview(clock=Clock(), seed=0)
    assert w.controls["lang"].value == "zh" and w.bank["lang"] == "zh"
    assert [b.description for b in w.buttons.values()] == ["开始", "显示答案", "重来", "困难", "良好", "简单"]
    assert w.controls["topics"].description == "主题" and "交并比（IoU）" in w.controls["topics"]._options_labels


def test_switching_language_keeps_the_choice_and_the_progress(progress_file):
    clock = Clock()
    w = mock_interview(clock=clock, seed=0, lang="en")
    assert w.controls["lang"].options == (("中文", "zh"), ("English", "en"))
    w.controls["topics"].value = ("IoU",)
    w.controls["levels"].value = ("warm-up", "core")
    w.controls["limit"].value = 3
    w.controls["lang"].value = "zh"                                      # the learner clicks 中文
    assert w.bank["lang"] == "zh" and w.controls["topics"].value == ("IoU",)
    assert w.controls["levels"].value == ("warm-up", "core")
    assert dict(w.controls["levels"].options) == {"入门": "warm-up", "核心": "core", "深入": "deep"}
    assert w.controls["topics"].description == "主题" and w.buttons["show"].description == "显示答案"
    assert "mock-interview-show" in w.buttons["show"]._dom_classes
    assert "开始" in w.question.outputs[0]["data"]["text/markdown"]
    w.buttons["start"].click()
    text = w.question.outputs[0]["data"]["text/markdown"]
    assert w.queue and all(q["notebook"] == "01_iou.ipynb" for q in w.queue)
    assert "交并比（IoU）" in text and "（第 1 题，共" in text and re.search(r"\[(入门|核心)\]", text)
    first = w.values["id"]
    w.buttons["show"].click()
    assert answer_text(w).startswith("**答案**")
    w.buttons["good"].click()
    assert w.values["next review in"] == "3 days"                        # values stay English, for tests
    assert "3 天" in w.reviews.value and "接下来的复习" in w.reviews.value
    w.controls["lang"].value = "en"                                      # back to English: same card, same schedule
    assert w.bank.get("lang", "en") == "en" and w.buttons["show"].description == "Show answer"
    assert first in w.progress["cards"] and "3 days" in w.reviews.value
    w.controls["mode"].value = "whiteboard"
    assert "[the exercise](../notebooks/01_iou.ipynb#Exercise)" in w.question.outputs[0]["data"]["text/markdown"]
    w.switch_language("zh")
    assert w.controls["mode"].value == "whiteboard" and w.controls["lang"].value == "zh"
    assert "**白板模式**" in w.question.outputs[0]["data"]["text/markdown"]
    w.buttons["start"].click()
    w.buttons["show"].click()
    assert "[打开练习](" in answer_text(w) and "check_iou" in answer_text(w)


def test_a_session_in_chinese_ends_in_chinese(progress_file):
    w = mock_interview(small_bank(), clock=Clock(), seed=0, lang="zh")
    w.controls["topics"].value = ("NMS",)
    w.buttons["start"].click()
    for _ in range(w.values["drawn"]):
        w.buttons["show"].click()
        w.buttons["easy"].click()
    assert "**本轮结束**：共评分 2 题（重来 0，困难 0，良好 0，简单 2）。" == w.question.outputs[0]["data"]["text/markdown"]
    w.controls["topics"].value = ()
    w.buttons["start"].click()
    assert "没有可问的题" in w.question.outputs[0]["data"]["text/markdown"]
    with pytest.raises(ValueError, match="lang"):
        mock_interview(small_bank(), lang="fr")


def test_an_installed_package_reads_its_own_chinese_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(interview, "ZH_BANK_PATHS", (tmp_path / "no-clone" / "questions.json",
                                                     interview.ZH_BANK_PATHS[1]))
    assert interview.ZH_BANK_PATHS[1].name == "question_bank.zh.json"  # package data: utils/data/reference/*.json
    shipped = json.loads(interview.ZH_BANK_PATHS[1].read_text(encoding="utf-8"))
    assert interview.load_bank(lang="zh")["questions"] == shipped["questions"]
