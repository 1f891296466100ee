"""The BANT script panel, driven with Pilot in a tiny host app, and as an SVG snapshot."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from calldesk.rules.config import Qualification
from calldesk.rules.outcomes import Outcome
from calldesk.rules.script import Answer, builtin_script
from calldesk.screens.script_panel import ScriptPanel

VALUES = {"caller": "Anne", "company": "Bakkerij Jansen", "contact": "Piet Jansen"}
# The call screen's keys: the panel must leave them alone.
HOST_KEYS = {"o", "e", "l", "u", "n", "q", "tab", "escape", "enter"}


class Host(App[None]):
    """Stands in for the call screen: Escape leaves the call."""

    BINDINGS = [Binding("escape", "leave", "Leave the call")]

    def __init__(self, language: str = "en", known: dict[str, str] | None = None,
                 rule: Qualification | None = None) -> None:
        super().__init__()
        self.panel = ScriptPanel(builtin_script(language), rule or Qualification(), known or {}, values=VALUES,
                                 id="script")
        self.changes: list[ScriptPanel.Changed] = []
        self.left = 0

    def compose(self) -> ComposeResult:
        yield self.panel

    def on_mount(self) -> None:
        self.panel.focus()

    def on_script_panel_changed(self, message: ScriptPanel.Changed) -> None:
        self.changes.append(message)

    def action_leave(self) -> None:
        self.left += 1


def shown(panel: ScriptPanel, cls: str) -> list[str]:
    return [str(static.content) for static in panel.query(f".{cls}").results(Static)]


def note_input(panel: ScriptPanel) -> Input:
    return panel.query_one(".script-note", Input)


async def test_digits_answer_the_current_question_and_move_on():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        assert panel.current == "budget" and not panel.dirty
        await pilot.press("1", "2")
        assert panel.answers == {"budget": Answer("yes"), "authority": Answer("involved")}
        assert panel.current == "need" and panel.dirty
        await pilot.press("3", "5")
        assert panel.answers["need"] == Answer("no") and panel.answers["timing"] == Answer("none")
        assert panel.current == "timing"  # the last question stays current
        await pilot.press("9")  # timing has five options: nothing happens
        assert panel.answers["timing"] == Answer("none") and len(app.changes) == 4


async def test_up_and_down_move_between_questions_and_only_the_current_one_is_open():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        await pilot.press("down", "down", "down", "down", "down")
        assert panel.current == "timing"
        await pilot.press("up")
        assert panel.current == "need"
        await pilot.press("up", "up", "up")
        assert panel.current == "budget"
        questions = shown(panel, "script-question")
        assert "1  Budget is available" in questions[0] and "What do you spend on this today?" in questions[0]
        assert questions[2].split() == ["Need", "–"] and "\n" not in questions[2]
        assert [s.has_class("-current") for s in panel.query(".script-question").results(Static)] == [
            True, False, False, False]


async def test_backspace_clears_the_current_answer():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        await pilot.press("1", "1", "up", "backspace")
        assert panel.answers == {"budget": Answer("yes")}
        assert app.changes[-1].answers == {"budget": Answer("yes")}
        changes = len(app.changes)
        await pilot.press("backspace")  # nothing left to clear: no message
        assert len(app.changes) == changes and panel.current == "authority"


async def test_m_adds_a_note_enter_keeps_it_escape_cancels_without_leaving_the_call():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        await pilot.press("3", "up", "m")
        field = note_input(panel)
        assert field.has_focus and field.display
        await pilot.press(*"q3", "space", *"plan", "enter")
        assert panel.answers["budget"] == Answer("no", "q3 plan")
        assert panel.has_focus and not field.display and app.left == 0
        assert app.changes[-1].answers["budget"].note == "q3 plan"
        assert "note: q3 plan" in shown(panel, "script-question")[0]

        changes = len(app.changes)
        await pilot.press("m", "x", "escape")
        assert panel.answers["budget"] == Answer("no", "q3 plan")
        assert app.left == 0, "Escape in the note must not leave the call"
        assert panel.has_focus and not field.display and len(app.changes) == changes

        await pilot.press("escape")  # without a note open, Escape is the call screen's
        assert app.left == 1


async def test_keys_typed_into_a_note_do_not_answer_questions():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        await pilot.press("1", "up", "m", "2", "backspace", "3", "enter")
        assert panel.answers == {"budget": Answer("yes", "3")} and panel.current == "budget"


async def test_a_note_needs_an_answer_and_may_confirm_last_times():
    app = Host(known={"need": "maybe"})
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        await pilot.press("m")  # budget: no answer yet, now or before
        assert not note_input(panel).display and panel.has_focus and not panel.dirty
        await pilot.press("down", "down", "m", *"later", "enter")
        assert panel.answers == {"need": Answer("maybe", "later")}
        await pilot.press("m", "ctrl+a", "ctrl+k", "enter")  # emptying the note keeps the answer
        assert panel.answers == {"need": Answer("maybe")}


async def test_changed_messages_carry_this_calls_answers_and_the_verdict():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("1", "1", "1")
        last = app.changes[-1]
        assert last.control is app.panel
        assert last.answers == {"budget": Answer("yes"), "authority": Answer("decision_maker"), "need": Answer("yes")}
        assert last.verdict.missing == ("timing unknown",) and last.verdict.suggestion is Outcome.interested
        assert "Not qualified yet: timing unknown — suggested outcome: i interested" in shown(app.panel,
                                                                                              "script-verdict")[0]
        await pilot.press("2")
        last = app.changes[-1]
        assert last.verdict.qualified and last.verdict.suggestion is Outcome.qualified
        assert [len(c.answers) for c in app.changes] == [1, 2, 3, 4]
        assert shown(app.panel, "script-verdict") == ["Qualifies as a hot lead — suggested outcome: h qualified"]
        assert "meeting with one of our consultants" in shown(app.panel, "script-closing")[0]


async def test_known_answers_are_shown_and_count_until_this_call_changes_them():
    app = Host(known={"authority": "decision_maker", "need": "yes", "budget": "unknown"})
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        assert panel.verdict.missing == ("timing unknown",) and not panel.dirty
        questions = shown(panel, "script-question")
        assert "last time: Not known yet" in questions[0]
        assert "last time: Decides (decision-maker)" in questions[1]
        await pilot.press("down", "down", "down", "2")
        assert panel.answers == {"timing": Answer("3m")}
        assert panel.verdict.qualified and app.changes[-1].verdict.qualified
        await pilot.press("up", "up", "3")  # this call's answer wins over last time's
        assert not panel.verdict.qualified and panel.verdict.missing == ("not talking to a decision-maker",)
        await pilot.press("up", "backspace")  # cleared: last time's answer counts again
        assert panel.verdict.qualified


async def test_a_rule_from_the_config_decides_the_verdict():
    app = Host(rule=Qualification(timing_within_months=12))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2", "1", "1", "4")
        assert app.panel.answers["timing"] == Answer("12m") and app.panel.verdict.qualified


async def test_the_closing_line_follows_the_verdict_and_placeholders_are_filled():
    app = Host(language="nl")
    async with app.run_test(size=(100, 40)) as pilot:
        panel = app.panel
        assert shown(panel, "script-opener")[0].startswith(
            "Goedemorgen/goedemiddag, u spreekt met Anne. Spreek ik met Piet Jansen van Bakkerij Jansen?")
        await pilot.press("down", "down", "3")
        assert "niet het juiste moment" in shown(panel, "script-closing")[0]
        assert "suggested outcome: x not interested" in shown(panel, "script-verdict")[0]
        await pilot.press("up", "2")
        assert "Ik stuur u vandaag nog wat informatie" in shown(panel, "script-closing")[0]


async def test_a_click_makes_a_question_current():
    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        questions = list(app.panel.query(".script-question").results(Static))
        await pilot.click(questions[3])
        assert app.panel.current == "timing"


def test_the_panel_leaves_the_call_screens_keys_alone():
    bound = {key.strip() for binding in ScriptPanel.BINDINGS for key in binding.key.split(",")}
    assert bound & HOST_KEYS == set()
    assert {str(n) for n in range(1, 10)} | {"up", "down", "backspace", "m"} == bound


def test_snapshot_script_panel_mid_call(snap_compare):
    # Dutch, budget known from an earlier call; authority and need answered (need with a note),
    # now on timing.
    note = ["space" if c == " " else c for c in "wil voor de zomer live"]
    press = ["down", "1", "1", "up", "m", *note, "enter", "down"]
    assert snap_compare(Host(language="nl", known={"budget": "yes"}), terminal_size=(100, 40), press=press)
