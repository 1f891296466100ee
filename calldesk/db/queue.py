"""The call queue: who to call next, for one caller at one moment, and claiming a lead.

Order: callbacks due for this caller (oldest first), team callbacks due, then callable leads
by stored warmth (ties: least recently called first). Everything is one indexed query per
part; calling windows are decided per (zone, country) pair in Python and passed in as a list.
A claim is one UPDATE … WHERE id = (SELECT … LIMIT 1 [FOR UPDATE SKIP LOCKED]) RETURNING id:
atomic on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (row locks), so two callers never get
the same lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

import sqlalchemy as sa

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.db.models import Callback, Lead, Suppression, WindowKey
from calldesk.warmth import parse_reasons
from calldesk.stages import Stage
from calldesk.windows import describe_next, home_zone, next_opening, open_keys

CLAIM_LEASE = timedelta(minutes=10)
_L = Lead.__table__
_CB = Callback.__table__
_SUP = Suppression.__table__
_WK = WindowKey.__table__
# Opportunities and customers are worked through callbacks (appointments), not cold.
QUEUE_STAGES = (Stage.suspect.value, Stage.prospect.value, Stage.hot_lead.value)
_NOT_QUEUED = tuple(s.value for s in Stage if s.value not in QUEUE_STAGES)
_COLUMNS = (_L.c.id, _L.c.company, _L.c.contact_name, _L.c.phone_e164, _L.c.time_zone, _L.c.country,
            _L.c.stage, _L.c.warmth, _L.c.warmth_reasons, _L.c.last_called_at, _L.c.attempts,
            _L.c.owner, _L.c.claimed_by)


@dataclass(frozen=True)
class QueueEntry:
    lead_id: int
    company: str
    contact_name: str
    phone_e164: str
    time_zone: str | None
    country: str
    stage: Stage
    warmth: int
    reasons_json: str
    last_called_at: datetime | None
    attempts: int
    owner: str | None
    callback_due_at: datetime | None = None
    callback_for: str | None = None  # the caller, or None for a team callback
    callback_id: int | None = None

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return parse_reasons(self.reasons_json)  # parsed when shown, not for every row fetched

    @property
    def next_action(self) -> str:
        if self.callback_due_at is not None:
            return "callback" if self.callback_for else "team callback"
        return "retry" if self.attempts else "new"


@dataclass(frozen=True)
class Queue:
    entries: list[QueueEntry]
    why_empty: str = ""  # said when entries is empty


def _entry(row: sa.Row, callback: sa.Row | None = None) -> QueueEntry:
    """callback: a row with callback_id, due_at and callback_for (the due callback, if any)."""
    return QueueEntry(
        lead_id=row.id, company=row.company, contact_name=row.contact_name, phone_e164=row.phone_e164,
        time_zone=row.time_zone, country=row.country, stage=Stage(row.stage), warmth=row.warmth,
        reasons_json=row.warmth_reasons, last_called_at=row.last_called_at,
        attempts=row.attempts, owner=row.owner,
        callback_due_at=callback.due_at if callback is not None else None,
        callback_for=callback.callback_for if callback is not None else None,
        callback_id=callback.callback_id if callback is not None else None,
    )


def window_keys(conn: sa.Connection) -> list[tuple[str | None, str]]:
    return [(zone or None, country) for zone, country in conn.execute(sa.select(_WK.c.time_zone, _WK.c.country))]


def _open_pairs(keys: list[tuple[str | None, str]], now: datetime, config: Config) -> list[tuple[str, str]]:
    return [(zone or "", country) for zone, country in open_keys(keys, now, config.calling_hours, config.region)]


# The statements are built once, with bind parameters (:caller, :now, :recent, :pairs):
# rebuilding them per call cost ten times the queries themselves.
def _common() -> list[sa.ColumnElement[bool]]:
    """What any queued lead must be: callable now, in its window, not taken by someone else."""
    caller, now = sa.bindparam("caller"), sa.bindparam("now", type_=_L.c.claim_expires_at.type)
    return [
        sa.tuple_(sa.func.coalesce(_L.c.time_zone, ""), _L.c.country).in_(sa.bindparam("pairs", expanding=True)),
        _L.c.stage != Stage.lost.value,
        _L.c.phone_bad.is_(False),
        _free(caller, now),
        ~sa.exists().where(_SUP.c.phone_e164 == _L.c.phone_e164),
    ]


@cache
def _callbacks_select(*, team: bool) -> sa.Select:
    caller, now = sa.bindparam("caller"), sa.bindparam("now", type_=_CB.c.due_at.type)
    who = _CB.c.caller.is_(None) if team else _CB.c.caller == caller
    query = (
        sa.select(*_COLUMNS, _CB.c.id.label("callback_id"), _CB.c.due_at, _CB.c.caller.label("callback_for"))
        .join(_CB, _CB.c.lead_id == _L.c.id)
        .where(_CB.c.status == "open", _CB.c.due_at <= now, who, *_common())
        .order_by(_CB.c.due_at, _CB.c.id)
    )
    if team:  # a team callback on someone's own lead stays theirs
        query = query.where(sa.or_(_L.c.owner.is_(None), _L.c.owner == caller))
    return query


@cache
def _warm_select() -> sa.Select:
    now = sa.bindparam("now", type_=_L.c.next_call_at.type)
    recent = sa.bindparam("recent", type_=_L.c.last_called_at.type)
    return (
        sa.select(*_COLUMNS)
        .where(
            *_common(),
            # Stage and owner are written so that no index serves them: the planner then walks
            # the warmth index (a top-N walk, most leads pass) instead of fetching every lead
            # of a stage or of the shared pool and sorting them all.
            _L.c.stage.not_in(_NOT_QUEUED),
            sa.func.coalesce(_L.c.owner, "").in_(("", sa.bindparam("caller"))),
            _L.c.unreachable.is_(False),
            sa.or_(_L.c.next_call_at.is_(None), _L.c.next_call_at <= now),
            sa.or_(_L.c.last_called_at.is_(None), _L.c.last_called_at <= recent),
            # A lead with an open callback waits for it: nobody else rings it meanwhile.
            ~sa.exists().where(_CB.c.lead_id == _L.c.id, _CB.c.status == "open"),
        )
        .order_by(_L.c.warmth.desc(), _L.c.last_called_at.asc().nulls_first(), _L.c.id)
    )


def _params(caller: str, now: datetime, pairs: list[tuple[str, str]], config: Config) -> dict[str, object]:
    return {"caller": caller, "now": now, "recent": now - config.retry.recent_contact, "pairs": pairs}


def _matching(search: str) -> list[sa.ColumnElement[bool]]:
    """The `/` filter: part of the company or contact name, or digits of the number."""
    text = search.strip()
    if not text:
        return []
    like = f"%{text.lower()}%"
    options = [sa.func.lower(_L.c.company).like(like), sa.func.lower(_L.c.contact_name).like(like)]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3:
        # 0612… typed nationally matches +31612…: drop the trunk 0.
        options.append(_L.c.phone_e164.contains(digits.lstrip("0") or digits))
    return [sa.or_(*options)]


def queue(store: Store, caller: str, now: datetime, config: Config, limit: int = 50,
          search: str = "") -> Queue:
    with store.read() as session:
        conn = session.connection()
        keys = window_keys(conn)
        pairs = _open_pairs(keys, now, config)
        if not pairs:
            return Queue([], _why_empty(conn, caller, now, config, keys, pairs))
        entries: list[QueueEntry] = []
        seen: set[int] = set()
        matching = _matching(search)
        params = _params(caller, now, pairs, config)
        for team in (False, True):
            for row in conn.execute(_callbacks_select(team=team).where(*matching).limit(limit), params):
                if row.id not in seen and len(entries) < limit:
                    seen.add(row.id)
                    entries.append(_entry(row, row))
        if len(entries) < limit:
            query = _warm_select().where(*matching).limit(limit - len(entries))
            if seen:
                query = query.where(_L.c.id.not_in(seen))
            entries.extend(_entry(row) for row in conn.execute(query, params))
        if entries or matching:
            why = "" if entries else f"no callable lead matches {search.strip()!r}"
        else:
            why = _why_empty(conn, caller, now, config, keys, pairs)
        return Queue(entries, why)


def claim_next(store: Store, caller: str, now: datetime, config: Config,
               lease: timedelta = CLAIM_LEASE) -> tuple[QueueEntry | None, str]:
    """Claim the top of this caller's queue: (entry, "") or (None, why nothing is callable)."""
    with store.write() as session:
        conn = session.connection()
        held = _held(conn, caller, now, lease)
        if held is not None:  # resume: the lead this caller already has open comes back first
            return held, ""
        keys = window_keys(conn)
        pairs = _open_pairs(keys, now, config)
        if pairs:
            params = _params(caller, now, pairs, config)
            for part in (_callbacks_select(team=False), _callbacks_select(team=True), _warm_select()):
                claimed = _claim_first(conn, part, params, lease)
                if claimed is not None:
                    return claimed, ""
        return None, _why_empty(conn, caller, now, config, keys, pairs)


