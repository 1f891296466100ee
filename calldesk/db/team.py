"""Team leads' work: callers and roles, the callback schedule's actions, assignment, and moving
a lead's stage by hand.

Every action that changes someone else's work checks, in its own transaction, that whoever
does it (`by`) is an active team lead; a CalldeskError says why not, and nothing is written.
Until a store has a team lead, anyone may make the first one (a fresh desk must start somewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.scoring import refresh_if_due, rescore
from calldesk.db.tables import callbacks, callers, leads, stage_changes
from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.config import MAX_DAILY_GOAL, Config
from calldesk.rules.kinds import CallbackStatus, Role
from calldesk.rules.schedule import MAX_DISTANCE, PAST_GRACE
from calldesk.rules.stages import Stage
from calldesk.rules.windows import calling_time_after

_OPEN = CallbackStatus.open.value
MAX_NAME = 40


@dataclass(frozen=True)
class CallerInfo:
    name: str
    role: Role
    daily_goal: int | None  # None: the config's
    active: bool
    created_at: datetime

    @property
    def is_team_lead(self) -> bool:
        return self.role is Role.team_lead and self.active

    def goal(self, config: Config) -> int:
        return config.daily_goal if self.daily_goal is None else self.daily_goal

    @property
    def why_no_work(self) -> str:
        """Why this caller's queue is empty whatever it holds ("": they work)."""
        if self.active:
            return ""
        return _("{name} is inactive and gets no work; a team lead can change that with "
                 "`calldesk caller add {name} --active`").format(name=self.name)


def _info(row: sa.Row) -> CallerInfo:
    return CallerInfo(row.name, Role(row.role), row.daily_goal, bool(row.active), row.created_at)


def caller_name(text: str) -> str:
    """A caller's name as stored: trimmed, lower-case (as --caller and CALLDESK_CALLER are read)."""
    name = " ".join(text.split()).lower()
    if not name:
        raise CalldeskError(_("a caller's name can't be empty"))
    if len(name) > MAX_NAME:
        raise CalldeskError(_("a caller's name is at most {max} characters").format(max=MAX_NAME))
    if name == "team":
        raise CalldeskError(_("'team' stands for the whole team; pick another name"))
    return name


# -- callers ---------------------------------------------------------------------------------


def get_caller(store: Store, name: str) -> CallerInfo | None:
    with store.read() as conn:
        row = conn.execute(sa.select(callers).where(callers.c.name == name)).first()
    return _info(row) if row else None


def ensure_caller(store: Store, name: str, now: datetime) -> CallerInfo:
    """The caller of this name, added as a caller the first time they are seen."""
    found = get_caller(store, name)
    if found is not None:
        return found
    with store.write() as conn:
        if conn.execute(sa.select(callers.c.name).where(callers.c.name == name)).first() is None:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(callers).values(name=name, role=Role.caller.value, active=True,
                                                           created_at=now))
            except sa.exc.IntegrityError:
                pass  # another workstation added them at the same moment
    found = get_caller(store, name)
    assert found is not None
    return found


def list_callers(store: Store, *, active_only: bool = False) -> list[CallerInfo]:
    query = sa.select(callers).order_by(callers.c.name)
    if active_only:
        query = query.where(callers.c.active.is_(True))
    with store.read() as conn:
        return [_info(row) for row in conn.execute(query)]


def _team_leads(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(callers.c.name).where(
        callers.c.role == Role.team_lead.value, callers.c.active.is_(True))).scalars())


def _require_team_lead(conn: sa.Connection, by: str, doing: str) -> None:
    """`doing`: what was refused, to follow "only a team lead can" (translated by the caller)."""
    if by not in _team_leads(conn):
        raise CalldeskError(_("only a team lead can {doing} ({name} is not one: a team lead adds them "
                              "with `calldesk caller add {name} --role team_lead`)").format(doing=doing, name=by))


def require_team_lead(store: Store, name: str, doing: str) -> None:
    with store.read() as conn:
        _require_team_lead(conn, name, doing)


