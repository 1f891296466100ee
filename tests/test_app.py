"""The app, driven with Pilot, and its screens as SVG snapshots (fixed clock, demo data)."""

from datetime import timedelta

import sqlalchemy as sa
from textual.widgets import DataTable, Input, Static

from calldesk.db.engine import open_store
from calldesk.db.leads import add_lead
from calldesk.db.models import Callback, Lead
from calldesk.db.queue import claim_lead
from calldesk.rules.config import Config
from calldesk.screens import queue as queue_module
from calldesk.screens.call import CallScreen
from calldesk.screens.first_run import FirstRun
from calldesk.screens.queue import QueueScreen
from tests.conftest import NOW, orm
from tests.pilot import make_app, settle, text_of
from tests.stored import claims


def table(app):
    return app.screen.query_one("#queue", DataTable)


async def test_queue_shows_callbacks_then_warmth_with_header(demo_store):
    # A long grace keeps yesterday's personal callbacks personal (not released to the team).
    app = make_app(demo_store, config=Config.model_validate({"callbacks": {"release_after": "7d"}}))
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        actions = [e.next_action for e in screen.entries]
        assert actions[0] == "callback" and "team callback" in actions and actions[-1] in {"new", "retry"}
        assert table(app).row_count == len(screen.entries) <= queue_module.WINDOW
        status = text_of(screen.query_one("#status", Static))
        assert "anne" in status and "calls today 0/60" in status and "callbacks due now" in status
        detail = text_of(screen.query_one("#detail", Static))
        assert screen.entries[0].company in detail and "Warmth" in detail


async def test_overdue_callbacks_reach_the_team_and_the_header_has_the_callers_goal(demo_store):
    app = make_app(demo_store, caller="sanne")  # the demo gives sanne a goal of 50
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        with demo_store.read() as session:
            released = session.execute(sa.select(Callback.id, Callback.lead_id).where(
                Callback.released_from.is_not(None))).all()
        assert released  # yesterday's personal callbacks, two hours past their time
        shown = {e.callback_id for e in app.screen.entries if e.next_action == "team callback"}
        assert {cb_id for cb_id, _ in released} & shown
        assert "calls today 0/50" in text_of(app.screen.query_one("#status", Static))
        assert app.me is not None and app.me.name == "sanne" and not app.team_lead


async def test_a_first_login_joins_the_desk_as_a_caller_and_p_is_for_team_leads(demo_store):
    from calldesk.db.team import get_caller

    app = make_app(demo_store, caller="nieuw")
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        assert get_caller(demo_store, "nieuw").role == "caller"
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)  # refused, with a notice


async def test_an_inactive_caller_gets_no_work_and_is_told_why(demo_store):
    from calldesk.db.team import save_caller

    save_caller(demo_store, "bram", by="tess", now=NOW, active=False)
    app = make_app(demo_store, caller="bram")
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        assert app.screen.entries == []
        assert "bram is inactive and gets no work" in text_of(app.screen.query_one("#empty", Static))
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and claims(demo_store) == {}
        assert any("inactive" in str(n.message) for n in app._notifications)


