"""The pipeline report on real stores: every figure equals a direct count over all rows."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from calldesk.db.calls import CallbackRequest, log_activity, record_outcome
from calldesk.db.leads import add_lead
from calldesk.db.models import Activity, Call, Lead, StageChange
from calldesk.db.queue import claim_lead
from calldesk.db.reports import pipeline_report
from calldesk.errors import CalldeskError
from calldesk.rules.config import Config, parse_config
from calldesk.rules.kinds import ActivityKind
from calldesk.rules.outcomes import Outcome
from calldesk.rules.windows import day_bounds, local_midnight, week_start
from tests.conftest import orm

CONFIG = Config()
AMS = ZoneInfo("Europe/Amsterdam")
# Thursday 16:10 in Amsterdam: "today" and "this week" differ.
NOW = datetime(2026, 11, 26, 15, 10, tzinfo=UTC)
FUNNEL = ["suspect", "prospect", "hot_lead", "opportunity", "customer"]
CONNECTED = {"not_interested", "no_fit", "callback", "interested", "qualified", "appointment", "won", "do_not_call"}
_numbers = iter(range(20_000_000, 99_999_999))


def new_lead(store, created, stage="suspect", company="Acme BV"):
    return add_lead(store, phone=f"06{next(_numbers)}", now=created, by="t", company=company, stage=stage)


def build_history(store, seed=7):
    """Leads created over three weeks, then calls by three callers at fixed (seeded) times."""
    rng = random.Random(seed)
    leads = []
    for n in range(40):
        created = datetime(2026, 11, 2, 8, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 23))
        stage = rng.choice(["suspect"] * 6 + ["prospect", "prospect", "hot_lead", "opportunity", "lost"])
        leads.append((new_lead(store, created, stage, company=f"Lead {n}"), created))
    outcomes = list(Outcome)
    weights = [8, 3, 3, 1, 2, 1, 2, 4, 3, 2, 2, 1]
    moments = sorted(datetime(2026, 11, 16, 7, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 10 + 490))
                     for _ in range(260))
    off_list: set[int] = set()  # on the do-not-call list: never called again (recording refuses it)
    for moment in moments:
        lead_id = rng.choice([lead_id for lead_id, created in leads if created < moment and lead_id not in off_list])
        caller = rng.choice(["anne", "bram", "cees"])
        outcome = rng.choices(outcomes, weights)[0]
        if rng.random() < 0.3:
            assert claim_lead(store, lead_id, caller, moment) is None  # as the app does
        extra = {}
        if outcome is Outcome.callback:
            extra["callback"] = CallbackRequest(moment + timedelta(days=1), team=rng.random() < 0.5)
        if outcome is Outcome.appointment:
            extra["appointment_at"] = moment + timedelta(days=3)
        record_outcome(store, lead_id, outcome, caller=caller, now=moment, config=CONFIG,
                       started_at=moment - timedelta(minutes=3), **extra)
        if outcome is Outcome.do_not_call:
            off_list.add(lead_id)
        if rng.random() < 0.1:
            log_activity(store, lead_id, ActivityKind.email, caller=caller, now=moment + timedelta(minutes=1))


def all_rows(store):
    with orm(store) as session:
        return (session.scalars(sa.select(Lead)).all(), session.scalars(sa.select(Call)).all(),
                session.scalars(sa.select(StageChange)).all(), session.scalars(sa.select(Activity)).all())


def rank(stage):
    return FUNNEL.index(stage) if stage in FUNNEL else None


def expected_conversion(leads, changes, start, end):
    """The module's definition, replayed per lead in plain Python."""
    by_lead = {}
    for change in sorted(changes, key=lambda c: (c.at, c.id)):
        by_lead.setdefault(change.lead_id, []).append(change)

    def reached(lead, moment):
        history = by_lead.get(lead.id, [])
        stages = [history[0].from_stage if history else lead.stage]
        stages += [s for c in history if c.at < moment for s in (c.from_stage, c.to_stage)]
        ranks = [rank(s) for s in stages if rank(s) is not None]
        return max(ranks) if ranks else None

    result = []
    for k in range(4):
        base = converted = 0
        for lead in leads:
            if lead.created_at >= end:
                continue
            began = reached(lead, start) if lead.created_at < start else reached(lead, lead.created_at + timedelta(microseconds=1))
            ended = reached(lead, end)
            if began is None or ended is None:
                continue
            if began <= k <= ended:
                base += 1
                converted += ended >= k + 1
        result.append((FUNNEL[k], FUNNEL[k + 1], base, converted))
    return result


