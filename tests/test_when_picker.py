"""The moment picker, driven with Pilot from a tiny host app (fixed clock, no store)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from textual import events
from textual.app import App
from textual.widgets import Input, Static

from calldesk.rules.config import CallingHours
from calldesk.screens.when_picker import When, WhenPicker

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Amsterdam
FRIDAY = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 14:00 in London, 15:00 in Amsterdam
SIZE = (100, 34)


class Host(App[None]):
    """Pushes one picker and keeps what it returns."""

    BINDINGS = [("q", "quit", "Quit")]  # as the desk has: the modal must keep it from quitting

    def __init__(self, **options: object) -> None:
        super().__init__()
        settings = {"title": "Callback", "now": NOW, "zone": "Europe/Amsterdam", "country": "NL",
                    "hours": CallingHours(), "region": "NL", "caller_zone": "Europe/Amsterdam"}
        self.picker = WhenPicker(**{**settings, **options})  # type: ignore[arg-type]
        self.results: list[When | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.picker, self.results.append)


def shown(app: Host, selector: str) -> str:
    widget = app.picker.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def test_a_digit_then_enter_returns_that_moment() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 24, 9, 0, tzinfo=AMS), False, "")]


async def test_arrows_step_through_the_choices() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "up", "up", "enter")  # 1, 2, 1, then wraps round to 6
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 30, 9, 30, tzinfo=UTC), False, "")]  # 6: in a week


async def test_free_entry_then_enter_saves_it() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", *"morgen 10:00", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), False, "")]


# Each example of the Type box's hint, in Dutch and in English, typed straight away: no Tab
# first. Digits followed by more are a typed moment, not a quick choice (issue 16).
HINTS = [
    ("morgen 10:00", datetime(2026, 11, 24, 10, 0, tzinfo=AMS)),
    ("tomorrow 10:00", datetime(2026, 11, 24, 10, 0, tzinfo=AMS)),
    ("24-11 14:00", datetime(2026, 11, 24, 14, 0, tzinfo=AMS)),
    ("ma 9:30", datetime(2026, 11, 30, 9, 30, tzinfo=AMS)),
    ("mon 9:30", datetime(2026, 11, 30, 9, 30, tzinfo=AMS)),
    ("+2h", datetime(2026, 11, 23, 12, 30, tzinfo=AMS)),
    ("ma 10:30", datetime(2026, 11, 30, 10, 30, tzinfo=AMS)),
    ("1 dec 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=AMS)),  # starts with a choice's digit
    ("14:00", datetime(2026, 11, 23, 14, 0, tzinfo=AMS)),
]


@pytest.mark.parametrize(("typed", "expected"), HINTS)
async def test_typing_on_the_choices_goes_to_the_box_and_enter_saves_it(typed: str, expected: datetime) -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*typed)
        assert app.picker.query_one("#when-entry", Input).value == typed
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [When(expected, False, "")]


async def test_the_preview_follows_the_typing_before_enter() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"morgen 10")
        assert shown(app, "#when-preview").startswith("Tue 24 Nov 10:00 lead (Europe/Amsterdam)")
        await pilot.press(*":30")
        assert shown(app, "#when-preview").startswith("Tue 24 Nov 10:30 lead (Europe/Amsterdam)")
        await pilot.press(" ", "x")
        assert shown(app, "#when-preview") == "Press Enter to save what you typed"
        assert shown(app, "#when-error") == ""  # errors wait for Enter
        assert app.results == []


async def test_the_type_hint_names_the_examples_tested() -> None:
    app = Host()
    async with app.run_test(size=SIZE):
        hint = str(app.picker.query_one("#when-entry", Input).placeholder)
    assert [part.strip() for part in hint.removeprefix("e.g.").split("·")] == [
        typed for typed, _moment in HINTS[:6] if typed not in ("tomorrow 10:00", "mon 9:30")]


async def test_a_digit_then_more_typing_undoes_the_pick() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        assert "in 2 days" in shown(app, "#when-choices").split("▸")[1].splitlines()[0]
        await pilot.press("2", "-", "1", "1")
        assert app.picker.query_one("#when-entry", Input).value == "42-11"
        assert app.picker.chosen is None  # the 4 was the start of a typed moment, not a pick
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [] and "can't read '42-11'" in shown(app, "#when-error")


async def test_a_typed_moment_outside_calling_hours_shows_why_then_saves_on_a_second_enter() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"morgen 20:00", "enter")
        await pilot.pause()
        assert app.results == []
        assert "outside calling hours" in shown(app, "#when-warnings")
        assert shown(app, "#when-error") == "Press Enter again to save it anyway"
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 24, 20, 0, tzinfo=AMS), False, "")]


async def test_a_bad_entry_shows_the_error_and_loses_nothing() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", *"bel na 10 uur", "shift+tab", *"31-02 10:00", "enter")
        await pilot.pause()
        assert shown(app, "#when-error") == "can't read '31-02 10:00' as a moment: day is out of range for month"
        assert app.screen is app.picker and app.results == []
        assert app.picker.query_one("#when-entry", Input).value == "31-02 10:00"
        assert app.picker.query_one("#when-note", Input).value == "bel na 10 uur"
        await pilot.press("enter")  # Enter on the same bad text never confirms
        await pilot.pause()
        assert app.results == []
        await pilot.press(*["backspace"] * 11, *"26-11 14:00", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 26, 13, 0, tzinfo=UTC), False, "bel na 10 uur")]


async def test_typed_then_enter_in_the_note_saves_what_the_box_says() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"morgen 10:00", "backspace", "5", "tab", *"na de lunch", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 24, 9, 5, tzinfo=UTC), False, "na de lunch")]


def burst(app: App[None], *keys: str) -> None:
    """Keys arriving at once, as a paste or a slow link delivers them: no pause between them."""
    names = {" ": "space", "-": "minus", ":": "colon", "+": "plus"}
    special = {"enter": events.Key("enter", "\r"), "tab": events.Key("tab", "\t")}
    for key in keys:
        app.post_message(special.get(key) or events.Key(names.get(key, key), key))


async def test_text_typed_in_a_burst_then_enter_is_all_read() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *"morgen 10:00")  # on the choices: it all goes to the box
        await pilot.pause(0.2)
        await pilot.press("tab")
        burst(app, *"bel na 10 uur", "enter")
        await pilot.pause(0.2)
    assert app.results == [When(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), False, "bel na 10 uur")]


async def test_a_burst_typed_on_the_choices_then_enter_is_all_saved() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        burst(app, *"24-11 14:00", "enter")
        await pilot.pause(0.2)
    assert app.results == [When(datetime(2026, 11, 24, 13, 0, tzinfo=UTC), False, "")]


async def test_enter_without_a_moment_keeps_the_modal_open() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app, "#when-preview") == "No moment chosen yet: press 1–6 or type one"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.picker and app.results == []
        assert shown(app, "#when-error") == "Choose a moment first: press 1–6 or type one"


async def test_ctrl_t_toggles_only_me_and_team() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        assert shown(app, "#when-team").startswith("For: only me")
        await pilot.press("ctrl+t")
        assert shown(app, "#when-team").startswith("For: the team")
        await pilot.press("ctrl+t")
        assert shown(app, "#when-team").startswith("For: only me")
        await pilot.press("ctrl+t", "tab", "tab", *"to do", "enter")  # t in the note is just a letter
        await pilot.pause()
        assert app.results == []  # no moment yet
        await pilot.press("tab", "1", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 23, 10, 30, tzinfo=UTC), True, "to do")]


async def test_an_appointment_has_no_team_choice() -> None:
    app = Host(title="Appointment", allow_team=False, team=True, note="demo")
    async with app.run_test(size=SIZE) as pilot:
        assert app.picker.query_one("#when-dialog").border_title == "Appointment"
        assert shown(app, "#when-team") == ""
        assert "team" not in shown(app, "#when-help")
        await pilot.press("ctrl+t", "4", "enter")
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 25, 9, 30, tzinfo=UTC), False, "demo")]


async def test_escape_returns_none() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")  # the app's own keys are out of reach behind the modal
        assert app.screen is app.picker
        await pilot.press("2", "tab", *"morgen", "escape")
        await pilot.pause()
    assert app.results == [None]


async def test_preview_shows_both_clocks_and_the_weekend_warning() -> None:
    app = Host(now=FRIDAY, zone="Europe/London", country="GB")
    async with app.run_test(size=SIZE) as pilot:
        assert "3  next calling day 09:00" in shown(app, "#when-choices")
        await pilot.press("2")
        assert shown(app, "#when-preview") == "Sat 28 Nov 09:00 lead (Europe/London) · 10:00 you (Europe/Amsterdam)"
        assert shown(app, "#when-warnings") == "⚠ not a calling day (Sat)"
        await pilot.press("down")  # another digit now would make "23", a typed moment
        assert shown(app, "#when-preview") == "Mon 30 Nov 09:00 lead (Europe/London) · 10:00 you (Europe/Amsterdam)"
        assert shown(app, "#when-warnings") == ""


async def test_preview_across_midnight_and_a_holiday() -> None:
    before_kings_day = datetime(2027, 4, 26, 12, 0, tzinfo=UTC)
    app = Host(now=before_kings_day, zone=None, country="", caller_zone="America/New_York")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        assert shown(app, "#when-preview") == (
            "Tue 27 Apr 09:00 lead (Europe/Amsterdam, zone unknown) · 03:00 you (America/New_York)")
        assert shown(app, "#when-warnings") == "⚠ a public holiday in NL: Koningsdag"
        await pilot.press("tab", *"+10h", "enter")
        assert shown(app, "#when-preview") == (
            "Tue 27 Apr 00:00 lead (Europe/Amsterdam, zone unknown) · Mon 26 Apr 18:00 you (America/New_York)")
        assert "outside calling hours (09:00–17:30 lead's time)" in shown(app, "#when-warnings")


def test_snapshot_when_picker(snap_compare) -> None:
    async def choose(pilot) -> None:
        await pilot.press("2")
        await pilot.pause()

    app = Host(now=FRIDAY, zone="Europe/London", country="GB", note="send the price list first")
    assert snap_compare(app, terminal_size=SIZE, run_before=choose)


async def test_a_moment_that_has_passed_is_refused_and_the_picker_stays_open() -> None:
    """Saving would refuse it after the picker closed, and the caller would start over."""
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", *"20-11-2026 10:00", "enter", "enter")
        await pilot.pause()
        assert app.results == [] and app.picker.is_current
        assert "has passed" in shown(app, "#when-error")
        entry = app.picker.query_one("#when-entry", Input)
        entry.value = ""
        await pilot.press(*"10:29", "enter", "enter")  # a minute ago: within the grace, as recording
        await pilot.pause()
    assert app.results == [When(datetime(2026, 11, 23, 9, 29, tzinfo=UTC), False, "")]


async def test_a_lead_of_several_zones_is_never_shown_as_in_one_of_them() -> None:
    from calldesk.rules.phones import normalize

    us = normalize("+1 800 555 0199").time_zone
    app = Host(now=FRIDAY, zone=us, country="US")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")  # next Monday 09:00
        preview = shown(app, "#when-preview")
        assert f"(America/New_York, one of {len(us.split())} zones they could be in)" in preview
        assert "zone unknown" not in preview
