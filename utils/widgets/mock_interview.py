"""The mock-interview widget of ``notebooks/20_mock_interview.ipynb``: questions from the bank, a timer, the answer
hidden until asked, a self-grade, and the spaced-repetition schedule of :mod:`utils.interview`.

Core ipywidgets only: the timer is a ``Play`` widget (it counts in the browser, no thread in the kernel), questions
and answers are Markdown outputs (math and links render as in the notebook). Tests drive it in the kernel: set
``w.controls[name].value``, call ``w.buttons[name].click()`` and read ``w.values``. The controls' descriptions are
stable (the browser tests find them by it): Topics, Levels, Mode, Questions; buttons Start, Show answer, Again,
Hard, Good, Easy.
"""

import datetime as dt
import html

import ipywidgets as widgets

from utils import interview

TARGET_SECONDS = {"warm-up": 60, "core": 120, "deep": 180, "exercise": 900}  # a fair time to answer aloud
BUTTONS = {"start": "Start", "show": "Show answer", **{grade: grade.capitalize() for grade in interview.GRADES}}


def _markdown(text):
    return {"output_type": "display_data", "data": {"text/markdown": text, "text/plain": text}, "metadata": {}}


def _clock_text(seconds):
    return f"{seconds // 60}:{seconds % 60:02d}"