def _held(conn: sa.Connection, caller: str, now: datetime, lease: timedelta) -> QueueEntry | None:
    row = conn.execute(
        sa.select(*_COLUMNS).where(_L.c.claimed_by == caller, _L.c.claim_expires_at > now)
        .order_by(_L.c.claim_expires_at).limit(1)
    ).first()
    if row is None:
        return None
    conn.execute(sa.update(_L).where(_L.c.id == row.id).values(claim_expires_at=now + lease))
    due = conn.execute(
        sa.select(_CB.c.id.label("callback_id"), _CB.c.due_at, _CB.c.caller.label("callback_for"))
        .where(_CB.c.lead_id == row.id, _CB.c.status == "open", _CB.c.due_at <= now)
        .order_by(_CB.c.due_at).limit(1)
    ).first()
    return _entry(row, due)


def _claim_first(conn: sa.Connection, part: sa.Select, params: dict[str, object],
                 lease: timedelta) -> QueueEntry | None:
    # SKIP LOCKED: concurrent callers on PostgreSQL pass over a row another is claiming;
    # SQLite ignores it (its write transaction already serialises claims).
    caller, now = str(params["caller"]), params["now"]
    assert isinstance(now, datetime)
    candidate = (
        part.with_only_columns(_L.c.id).limit(1).with_for_update(of=_L, skip_locked=True).scalar_subquery()
    )
    claimed_id = conn.execute(
        sa.update(_L)
        .where(_L.c.id == candidate, _free(caller, now))
        .values(claimed_by=caller, claim_expires_at=now + lease)
        .returning(_L.c.id),
        params,
    ).scalar()
    if claimed_id is None:
        return None
    row = conn.execute(part.where(_L.c.id == claimed_id).limit(1), params).first()
    if row is None:  # pragma: no cover - the row was just selected by the same filter
        return None
    return _entry(row, row if "callback_id" in row._mapping else None)


