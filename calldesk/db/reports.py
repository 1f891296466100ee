"""The pipeline report for team leads: the funnel, conversion, callers' figures, stuck leads.

Every figure is counted by the database (GROUP BY and conditional sums over leads, calls and
stage_changes); only aggregates come back to Python, so a store of a million leads reports in
one pass per section. Periods are half-open [start, end) in UTC; "today" and "this week" run
from the desk's local midnight / Monday (`calldesk.rules.windows.day_bounds`, `week_start`) up to and
including `now`, as the queue header counts calls.

Definitions (the tests count each of them independently over all rows):

- funnel: leads per current stage, lost included.
- highest stage reached by a moment T: the furthest funnel stage (suspect … customer) the lead
  had been in before T: its initial stage (the from_stage of its first stage change, or its
  stage when it has none) and every from/to stage of its changes before T. Lost is outside the
  funnel: a prospect that was lost has still reached prospect. Leads created at or after T
  have reached nothing by T.
- conversion A → B over [start, end): `base` = leads whose highest stage reached at the start
  (or when created, if created within the period) was A or earlier, and by the end A or later:
  the leads that were in A, or passed through it, during the period. `converted` = those of
  them whose highest stage by the end is B or later. A lead that skips stages (suspect straight
  to opportunity) converts at every step it passed.
- per caller, in a window (every active caller, and anyone else with figures in it): calls =
  calls started in it; connects = those whose outcome means a
  person answered (`dispositions.CONNECTED`); hot leads = the caller's stage changes from
  suspect or prospect to hot lead or beyond (an appointment straight from a prospect qualified
  it too); appointments = calls with outcome appointment; wins = the caller's stage changes to
  customer (a lead is won once, however many `won` calls follow); a team lead's moves by hand
  are nobody's result. Goal = the caller's daily goal (callers table, else the config's
  `daily_goal`) per calling day (config `calling_hours.days`) of the window.
- calls per hour: today's calls per hour of the desk's clock, up to now.
- stuck: leads in suspect, prospect, hot lead or opportunity whose last activity — the latest of
  their last call, last stage change, last e-mail/LinkedIn activity and creation — is more than
  `stuck.<stage>` days before now; oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.tables import activities, callers, calls, leads, stage_changes
from calldesk.rules.config import WEEKDAYS, Config
from calldesk.rules.dispositions import CONNECTED
from calldesk.rules.kinds import Role
from calldesk.rules.outcomes import Outcome
from calldesk.rules.stages import FUNNEL, Stage
from calldesk.rules.windows import local_time

STUCK_STAGES = (Stage.suspect, Stage.prospect, Stage.hot_lead, Stage.opportunity)
_CONNECTED = sorted(o.value for o in CONNECTED)
_BEFORE_HOT = (Stage.suspect.value, Stage.prospect.value)
_HOT_OR_BEYOND = (Stage.hot_lead.value, Stage.opportunity.value, Stage.customer.value)


@dataclass(frozen=True)
class Conversion:
    from_stage: Stage
    to_stage: Stage
    base: int  # leads in from_stage (or passing through it) during the period
    converted: int  # of them, those that reached to_stage or beyond by its end

    @property
    def rate(self) -> float | None:
        return self.converted / self.base if self.base else None


@dataclass(frozen=True)
class CallerFigures:
    caller: str
    calls: int
    connects: int
    hot_leads: int
    appointments: int
    wins: int
    goal: int  # calls aimed for in the window

    @property
    def connect_rate(self) -> float | None:
        return self.connects / self.calls if self.calls else None

    @property
    def of_goal(self) -> float | None:
        return self.calls / self.goal if self.goal else None


@dataclass(frozen=True)
class HourCount:
    hour: datetime  # the hour's start on the desk's clock (aware, home zone)
    calls: int


@dataclass(frozen=True)
class StuckLead:
    lead_id: int
    company: str
    contact: str
    phone_e164: str
    stage: Stage
    owner: str | None
    last_activity_at: datetime  # UTC
    idle_days: int  # whole days since then


@dataclass(frozen=True)
class Report:
    now: datetime
    start: datetime  # the conversion period [start, end)
    end: datetime
    day_start: datetime
    week_start: datetime
    funnel: dict[Stage, int]  # every stage, lost last
    conversion: list[Conversion]  # one per funnel step, in order
    today: list[CallerFigures]  # by caller name
    week: list[CallerFigures]
    calls_per_hour: list[HourCount]  # every hour of today up to now's
    stuck: list[StuckLead]  # the oldest `stuck_limit`
    stuck_counts: dict[Stage, int]  # all stuck leads per stage

    @property
    def stuck_total(self) -> int:
        return sum(self.stuck_counts.values())


def pipeline_report(store: Store, now: datetime, config: Config, *, start: datetime, end: datetime,
                    day_start: datetime, week_start: datetime, stuck_limit: int = 50) -> Report:
    """The whole report at `now` (see the module docstring for what each figure counts)."""
    for name, moment in (("now", now), ("start", start), ("end", end), ("day_start", day_start),
                         ("week_start", week_start)):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    with store.read() as conn:
        funnel = _funnel(conn)
        conversion = _conversion(conn, start, end)
        goals = dict(conn.execute(sa.select(callers.c.name, callers.c.daily_goal)).all())
        # Active callers are listed even before their first call: that is the figure to see.
        active = set(conn.execute(sa.select(callers.c.name).where(
            callers.c.active.is_(True), callers.c.role == Role.caller.value)).scalars())
        today = _callers(conn, day_start, now, goals, config.daily_goal, calling_days(day_start, now, config), active)
        week = _callers(conn, week_start, now, goals, config.daily_goal, calling_days(week_start, now, config), active)
        per_hour = _per_hour(conn, day_start, now, config.region)
        stuck, counts = _stuck(conn, now, config, stuck_limit)
    return Report(now, start, end, day_start, week_start, funnel, conversion, today, week, per_hour,
                  stuck, counts)


def _funnel(conn: sa.Connection) -> dict[Stage, int]:
    counts: dict[str, int] = {stage: count for stage, count in conn.execute(
        sa.select(leads.c.stage, sa.func.count()).group_by(leads.c.stage))}
    return {stage: int(counts.get(stage, 0)) for stage in Stage}  # StrEnum: keys match either way


def _rank(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """The funnel position of a stage column; NULL for lost (outside the funnel)."""
    return sa.case(*((column == stage.value, index) for index, stage in enumerate(FUNNEL)), else_=None)


def _greater(a: sa.ColumnElement[Any], b: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The larger of two values, ignoring NULLs (SQLite's max() and GREATEST disagree on NULL)."""
    return sa.case((a.is_(None), b), (sa.or_(b.is_(None), a > b), a), else_=b)


