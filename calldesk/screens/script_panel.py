"""The BANT call script during a call: ask each question, pick the answer with a number key.

The panel shows the opener, the four questions (the current one open: prompt, numbered options,
follow-up tips), and a live verdict with the closing line that fits it. It knows nothing of the
store: the call screen passes earlier answers in and reads `answers` back (or listens for
`Changed`). It leaves o, e, l, u, n, q, tab, escape and enter to the call screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from calldesk.i18n import N_, _
from calldesk.rules.config import Qualification
from calldesk.rules.outcomes import KEY_OF, Outcome
from calldesk.rules.script import Answer, Question, Script, Verdict, qualify, render
from calldesk.screens.translate import translate_bindings

_MUTED = "$text-muted"


class _NoteInput(Input):
    """The inline note editor. Escape cancels here, so it never reaches the call screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel_note", N_("Cancel the note"), show=False)]

    class Cancelled(Message):
        pass

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - Input's own
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def action_cancel_note(self) -> None:
        self.post_message(self.Cancelled())


class ScriptPanel(Widget, can_focus=True):
    DEFAULT_CSS = """
    ScriptPanel {
        height: 1fr;
        padding: 0 1;
    }
    ScriptPanel .script-opener {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        background: $boost;
    }
    ScriptPanel > .script-questions {
        height: 1fr;
    }
    Screen.-short ScriptPanel .script-question.-current {
        margin: 0;
    }
    ScriptPanel .script-question {
        height: auto;
        padding: 0 1;
    }
    ScriptPanel .script-question.-current {
        background: $boost;
        margin: 1 0;
    }
    ScriptPanel:focus-within .script-question.-current {
        background: $accent 15%;
    }
    ScriptPanel .script-note {
        display: none;
        margin: 0 1 1 1;
    }
    ScriptPanel .script-note.-open {
        display: block;
    }
    ScriptPanel > .script-verdict {
        height: auto;
        padding: 0 1;
        border-top: hkey $primary-background;
        color: $warning;
        text-style: bold;
    }
    ScriptPanel > .script-verdict.-qualified {
        color: $success;
    }
    ScriptPanel .script-closing {
        height: auto;
        padding: 0 1;
        margin-top: 1;
    }
    """

    # Digits, arrows, backspace and m only: the call screen owns the letters it uses.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", N_("Previous question"), show=False),
        Binding("down", "move(1)", N_("Next question"), show=False),
        Binding("1", "pick(1)", N_("Answer"), key_display="1-9"),
        # system: out of the key panel, which lists "1-9 Answer" once for all nine.
        *(Binding(str(n), f"pick({n})", "Answer", show=False, system=True) for n in range(2, 10)),
        Binding("backspace", "clear", N_("Clear answer"), id="script.clear"),
        Binding("m", "note", N_("Note"), id="script.note"),
    ]

    class Changed(Message):
        """An answer or note changed."""

        def __init__(self, panel: ScriptPanel, answers: dict[str, Answer], verdict: Verdict) -> None:
            super().__init__()
            self.panel = panel
            self.answers = answers  # answers given in this call
            self.verdict = verdict  # over known answers overlaid with this call's

        @property
        def control(self) -> ScriptPanel:
            return self.panel

    def __init__(self, script: Script, rule: Qualification, known: Mapping[str, str] = {}, *,
                 values: Mapping[str, str] = {}, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self._script = script
        self._rule = rule
        self._known: dict[str, str] = {}
        self._values: dict[str, str] = {}
        self._answers: dict[str, Answer] = {}
        self._current = 0
        self._editing: str | None = None  # the element whose note is open
        self._take(known, values)
        self._questions = [Static(classes="script-question") for _ in script.questions]
        self._note = _NoteInput(placeholder=_("Note on this answer (Enter keeps it, Escape cancels)"),
                                classes="script-note")
        self._verdict_line = Static(classes="script-verdict")
        self._closing_line = Static(classes="script-closing")

    # --- what the call screen reads -------------------------------------------------------

    @property
    def answers(self) -> dict[str, Answer]:
        return dict(self._answers)

    @property
    def verdict(self) -> Verdict:
        merged = dict(self._known)
        merged.update({element: answer.value for element, answer in self._answers.items()})
        return qualify(merged, self._rule)

    @property
    def dirty(self) -> bool:
        return bool(self._answers)

    @property
    def current(self) -> str:
        """The element of the current question."""
        return self._script.questions[self._current].element

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The opener and the closing scroll with the questions: on a small terminal the
        # current question's answers keep the room, and the verdict stays in sight below.
        with VerticalScroll(classes="script-questions", can_focus=False):
            yield Static(Content(self._fill(self._script.opener)), classes="script-opener")
            yield from self._questions
            yield self._note
            yield self._closing_line
        yield self._verdict_line

    def on_mount(self) -> None:
        self._show()

    def on_resize(self) -> None:
        self.call_after_refresh(self._scroll_to_current)  # more or less room (the card opened, a resize)

    def _take(self, known: Mapping[str, str], values: Mapping[str, str]) -> None:
        self._known = {k: v for k, v in known.items() if v}
        self._values = {str(k): str(v) for k, v in values.items()}

    def reset(self, known: Mapping[str, str], values: Mapping[str, str]) -> None:
        """A new call on the same script: this lead's earlier answers, no answers of this call,
        no note open, the first question current."""
        if self._editing:
            self._editing = None
            self._note.remove_class("-open")
        self._take(known, values)
        self._answers = {}
        self._current = 0
        self.query_one(".script-opener", Static).update(Content(self._fill(self._script.opener)))
        self._show()

    def restore(self, answers: Mapping[str, Answer]) -> None:
        """Answers typed on a call that was undone: the reopened call starts from them, at the
        first question still open."""
        self._answers = dict(answers)
        elements = [question.element for question in self._script.questions]
        self._current = next((i for i, element in enumerate(elements) if element not in answers), 0)
        self._show()

    def _fill(self, text: str) -> str:
        return render(text, **self._values)

    def _show(self) -> None:
        width = max(len(q.title) for q in self._script.questions)
        for index, (question, static) in enumerate(zip(self._script.questions, self._questions, strict=True)):
            current = index == self._current
            static.set_class(current, "-current")
            static.update(self._open(question, width) if current else self._line(question, width))
        verdict = self.verdict
        self._verdict_line.set_class(verdict.qualified, "-qualified")
        self._verdict_line.update(Content(_verdict_text(verdict)))
        self._closing_line.update(Content.assemble((_("Closing") + "  ", f"bold {_MUTED}"), self._closing_text(verdict)))
        self.call_after_refresh(self._scroll_to_current)

    def _closing_text(self, verdict: Verdict) -> str | tuple[str, str]:
        """The closing line the verdict picks; before any answer (this call's or an earlier
        one) a neutral hint, not the "not qualified" goodbye to a lead nobody has asked yet."""
        if not self._answers and not self._known:
            return (_("chosen by the answers: ask the questions first"), f"italic {_MUTED}")
        return self._fill(self._script.closing[verdict.closing_key])

    def _scroll_to_current(self) -> None:
        """Scroll as little from the top as shows the current question whole (from its title,
        when it is taller than the room), or the note being typed, or the closing once every
        question is answered: the same view whatever was scrolled before."""
        if self._editing:
            target: Widget = self._note
        elif len(self._answers) == len(self._questions) and self._current == len(self._questions) - 1:
            target = self._closing_line
        else:
            target = self._questions[self._current]
        box = target.parent
        if not isinstance(box, VerticalScroll):
            return
        region = target.virtual_region_with_margin
        top, bottom = region.y, region.bottom
        if target is not self._note and target is not self._closing_line:
            # Its tips may go below the edge; its title, prompt and answers may not.
            head = Content.assemble(*self._head(self._script.questions[self._current])).rstrip()
            lines = len(head.wrap(max(target.content_region.width, 1)))
            bottom = min(bottom, top + target.styles.margin.top + target.styles.padding.top + lines)
        room = box.scrollable_content_region.height
        box.scroll_to(y=min(top, max(bottom - room, 0)), animate=False, immediate=True)

    def _answer_parts(self, question: Question) -> list[str | tuple[str, str]]:
        answer = self._answers.get(question.element)
        if answer is not None:
            parts: list[str | tuple[str, str]] = [(_label(question, answer.value), "bold")]
            if answer.note:
                parts.append(("  " + _("note: {note}").format(note=answer.note), f"italic {_MUTED}"))
            return parts
        known = self._known.get(question.element)
        if known:
            return [(_("last time: {answer}").format(answer=_label(question, known)), _MUTED)]
        return [("–", _MUTED)]

    def _line(self, question: Question, width: int) -> Content:
        return Content.assemble("  ", (question.title.ljust(width), "bold"), "  ", *self._answer_parts(question))

    def _head(self, question: Question) -> list[str | tuple[str, str]]:
        """The open question's title, prompt and numbered answers: what must be in sight."""
        answer = self._answers.get(question.element)
        parts: list[str | tuple[str, str]] = ["▸ ", (question.title, "bold $accent"), "\n"]
        parts += ["  ", (self._fill(question.prompt), "italic"), "\n"]
        for option in question.options:
            chosen = answer is not None and answer.value == option.value
            parts += ["   ", (f" {option.key} ", "bold reverse"), " ",
                      (option.label, "bold $success" if chosen else ""), ("  ✓" if chosen else ""), "\n"]
        return parts

    def _open(self, question: Question, width: int) -> Content:
        answer = self._answers.get(question.element)
        parts = self._head(question)
        if question.tips:
            parts += [("  " + _("Ask through"), f"bold {_MUTED}"), "\n"]
            for tip in question.tips:
                parts += [("   · ", _MUTED), self._fill(tip), "\n"]
        known = self._known.get(question.element)
        if known:
            parts += [("  " + _("last time:") + " ", _MUTED), _label(question, known), "\n"]
        if answer is not None and answer.note:
            parts += [("  " + _("note:") + " ", _MUTED), (answer.note, "italic"), "\n"]
        return Content.assemble(*parts).rstrip()

    # --- keys -------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._editing:
            return
        self._current = min(max(self._current + step, 0), len(self._questions) - 1)
        self._show()

    def action_pick(self, number: int) -> None:
        if self._editing:
            return
        question = self._script.questions[self._current]
        if number > len(question.options):
            self.app.bell()
            return
        value = question.options[number - 1].value
        before = self._answers.get(question.element)
        self._answers[question.element] = Answer(value, before.note if before else "")
        self._current = min(self._current + 1, len(self._questions) - 1)  # on to the next question
        self._changed()

    def action_clear(self) -> None:
        if self._editing or self._answers.pop(self.current, None) is None:
            return
        self._changed()

    def action_note(self) -> None:
        if self._editing:
            return
        element = self.current
        answer = self._answers.get(element)
        # A note on last time's answer re-confirms it in this call; with no answer at all there
        # is nothing to annotate.
        if answer is None and element not in self._known:
            self.notify(_("Pick an answer first, then add a note"), severity="warning")
            return
        self._editing = element
        self._note.value = answer.note if answer else ""
        question = self._questions[self._current]
        question.parent.move_child(self._note, after=question)  # type: ignore[union-attr]
        self._note.add_class("-open")
        self._note.focus()
        self.call_after_refresh(self._scroll_to_current)

    @on(Input.Submitted, ".script-note")
    def _keep_note(self, event: Input.Submitted) -> None:
        event.stop()  # Enter means something else to the call screen
        self._close_note(keep=True)

    @on(_NoteInput.Cancelled)
    def _cancel_note(self, event: _NoteInput.Cancelled) -> None:
        event.stop()
        self._close_note(keep=False)

    @on(Input.Blurred, ".script-note")
    def _note_left(self, event: Input.Blurred) -> None:
        # Focus moved away (a click, tab): keep what was typed rather than lose it.
        event.stop()
        if self._editing:
            self._close_note(keep=True)

    @on(Input.Changed, ".script-note")
    def _typing(self, event: Input.Changed) -> None:
        event.stop()  # the call screen has no use for keystrokes in the note

    def _close_note(self, keep: bool) -> None:
        element, self._editing = self._editing, None
        if element is None:
            return
        had_focus = self._note.has_focus
        if had_focus:
            self.focus()
        self._note.remove_class("-open")
        if not keep:
            self._show()
            return
        note = self._note.value.strip()
        answer = self._answers.get(element)
        if answer is None:
            if not note:
                self._show()
                return
            answer = Answer(self._known[element])
        if answer.note == note:
            self._show()
            return
        self._answers[element] = Answer(answer.value, note)
        self._changed()

    def on_click(self, event: Click) -> None:
        if self._editing:
            return
        if event.widget in self._questions:
            self._current = self._questions.index(event.widget)  # type: ignore[arg-type]
            self.focus()
            self._show()

    def _changed(self) -> None:
        self._show()
        self.post_message(self.Changed(self, self.answers, self.verdict))


def _label(question: Question, value: str) -> str:
    option = question.option(value)
    return option.label if option else value


def _outcome_text(outcome: Outcome) -> str:
    key = KEY_OF.get(outcome, "")
    return f"{key} {outcome.ui_label}" if key else outcome.ui_label


def _verdict_text(verdict: Verdict) -> str:
    if verdict.qualified:
        return _("Qualifies as a hot lead — suggested outcome: {outcome}").format(
            outcome=_outcome_text(Outcome.qualified))
    text = _("Not qualified yet: {missing}").format(missing=", ".join(verdict.missing))
    if verdict.suggestion is not None:
        text += " — " + _("suggested outcome: {outcome}").format(outcome=_outcome_text(verdict.suggestion))
    return text