def is_team_lead(store: Store, name: str) -> bool:
    with store.read() as conn:
        return name in _team_leads(conn)


def save_caller(store: Store, name: str, *, by: str, now: datetime, role: Role | None = None,
                goal: int | None = None, active: bool | None = None) -> tuple[CallerInfo, bool]:
    """Add a caller or change one (what is None stays as it is). Returns it and whether it is new.
    Only team leads may, except for the first team lead of a store."""
    name = caller_name(name)
    if goal is not None and not 0 <= goal <= MAX_DAILY_GOAL:
        raise CalldeskError(_("a daily goal is a number of calls from 0 to {max}").format(max=MAX_DAILY_GOAL))
    with store.write() as conn:
        team_leads = _team_leads(conn)
        if team_leads:
            _require_team_lead(conn, by, _("add or change callers"))
        elif role is not Role.team_lead:
            raise CalldeskError(_("this desk has no team lead yet: add one first "
                                  "(`calldesk caller add {name} --role team_lead`)").format(name=by))
        row = conn.execute(sa.select(callers).where(callers.c.name == name)).first()
        values = {key: value for key, value in (("role", role.value if role else None), ("daily_goal", goal),
                                                ("active", active)) if value is not None}
        # Nobody may leave the desk without a team lead.
        demoted = row is not None and name in team_leads and (
            values.get("role", Role.team_lead.value) != Role.team_lead.value or values.get("active") is False)
        if demoted and team_leads == [name]:
            raise CalldeskError(_("{name} is the only team lead: make someone else team lead first").format(name=name))
        if row is None:
            conn.execute(sa.insert(callers).values(
                name=name, role=values.get("role", Role.caller.value), daily_goal=goal,
                active=values.get("active", True), created_at=now))
        elif values:
            conn.execute(sa.update(callers).where(callers.c.name == name).values(values))
        saved = conn.execute(sa.select(callers).where(callers.c.name == name)).one()
    return _info(saved), row is None


def caller_goals(store: Store, config: Config) -> dict[str, int]:
    """Each known caller's daily goal (the config's where they have none of their own)."""
    return {c.name: c.goal(config) for c in list_callers(store)}


def _check_target(conn: sa.Connection, name: str) -> None:
    row = conn.execute(sa.select(callers.c.active).where(callers.c.name == name)).first()
    if row is None:
        raise CalldeskError(_("no caller named {quoted} (add them: calldesk caller add {name})").format(
            quoted=repr(name), name=name))
    if not row.active:
        raise CalldeskError(_("{name} is not active").format(name=name))


# -- callbacks -------------------------------------------------------------------------------


def start_work(store: Store, name: str, now: datetime, config: Config) -> CallerInfo:
    """What every way into the desk does first (the queue screen's refresh, `queue`, `next`):
    the caller (added the first time they are seen), the day's warmth decay, and personal
    callbacks overdue too long handed to the team. The caller's `why_no_work` says whether
    they may work now."""
    me = ensure_caller(store, name, now)
    refresh_if_due(store, now, config)
    release_overdue(store, now, config)
    return me


def release_overdue(store: Store, now: datetime, config: Config) -> int:
    """Personal callbacks open more than `[callbacks] release_after` of CALLING time (the lead's
    hours, days and holidays) past their time go to the team: one missed at 17:25 is not handed
    over overnight, but 2 h into the next calling day. The schedule keeps who they were for.
    Returns how many. A read decides first: most refreshes find none and take no write lock."""
    grace = config.callbacks.release_after
    # Calling time never runs faster than the clock: only those past `grace` of it can be due.
    cutoff = now - grace
    # A team lead who gave a callback to a caller after it fell due meant it: it stays theirs.
    overdue = (callbacks.c.status == _OPEN, callbacks.c.caller.is_not(None), callbacks.c.due_at < cutoff,
               sa.or_(callbacks.c.assigned_at.is_(None), callbacks.c.assigned_at < callbacks.c.due_at))
    with store.read() as conn:
        rows = conn.execute(
            sa.select(callbacks.c.id, callbacks.c.due_at, leads.c.time_zone, leads.c.country)
            .join(leads, leads.c.id == callbacks.c.lead_id).where(*overdue)).all()
    hours, region = config.calling_hours, config.region
    due = [cb_id for cb_id, due_at, zone, country in rows
           if calling_time_after((zone or None, country or ""), due_at, grace, hours, region) <= now]
    if not due:
        return 0
    with store.write() as conn:
        return conn.execute(sa.update(callbacks).where(callbacks.c.id.in_(due), *overdue).values(
            released_from=callbacks.c.caller, released_at=now, caller=None)).rowcount