def expected_callers(calls, changes, since, now, goal):
    figures = {}
    for call in calls:
        if since <= call.started_at <= now:
            f = figures.setdefault(call.caller, Counter())
            f["calls"] += 1
            f["connects"] += call.outcome in CONNECTED
            f["appointments"] += call.outcome == "appointment"
    for change in changes:
        if since <= change.at <= now:
            f = figures.setdefault(change.changed_by, Counter())
            f["hot_leads"] += change.from_stage in ("suspect", "prospect") and change.to_stage in FUNNEL[2:]
            f["wins"] += change.to_stage == "customer"
    return [(caller, f["calls"], f["connects"], f["hot_leads"], f["appointments"], f["wins"], goal)
            for caller, f in sorted(figures.items())]


def report_at(store, now=NOW, config=CONFIG, start=None, end=None, **kwargs):
    day, _ = day_bounds(now, config.region)
    monday = week_start(now, config.region)
    return pipeline_report(store, now, config, start=start or monday, end=end or now, day_start=day,
                           week_start=monday, **kwargs)


def test_day_and_week_bounds_are_the_desks_midnights():
    assert day_bounds(NOW, "NL") == (datetime(2026, 11, 25, 23, tzinfo=UTC), datetime(2026, 11, 26, 23, tzinfo=UTC))
    assert week_start(NOW, "NL") == datetime(2026, 11, 22, 23, tzinfo=UTC)
    # 00:30 Monday in Amsterdam is still Sunday in UTC: the desk's week has begun.
    assert week_start(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), "NL") == datetime(2026, 11, 22, 23, tzinfo=UTC)
    assert local_midnight(date(2026, 3, 29), "NL") == datetime(2026, 3, 28, 23, tzinfo=UTC)  # DST day
    assert day_bounds(datetime(2026, 3, 29, 12, tzinfo=UTC), "NL")[1] == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert week_start(NOW, "GB") == datetime(2026, 11, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize("period", ["week", "history", "past"])
def test_every_figure_equals_a_direct_count(store, period):
    build_history(store)
    start, end = {"week": (None, None),
                  "history": (datetime(2026, 11, 10, tzinfo=UTC), NOW),
                  "past": (datetime(2026, 11, 18, 12, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))}[period]
    result = report_at(store, start=start, end=end, stuck_limit=1000)
    leads, calls, changes, activities = all_rows(store)
    assert len(calls) == 260 and changes  # the history is real

    assert {s.value: n for s, n in result.funnel.items()} == {s: Counter(line.stage for line in leads)[s] for s in FUNNEL + ["lost"]}
    got = [(c.from_stage.value, c.to_stage.value, c.base, c.converted) for c in result.conversion]
    assert got == expected_conversion(leads, changes, result.start, result.end)
    assert any(c.converted for c in result.conversion)

    day, _ = day_bounds(NOW, "NL")
    monday = week_start(NOW, "NL")
    shape = [(f.caller, f.calls, f.connects, f.hot_leads, f.appointments, f.wins, f.goal) for f in result.today]
    assert shape == expected_callers(calls, changes, day, NOW, 60)
    shape = [(f.caller, f.calls, f.connects, f.hot_leads, f.appointments, f.wins, f.goal) for f in result.week]
    assert shape == expected_callers(calls, changes, monday, NOW, 60 * 4)  # Mon–Thu
    assert sum(f.calls for f in result.week) > sum(f.calls for f in result.today) > 0

    per_hour = Counter(c.started_at.astimezone(AMS).replace(minute=0, second=0, microsecond=0)
                       for c in calls if day <= c.started_at <= NOW)
    assert [(h.hour, h.calls) for h in result.calls_per_hour] == [
        (datetime(2026, 11, 26, hour, tzinfo=AMS), per_hour[datetime(2026, 11, 26, hour, tzinfo=AMS)])
        for hour in range(17)]  # 00:00 up to now's hour, 16:00
    assert sum(h.calls for h in result.calls_per_hour) == sum(f.calls for f in result.today)

    last = {}
    for lead in leads:
        last[lead.id] = max([lead.created_at, lead.last_called_at or lead.created_at]
                            + [c.at for c in changes if c.lead_id == lead.id]
                            + [a.at for a in activities if a.lead_id == lead.id])
    stuck = sorted((last[line.id], line.id) for line in leads if line.stage in FUNNEL[:4]
                   and last[line.id] < NOW - timedelta(days=getattr(CONFIG.stuck, line.stage)))
    assert [(s.last_activity_at, s.lead_id) for s in result.stuck] == stuck
    assert result.stuck_total == len(stuck)


def test_conversion_by_hand(store):
    """Small enough to check by reading: the week Mon 23 – Thu 26 November."""
    before = NOW - timedelta(days=20)
    a = new_lead(store, before)  # suspect → prospect this week, then hot lead
    b = new_lead(store, before)  # suspect → opportunity in one call this week: passes every step
    c = new_lead(store, before)  # prospect last week, nothing since
    d = new_lead(store, before)  # suspect → lost this week
    e = new_lead(store, NOW - timedelta(days=1), stage="hot_lead")  # imported this week as a hot lead
    f = new_lead(store, before, stage="customer")
    record_outcome(store, a, Outcome.interested, caller="anne", now=NOW - timedelta(days=2), config=CONFIG)
    record_outcome(store, a, Outcome.qualified, caller="anne", now=NOW - timedelta(days=1), config=CONFIG)
    record_outcome(store, b, Outcome.appointment, caller="bram", now=NOW - timedelta(hours=3), config=CONFIG,
                   appointment_at=NOW + timedelta(days=2))
    record_outcome(store, c, Outcome.interested, caller="anne", now=NOW - timedelta(days=8), config=CONFIG)
    record_outcome(store, d, Outcome.not_interested, caller="anne", now=NOW - timedelta(hours=1), config=CONFIG)
    got = {(x.from_stage.value, x.to_stage.value): (x.base, x.converted) for x in report_at(store).conversion}
    assert got == {("suspect", "prospect"): (3, 2),  # a, b, d in suspect; a and b moved on
                   ("prospect", "hot_lead"): (3, 2),  # a, b, c (c stayed)
                   ("hot_lead", "opportunity"): (3, 1),  # a, b, e (imported hot, stayed)
                   ("opportunity", "customer"): (1, 0)}  # b; f was a customer already
    assert e and f  # e counts from hot lead on; f, a customer already, nowhere
    week = {x.caller: (x.calls, x.connects, x.hot_leads, x.appointments, x.wins) for x in report_at(store).week}
    assert week == {"anne": (3, 3, 1, 0, 0), "bram": (1, 1, 1, 1, 0)}  # c's call was last week


def test_stuck_leads_at_fixed_times(store):
    days = lambda n: NOW - timedelta(days=n)  # noqa: E731
    old_suspect = new_lead(store, days(31), company="old suspect")
    new_lead(store, days(29), company="young suspect")
    prospect = new_lead(store, days(60), stage="prospect", company="prospect called 15 days ago")
    warm = new_lead(store, days(60), stage="hot_lead", company="hot lead e-mailed 3 days ago")
    opportunity = new_lead(store, days(60), stage="opportunity", company="opportunity moved 20 days ago")
    new_lead(store, days(400), stage="customer")
    new_lead(store, days(400), stage="lost")
    with orm(store) as session:
        session.execute(sa.update(Lead).where(Lead.id.in_([prospect, warm])).values(last_called_at=days(15)))
        session.add(StageChange(lead_id=opportunity, from_stage="hot_lead", to_stage="opportunity",
                                at=days(20), changed_by="anne"))
    log_activity(store, warm, ActivityKind.linkedin, caller="anne", now=days(3))
    result = report_at(store)
    assert [(s.lead_id, s.stage.value, s.idle_days) for s in result.stuck] == [
        (old_suspect, "suspect", 31), (opportunity, "opportunity", 20), (prospect, "prospect", 15)]
    assert result.stuck[0].last_activity_at == days(31) and result.stuck[1].last_activity_at == days(20)
    assert {s.value: n for s, n in result.stuck_counts.items()} == {
        "suspect": 1, "prospect": 1, "hot_lead": 0, "opportunity": 1}
    assert [s.lead_id for s in report_at(store, stuck_limit=1).stuck] == [old_suspect]
    assert report_at(store, stuck_limit=1).stuck_total == 3
    patient = parse_config("[stuck]\nsuspect = 60\nopportunity = 21\n")
    assert [s.lead_id for s in report_at(store, config=patient).stuck] == [prospect]


def test_stuck_config_is_validated():
    assert Config().stuck.hot_lead == 7
    with pytest.raises(CalldeskError, match=r"stuck.hot_lead: Input should be greater than or equal to 1"):
        parse_config("[stuck]\nhot_lead = 0\n", "config.toml")
    with pytest.raises(CalldeskError, match="stuck.customer: unknown key"):
        parse_config("[stuck]\ncustomer = 3\n")


def test_an_empty_store_reports_zeros(store):
    result = report_at(store)
    assert set(result.funnel.values()) == {0} and result.today == [] and result.stuck == []
    assert [(c.base, c.converted, c.rate) for c in result.conversion] == [(0, 0, None)] * 4
    assert len(result.calls_per_hour) == 17 and not any(h.calls for h in result.calls_per_hour)