class MockInterview(widgets.VBox):
    """Controls and buttons on top, the question and (once asked) its answer below, then the reviews to come.

    Args:
        bank: the question bank (:func:`utils.interview.load_bank`).
        progress_path: the progress file (default: ``$CV_INTERVIEW_PROGRESS`` or ``~/.cv-interview-notebooks/``).
        clock: ``clock() -> datetime`` (aware); default: the current UTC time. Tests pass a fixed one.
        seed: the order of new questions (default: the one kept in the progress file).
        limit: questions per session.
    """

    def __init__(self, bank, progress_path=None, clock=None, seed=None, limit=10):
        self.bank = bank
        self.path = interview.progress_path(progress_path)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.progress = interview.load_progress(self.path)
        self.seed = self.progress["seed"] if seed is None else seed
        names = interview.topics(bank)
        style = {"description_width": "80px"}
        self.controls = {
            "topics": widgets.SelectMultiple(options=names, value=tuple(names), rows=8, description="Topics",
                                             style=style, layout=widgets.Layout(width="300px")),
            "levels": widgets.SelectMultiple(options=interview.LEVELS, value=interview.LEVELS, rows=3,
                                             description="Levels", style=style, layout=widgets.Layout(width="300px")),
            "mode": widgets.ToggleButtons(options=[("Questions", "questions"), ("Whiteboard", "whiteboard")],
                                          description="Mode", style={**style, "button_width": "100px"}),
            "limit": widgets.IntSlider(value=limit, min=1, max=30, description="Questions", style=style,
                                       layout=widgets.Layout(width="300px")),
        }
        self.buttons = {}
        for name, label in BUTTONS.items():
            button = widgets.Button(description=label, tooltip=label, layout=widgets.Layout(width="110px"))
            button.add_class(f"mock-interview-{name}")
            self.buttons[name] = button
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

        self.queue, self.position, self.shown, self.tally = [], 0, False, dict.fromkeys(interview.GRADES, 0)
        self.values, self.last = {}, {}
        settings = widgets.HBox([widgets.VBox([self.controls["topics"], self.controls["levels"]]),
                                 widgets.VBox([self.controls["mode"], self.controls["limit"], self.buttons["start"]])])
        grades = widgets.HBox([self.buttons[g] for g in interview.GRADES])
        super().__init__([settings, widgets.HBox([self.buttons["show"], self.timer, self.time_label]), self.status,
                          self.question, self.answer, grades, self.reviews])
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
        self.answer.outputs = (_markdown(f"**Answer**\n\n{card['answer']}"),)
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
        if card is None:
            self.timer.playing = False
            done = sum(self.tally.values())
            counts = ", ".join(f"{n} {g}" for g, n in self.tally.items())
            text = (f"**Session done**: {done} graded ({counts})." if self.queue else
                    "**Nothing to ask**: no question of these topics and levels is due or new. Widen the choice, or "
                    "come back when the reviews below are due.")
            self.question.outputs = (_markdown(text),)
        else:
            self.question.outputs = (_markdown(self._card_text(card)),)
            self.timer.value = 0
            self.timer.max = 3 * TARGET_SECONDS.get(card.get("kind"), TARGET_SECONDS.get(card["level"], 120))
            self.timer.playing = True
        self._refresh()

    def _card_text(self, card):
        kind = {"question": "Q", "follow-up": "Follow-up", "exercise": "Whiteboard"}[card["kind"]]
        lines = [f"**{kind} [{card['level']}] · {card['topic']}** ({self.position + 1} of {len(self.queue)})", ""]
        previous = self.queue[self.position - 1] if self.position else None
        if card["parent"] and not (previous and previous["id"] == card["parent"]):
            parent = next((q for q in self.bank["questions"] if q["id"] == card["parent"]), None)
            if parent:
                lines += [f"*Follow-up to:* {parent['question']}", ""]
        lines.append(card["question"])
        if card["kind"] != "exercise" and card.get("exercise"):
            lines += ["", f"<small>Whiteboard: [this topic's exercise]({card['exercise']})</small>"]
        return "\n".join(lines)

    def _idle(self):
        """Before a session: say what Start will do; in whiteboard mode, link every chosen topic's exercise."""
        self.queue, self.position = [], 0
        self.answer.outputs = ()
        if self.controls["mode"].value == "whiteboard":
            cards = interview.exercise_cards(self.bank, self.controls["topics"].value)
            links = [f"- {c['topic']}: [the exercise]({c['exercise']})" for c in cards]
            text = "**Whiteboard mode**: Start draws coding exercises (15 minutes each).\n\n" + "\n".join(links)
        else:
            text = "Choose topics and levels, then **Start**. Answer aloud before you press **Show answer**."
        self.question.outputs = (_markdown(text),)
        self._refresh()

    def _show_time(self):
        card = self._current()
        target = TARGET_SECONDS.get(card.get("kind"), TARGET_SECONDS.get(card["level"], 120)) if card else 0
        over = card is not None and self.timer.value > target
        colour = "#c0392b" if over else "inherit"
        self.time_label.value = (f"<span style='color:{colour}'>{_clock_text(self.timer.value)}"
                                 + (f" (aim: {_clock_text(target)})" if card else "") + "</span>")

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
        position = f"question {self.values['position']} of {len(self.queue)}" if card else "no session running"
        self.status.value = f"<small>{position} · progress file: {html.escape(self.path.name)}</small>"
        head = "<tr><th style='text-align:left'>Next reviews</th><th>box</th><th>in</th></tr>"
        body = "".join(f"<tr><td><code>{html.escape(r['id'][:70])}</code></td><td>{r['box']}</td>"
                       f"<td>{r['in']}</td></tr>" for r in rows[:8])
        self.reviews.value = f"<table>{head}{body}</table>" if rows else "<small>No reviews scheduled yet.</small>"

    def __repr__(self):
        return f"{type(self).__name__}(controls={list(self.controls)}, buttons={list(self.buttons)})"


def mock_interview(bank=None, progress_path=None, clock=None, seed=None, limit=10):
    """A mock interview over the course's question bank (see :class:`MockInterview` for the arguments).

    ``bank`` defaults to :func:`utils.interview.load_bank` (the repository's ``course/questions.json``, else the copy
    inside the package). Progress is saved after every grade, so a later session resumes with the due reviews.
    """
    return MockInterview(interview.load_bank() if bank is None else bank, progress_path, clock, seed, limit)