def _open_callbacks(conn: sa.Connection, ids: Sequence[int]) -> list[int]:
    """The ids, all of them open callbacks, or an error naming those that are not."""
    wanted = sorted(set(ids))
    if not wanted:
        raise CalldeskError(_("no callbacks selected"))
    found = set(conn.execute(sa.select(callbacks.c.id).where(callbacks.c.id.in_(wanted), callbacks.c.status == _OPEN)).scalars())
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise CalldeskError(_("not an open callback: {ids} (done or cancelled meanwhile?)").format(
            ids=", ".join(missing)))
    return wanted


def reassign_callbacks(store: Store, ids: Sequence[int], to: str | None, *, by: str, now: datetime) -> int:
    """Give these open callbacks to a caller, or (to=None) to the whole team. Overdue ones given
    to a caller stay theirs (they are not released again until they fall due anew)."""
    with store.write() as conn:
        _require_team_lead(conn, by, _("reassign callbacks"))
        wanted = _open_callbacks(conn, ids)
        if to is not None:
            _check_target(conn, to)
        return conn.execute(sa.update(callbacks).where(callbacks.c.id.in_(wanted)).values(
            caller=to, released_from=None, released_at=None, assigned_at=now)).rowcount


def reschedule_callbacks(store: Store, ids: Sequence[int], due_at: datetime, *, by: str, now: datetime) -> int:
    if due_at.tzinfo is None or due_at.utcoffset() is None:
        raise ValueError("due_at must be timezone-aware")
    if due_at < now - PAST_GRACE:
        raise CalldeskError(_("that time has passed: pick a moment from now on"))
    if due_at > now + MAX_DISTANCE:
        raise CalldeskError(_("more than ten years from now"))
    with store.write() as conn:
        _require_team_lead(conn, by, _("reschedule callbacks"))
        wanted = _open_callbacks(conn, ids)
        return conn.execute(sa.update(callbacks).where(callbacks.c.id.in_(wanted)).values(due_at=due_at)).rowcount


def cancel_callbacks(store: Store, ids: Sequence[int], reason: str, *, by: str) -> int:
    reason = " ".join(reason.split())
    if not reason:
        raise CalldeskError(_("say why the callbacks are cancelled (a reason is kept with them)"))
    with store.write() as conn:
        _require_team_lead(conn, by, _("cancel callbacks"))
        wanted = _open_callbacks(conn, ids)
        return conn.execute(sa.update(callbacks).where(callbacks.c.id.in_(wanted)).values(
            status=CallbackStatus.cancelled.value, closed_by=by, close_reason=reason)).rowcount


# -- assignment and stages -------------------------------------------------------------------


def _lead_filter(stage: Stage | None, source: str | None, industry: str | None) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if stage is not None:
        where.append(leads.c.stage == stage.value)
    if source:
        where.append(sa.func.lower(leads.c.source) == source.strip().lower())
    if industry:
        where.append(sa.func.lower(leads.c.industry) == industry.strip().lower())
    return where


def _pick(conn: sa.Connection, where: list[sa.ColumnElement[bool]], lead_ids: Sequence[int] | None,
          count: int | None) -> list[int]:
    if count is not None and count < 1:
        raise CalldeskError(_("--count must be at least 1"))
    query = sa.select(leads.c.id).where(*where)
    if lead_ids is not None:
        wanted = sorted(set(lead_ids))
        known = set(conn.execute(sa.select(leads.c.id).where(leads.c.id.in_(wanted))).scalars())
        missing = [str(i) for i in wanted if i not in known]
        if missing:
            raise CalldeskError(_("no lead with id {ids}").format(ids=", ".join(missing)))
        query = query.where(leads.c.id.in_(wanted))
    query = query.order_by(leads.c.warmth.desc(), leads.c.id)  # the warmest first
    if count is not None:
        query = query.limit(count)
    return list(conn.execute(query).scalars())