def _free(caller: str | sa.BindParameter, now: datetime | sa.BindParameter) -> sa.ColumnElement[bool]:
    """Nobody else holds the lead: unclaimed, claimed by this caller, or the lease ran out."""
    return sa.or_(_L.c.claimed_by.is_(None), _L.c.claimed_by == caller, _L.c.claim_expires_at <= now)


def claim_lead(store: Store, lead_id: int, caller: str, now: datetime,
               lease: timedelta = CLAIM_LEASE) -> str | None:
    """Claim one chosen lead; None when done, else who holds it."""
    with store.write() as session:
        conn = session.connection()
        done = conn.execute(
            sa.update(_L).where(_L.c.id == lead_id, _free(caller, now))
            .values(claimed_by=caller, claim_expires_at=now + lease).returning(_L.c.id)
        ).scalar()
        if done is not None:
            return None
        holder = conn.execute(sa.select(_L.c.claimed_by).where(_L.c.id == lead_id)).scalar()
        return holder or "nobody (no such lead)"


def renew_claim(store: Store, lead_id: int, caller: str, now: datetime,
                lease: timedelta = CLAIM_LEASE) -> bool:
    """Extend a held claim; False when it was lost (expired and taken by another)."""
    with store.write() as session:
        return bool(session.connection().execute(
            sa.update(_L).where(_L.c.id == lead_id, _free(caller, now))
            .values(claimed_by=caller, claim_expires_at=now + lease)
        ).rowcount)


def release_claim(store: Store, lead_id: int, caller: str) -> None:
    with store.write() as session:
        session.connection().execute(
            sa.update(_L).where(_L.c.id == lead_id, _L.c.claimed_by == caller)
            .values(claimed_by=None, claim_expires_at=None)
        )


def _why_empty(conn: sa.Connection, caller: str, now: datetime, config: Config,
               keys: list[tuple[str | None, str]], pairs: Sequence[tuple[str, str]]) -> str:
    if not keys:
        return "no leads yet: import some with `calldesk import FILE.csv`"
    hours, region = config.calling_hours, config.region
    if not pairs:
        home = home_zone(region)
        # Ties (Amsterdam and Brussels open at once) are told in the desk's own zone.
        soonest = min(keys, key=lambda k: (next_opening(k, now, hours, region),
                                           (k[0] or home) != home, k[0] or "", k[1]))
        return f"outside calling hours — next callable at {describe_next(soonest, now, hours, region)}"
    cooled = conn.execute(
        sa.select(sa.func.min(_L.c.next_call_at)).where(
            _L.c.next_call_at > now, _L.c.stage.in_(QUEUE_STAGES), _L.c.unreachable.is_(False),
            sa.or_(_L.c.owner.is_(None), _L.c.owner == caller))
    ).scalar()
    if cooled is not None:
        return f"nothing callable for {caller} now — the next retry falls due at {cooled:%Y-%m-%d %H:%M} UTC"
    return f"nothing callable for {caller} now — every open lead is claimed, owned by another caller or done"
