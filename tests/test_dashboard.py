"""The pipeline dashboard, driven with Pilot on the demo store at a fixed clock, checked
against the database itself (and the report's figures), and as an SVG snapshot."""

from datetime import timedelta

import sqlalchemy as sa
from textual.widgets import DataTable, OptionList, Static

from calldesk.db.calls import record_outcome
from calldesk.db.models import Lead, StageChange
from calldesk.db.reports import pipeline_report
from calldesk.db.team import save_caller
from calldesk.rules.config import Config
from calldesk.rules.kinds import Role
from calldesk.rules.outcomes import Outcome
from calldesk.rules.stages import Stage
from calldesk.rules.windows import day_bounds, local_midnight, local_time, week_start
from calldesk.screens.dashboard import DashboardScreen, LeadCard, percent
from calldesk.screens.queue import QueueScreen
from calldesk.screens.team_modals import CallerPicker, ReasonPrompt, StagePicker
from tests.conftest import NOW, orm
from tests.pilot import make_app, open_screen, settle

SIZE = (140, 40)


async def open_dashboard(pilot) -> DashboardScreen:
    return await open_screen(pilot, "p", DashboardScreen)


def plain(widget: Static) -> str:
    return str(widget.render())


def report_at(store, start=None):
    config = Config()
    monday = week_start(NOW, config.region)
    return pipeline_report(store, NOW, config, start=start or monday, end=NOW,
                           day_start=day_bounds(NOW, config.region)[0], week_start=monday)


def leads(store):
    """Every lead's (owner, stage), straight from the table."""
    with store.read() as session:
        return {row.id: (row.owner, row.stage) for row in session.execute(sa.select(Lead.id, Lead.owner, Lead.stage))}