async def test_n_claims_the_top_lead_and_escape_releases_it(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        top = app.screen.entries[0].lead_id
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.lead_id == top
        assert claims(demo_store) == {top: "anne"}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert claims(demo_store) == {}


async def test_enter_opens_the_selected_lead_unless_another_caller_has_it(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        chosen = app.screen.entries[2].lead_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CallScreen) and app.screen.lead_id == chosen
        await pilot.press("escape")
        await settle(pilot)
        other = app.screen.entries[1].lead_id
        assert claim_lead(demo_store, other, "bram", NOW) is None  # bram takes it meanwhile
        await pilot.press("up", "up", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert other not in [e.lead_id for e in app.screen.entries]  # refreshed without it


async def test_two_callers_never_get_the_same_lead(demo_store):
    anne, bram = make_app(demo_store, "anne"), make_app(demo_store, "bram")
    async with anne.run_test(size=(140, 36)) as pa, bram.run_test(size=(140, 36)) as pb:
        await settle(pa)
        await settle(pb)
        taken = set()
        for _ in range(3):
            for app, pilot in ((anne, pa), (bram, pb)):
                await pilot.press("n")
                await settle(pilot)
                lead_id = app.screen.lead_id
                assert lead_id not in taken
                taken.add(lead_id)
                await pilot.press("escape")
                await settle(pilot)
                with demo_store.write() as session:  # as an outcome would: called just now
                    session.execute(sa.update(Lead).where(Lead.id == lead_id).values(last_called_at=NOW))
                with demo_store.write() as session:
                    session.execute(sa.update(Callback).where(Callback.lead_id == lead_id).values(status="done"))


async def test_filter_refresh_help_and_quit(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        target = next(e for e in app.screen.entries if e.company)
        word = target.company.split()[0]
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*word, "enter")
        await settle(pilot)
        assert app.screen.entries and all(
            word.lower() in (e.company + " " + e.contact_name).lower() for e in app.screen.entries)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.search == "" and isinstance(app.focused, DataTable)
        before = len(app.screen.entries)
        add_lead(demo_store, phone="06-18887766", now=NOW, by="t", company="Aaa Nieuw", stage="hot_lead",
                 role="Directeur", industry="ICT")
        await pilot.press("r")
        await settle(pilot)
        assert "Aaa Nieuw" in [e.company for e in app.screen.entries]
        assert len(app.screen.entries) >= min(before, queue_module.WINDOW)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_queue_refreshes_itself(demo_store, monkeypatch):
    monkeypatch.setattr(queue_module, "REFRESH_SECONDS", 0.2)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 36)) as pilot:
        # Refreshes replace each other (exclusive workers): watch the screen, not the workers.
        async def shown(lead_id: int) -> bool:
            for _ in range(50):
                await pilot.pause(0.1)
                if lead_id in [e.lead_id for e in app.screen.entries[:5]]:
                    return True
            return False

        await pilot.pause(0.5)
        assert app.screen.entries
        fresh = add_lead(demo_store, phone="06-18887755", now=NOW, by="t", company="Zzz Later")
        with orm(demo_store) as session:
            session.add(Callback(lead_id=fresh, due_at=NOW - timedelta(minutes=1), caller="anne",
                                 created_by="anne", created_at=NOW))
        assert await shown(fresh)  # no key pressed


async def test_empty_queue_says_why(tmp_path):
    store = open_store(str(tmp_path / "empty.db"))
    app = make_app(store)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRun)  # a new desk opens with how leads get in
        await pilot.press("escape")
        await settle(pilot)
        assert "no leads yet" in text_of(app.screen.query_one("#empty", Static))
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    store.close()


def test_command_palette_offers_the_queue_actions(demo_store):
    app = make_app(demo_store)
    titles = {c.title for c in app.get_system_commands(QueueScreen())}
    assert {"Next lead", "Open", "Filter", "Refresh", "Keys"} <= titles


def test_snapshot_queue(snap_compare, demo_store):
    async def loaded(pilot):
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=(140, 36), run_before=loaded)


async def test_a_team_lead_gives_the_selected_lead_to_a_caller_and_callers_have_no_such_key(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        assert app.team_lead and app.screen.check_action("assign", ()) is True  # in the footer
        lead_id = app.screen.entries[1].lead_id
        await pilot.press("down", "g")
        await settle(pilot)
        await pilot.press("s", "enter")  # jump to sanne
        await settle(pilot)
        with orm(demo_store) as session:
            assert session.get(Lead, lead_id).owner == "sanne"
        assert isinstance(app.screen, QueueScreen)
    app = make_app(demo_store, caller="anne")
    async with app.run_test(size=(140, 36)) as pilot:
        await settle(pilot)
        owners = dict(_owners(demo_store))
        assert app.screen.check_action("assign", ()) is False  # not offered to a caller
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen) and dict(_owners(demo_store)) == owners


def _owners(store):
    with store.read() as session:
        return session.execute(sa.select(Lead.id, Lead.owner)).all()