def _conversion(conn: sa.Connection, start: datetime, end: datetime) -> list[Conversion]:
    # Every stage a change shows the lead in, at the change's moment: from_stage was held
    # before it, to_stage from it on.
    events = sa.union_all(
        sa.select(stage_changes.c.lead_id, stage_changes.c.at, _rank(stage_changes.c.from_stage).label("r")),
        sa.select(stage_changes.c.lead_id, stage_changes.c.at, _rank(stage_changes.c.to_stage).label("r")),
    ).subquery("events")
    history = sa.select(
        events.c.lead_id,
        sa.func.max(sa.case((events.c.at < start, events.c.r))).label("by_start"),
        sa.func.max(sa.case((events.c.at < end, events.c.r))).label("by_end"),
    ).group_by(events.c.lead_id).subquery("history")
    numbered = sa.select(
        stage_changes.c.lead_id, _rank(stage_changes.c.from_stage).label("r"),
        sa.func.row_number().over(partition_by=stage_changes.c.lead_id, order_by=(stage_changes.c.at, stage_changes.c.id)).label("n"),
    ).subquery("numbered")
    first = sa.select(numbered.c.lead_id, numbered.c.r).where(numbered.c.n == 1).subquery("first_change")
    initial = sa.case((first.c.lead_id.is_not(None), first.c.r), else_=_rank(leads.c.stage))
    per_lead = (
        sa.select(leads.c.created_at, initial.label("initial"), history.c.by_start, history.c.by_end)
        .select_from(leads.outerjoin(history, history.c.lead_id == leads.c.id).outerjoin(first, first.c.lead_id == leads.c.id))
        .where(leads.c.created_at < end)
        .subquery("per_lead")
    )
    # Highest stage reached when the period began for the lead (its start, or its creation).
    began = sa.case((per_lead.c.created_at < start, _greater(per_lead.c.by_start, per_lead.c.initial)),
                    else_=per_lead.c.initial)
    ended = _greater(per_lead.c.by_end, per_lead.c.initial)
    columns = []
    for k in range(len(FUNNEL) - 1):
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((sa.and_(began <= k, ended >= k), 1), else_=0)), 0))
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((sa.and_(began <= k, ended >= k + 1), 1), else_=0)), 0))
    row = conn.execute(sa.select(*columns)).one()
    return [Conversion(FUNNEL[k], FUNNEL[k + 1], int(row[2 * k]), int(row[2 * k + 1]))
            for k in range(len(FUNNEL) - 1)]


def calling_days(since: datetime, now: datetime, config: Config) -> int:
    """Calling days (by weekday) on the desk's calendar from `since` to `now`, both included."""
    first = local_time(None, since, config.region).date()
    last = local_time(None, now, config.region).date()
    days = (last - first).days + 1
    return sum(1 for n in range(max(days, 0))
               if WEEKDAYS[(first + timedelta(days=n)).weekday()] in config.calling_hours.days)


