"""The mock-interview widget of ``notebooks/20_mock_interview.ipynb``: questions from the bank, a timer, the answer
hidden until asked, a self-grade, and the spaced-repetition schedule of :mod:`utils.interview`.

Core ipywidgets only: the timer is a ``Play`` widget (it counts in the browser, no thread in the kernel), questions
and answers are Markdown outputs (math and links render as in the notebook). Tests drive it in the kernel: set
``w.controls[name].value``, call ``w.buttons[name].click()`` and read ``w.values``. In English the controls'
descriptions are Topics, Levels, Mode, Questions, Language and the buttons Start, Show answer, Again, Hard, Good, Easy;
each button also carries the class ``mock-interview-<name>`` whatever the language.

**Language.** The control *Language* (中文 / English) switches the bank (the Chinese one, ``course/zh/questions.json``,
or the English one), the labels and every text the widget prints; a topic's value is its English name in both
languages, so the chosen topics survive the switch and ``controls["topics"].value = ("IoU",)`` works in either. The
widget starts in the notebook's language (``lang=None``: Chinese in ``notebooks/zh/``). ``values`` stay in English
(they are for tests).
"""

import datetime as dt
import html

import ipywidgets as widgets

from utils import interview

TARGET_SECONDS = {"warm-up": 60, "core": 120, "deep": 180, "exercise": 900}  # a fair time to answer aloud
BUTTONS = {"start": "Start", "show": "Show answer", **{grade: grade.capitalize() for grade in interview.GRADES}}
# Everything the widget says, in both languages (the grades' Chinese names are Anki's).
WORDS = {
    "en": {
        "buttons": BUTTONS,
        "controls": {"topics": "Topics", "levels": "Levels", "mode": "Mode", "limit": "Questions", "lang": "Language"},
        "modes": {"questions": "Questions", "whiteboard": "Whiteboard"},
        "levels": {level: level for level in interview.LEVELS},
        "kinds": {"question": "Q", "follow-up": "Follow-up", "exercise": "Whiteboard"},
        "answer": "**Answer**", "of": "({} of {})", "follow_up_to": "*Follow-up to:* {}",
        "exercise_link": "<small>Whiteboard: [this topic's exercise]({})</small>",
        "done": "**Session done**: {} graded ({}).",
        "nothing": "**Nothing to ask**: no question of these topics and levels is due or new. Widen the choice, or "
                   "come back when the reviews below are due.",
        "whiteboard": "**Whiteboard mode**: Start draws coding exercises (15 minutes each).",
        "whiteboard_item": "- {}: [the exercise]({})",
        "idle": "Choose topics and levels, then **Start**. Answer aloud before you press **Show answer**.",
        "aim": " (aim: {})", "position": "question {} of {}", "no_session": "no session running",
        "progress": "progress file", "next": "Next reviews", "box": "box", "in": "in",
        "no_reviews": "No reviews scheduled yet.",
    },
    "zh": {
        "buttons": {"start": "开始", "show": "显示答案", "again": "重来", "hard": "困难", "good": "良好", "easy": "简单"},
        "controls": {"topics": "主题", "levels": "难度", "mode": "模式", "limit": "题数", "lang": "语言"},
        "modes": {"questions": "问答", "whiteboard": "白板"},
        "levels": {"warm-up": "入门", "core": "核心", "deep": "深入"},
        "kinds": {"question": "问", "follow-up": "追问", "exercise": "白板"},
        "answer": "**答案**", "of": "（第 {} 题，共 {} 题）", "follow_up_to": "*追问的是：* {}",
        "exercise_link": "<small>白板练习：[本主题的练习]({})</small>",
        "done": "**本轮结束**：共评分 {} 题（{}）。",
        "nothing": "**没有可问的题**：所选主题和难度下，没有到期的复习，也没有新题。请放宽选择，或等下方的复习到期后再来。",
        "whiteboard": "**白板模式**：点“开始”抽取编程练习（每题 15 分钟）。",
        "whiteboard_item": "- {}：[练习]({})",
        "idle": "选择主题和难度，然后点 **开始**。先大声作答，再点 **显示答案**。",
        "aim": "（目标：{}）", "position": "第 {} 题，共 {} 题", "no_session": "尚未开始",
        "progress": "进度文件", "next": "接下来的复习", "box": "盒", "in": "距今",
        "no_reviews": "还没有安排复习。",
    },
}
LANGUAGE_OPTIONS = [("中文", "zh"), ("English", "en")]


