"""A store that fails under a running desk (the server restarted, the file moved, the disk full):
every worker of every screen shows one line, the desk keeps running, and once the store is back
the next refresh or key works. The fault is the real store's: its connections go and new ones
fail, as the driver says it (sqlite3.OperationalError, wrapped by SQLAlchemy)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import event
from textual.widgets import DataTable, Input, OptionList, Static

from calldesk.db.engine import Store, open_store
from calldesk.db.leads import add_lead
from calldesk.errors import CalldeskError
from calldesk.rules.stages import Stage
from calldesk.screens import queue as queue_module
from calldesk.screens.base import why
from calldesk.screens.call import CallScreen
from calldesk.screens.dashboard import DashboardScreen, LeadCard
from calldesk.screens.first_run import FirstRun
from calldesk.screens.lead_form import LeadForm
from calldesk.screens.modals import OutcomePicker
from calldesk.screens.queue import QueueScreen
from calldesk.screens.schedule import ScheduleScreen
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt, StagePicker
from tests.conftest import NOW
from tests.pilot import (  # settle waits for the store's workers, not a modal's answer
    make_app,
    open_screen,
    settle,
    text_of,
)

SIZE = (140, 40)
REASON = "unable to open database file"  # what the driver says while the store is gone


class Outage:
    """The store's connections gone and every new one refused, until `end()`."""

    def __init__(self, store: Store) -> None:
        self.store, self.on = store, False
        event.listen(store.engine, "do_connect", self._connect)

    def _connect(self, *_args: object) -> None:
        if self.on:
            raise sqlite3.OperationalError(REASON)

    def begin(self) -> None:
        self.on = True
        self.store.engine.dispose()  # the pooled connections go, as when the server restarts

    def end(self) -> None:
        self.on = False


@pytest.fixture
def outage(demo_store: Store) -> Outage:
    return Outage(demo_store)


