"""Team leads' actions on both stores: callers and roles, releasing overdue callbacks, reassigning,
rescheduling and cancelling callbacks, assignment, and moving a stage by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from calldesk.db.agenda import TEAM, agenda
from calldesk.db.calls import CallbackRequest, record_outcome
from calldesk.db.models import Callback, Lead, StageChange
from calldesk.db.queue import queue
from calldesk.db.reports import pipeline_report
from calldesk.db.scoring import REFRESH_KEY, config_stamp
from calldesk.db.tables import meta
from calldesk.db.team import (
    assign_leads,
    cancel_callbacks,
    ensure_caller,
    is_team_lead,
    list_callers,
    move_stage,
    reassign_callbacks,
    release_overdue,
    reschedule_callbacks,
    save_caller,
    start_work,
    unassign_leads,
)
from calldesk.errors import CalldeskError
from calldesk.rules.config import Config
from calldesk.rules.kinds import Role
from calldesk.rules.outcomes import Outcome
from calldesk.rules.stages import Stage
from calldesk.rules.windows import day_bounds, week_start
from tests.conftest import NOW, orm
from tests.stored import everything, lead

CONFIG = Config()
AFTERNOON = NOW + timedelta(hours=3)  # Monday 13:30 in Amsterdam
GRACE = CONFIG.callbacks.release_after


@pytest.fixture
def desk(store):
    """tess leads anne and bram."""
    save_caller(store, "tess", by="tess", now=NOW, role=Role.team_lead)
    for name in ("anne", "bram"):
        save_caller(store, name, by="tess", now=NOW)
    return store


def callbacks(store):
    with orm(store) as session:
        return {cb.id: cb for cb in session.exec(sa.select(Callback)).scalars()}


def set_callback(store, lead_id, due, caller="anne", team=False):
    """A callback made by a call an hour before it was set to fall due."""
    recorded = record_outcome(store, lead_id, Outcome.callback, caller=caller, now=due - timedelta(days=1),
                              config=CONFIG, callback=CallbackRequest(due, team, "call back"))
    return recorded.callback_id


# -- callers and roles -----------------------------------------------------------------------


def test_a_first_login_adds_a_caller_once(store):
    first = ensure_caller(store, "anne", NOW)
    again = ensure_caller(store, "anne", NOW + timedelta(days=1))
    assert first == again and first.role is Role.caller and first.active and first.daily_goal is None
    assert first.goal(CONFIG) == 60 and not is_team_lead(store, "anne")
    assert [c.name for c in list_callers(store)] == ["anne"]


def test_roles_start_with_a_first_team_lead_and_then_hold(store):
    ensure_caller(store, "anne", NOW)
    with pytest.raises(CalldeskError, match="no team lead yet"):
        save_caller(store, "bram", by="anne", now=NOW)
    tess, created = save_caller(store, "Tess", by="anne", now=NOW, role=Role.team_lead, goal=20)
    assert created and tess.name == "tess" and tess.is_team_lead and tess.goal(CONFIG) == 20
    with pytest.raises(CalldeskError, match="only a team lead can add or change callers"):
        save_caller(store, "bram", by="anne", now=NOW)
    with pytest.raises(CalldeskError, match="tess is the only team lead"):
        save_caller(store, "tess", by="tess", now=NOW, role=Role.caller)
    with pytest.raises(CalldeskError, match="only team lead"):
        save_caller(store, "tess", by="tess", now=NOW, active=False)
    anne, created = save_caller(store, "anne", by="tess", now=NOW, goal=45)
    assert not created and anne.role is Role.caller and anne.goal(CONFIG) == 45
    save_caller(store, "anne", by="tess", now=NOW, role=Role.team_lead)
    assert save_caller(store, "tess", by="anne", now=NOW, active=False)[0].active is False
    assert not is_team_lead(store, "tess") and is_team_lead(store, "anne")
    for bad in ("", "   ", "team", "x" * 41):
        with pytest.raises(CalldeskError):
            save_caller(store, bad, by="anne", now=NOW)


def _warmth_stamp(store):
    with store.read() as conn:
        return conn.execute(sa.select(meta.c.value).where(meta.c.key == REFRESH_KEY)).scalar()


def test_start_work_adds_the_caller_refreshes_warmth_and_hands_overdue_callbacks_on(desk):
    """What the queue screen, `queue` and `next` do first, once for all three."""
    overdue = set_callback(desk, lead(desk), AFTERNOON - GRACE - timedelta(minutes=1))
    assert _warmth_stamp(desk) is None  # leads added by hand: the day's refresh is still to come
    me = start_work(desk, "dirk", AFTERNOON, CONFIG)
    assert (me.name, me.role, me.active, me.why_no_work) == ("dirk", Role.caller, True, "")
    assert "dirk" in [c.name for c in list_callers(desk)]
    assert _warmth_stamp(desk) == f"{AFTERNOON.date().isoformat()}|{config_stamp(CONFIG)}"
    assert (callbacks(desk)[overdue].caller, callbacks(desk)[overdue].released_from) == (None, "anne")
    before = everything(desk)
    assert start_work(desk, "dirk", AFTERNOON, CONFIG) == me  # again the same day: nothing left to do
    assert everything(desk) == before
    save_caller(desk, "dirk", by="tess", now=NOW, active=False)
    assert "dirk is inactive and gets no work" in start_work(desk, "dirk", AFTERNOON, CONFIG).why_no_work


# -- callbacks -------------------------------------------------------------------------------


def test_overdue_personal_callbacks_go_to_the_team_after_the_grace(desk):
    # Every step inside one calling day (Monday afternoon): the release clock counts calling time.
    owned = lead(desk, owner="anne")
    late = set_callback(desk, owned, AFTERNOON - GRACE - timedelta(minutes=1))
    recent = set_callback(desk, lead(desk), AFTERNOON - GRACE + timedelta(minutes=1))
    team = set_callback(desk, lead(desk), AFTERNOON - timedelta(days=1), team=True)
    assert release_overdue(desk, AFTERNOON, CONFIG) == 1
    after = callbacks(desk)
    assert (after[late].caller, after[late].released_from, after[late].released_at) == (None, "anne", AFTERNOON)
    assert (after[recent].caller, after[recent].released_from) == ("anne", None)
    assert (after[team].caller, after[team].released_from) == (None, None)
    assert release_overdue(desk, AFTERNOON, CONFIG) == 0  # nothing twice
    # Bram gets it, although the lead is Anne's: released callbacks are for everyone.
    assert late in {e.callback_id for e in queue(desk, "bram", AFTERNOON, CONFIG).entries}
    shown = {i.callback_id: i for i in agenda(desk, AFTERNOON, CONFIG, caller=TEAM)}
    assert shown[late].released_from == "anne" and shown[late].caller is None
    # A team lead gives the released one to bram: it stays his, though long overdue …
    reassign_callbacks(desk, [late], "bram", by="tess", now=AFTERNOON)
    assert release_overdue(desk, AFTERNOON + timedelta(hours=5), CONFIG) == 1  # only `recent`, by now overdue too
    assert (callbacks(desk)[late].caller, callbacks(desk)[late].released_from) == ("bram", None)
    # … until it is set for later and missed again.
    reschedule_callbacks(desk, [late], AFTERNOON + timedelta(hours=1), by="tess", now=AFTERNOON)
    assert release_overdue(desk, AFTERNOON + timedelta(hours=1) + GRACE + timedelta(minutes=1), CONFIG) == 1
    assert callbacks(desk)[late].released_from == "bram"


def test_the_release_clock_counts_calling_time_only(desk):
    """Due Thursday 17:25, missed: it is not released at 19:25 (nobody may call then, the caller
    is home); 5 minutes of calling time ran on Thursday, the other 1 h 55 min from Friday 09:00:
    released at 10:55 (issue 16)."""
    thursday = datetime(2026, 12, 3, 16, 25, tzinfo=UTC)  # 17:25 in Amsterdam
    missed = set_callback(desk, lead(desk, time_zone="Europe/Amsterdam", country="NL"), thursday)
    for moment in (datetime(2026, 12, 3, 18, 25, tzinfo=UTC), datetime(2026, 12, 4, 9, 54, tzinfo=UTC)):
        assert release_overdue(desk, moment, CONFIG) == 0, moment  # 19:25; Friday 10:54
    assert callbacks(desk)[missed].caller == "anne"
    assert release_overdue(desk, datetime(2026, 12, 4, 9, 55, tzinfo=UTC), CONFIG) == 1  # Friday 10:55


def test_the_release_clock_skips_the_weekend_and_the_leads_own_zone(desk):
    # Due Friday 17:00 in New York (22:00 UTC): half an hour of calling time is left on Friday;
    # the other 1 h 30 min run from Monday 09:00 New York: released at 10:30 New York, 15:30 UTC.
    friday_5pm = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
    missed = set_callback(desk, lead(desk, time_zone="America/New_York", country="US"), friday_5pm)
    assert release_overdue(desk, datetime(2026, 12, 7, 15, 29, tzinfo=UTC), CONFIG) == 0
    assert release_overdue(desk, datetime(2026, 12, 7, 15, 30, tzinfo=UTC), CONFIG) == 1
    assert callbacks(desk)[missed].released_from == "anne"


def test_reassign_reschedule_and_cancel_are_for_team_leads_and_all_or_nothing(desk):
    ids = [set_callback(desk, lead(desk), NOW + timedelta(hours=h)) for h in (1, 2, 3)]
    before = everything(desk)
    with pytest.raises(CalldeskError, match="only a team lead can reassign callbacks"):
        reassign_callbacks(desk, ids, "bram", by="anne", now=NOW)
    with pytest.raises(CalldeskError, match="no caller named 'piet'"):
        reassign_callbacks(desk, ids, "piet", by="tess", now=NOW)
    with pytest.raises(CalldeskError, match="not an open callback: 999"):
        reassign_callbacks(desk, [*ids, 999], "bram", by="tess", now=NOW)
    with pytest.raises(CalldeskError, match="say why"):
        cancel_callbacks(desk, ids, "  ", by="tess")
    with pytest.raises(CalldeskError, match="has passed"):
        reschedule_callbacks(desk, ids, NOW - timedelta(hours=1), by="tess", now=NOW)
    assert everything(desk) == before

    assert reassign_callbacks(desk, ids[:2], "bram", by="tess", now=NOW) == 2
    assert reassign_callbacks(desk, ids[2:], None, by="tess", now=NOW) == 1
    assert [callbacks(desk)[i].caller for i in ids] == ["bram", "bram", None]
    tomorrow = NOW + timedelta(days=1)
    assert reschedule_callbacks(desk, ids[:1], tomorrow, by="tess", now=NOW) == 1
    assert callbacks(desk)[ids[0]].due_at == tomorrow
    assert cancel_callbacks(desk, ids[1:], "company closed", by="tess") == 2
    done = callbacks(desk)
    assert [(done[i].status, done[i].closed_by, done[i].close_reason) for i in ids[1:]] == [
        ("cancelled", "tess", "company closed")] * 2
    with pytest.raises(CalldeskError, match="not an open callback"):
        cancel_callbacks(desk, ids[1:2], "again", by="tess")
    assert [i.callback_id for i in agenda(desk, NOW, CONFIG)] == ids[:1]


# -- assignment and stages -------------------------------------------------------------------


def owners(store):
    with store.read() as conn:
        return dict(conn.execute(sa.select(Lead.id, Lead.owner)).all())


def test_assign_the_warmest_of_the_pool_and_take_them_back(desk):
    ids = {}
    for name, warmth, stage, industry in (("cold", 10, "suspect", "bouw"), ("warm", 50, "suspect", "Bouw"),
                                          ("hot", 90, "suspect", "zorg"), ("lost", 99, "lost", "bouw"),
                                          ("mine", 95, "suspect", "bouw")):
        ids[name] = lead(desk, stage=stage, warmth=warmth, industry=industry, source="beurs")
    with desk.write() as conn:
        conn.execute(sa.update(Lead).where(Lead.id == ids["mine"]).values(owner="anne"))

    with pytest.raises(CalldeskError, match="only a team lead can assign leads"):
        assign_leads(desk, "bram", by="anne", now=NOW, count=1)
    with pytest.raises(CalldeskError, match="say which leads"):
        assign_leads(desk, "bram", by="tess", now=NOW)
    assert assign_leads(desk, "bram", by="tess", now=NOW, count=2) == 2  # not the lost, not Anne's
    assert {i for i, o in owners(desk).items() if o == "bram"} == {ids["hot"], ids["warm"]}
    assert assign_leads(desk, "bram", by="tess", now=NOW, industry="BOUW") == 1  # the cold one left
    assert owners(desk)[ids["cold"]] == "bram" and owners(desk)[ids["lost"]] is None
    assert assign_leads(desk, "bram", by="tess", now=NOW, lead_ids=[ids["mine"]]) == 1  # named: whoever had it
    assert owners(desk)[ids["mine"]] == "bram"
    with pytest.raises(CalldeskError, match="no lead with id 12345"):
        assign_leads(desk, "bram", by="tess", now=NOW, lead_ids=[12345])

    assert unassign_leads(desk, by="tess", now=NOW, caller="bram", industry="zorg") == 1
    assert owners(desk)[ids["hot"]] is None
    assert unassign_leads(desk, by="tess", now=NOW, lead_ids=[ids["mine"]]) == 1
    assert unassign_leads(desk, by="tess", now=NOW, caller="bram") == 2
    assert set(owners(desk).values()) == {None}


def test_a_team_lead_moves_a_stage_back_with_a_reason_in_the_history(desk):
    hot = lead(desk, stage="hot_lead")
    before = everything(desk)
    with pytest.raises(CalldeskError, match="only a team lead"):
        move_stage(desk, hot, Stage.prospect, "budget gone", by="anne", now=NOW, config=CONFIG)
    with pytest.raises(CalldeskError, match="say why"):
        move_stage(desk, hot, Stage.prospect, " ", by="tess", now=NOW, config=CONFIG)
    with pytest.raises(CalldeskError, match="already hot lead"):
        move_stage(desk, hot, Stage.hot_lead, "x", by="tess", now=NOW, config=CONFIG)
    assert everything(desk) == before

    moved = move_stage(desk, hot, Stage.prospect, "budget gone", by="tess", now=NOW, config=CONFIG)
    assert (moved.from_stage, moved.to_stage) == (Stage.hot_lead, Stage.prospect)
    move_stage(desk, hot, Stage.lost, "went bankrupt", by="tess", now=NOW, config=CONFIG)
    with orm(desk) as session:
        row = session.get(Lead, hot)
        changes = session.exec(sa.select(StageChange).where(StageChange.lead_id == hot)).scalars().all()
    assert (row.stage, row.lost_reason) == ("lost", "went bankrupt")
    assert [(c.from_stage, c.to_stage, c.changed_by, c.reason, c.manual) for c in changes] == [
        ("hot_lead", "prospect", "tess", "budget gone", True), ("prospect", "lost", "tess", "went bankrupt", True)]


def test_report_goals_per_caller_and_moves_by_hand_are_nobodys_result(desk):
    save_caller(desk, "anne", by="tess", now=NOW, goal=40)
    prospect = lead(desk, stage="prospect")
    record_outcome(desk, prospect, Outcome.qualified, caller="anne", now=NOW - timedelta(minutes=5), config=CONFIG,
                   bant={})
    record_outcome(desk, lead(desk), Outcome.no_answer, caller="bram", now=NOW - timedelta(minutes=4), config=CONFIG)
    move_stage(desk, lead(desk, stage="prospect"), Stage.customer, "signed at the fair", by="tess", now=NOW,
               config=CONFIG)
    day, _ = day_bounds(NOW, "NL")
    result = pipeline_report(desk, NOW, CONFIG, start=week_start(NOW, "NL"), end=NOW, day_start=day,
                             week_start=week_start(NOW, "NL"))
    today = {f.caller: (f.calls, f.hot_leads, f.wins, f.goal) for f in result.today}
    assert today == {"anne": (1, 1, 0, 40), "bram": (1, 0, 0, 60)}  # tess's move by hand counts for nobody
    assert result.funnel[Stage.customer] == 1


def test_a_missed_callback_moved_by_no_answer_lands_on_a_calling_moment_and_stays_personal(desk):
    """Due 16:00, no answer at 16:06: the callback moves to 09:00 the next day, not 19:06, and
    is not released to the team overnight (issue 16)."""
    due = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 16:00 in Amsterdam
    lead_id = lead(desk, time_zone="Europe/Amsterdam", country="NL")
    missed = set_callback(desk, lead_id, due)
    record_outcome(desk, lead_id, Outcome.no_answer, caller="anne", now=due + timedelta(minutes=6), config=CONFIG)
    assert callbacks(desk)[missed].due_at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # Friday 09:00
    assert release_overdue(desk, datetime(2026, 12, 3, 20, 6, tzinfo=UTC), CONFIG) == 0  # 21:06
    assert callbacks(desk)[missed].caller == "anne"