def _markdown(text):
    return {"output_type": "display_data", "data": {"text/markdown": text, "text/plain": text}, "metadata": {}}


def _clock_text(seconds):
    return f"{seconds // 60}:{seconds % 60:02d}"


class MockInterview(widgets.VBox):
    """Controls and buttons on top, the question and (once asked) its answer below, then the reviews to come.

    Args:
        bank: the question bank (:func:`utils.interview.load_bank`), used in both languages; None: the course's
            bank of the chosen language (the English or the Chinese one).
        progress_path: the progress file (default: ``$CV_INTERVIEW_PROGRESS`` or ``~/.cv-interview-notebooks/``).
        clock: ``clock() -> datetime`` (aware); default: the current UTC time. Tests pass a fixed one.
        seed: the order of new questions (default: the one kept in the progress file).
        limit: questions per session.
        lang: ``"en"`` or ``"zh"``, the language to start in; None: the notebook's (Chinese in ``notebooks/zh/``).
    """

    def __init__(self, bank=None, progress_path=None, clock=None, seed=None, limit=10, lang=None):
        self.lang = interview.notebook_language() if lang is None else lang
        if self.lang not in WORDS:
            raise ValueError(f"lang: {lang!r} is not one of {tuple(WORDS)}")
        self._given_bank, self._banks = bank, {}
        self.bank = self._bank(self.lang)
        self.path = interview.progress_path(progress_path)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.progress = interview.load_progress(self.path)
        self.seed = self.progress["seed"] if seed is None else seed
        keys = [interview.topic_key(entry) for entry in self.bank["topics"]]
        style = {"description_width": "80px"}
        self.controls = {
            "topics": widgets.SelectMultiple(options=keys, value=tuple(keys), rows=8, style=style,
                                             layout=widgets.Layout(width="300px")),
            "levels": widgets.SelectMultiple(options=interview.LEVELS, value=interview.LEVELS, rows=3, style=style,
                                             layout=widgets.Layout(width="300px")),
            "mode": widgets.ToggleButtons(options=["questions", "whiteboard"],
                                          style={**style, "button_width": "100px"}),
            "limit": widgets.IntSlider(value=limit, min=1, max=30, style=style, layout=widgets.Layout(width="300px")),
            "lang": widgets.ToggleButtons(options=LANGUAGE_OPTIONS, value=self.lang,
                                          style={**style, "button_width": "100px"}),
        }
        self.buttons = {}
        for name in BUTTONS:
            button = widgets.Button(layout=widgets.Layout(width="110px"))
            button.add_class(f"mock-interview-{name}")
            self.buttons[name] = button
        self._label()
        self.buttons["start"].button_style = "primary"
        self.buttons["start"].on_click(lambda _: self.start())
        self.buttons["show"].on_click(lambda _: self.show_answer())
        for grade in interview.GRADES:
            self.buttons[grade].on_click(lambda _, grade=grade: self.grade(grade))
        self.timer = widgets.Play(value=0, min=0, max=3600, step=1, interval=1000, description="Timer",
                                  show_repeat=False)
        self.time_label = widgets.HTML()
        self.status = widgets.HTML()
        self.question = widgets.Output()
        self.answer = widgets.Output()
        self.reviews = widgets.HTML()
        self.timer.observe(lambda _: self._show_time(), names="value")
        self.controls["mode"].observe(lambda _: self._idle(), names="value")
        self.controls["topics"].observe(lambda _: self._idle(), names="value")
        self.controls["lang"].observe(lambda change: self.switch_language(change["new"]), names="value")

        self.queue, self.position, self.shown, self.tally = [], 0, False, dict.fromkeys(interview.GRADES, 0)
        self.values, self.last = {}, {}
        settings = widgets.HBox([widgets.VBox([self.controls["topics"], self.controls["levels"]]),
                                 widgets.VBox([self.controls["lang"], self.controls["mode"], self.controls["limit"],
                                               self.buttons["start"]])])
        grades = widgets.HBox([self.buttons[g] for g in interview.GRADES])
        super().__init__([settings, widgets.HBox([self.buttons["show"], self.timer, self.time_label]), self.status,
                          self.question, self.answer, grades, self.reviews])
        self._idle()

    # --- language ------------------------------------------------------------------------------------------------------

    def _bank(self, lang):
        if self._given_bank is not None:
            return self._given_bank
        if lang not in self._banks:
            self._banks[lang] = interview.load_bank(lang=lang)
        return self._banks[lang]

    def _label(self):
        """Descriptions, option labels and button captions in the current language (values never change)."""
        words, names = WORDS[self.lang], {interview.topic_key(e): e["topic"] for e in self.bank["topics"]}
        for name, control in self.controls.items():
            control.description = words["controls"][name]
        chosen = self.controls["topics"].value
        self.controls["topics"].options = [(names[key], key) for key in names]
        self.controls["topics"].value = tuple(key for key in chosen if key in names)
        chosen = self.controls["levels"].value
        self.controls["levels"].options = [(words["levels"][level], level) for level in interview.LEVELS]
        self.controls["levels"].value = chosen
        mode = self.controls["mode"].value
        self.controls["mode"].options = [(words["modes"][m], m) for m in ("questions", "whiteboard")]
        self.controls["mode"].value = mode
        for name, button in self.buttons.items():
            button.description = button.tooltip = words["buttons"][name]

    def switch_language(self, lang):
        """Ask from the bank of ``lang`` (``"en"`` or ``"zh"``), with labels and texts in that language; the chosen
        topics, levels and mode are kept, a running session ends (the progress file is shared by both languages)."""
        if lang not in WORDS:
            raise ValueError(f"lang: {lang!r} is not one of {tuple(WORDS)}")
        self.lang, self.bank = lang, self._bank(lang)
        if self.controls["lang"].value != lang:
            self.controls["lang"].value = lang  # calls back here once, with nothing left to change
        self._label()
        self._idle()

    # --- what the learner does ----------------------------------------------------------------------------------------

    def start(self):
        """Draw a session from the chosen topics, levels and mode, and ask its first question."""
        now, chosen = self.clock(), self.controls["topics"].value
        if self.controls["mode"].value == "whiteboard":
            cards = interview.exercise_cards(self.bank, chosen)
        else:
            cards = interview.select(self.bank, chosen, self.controls["levels"].value)
        self.queue = interview.draw(cards, self.progress, now, limit=self.controls["limit"].value, seed=self.seed)
        self.position, self.tally = 0, dict.fromkeys(interview.GRADES, 0)
        self._ask()

    def show_answer(self):
        """Reveal the answer, stop the timer and allow a grade."""
        if not self._current():
            return
        self.shown = True
        self.timer.playing = False
        card = self._current()
        self.answer.outputs = (_markdown(f"{WORDS[self.lang]['answer']}\n\n{card['answer']}"),)
        self._refresh()

    def grade(self, grade):
        """Grade the current card (after its answer is shown), save the schedule and ask the next question."""
        card = self._current()
        if not card or not self.shown:
            return
        now = self.clock()
        cards = self.progress.setdefault("cards", {})
        cards[card["id"]] = interview.review(cards.get(card["id"]), grade, now, seconds=self.timer.value)
        self.progress["seed"] = self.seed
        interview.save_progress(self.progress, self.path)
        self.tally[grade] += 1
        if grade == "again":  # once more before the session ends
            self.queue.append(card)
        self.last = {"id": card["id"], "grade": grade, "box": cards[card["id"]]["box"],
                     "next review in": interview.wait_text(interview.due_time(cards[card["id"]]) - now)}
        self.position += 1
        self._ask()

    # --- display ------------------------------------------------------------------------------------------------------

    def _current(self):
        return self.queue[self.position] if self.position < len(self.queue) else None

    def _ask(self):
        self.shown = False
        self.answer.outputs = ()
        card = self._current()
        words = WORDS[self.lang]
        if card is None:
            self.timer.playing = False
            done = sum(self.tally.values())
            if self.lang == "zh":
                counts = "，".join(f"{words['buttons'][g]} {n}" for g, n in self.tally.items())
            else:
                counts = ", ".join(f"{n} {g}" for g, n in self.tally.items())
            text = words["done"].format(done, counts) if self.queue else words["nothing"]
            self.question.outputs = (_markdown(text),)
        else:
            self.question.outputs = (_markdown(self._card_text(card)),)
            self.timer.value = 0
            self.timer.max = 3 * TARGET_SECONDS.get(card.get("kind"), TARGET_SECONDS.get(card["level"], 120))
            self.timer.playing = True
        self._refresh()

    def _card_text(self, card):
        words = WORDS[self.lang]
        kind, level = words["kinds"][card["kind"]], words["levels"].get(card["level"], card["level"])
        of = words["of"].format(self.position + 1, len(self.queue))
        lines = [f"**{kind} [{level}] · {card['topic']}** {of}", ""]
        previous = self.queue[self.position - 1] if self.position else None
        if card["parent"] and not (previous and previous["id"] == card["parent"]):
            parent = next((q for q in self.bank["questions"] if q["id"] == card["parent"]), None)
            if parent:
                lines += [words["follow_up_to"].format(parent["question"]), ""]
        lines.append(card["question"])
        if card["kind"] != "exercise" and card.get("exercise"):
            lines += ["", words["exercise_link"].format(card["exercise"])]
        return "\n".join(lines)

    def _idle(self):
        """Before a session: say what Start will do; in whiteboard mode, link every chosen topic's exercise."""
        self.queue, self.position = [], 0
        self.answer.outputs = ()
        words = WORDS[self.lang]
        if self.controls["mode"].value == "whiteboard":
            cards = interview.exercise_cards(self.bank, self.controls["topics"].value)
            links = [words["whiteboard_item"].format(c["topic"], c["exercise"]) for c in cards]
            text = words["whiteboard"] + "\n\n" + "\n".join(links)
        else:
            text = words["idle"]
        self.question.outputs = (_markdown(text),)
        self._refresh()

    def _show_time(self):
        card = self._current()
        target = TARGET_SECONDS.get(card.get("kind"), TARGET_SECONDS.get(card["level"], 120)) if card else 0
        over = card is not None and self.timer.value > target
        colour = "#c0392b" if over else "inherit"
        aim = WORDS[self.lang]["aim"].format(_clock_text(target)) if card else ""
        self.time_label.value = f"<span style='color:{colour}'>{_clock_text(self.timer.value)}{aim}</span>"

    def _refresh(self):
        card, now = self._current(), self.clock()
        for name in ("show", *interview.GRADES):
            self.buttons[name].disabled = card is None or (name == "show") == self.shown
        self._show_time()
        rows = interview.schedule(self.progress, now, self.bank)
        self.values = {
            "mode": self.controls["mode"].value,
            "drawn": len(self.queue),
            "position": min(self.position + 1, len(self.queue)),
            "id": card["id"] if card else "",
            "kind": card["kind"] if card else "",
            "level": card["level"] if card else "",
            "answer shown": self.shown,
            **{f"graded {g}": n for g, n in self.tally.items()},
            "last grade": self.last.get("grade", ""),
            "last box": self.last.get("box", ""),
            "next review in": self.last.get("next review in", ""),
            "reviews scheduled": len(rows),
            "due now": sum(r["in"] == "now" for r in rows),
        }
        words = WORDS[self.lang]
        position = words["position"].format(self.values["position"], len(self.queue)) if card else words["no_session"]
        self.status.value = f"<small>{position} · {words['progress']}: {html.escape(self.path.name)}</small>"
        head = f"<tr><th style='text-align:left'>{words['next']}</th><th>{words['box']}</th><th>{words['in']}</th></tr>"
        body = "".join(f"<tr><td><code>{html.escape(r['id'][:70])}</code></td><td>{r['box']}</td>"
                       f"<td>{interview.wait_text(interview.due_time(r) - now, self.lang)}</td></tr>"
                       for r in rows[:8])
        self.reviews.value = f"<table>{head}{body}</table>" if rows else f"<small>{words['no_reviews']}</small>"

    def __repr__(self):
        return f"{type(self).__name__}(controls={list(self.controls)}, buttons={list(self.buttons)})"


def mock_interview(bank=None, progress_path=None, clock=None, seed=None, limit=10, lang=None):
    """A mock interview over the course's question bank (see :class:`MockInterview` for the arguments).

    ``bank`` defaults to the course's bank in the chosen language (:func:`utils.interview.load_bank`: the repository's
    ``course/questions.json`` or ``course/zh/questions.json``, else the copy inside the package); ``lang`` defaults to
    the notebook's language, so the Chinese edition of notebook 20 starts in Chinese with the same code. Progress is
    saved after every grade, so a later session resumes with the due reviews, in either language.
    """
    return MockInterview(bank, progress_path, clock, seed, limit, lang)