def _callers(conn: sa.Connection, since: datetime, now: datetime, goals: dict[str, int | None], default_goal: int,
             days: int, active: set[str]) -> list[CallerFigures]:
    def flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    per_caller = conn.execute(
        sa.select(calls.c.caller, sa.func.count(), flag(calls.c.outcome.in_(_CONNECTED)),
                  flag(calls.c.outcome == Outcome.appointment.value))
        .where(calls.c.started_at >= since, calls.c.started_at <= now).group_by(calls.c.caller)
    ).all()
    changes = conn.execute(
        sa.select(stage_changes.c.changed_by,
                  flag(sa.and_(stage_changes.c.from_stage.in_(_BEFORE_HOT), stage_changes.c.to_stage.in_(_HOT_OR_BEYOND))),
                  flag(stage_changes.c.to_stage == Stage.customer.value))
        .where(stage_changes.c.at >= since, stage_changes.c.at <= now, stage_changes.c.manual.is_(False)).group_by(stage_changes.c.changed_by)
    ).all()
    figures: dict[str, list[int]] = {name: [0] * 5 for name in active}
    for caller, count, connects, appointments in per_caller:
        figures[caller] = [count, connects, 0, appointments, 0]  # before the stage changes: overwriting is right
    for caller, hot, wins in changes:
        entry = figures.setdefault(caller, [0] * 5)
        entry[2], entry[4] = int(hot), int(wins)
    def goal(caller: str) -> int:
        own = goals.get(caller)
        return (default_goal if own is None else own) * days

    return [CallerFigures(caller, calls=int(values[0]), connects=int(values[1]), hot_leads=int(values[2]),
                          appointments=int(values[3]), wins=int(values[4]), goal=goal(caller))
            for caller, values in sorted(figures.items())]


def _per_hour(conn: sa.Connection, day_start: datetime, now: datetime, region: str) -> list[HourCount]:
    # Hour boundaries are taken on the desk's clock in Python, so no dialect's time zone
    # functions are needed; the database only sorts calls into them.
    starts = []
    hour = day_start
    while hour <= now:
        starts.append(hour)
        hour += timedelta(hours=1)
    if not starts:
        return []
    bucket = sa.case(*((calls.c.started_at < boundary, index) for index, boundary in enumerate(starts[1:])),
                     else_=len(starts) - 1).label("bucket")
    counts: dict[int, int] = {index: count for index, count in conn.execute(
        sa.select(bucket, sa.func.count()).where(calls.c.started_at >= day_start, calls.c.started_at <= now)
        .group_by(bucket))}
    return [HourCount(local_time(None, moment, region), int(counts.get(index, 0)))
            for index, moment in enumerate(starts)]


def _stuck(conn: sa.Connection, now: datetime, config: Config, limit: int) -> tuple[list[StuckLead], dict[Stage, int]]:
    stamp = leads.c.created_at.type
    cutoff = sa.case(*((leads.c.stage == stage.value,
                        sa.literal(now - timedelta(days=getattr(config.stuck, stage.value)), stamp))
                       for stage in STUCK_STAGES), else_=None)
    # Cheap tests first; each NOT EXISTS is one index probe per lead (ix on lead_id).
    quiet = sa.and_(
        leads.c.stage.in_([s.value for s in STUCK_STAGES]),
        leads.c.created_at < cutoff,
        sa.or_(leads.c.last_called_at.is_(None), leads.c.last_called_at < cutoff),
        ~sa.exists().where(stage_changes.c.lead_id == leads.c.id, stage_changes.c.at >= cutoff),
        ~sa.exists().where(activities.c.lead_id == leads.c.id, activities.c.at >= cutoff),
    )
    counts: dict[str, int] = {stage: count for stage, count in conn.execute(
        sa.select(leads.c.stage, sa.func.count()).where(quiet).group_by(leads.c.stage))}
    last_change = (sa.select(sa.func.max(stage_changes.c.at)).where(stage_changes.c.lead_id == leads.c.id)
                   .scalar_subquery())
    last_activity = (sa.select(sa.func.max(activities.c.at)).where(activities.c.lead_id == leads.c.id)
                     .scalar_subquery())
    parts = [leads.c.created_at, sa.func.coalesce(leads.c.last_called_at, leads.c.created_at),
             sa.func.coalesce(last_change, leads.c.created_at), sa.func.coalesce(last_activity, leads.c.created_at)]
    # Several arguments: SQLite's scalar max(), PostgreSQL's GREATEST.
    greatest = sa.func.greatest if conn.dialect.name == "postgresql" else sa.func.max
    last = greatest(*parts, type_=stamp).label("last")
    rows = conn.execute(
        sa.select(leads.c.id, leads.c.company, leads.c.contact_name, leads.c.phone_e164, leads.c.stage, leads.c.owner, last)
        .where(quiet).order_by(last, leads.c.id).limit(limit)
    ).all()
    stuck = [StuckLead(row.id, row.company, row.contact_name, row.phone_e164, Stage(row.stage), row.owner,
                       row.last, (now - row.last).days) for row in rows]
    return stuck, {stage: int(counts.get(stage, 0)) for stage in STUCK_STAGES}