def _update_owner(conn: sa.Connection, ids: list[int], owner: str | None, now: datetime) -> int:
    changed = 0
    for start in range(0, len(ids), 500):  # bind-parameter limits
        changed += conn.execute(sa.update(leads).where(leads.c.id.in_(ids[start:start + 500])).values(
            owner=owner, updated_at=now)).rowcount
    return changed


def assign_leads(store: Store, to: str, *, by: str, now: datetime, lead_ids: Sequence[int] | None = None,
                 stage: Stage | None = None, source: str | None = None, industry: str | None = None,
                 count: int | None = None) -> int:
    """Give leads to a caller: the ones named (whoever had them), or the warmest `count` of the
    shared pool matching the filters. Without a stage, lost leads and customers are left out."""
    if lead_ids is None and count is None and stage is None and not source and not industry:
        raise CalldeskError(_("say which leads: --stage, --source, --industry, --count or --lead"))
    with store.write() as conn:
        _require_team_lead(conn, by, _("assign leads"))
        _check_target(conn, to)
        where = _lead_filter(stage, source, industry)
        if lead_ids is None:
            where.append(sa.or_(leads.c.owner.is_(None), leads.c.owner == ""))
        if stage is None and lead_ids is None:
            where.append(leads.c.stage.not_in([Stage.lost.value, Stage.customer.value]))
        return _update_owner(conn, _pick(conn, where, lead_ids, count), to, now)


def unassign_leads(store: Store, *, by: str, now: datetime, caller: str | None = None,
                   lead_ids: Sequence[int] | None = None, stage: Stage | None = None, source: str | None = None,
                   industry: str | None = None, count: int | None = None) -> int:
    """Take leads back into the shared pool: the ones named, or a caller's (filtered)."""
    if caller is None and lead_ids is None:
        raise CalldeskError(_("say whose leads to take back (--caller) or which (--lead)"))
    with store.write() as conn:
        _require_team_lead(conn, by, _("take leads back"))
        where = _lead_filter(stage, source, industry)
        where.append(leads.c.owner == caller if caller is not None else leads.c.owner.is_not(None))
        return _update_owner(conn, _pick(conn, where, lead_ids, count), None, now)


@dataclass(frozen=True)
class StageMove:
    lead_id: int
    company: str
    from_stage: Stage
    to_stage: Stage


def move_stage(store: Store, lead_id: int, to_stage: Stage, reason: str, *, by: str, now: datetime,
               config: Config) -> StageMove:
    """A team lead moves a lead to any stage, backwards too, with a reason kept in its history."""
    reason = " ".join(reason.split())
    if not reason:
        raise CalldeskError(_("say why the stage is moved by hand (the reason is kept in the lead's history)"))
    with store.write() as conn:
        _require_team_lead(conn, by, _("move a lead's stage by hand"))
        lead = conn.execute(sa.select(leads.c.stage, leads.c.company).where(leads.c.id == lead_id).with_for_update()).first()
        if lead is None:
            raise CalldeskError(_("no lead with id {ids}").format(ids=lead_id))
        if lead.stage == to_stage.value:
            raise CalldeskError(_("lead {id} is already {stage}").format(id=lead_id, stage=to_stage.ui_label))
        conn.execute(sa.insert(stage_changes).values(lead_id=lead_id, from_stage=lead.stage, to_stage=to_stage.value, at=now,
                                           changed_by=by, reason=reason, manual=True))
        conn.execute(sa.update(leads).where(leads.c.id == lead_id).values(
            stage=to_stage.value, lost_reason=reason if to_stage is Stage.lost else "", updated_at=now))
        rescore(conn, [lead_id], now, config)
    return StageMove(lead_id, lead.company, Stage(lead.stage), to_stage)