def said(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def shown(app, start: str) -> str:
    """The notice that starts with `start`: one line, with the driver's reason in it."""
    found = [message for message in said(app) if message.startswith(start)]
    assert found, said(app)
    assert "\n" not in found[-1] and REASON in found[-1]
    return found[-1]


def failures(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


def test_why_is_one_line_with_the_drivers_reason():
    import sqlalchemy as sa

    error = sa.exc.OperationalError("SELECT 1\nFROM leads", {}, sqlite3.OperationalError("disk I/O error"))
    assert why(error).startswith("OperationalError: (sqlite3.OperationalError) disk I/O error")
    assert "\n" not in why(error) and "SELECT" not in why(error)
    assert why(RuntimeError("")) == "RuntimeError"
    assert why(CalldeskError("no lead with id 9\nsee calldesk queue")) == "no lead with id 9"


# -- the queue ---------------------------------------------------------------------------------

async def test_the_queue_refresh_survives_the_outage_and_works_again_after(demo_store, outage, monkeypatch):
    monkeypatch.setattr(queue_module, "REFRESH_SECONDS", 0.2)
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        before = list(screen.entries)
        outage.begin()
        await asyncio.sleep(0.6)  # the timer's refreshes fail
        await settle(pilot)
        assert app.is_running and app.screen is screen
        shown(app, "The queue could not be read: store ")
        assert screen.entries == before  # what was there stays
        outage.end()
        add_lead(demo_store, phone="020 123 4567", now=NOW, by="anne", config=app.config, company="Nieuw BV")
        screen.search = "Nieuw BV"  # as the filter box sets it: the next refresh shows just that lead
        for _ in range(20):  # the timer tries again by itself
            await asyncio.sleep(0.1)
            await settle(pilot)
            if screen.entries != before:
                break
        assert [e.company for e in screen.entries] == ["Nieuw BV"]


async def test_the_lead_beside_the_queue(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        outage.begin()
        await pilot.press("down")
        await settle(pilot)
        shown(app, "The lead could not be read: store ")
        outage.end()
        await pilot.press("down")
        await settle(pilot)
        assert screen.entries[2].company in text_of(screen.query_one("#detail", Static))


@pytest.mark.parametrize("key", ["n", "enter"])
async def test_taking_a_lead(demo_store, outage, key):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        outage.begin()
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        shown(app, "The lead could not be claimed: store ")
        outage.end()
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, CallScreen)


async def test_undo(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        outage.begin()
        await pilot.press("u")
        await settle(pilot)
        assert app.is_running and len(said(app)) == 1 and "\n" not in said(app)[0]
        outage.end()
        await pilot.press("u")  # nothing recorded: the usual answer, read from the store
        await settle(pilot)
        assert any(n.title == "Nothing undone" for n in app._notifications)


async def test_a_team_lead_assigning_from_the_queue(demo_store, outage):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        outage.begin()
        await pilot.press("g")  # the callers are read first
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and len(failures(app)) == 1
        outage.end()
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, CallerPicker)
        outage.begin()
        await pilot.press("b", "enter")  # give the lead to bram
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and len(failures(app)) == 2
        outage.end()
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("b", "enter")
        await settle(pilot)
        assert any("assigned to bram" in message for message in said(app))


async def test_adding_a_lead_keeps_the_form_open_with_the_reason(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LeadForm)
        form.query_one("#field-company", Input).value = "Storing BV"
        form.query_one("#field-phone", Input).value = "020 765 4321"
        outage.begin()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert text_of(form.query_one("#form-message", Static)).startswith("store ")
        outage.end()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert any(message.startswith("Lead added: Storing BV") for message in said(app))


# -- the call --------------------------------------------------------------------------------------

async def on_a_call(pilot) -> CallScreen:
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallScreen)
    return pilot.app.screen


async def test_the_call_loading_its_lead_and_renewing_its_claim(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        call = await on_a_call(pilot)
        outage.begin()
        call.load()
        app.renew_calls()
        await settle(pilot)
        assert app.screen is call
        shown(app, "The lead could not be read: store ")
        shown(app, "Could not renew your claim on this lead: store ")
        outage.end()
        call.load()
        app.renew_calls()
        await settle(pilot)
        assert len(said(app)) == 2 and call.lead_id in {call.detail.lead.id}


async def test_an_outcome_not_recorded_keeps_the_call(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        call = await on_a_call(pilot)
        await pilot.press("tab", *"keep me", "escape")
        outage.begin()
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OutcomePicker)
        await pilot.press("n")  # no answer
        await settle(pilot)
        assert app.screen is call and not call.saving and call.notes() == "keep me"
        shown(app, "'no answer' was not recorded: store ")
        outage.end()
        await pilot.press("o", "n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert any(n.title == "Recorded" for n in app._notifications)


async def test_logging_contact_during_the_call(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        call = await on_a_call(pilot)
        outage.begin()
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("e", *"prijslijst", "enter")
        await settle(pilot)
        assert app.screen is call
        shown(app, "Not logged: store ")
        outage.end()
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("e", "enter")
        await settle(pilot)
        assert "E-mail logged" in said(app)


async def test_leaving_the_call_when_the_claim_cannot_be_released(demo_store, outage):
    app = make_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        call = await on_a_call(pilot)
        outage.begin()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)  # the claim runs out by itself
        shown(app, "Could not release the lead (store ")
        outage.end()
        await pilot.press("n")  # the lead still held comes back
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.lead_id == call.lead_id


# -- the first run -------------------------------------------------------------------------------

async def test_a_new_desk_whose_store_fails_at_the_start(tmp_path):
    store = open_store(str(tmp_path / "new.db"))
    outage = Outage(store)
    outage.begin()
    app = make_app(store, caller="eva")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, QueueScreen)
            shown(app, "The queue could not be read: store ")
            assert len(failures(app)) == 2  # the first-run check too
            outage.end()
            app.check_first_run()
            await settle(pilot)
            first = app.screen
            assert isinstance(first, FirstRun) and first.lead_wanted
            outage.begin()
            await pilot.press("t")
            await settle(pilot)
            assert app.screen is first and first.lead_wanted and len(failures(app)) == 3
            outage.end()
            await pilot.press("t")
            await settle(pilot)
            assert not first.lead_wanted and app.team_lead
    finally:
        store.close()


# -- the dashboard --------------------------------------------------------------------------------

async def test_the_dashboard_figures_and_a_lead_card(demo_store, outage):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "p", DashboardScreen)
        outage.begin()
        await pilot.press("r")
        await settle(pilot)
        shown(app, "The pipeline could not be read: store ")
        await pilot.press("enter")
        await settle(pilot)
        card = app.screen
        assert isinstance(card, LeadCard)
        assert text_of(card.query_one("#lead-card", Static)).startswith("The lead could not be read: store ")
        outage.end()
        await pilot.press("escape", "enter")
        await settle(pilot)
        assert screen.stuck[0].company in text_of(app.screen.query_one("#lead-card", Static))
        await pilot.press("escape", "r")
        await settle(pilot)
        assert app.screen is screen and "Pipeline at" in text_of(screen.query_one("#dash-status", Static))


async def test_the_dashboards_changes(demo_store, outage):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "p", DashboardScreen)
        outage.begin()
        await pilot.press("t")  # take back
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, CallerPicker)
        await pilot.press("b", "enter")  # assign to bram
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, StagePicker)
        options = app.screen.query_one(OptionList)
        options.highlighted = next(i for i, stage in enumerate(Stage) if stage is not screen.stuck[0].stage)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReasonPrompt)
        await pilot.press(*"no budget", "enter")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        assert len([m for m in failures(app) if m.startswith("store ")]) == 3
        outage.end()
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("b", "enter")
        await settle(pilot)
        assert any("assigned to bram" in message for message in said(app))


# -- the schedule ---------------------------------------------------------------------------------

async def test_the_schedule_loading_and_changing(demo_store, outage):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "b", ScheduleScreen)
        target = screen.items[0].callback_id
        outage.begin()
        await pilot.press("r")  # reload
        await settle(pilot)
        shown(app, "Could not load the callbacks: store ")
        await pilot.press("x")  # cancel the callback
        await pilot.pause()
        assert isinstance(app.screen, ReasonPrompt)
        await pilot.press(*"sold", "enter")
        await settle(pilot)
        assert app.screen is screen and not screen.busy
        assert any(n.title == "Not changed" and str(n.message).startswith("store ")
                   for n in app._notifications)
        outage.end()
        await pilot.press("r")
        await settle(pilot)
        assert target in {item.callback_id for item in screen.items}
        screen.query_one("#agenda", DataTable).move_cursor(row=0)
        await pilot.press("x")  # cancel the callback
        await pilot.pause()
        await pilot.press(*"sold", "enter")
        await settle(pilot)
        assert target not in {item.callback_id for item in screen.items}
