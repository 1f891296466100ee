"""The callback schedule (b from the queue), driven with Pilot on the demo store at a fixed clock.

With the default config (release after 2 hours) the demo's callbacks from the last working day
go to the team when the schedule loads, so the agenda opens with released overdue callbacks.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from textual.widgets import DataTable, Static

from calldesk.db.agenda import TEAM, agenda
from calldesk.db.models import Callback
from calldesk.db.team import cancel_callbacks
from calldesk.rules.config import Config
from calldesk.screens.queue import QueueScreen
from calldesk.screens.schedule import ScheduleScreen
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt
from calldesk.screens.when_picker import WhenPicker
from tests.conftest import NOW
from tests.pilot import make_app, open_screen, settle, text_of

SIZE = (140, 36)


async def open_schedule(pilot) -> ScheduleScreen:
    return await open_screen(pilot, "b", ScheduleScreen)


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#agenda", DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def status(app) -> str:
    return text_of(app.screen.query_one("#schedule-status", Static))


def callbacks(store) -> dict[int, sa.Row]:
    with store.read() as session:
        found = session.execute(sa.select(Callback.id, Callback.caller, Callback.status, Callback.due_at,
                                          Callback.released_from, Callback.closed_by, Callback.close_reason)).all()
    return {row.id: row for row in found}


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def test_team_lead_sees_released_overdue_first_and_reassigns_three_to_bram(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        items = screen.items
        assert items[0].overdue and items[0].released_from is not None
        shown = rows(app)
        assert shown[0][1] == "overdue" and shown[0][3] == f"team, released from {items[0].released_from}"
        assert sum("released from" in row[3] for row in shown) == sum(i.released_from is not None for i in items) > 1
        assert [row[1] for row in shown if row[1]] == ["overdue", "today", "tomorrow", "this week"]
        assert "tess (team lead)" in status(app) and "everyone's callbacks" in status(app)
        assert "released from" in text_of(screen.query_one("#schedule-detail", Static))

        await pilot.press("space", "down", "space", "down", "space", "down")
        assert "3 selected" in status(app)
        assert [row[0] for row in rows(app)[:4]] == ["✓", "✓", "✓", " "]
        chosen = {item.callback_id for item in items[:3]}
        before = {cb_id for cb_id, row in callbacks(demo_store).items() if row.caller == "bram"}
        assert not chosen & before

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, CallerPicker)
        await pilot.press("b", "enter")  # a letter jumps to the first caller starting with it
        await settle(pilot)
        assert app.screen is screen

        stored = callbacks(demo_store)
        assert {cb_id for cb_id, row in stored.items() if row.caller == "bram"} == before | chosen
        assert all(stored[cb_id].released_from is None for cb_id in chosen)
        assert {utc(stored[cb_id].due_at) for cb_id in chosen} == {i.due_at for i in items[:3]}  # times kept
        mine = agenda(demo_store, NOW, Config(), caller="bram")
        assert chosen <= {item.callback_id for item in mine if item.caller == "bram"}
        assert "0 selected" in status(app)
        # Reloaded (which releases overdue callbacks again): still bram's, the team lead's choice stands.
        assert [row[3] for row in rows(app)].count("bram") == 3
        assert any(n.message == "3 callbacks moved to bram" for n in app._notifications)


async def test_a_callback_due_later_moves_to_a_caller_and_an_overdue_one_to_the_team(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        today = next(item for item in screen.items if item.group == "today" and item.caller == "anne")
        overdue = screen.items[0]
        await pilot.press(*["down"] * screen.items.index(today), "g", "s", "enter")  # to sanne
        await settle(pilot)
        assert app.screen is screen
        row = callbacks(demo_store)[today.callback_id]
        assert row.caller == "sanne" and utc(row.due_at) == today.due_at

        screen.query_one("#agenda", DataTable).move_cursor(row=0)
        await pilot.press("g", "end", "enter")  # the last choice: the whole team
        await settle(pilot)
        assert app.screen is screen
        row = callbacks(demo_store)[overdue.callback_id]
        assert row.caller is None and row.released_from is None and utc(row.due_at) == overdue.due_at


async def test_cancel_needs_a_reason_and_keeps_it(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        target = screen.items[1].callback_id
        await pilot.press("down", "x")  # nothing selected: the cursor row
        await pilot.pause()
        assert isinstance(app.screen, ReasonPrompt)
        await pilot.press("enter")  # an empty reason is refused
        await pilot.pause()
        assert isinstance(app.screen, ReasonPrompt)
        assert callbacks(demo_store)[target].status == "open"

        await pilot.press(*"lead sold the company", "enter")
        await settle(pilot)
        assert app.screen is screen
        row = callbacks(demo_store)[target]
        assert (row.status, row.closed_by, row.close_reason) == ("cancelled", "tess", "lead sold the company")
        assert target not in {item.callback_id for item in screen.items}
        assert sum(r.status == "cancelled" for r in callbacks(demo_store).values()) == 1


async def test_escape_in_a_modal_changes_nothing(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        before = callbacks(demo_store)
        for key in ("g", "s", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is not screen
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
        assert callbacks(demo_store) == before


async def test_reschedule_two_with_the_when_picker(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        first, second = screen.items[0], screen.items[2]
        assert first.time_zone == "Europe/Amsterdam"  # the picker shows the first one's clock
        await pilot.press("space", "down", "down", "space", "s")
        await pilot.pause()
        assert isinstance(app.screen, WhenPicker)
        await pilot.press("2", "enter")  # tomorrow 09:00 on the lead's clock
        await settle(pilot)
        assert app.screen is screen
        stored = callbacks(demo_store)
        tomorrow_nine = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
        assert utc(stored[first.callback_id].due_at) == tomorrow_nine
        assert utc(stored[second.callback_id].due_at) == tomorrow_nine
        assert utc(stored[screen.items[1].callback_id].due_at) < NOW  # not selected: untouched
        moved = {item.callback_id: item.group for item in screen.items}
        assert moved[first.callback_id] == moved[second.callback_id] == "tomorrow"


async def test_filter_team_only_then_one_caller_then_everyone(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        everyone = len(screen.items)
        assert {item.caller for item in screen.items} > {None, "anne"}

        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, CallerPicker)
        await pilot.press("end", "enter")  # the last choice: the whole team
        await settle(pilot)
        team = agenda(demo_store, NOW, Config(), caller=TEAM)
        assert [item.callback_id for item in screen.items] == [item.callback_id for item in team]
        assert screen.items and all(item.caller is None for item in screen.items)
        assert all(row[3].startswith("team") for row in rows(app))
        assert "team callbacks only" in status(app)

        await pilot.press("f", "d", "enter")
        await settle(pilot)
        assert {item.caller for item in screen.items} == {"daan", None}
        assert "daan's callbacks and the team's" in status(app)

        await pilot.press("f", "home", "enter")  # the first choice: everyone
        await settle(pilot)
        assert len(screen.items) == everyone


async def test_a_caller_sees_their_own_and_the_teams_and_changes_nothing(demo_store):
    app = make_app(demo_store, caller="anne")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        assert not app.team_lead
        assert {item.caller for item in screen.items} == {"anne", None}
        assert len(screen.items) == len(agenda(demo_store, NOW, Config(), caller="anne"))
        assert "your callbacks and the team's (view only)" in status(app)
        shown_keys = {binding.binding.key for binding in screen.active_bindings.values()
                      if binding.binding.show and screen.check_action(binding.binding.action, ()) is not False}
        assert {"r", "escape"} <= shown_keys and not {"space", "f", "g", "s", "x"} & shown_keys

        before = callbacks(demo_store)
        for key in ("space", "g", "s", "x", "f"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen  # no modal opened
        assert screen.marked == set()
        assert callbacks(demo_store) == before


async def test_a_change_that_fails_is_shown_and_the_schedule_stays(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_schedule(pilot)
        gone = screen.items[0].callback_id
        cancel_callbacks(demo_store, [gone], "done by phone meanwhile", by="tess")  # another desk
        await pilot.press("g", "b", "enter")
        await pilot.pause()
        await pilot.press("2", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert any("not an open callback" in n.message for n in app._notifications)
        assert callbacks(demo_store)[gone].caller is None  # not moved
        assert gone not in {item.callback_id for item in screen.items}  # reloaded without it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


def test_snapshot_schedule_team_lead_with_two_selected(snap_compare, demo_store):
    async def two_selected(pilot):
        await open_schedule(pilot)
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()

    assert snap_compare(make_app(demo_store, caller="tess"), terminal_size=SIZE, run_before=two_selected)


def test_snapshot_schedule_caller_view(snap_compare, demo_store):
    async def loaded(pilot):
        await open_schedule(pilot)

    assert snap_compare(make_app(demo_store, caller="anne"), terminal_size=SIZE, run_before=loaded)