def cells(table: DataTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


async def test_the_funnel_shows_the_leads_per_stage_in_the_database(demo_store):
    with demo_store.read() as session:
        counted = dict(session.execute(sa.select(Lead.stage, sa.func.count()).group_by(Lead.stage)).all())
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        lines = plain(screen.query_one("#funnel", Static)).splitlines()
        status = plain(screen.query_one("#dash-status", Static))
    assert [line[:12].strip() for line in lines] == [stage.label for stage in Stage]  # lost last
    shown = {Stage(stage.value): int(line.split()[-1]) for stage, line in zip(Stage, lines, strict=True)}
    assert shown == {stage: counted.get(stage.value, 0) for stage in Stage}
    assert shown == report_at(demo_store).funnel
    bars = {stage: line.count("█") for stage, line in zip(Stage, lines, strict=True)}
    assert bars[Stage.suspect] == max(bars.values()) > bars[Stage.prospect] > bars[Stage.customer] > 0
    assert f"{sum(counted.values())} leads" in status and "Mon 23 Nov 10:30" in status


async def test_conversion_this_week_then_over_the_last_30_days(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        week_lines = plain(screen.query_one("#conversion", Static)).splitlines()
        assert "this week" in plain(screen.query_one("#conversion-title", Static))
        await pilot.press("w")
        await settle(pilot)
        month_lines = plain(screen.query_one("#conversion", Static)).splitlines()
        assert "last 30 days" in plain(screen.query_one("#conversion-title", Static))

    def expected(report):
        return [(f"{c.from_stage.label} → {c.to_stage.label}", f"{c.converted}/{c.base}", percent(c.rate))
                for c in report.conversion]

    def shown(lines):
        return [(line[:25].strip(), line[25:36].replace(" ", ""), line[36:].strip()) for line in lines[:4]]

    region = Config().region
    month = report_at(demo_store, local_midnight(local_time(None, NOW, region).date() - timedelta(days=30), region))
    assert shown(week_lines) == expected(report_at(demo_store))
    assert shown(month_lines) == expected(month)
    assert any(c.converted for c in month.conversion)  # the demo's history moved leads on


async def test_per_caller_figures_today_and_this_week_are_the_reports(demo_store):
    config = Config()
    with demo_store.read() as session:
        # anne's own or the pool's (another caller's lead is a team lead's to log), last called
        # before this morning's calls (a call never goes back in time for a lead).
        prospects = list(session.execute(sa.select(Lead.id).where(Lead.stage == Stage.prospect.value,
                                                                  Lead.claimed_by.is_(None),
                                                                  sa.or_(Lead.owner.is_(None), Lead.owner == "anne"),
                                                                  sa.or_(Lead.last_called_at.is_(None),
                                                                         Lead.last_called_at < NOW - timedelta(hours=1)))
                                         .order_by(Lead.id).limit(3)).scalars())
    # This morning anne had no answer once, and two conversations, one of them qualified.
    for minutes, lead_id, outcome in ((50, prospects[0], Outcome.no_answer), (40, prospects[1], Outcome.interested),
                                      (20, prospects[2], Outcome.qualified)):
        at = NOW - timedelta(minutes=minutes)
        record_outcome(demo_store, lead_id, outcome, caller="anne", now=at, config=config, started_at=at)
    report = report_at(demo_store)
    today = next(f for f in report.today if f.caller == "anne")
    week = next(f for f in report.week if f.caller == "anne")
    assert (today.calls, today.connects, today.hot_leads, today.goal) == (3, 2, 1, 60)

    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        table = screen.query_one("#callers", DataTable)
        row = cells(table, "anne")
        daan = cells(table, "daan")  # no calls yet: still listed, against the goal
        hours = plain(screen.query_one("#hours-summary", Static))
    expected = [[str(f.calls), str(f.connects), percent(f.connect_rate), str(f.hot_leads), str(f.appointments),
                 str(f.wins), f"{f.calls}/{f.goal}"] for f in (today, week)]
    assert row == ["anne", *expected[0], *expected[1]]
    assert row[1:8] == ["3", "2", "67%", "1", "0", "0", "3/60"]
    assert daan[1] == "0" and daan[7] == "0/60"
    assert "3 calls today · most at 09:00 (2)" in hours  # 09:40, 09:50 and 10:10 on the desk's clock


async def test_assign_two_selected_stuck_leads_to_bram_then_take_them_back(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        first, second = screen.stuck[0].lead_id, screen.stuck[1].lead_id
        before = leads(demo_store)
        await pilot.press("space", "space")  # space selects and moves on
        assert screen.marked == {first, second}
        assert "2 selected" in plain(screen.query_one("#stuck-title", Static))
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, CallerPicker)
        await pilot.press("b", "enter")  # a letter jumps to the caller
        await settle(pilot)
        assert app.screen is screen
        after = leads(demo_store)
        assert {i for i in after if after[i] != before[i]} == {first, second}
        assert after[first][0] == after[second][0] == "bram"
        assert any("2 leads assigned to bram" in n.message for n in app._notifications)
        assert screen.marked == set()
        stuck = screen.query_one("#stuck", DataTable)
        assert cells(stuck, str(first))[4] == "bram" and cells(stuck, str(first))[0] == ""

        await pilot.press("up", "up", "space", "space", "t")
        await settle(pilot)
        taken = leads(demo_store)
        assert {i for i in taken if taken[i] != after[i]} == {first, second}
        assert taken[first][0] is None and taken[second][0] is None
        assert any("2 leads taken back into the shared pool" in n.message for n in app._notifications)
        assert cells(stuck, str(second))[4] == "team"


async def test_g_without_a_selection_assigns_the_lead_under_the_cursor(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        await pilot.press("down", "down")
        chosen = screen.stuck[2].lead_id
        before = leads(demo_store)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        after = leads(demo_store)
        assert {i for i in after if after[i] != before[i]} == {chosen}
        assert after[chosen][0] == "sanne"


async def test_m_moves_a_stage_back_by_hand_and_a_reason_is_required(demo_store):
    # Suspects wait a year before they count as stuck: prospects head the list.
    app = make_app(demo_store, caller="tess", config=Config.model_validate({"stuck": {"suspect": 365}}))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        index = next(i for i, s in enumerate(screen.stuck) if s.stage is Stage.prospect)
        assert Stage.suspect not in {s.stage for s in screen.stuck}
        lead_id = screen.stuck[index].lead_id
        screen.query_one("#stuck", DataTable).move_cursor(row=index)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, StagePicker)
        options = app.screen.query_one(OptionList)
        options.highlighted = list(Stage).index(Stage.suspect)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReasonPrompt)
        await pilot.press("enter")  # no reason: refused, the prompt stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonPrompt)
        assert leads(demo_store)[lead_id][1] == Stage.prospect
        await pilot.press(*"no budget before 2027", "enter")
        await settle(pilot)
        assert app.screen is screen
        with orm(demo_store) as session:
            change = session.execute(sa.select(StageChange).where(StageChange.lead_id == lead_id)
                                     .order_by(StageChange.id.desc()).limit(1)).scalar_one()
        assert leads(demo_store)[lead_id][1] == Stage.suspect
        assert (change.from_stage, change.to_stage, change.manual, change.reason, change.changed_by) == (
            Stage.prospect, Stage.suspect, True, "no budget before 2027", "tess")
        assert change.at.replace(tzinfo=NOW.tzinfo) == NOW
        assert any("prospect → suspect" in n.message for n in app._notifications)


async def test_escape_in_the_stage_picker_changes_nothing(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        before = leads(demo_store)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and leads(demo_store) == before


async def test_enter_opens_the_lead_card_and_escape_closes_it(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        await pilot.press("down")
        lead = screen.stuck[1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LeadCard) and app.screen.lead_id == lead.lead_id
        card = app.screen.query_one("#lead-card", Static)
        assert lead.company in card.content.renderables[0].plain  # the lead view's head
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_caller_sees_the_refusal_and_can_change_nothing(demo_store):
    app = make_app(demo_store, caller="anne")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(DashboardScreen())
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        before = leads(demo_store)
        assert "for team leads" in plain(screen.query_one("#refusal", Static))
        assert not screen.query_one("#dash-body").display
        assert screen.stuck == [] and screen.query_one("#stuck", DataTable).row_count == 0
        for key in ("space", "g", "t", "m", "enter"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen  # no picker, no card
        assert leads(demo_store) == before
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_team_lead_demoted_meanwhile_gets_a_notice_not_a_crash(demo_store):
    app = make_app(demo_store, caller="tess")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        save_caller(demo_store, "bram", by="tess", now=NOW, role=Role.team_lead)
        save_caller(demo_store, "tess", by="bram", now=NOW, role=Role.caller)
        before = leads(demo_store)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is screen and leads(demo_store) == before
        assert any("only a team lead can take leads back" in n.message for n in app._notifications)


def test_snapshot_dashboard(snap_compare, demo_store):
    async def opened(pilot):
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(make_app(demo_store, caller="tess"), terminal_size=SIZE, run_before=opened)
