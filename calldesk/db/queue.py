"""The call queue: who to call next, for one caller at one moment, and claiming a lead.

Order: callbacks due for this caller (oldest first), team callbacks due, then callable leads
by stored warmth (ties: least recently called first). Each part is one indexed query, run
only when the parts before it left room; calling windows are decided per (zone, country) pair
in Python (kept for the minute) and bound into the queries. The queries, and the claim's
statements, are compiled once per dialect and run on the driver's own cursor (calldesk.db.plans),
queue rows turned into entries by hand: SQLAlchemy's work per execution and per row cost several
times the SQL, and a claim holds the write lock that every other caller waits for.
A claim is one UPDATE … WHERE id = (SELECT … LIMIT 1 [FOR UPDATE SKIP LOCKED]) RETURNING id:
atomic on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (row locks), so two callers never get
the same lead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from calldesk.db.engine import Store
from calldesk.db.plans import Cursor, Plan, dialect_key, sqlite_time
from calldesk.db.tables import callbacks, leads, suppression, window_keys
from calldesk.i18n import N_, _
from calldesk.rules.config import CallingHours, Config
from calldesk.rules.phones import home_zone
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import parse_reasons
from calldesk.rules.windows import describe_next, local_time, next_opening, open_keys, why_closed, zones_of

CLAIM_LEASE = timedelta(minutes=10)
# Opportunities and customers are worked through callbacks (appointments), not cold.
QUEUE_STAGES = (Stage.suspect.value, Stage.prospect.value, Stage.hot_lead.value)
_NOT_QUEUED = tuple(s.value for s in Stage if s.value not in QUEUE_STAGES)
_COLUMNS = (leads.c.id, leads.c.company, leads.c.contact_name, leads.c.phone_e164, leads.c.time_zone, leads.c.country,
            leads.c.stage, leads.c.warmth, leads.c.warmth_reasons, leads.c.last_called_at, leads.c.attempts,
            leads.c.owner, leads.c.claimed_by)
_STAGES = {stage.value: stage for stage in Stage}


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
    phone_bad: bool = False  # marked a wrong number: listed only when searched for, to fix it

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return parse_reasons(self.reasons_json)  # parsed when shown, not for every row fetched

    @property
    def next_action(self) -> str:
        """English, as exported (NEXT_ACTIONS); screens translate it."""
        if self.phone_bad:
            return "fix number"
        if self.callback_due_at is not None:
            return "callback" if self.callback_for else "team callback"
        return "retry" if self.attempts else "new"


# What QueueEntry.next_action says, for the catalog.
NEXT_ACTIONS = (N_("callback"), N_("team callback"), N_("retry"), N_("new"), N_("fix number"))


@dataclass(frozen=True)
class Queue:
    entries: list[QueueEntry]
    why_empty: str = ""  # said when entries is empty (UI language)


def _entry(row: Mapping[str, Any] | sa.RowMapping, callback: Mapping[str, Any] | None = None, *,
           phone_bad: bool = False) -> QueueEntry:
    """callback: a row with callback_id, due_at and callback_for (the due callback, if any)."""
    return QueueEntry(
        lead_id=row["id"], company=row["company"], contact_name=row["contact_name"], phone_e164=row["phone_e164"],
        time_zone=row["time_zone"], country=row["country"], stage=Stage(row["stage"]), warmth=row["warmth"],
        reasons_json=row["warmth_reasons"], last_called_at=row["last_called_at"],
        attempts=row["attempts"], owner=row["owner"],
        callback_due_at=callback["due_at"] if callback is not None else None,
        callback_for=callback["callback_for"] if callback is not None else None,
        callback_id=callback["callback_id"] if callback is not None else None, phone_bad=phone_bad,
    )


def _open_pairs(stored: tuple[tuple[str, str], ...], now: datetime, config: Config) -> tuple[tuple[str, str], ...]:
    """Of the stored (zone, country) pairs ('' for an unknown zone), those open at `now`, sorted."""
    if not stored:
        return ()
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    hours, region = config.calling_hours, config.region
    pairs = _open_in_minute(stored, int(now.timestamp() // 60), hours, region)
    return _open_at(stored, now, hours, region) if pairs is None else pairs


@lru_cache(maxsize=64)
def _open_in_minute(stored: tuple[tuple[str, str], ...], minute: int, hours: CallingHours,
                    region: str) -> tuple[tuple[str, str], ...] | None:
    """The open pairs for a whole UTC minute (the queue asks every few seconds), or None when
    the answer could change within it: hours not on the minute, or a zone's offset that
    changes inside the minute or is not whole minutes."""
    clocks = [getattr(hours, name) for name in type(hours).model_fields]
    if any(isinstance(clock, time) and (clock.second or clock.microsecond) for clock in clocks):
        return None
    first = datetime.fromtimestamp(minute * 60, UTC)
    last = first + timedelta(seconds=60, microseconds=-1)
    for zone in {zone for text, _country in stored for zone in zones_of(text) or ("",)}:
        offset = local_time(zone or None, first, region).utcoffset()
        if offset is None or offset % timedelta(minutes=1):
            return None
        if offset != local_time(zone or None, last, region).utcoffset():
            return None
    return _open_at(stored, first, hours, region)


def _open_at(stored: tuple[tuple[str, str], ...], now: datetime, hours: CallingHours,
             region: str) -> tuple[tuple[str, str], ...]:
    keys = [(zone or None, country) for zone, country in stored]
    return tuple(sorted((zone or "", country) for zone, country in open_keys(keys, now, hours, region)))


def _pairs_clause(shape: tuple[int, int]) -> sa.ColumnElement[bool]:
    """The lead's (zone, country) is one of the open pairs (see _pair_values): `shape` counts
    those with a zone and those of an unknown zone. Plain columns, no coalesce(): PostgreSQL
    then sees how many leads pass, and walks the warmth index instead of sorting them all."""
    zoned, unzoned = shape
    zone, country = leads.c.time_zone, leads.c.country
    return sa.or_(
        *(sa.and_(zone == sa.bindparam(f"zone{i}"), country == sa.bindparam(f"country{i}")) for i in range(zoned)),
        *(sa.and_(sa.or_(zone.is_(None), zone == ""), country == sa.bindparam(f"zoneless{i}"))
          for i in range(unzoned)),
    )


def _pair_shape(pairs: Sequence[tuple[str, str]]) -> tuple[int, int]:
    unzoned = sum(1 for zone, _ in pairs if not zone)
    return len(pairs) - unzoned, unzoned


def _pair_values(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    zoned = [(zone, country) for zone, country in pairs if zone]
    values = {f"zone{i}": zone for i, (zone, _) in enumerate(zoned)}
    values.update({f"country{i}": country for i, (_, country) in enumerate(zoned)})
    values.update({f"zoneless{i}": country for i, country in enumerate(c for z, c in pairs if not z)})
    return values


# The statements are built once per shape of the open pairs, with bind parameters (:caller,
# :now, :recent, the pairs): rebuilding them per call cost ten times the queries themselves.
def _not_blocked(caller: str | sa.BindParameter[str],
                 now: datetime | sa.BindParameter[datetime]) -> list[sa.ColumnElement[bool]]:
    """Not held by someone else, not on the do-not-call list (probes: keep them last)."""
    return [_free(caller, now), ~sa.exists().where(suppression.c.phone_e164 == leads.c.phone_e164)]


def _pool_or_own(caller: str | sa.BindParameter[str]) -> sa.ColumnElement[bool]:
    """The shared pool's leads (no owner) and this caller's own."""
    return sa.or_(leads.c.owner.is_(None), leads.c.owner == "", leads.c.owner == caller)


def offered_callback(caller: str | sa.BindParameter[str], *, team: bool) -> list[sa.ColumnElement[bool]]:
    """An open callback (joined with its lead) that the queue offers this caller once due:
    their own, or the team's; never on a lost lead or a wrong number. (Also the queue header's
    count: leads.desk_status.)"""
    lead = [leads.c.stage != Stage.lost.value, leads.c.phone_bad.is_(False)]
    if not team:
        return [callbacks.c.caller == caller, *lead]
    # A team callback on someone's own lead stays theirs, unless it was released to all.
    return [callbacks.c.caller.is_(None), *lead,
            sa.or_(leads.c.owner.is_(None), leads.c.owner == caller, callbacks.c.released_from.is_not(None))]


def callable_callbacks(conn: sa.Connection, caller: str, now: datetime, config: Config) -> int:
    """The queue header's "callbacks due now": the due callbacks the queue offers this caller at
    `now` (offered_callback), on leads whose calling window is open and that nobody else holds.
    On a Saturday, a holiday or after hours that is 0, as the queue is empty then."""
    stored = tuple((zone or "", country) for zone, country in conn.execute(_window_keys()))
    pairs = _open_pairs(stored, now, config)
    if not pairs:
        return 0
    caller_p: sa.BindParameter[str] = sa.bindparam("caller")
    now_p: sa.BindParameter[datetime] = sa.bindparam("now", type_=callbacks.c.due_at.type)
    offered = sa.or_(*(sa.and_(*offered_callback(caller_p, team=team)) for team in (False, True)))
    count = (sa.select(sa.func.count()).select_from(callbacks.join(leads, leads.c.id == callbacks.c.lead_id))
             .where(callbacks.c.status == "open", callbacks.c.due_at <= now_p, _pairs_clause(_pair_shape(pairs)),
                    offered, *_not_blocked(caller_p, now_p)))
    return conn.execute(count, {"caller": caller, "now": now, **_pair_values(pairs)}).scalar_one()


def _callback_part(team: bool, pairs: tuple[int, int], columns: Sequence[sa.ColumnElement[Any]]) -> sa.Select:
    caller: sa.BindParameter[str] = sa.bindparam("caller")
    now: sa.BindParameter[datetime] = sa.bindparam("now", type_=callbacks.c.due_at.type)
    return (
        sa.select(*columns)
        .join(callbacks, callbacks.c.lead_id == leads.c.id)
        .where(callbacks.c.status == "open", callbacks.c.due_at <= now, _pairs_clause(pairs),
               *offered_callback(caller, team=team), *_not_blocked(caller, now))
        .order_by(callbacks.c.due_at, callbacks.c.id)
    )


def _warm_part(pairs: tuple[int, int], columns: Sequence[sa.ColumnElement[Any]]) -> sa.Select:
    caller: sa.BindParameter[str] = sa.bindparam("caller")
    now = sa.bindparam("now", type_=leads.c.next_call_at.type)
    recent = sa.bindparam("recent", type_=leads.c.last_called_at.type)
    return (
        sa.select(*columns)
        .where(
            _pairs_clause(pairs),
            # Stage and owner are written so that no index serves them: the planner then walks
            # the warmth index (a top-N walk, most leads pass) instead of fetching every lead
            # of a stage or of the shared pool and sorting them all. (<> each: cheaper than
            # NOT IN on SQLite; the owner's partial index holds no NULL.)
            *(leads.c.stage != stage for stage in _NOT_QUEUED),
            leads.c.phone_bad.is_(False),
            leads.c.unreachable.is_(False),
            sa.or_(leads.c.next_call_at.is_(None), leads.c.next_call_at <= now),
            sa.or_(leads.c.last_called_at.is_(None), leads.c.last_called_at <= recent),
            _pool_or_own(caller),
            *_not_blocked(caller, sa.bindparam("now", type_=leads.c.claim_expires_at.type)),
            # A lead with an open callback waits for it: nobody else rings it meanwhile.
            ~sa.exists().where(callbacks.c.lead_id == leads.c.id, callbacks.c.status == "open"),
        )
        .order_by(leads.c.warmth.desc(), leads.c.last_called_at.asc().nulls_first(), leads.c.id)
    )


_CALLBACK_COLUMNS = (callbacks.c.id.label("callback_id"), callbacks.c.due_at, callbacks.c.caller.label("callback_for"))


@cache
def _callbacks_select(*, team: bool, pairs: tuple[int, int]) -> sa.Select:
    return _callback_part(team, pairs, (*_COLUMNS, *_CALLBACK_COLUMNS))


@cache
def _warm_select(pairs: tuple[int, int]) -> sa.Select:
    return _warm_part(pairs, _COLUMNS)


def _params(caller: str, now: datetime, pairs: Sequence[tuple[str, str]], config: Config) -> dict[str, object]:
    return {"caller": caller, "now": now, "recent": now - config.retry.recent_contact, **_pair_values(pairs)}


# Reading the queue. Columns in QueueEntry's field order.
_ENTRY_COLUMNS = (leads.c.id, leads.c.company, leads.c.contact_name, leads.c.phone_e164, leads.c.time_zone,
                  leads.c.country, leads.c.stage, leads.c.warmth, leads.c.warmth_reasons, leads.c.last_called_at,
                  leads.c.attempts, leads.c.owner)
_DUE, _FOR, _CALLBACK = 12, 13, 14  # where the callback's columns are in a row


def _search_terms(text: bool, digits: bool) -> list[sa.ColumnElement[bool]]:
    """The `/` filter: part of the company or contact name (:like), or digits of the number."""
    if not text:
        return []
    like: sa.BindParameter[str] = sa.bindparam("like")
    options: list[sa.ColumnElement[bool]] = [sa.func.lower(leads.c.company).like(like),
                                             sa.func.lower(leads.c.contact_name).like(like)]
    if digits:
        options.append(leads.c.phone_e164.contains(sa.bindparam("digits")))
    return [sa.or_(*options)]


def _search_values(search: str) -> tuple[bool, bool, dict[str, Any]]:
    """(searching, by digits too, the values the search binds), to which queue() adds its own."""
    text = search.strip()
    if not text:
        return False, False, {}
    digits = "".join(ch for ch in text if ch.isdigit())
    values: dict[str, Any] = {"like": f"%{text.lower()}%"}
    if len(digits) >= 3:
        values["digits"] = digits.lstrip("0") or digits  # 0612… typed nationally matches +31612…
    return True, "digits" in values, values


def _queue_parts(pairs: tuple[int, int], text: bool, digits: bool) -> tuple[sa.Select, ...]:
    """Personal callbacks, team callbacks, warm leads, each walking its own index to :n rows
    after skipping :skip. Run one after another until the queue is full: one UNION ALL of the
    three cost SQLite a fifth more (it copies each row out of a co-routine)."""
    no_callback = (sa.cast(sa.null(), callbacks.c.due_at.type).label("due_at"),
                   sa.cast(sa.null(), callbacks.c.caller.type).label("callback_for"),
                   sa.cast(sa.null(), callbacks.c.id.type).label("callback_id"))
    with_callback = (callbacks.c.due_at, callbacks.c.caller.label("callback_for"), callbacks.c.id.label("callback_id"))
    parts = (_callback_part(False, pairs, (*_ENTRY_COLUMNS, *with_callback)),
             _callback_part(True, pairs, (*_ENTRY_COLUMNS, *with_callback)),
             _warm_part(pairs, (*_ENTRY_COLUMNS, *no_callback)))
    matching = _search_terms(text, digits)
    n, skip = sa.bindparam("n", type_=sa.Integer), sa.bindparam("skip", type_=sa.Integer)
    return tuple(part.where(*matching).limit(n).offset(skip) for part in parts)


class _Reader:
    """Per kind of dialect: the compiled plans, and how its driver returns times."""

    def __init__(self, dialect: Dialect) -> None:
        self.error: type[Exception] = dialect.loaded_dbapi.Error
        # With the keys, whether any callback is due at all: often none is, and then neither
        # callback part needs to run.
        now = sa.bindparam("now", type_=callbacks.c.due_at.type)
        any_due = sa.exists().where(callbacks.c.status == "open", callbacks.c.due_at <= now)
        self.keys = Plan.compile(sa.select(window_keys.c.time_zone, window_keys.c.country, any_due.label("any_due")),
                                 dialect)
        self.plans: dict[tuple[tuple[int, int], bool, bool], tuple[Plan, ...]] = {}
        stamp = leads.c.last_called_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.convert: dict[str, Callable[[Any], Any]] = {"now": stamp, "recent": stamp} if stamp else {}
        process = callbacks.c.due_at.type.dialect_impl(dialect).result_processor(dialect, None)
        read: Callable[[Any], Any] = process or (lambda value: value)
        self.time: Callable[[Any], datetime] = sqlite_time(read) if dialect.name == "sqlite" else read

    def parts(self, dialect: Dialect, pairs: tuple[int, int], text: bool, digits: bool) -> tuple[Plan, ...]:
        key = (pairs, text, digits)
        plans = self.plans.get(key)
        if plans is None:
            plans = self.plans[key] = tuple(Plan.compile(part, dialect) for part in _queue_parts(*key))
            # :now and :recent are processed once per call, for all statements (see _fetch).
            assert all(dict(plan.convert).keys() <= self.convert.keys() for plan in plans)
        return plans


_READERS: dict[tuple[Any, ...], _Reader] = {}


def _reader(dialect: Dialect) -> _Reader:
    key = dialect_key(dialect)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = _Reader(dialect)
    return reader


def _add(entries: list[QueueEntry], seen: set[int], rows: Sequence[Sequence[Any]], limit: int,
         read_time: Callable[[Any], datetime]) -> None:
    """Rows to entries, each lead once: several of its callbacks may be due, and the parts are
    separate statements (a callback may close between them)."""
    append, new, set_dict = entries.append, object.__new__, object.__setattr__
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        called, due = row[9], row[_DUE]
        entry = new(QueueEntry)
        # Filled without __init__: the frozen dataclass sets its 15 fields one object.__setattr__
        # at a time, which cost more than the rest of the row's handling (test_queue checks
        # that both give equal entries).
        set_dict(entry, "__dict__", {
            "lead_id": row[0], "company": row[1], "contact_name": row[2], "phone_e164": row[3],
            "time_zone": row[4], "country": row[5], "stage": _STAGES.get(row[6]) or Stage(row[6]),
            "warmth": row[7], "reasons_json": row[8], "last_called_at": None if called is None else read_time(called),
            "attempts": row[10], "owner": row[11], "callback_due_at": None if due is None else read_time(due),
            "callback_for": row[_FOR], "callback_id": row[_CALLBACK], "phone_bad": False,
        })
        append(entry)
        if len(entries) == limit:
            return


def queue(store: Store, caller: str, now: datetime, config: Config, limit: int = 50,
          search: str = "") -> Queue:
    text, digits, values = _search_values(search)
    values.update(caller=caller, now=now, recent=now - config.retry.recent_contact)
    # The driver's own connection: a few read statements, each on its own.
    with store.raw() as connection:
        stored, pairs, entries = _fetch(connection, store.engine.dialect, now, config, values,
                                        max(limit, 0), text, digits)
    if text and len(entries) < limit:
        entries += _wrong_numbers(store, caller, now, values, limit - len(entries))
    if entries or (text and pairs):
        return Queue(entries, "" if entries else _("no callable lead matches {search}").format(
            search=repr(search.strip())))
    with store.read() as conn:
        keys = [(zone or None, country) for zone, country in stored]
        return Queue([], _why_empty(conn, caller, now, config, keys, pairs))


def _wrong_numbers(store: Store, caller: str, now: datetime, values: dict[str, Any], limit: int) -> list[QueueEntry]:
    """Leads marked a wrong number that match the `/` search: never offered to call, but found
    to be fixed (Enter, then `e` on the call screen), else nothing could bring them back.
    Not lost, not on the do-not-call list, this caller's or the pool's, not held by another."""
    query = (
        sa.select(*_ENTRY_COLUMNS)
        .where(leads.c.phone_bad.is_(True), leads.c.stage != Stage.lost.value,
               _pool_or_own(caller), *_not_blocked(caller, now), *_search_terms(True, "digits" in values))
        .order_by(leads.c.company, leads.c.id).limit(limit)
    )
    with store.read() as conn:
        rows = conn.execute(query, {name: values[name] for name in ("like", "digits") if name in values}).all()
    return [_entry(row._mapping, phone_bad=True) for row in rows]


def _fetch(connection: Any, dialect: Dialect, now: datetime, config: Config, values: dict[str, Any],
           limit: int, text: bool, digits: bool) -> tuple[Sequence[tuple[str, str]], Sequence[tuple[str, str]],
                                                          list[QueueEntry]]:
    """The window keys, the open pairs, and the entries."""
    reader = _reader(dialect)  # after connecting: the dialect knows its server by then
    sql = reader.keys.sql
    cursor = connection.cursor()
    try:
        when = {name: process(values[name]) for name, process in reader.convert.items()}
        cursor.execute(sql, reader.keys.bind(when))
        keys = cursor.fetchall()
        stored = tuple((zone, country) for zone, country, _ in keys)
        pairs = _open_pairs(stored, now, config)
        entries: list[QueueEntry] = []
        if not pairs:
            return stored, pairs, entries
        plans = reader.parts(dialect, _pair_shape(pairs), text, digits)
        values.update(_pair_values(pairs), **when)
        seen: set[int] = set()
        any_due = keys[0][2]
        for plan in plans if any_due else plans[-1:]:
            sql, skip = plan.sql, 0
            while len(entries) < limit:  # the next part only when this one left room
                wanted = limit - len(entries)
                values["n"], values["skip"] = wanted, skip
                cursor.execute(sql, plan.bind(values))
                rows = cursor.fetchall()
                _add(entries, seen, rows, limit, reader.time)
                if len(rows) < wanted:
                    break
                skip += wanted  # rows of leads already listed took room: read on
        return stored, pairs, entries
    except reader.error as exc:  # raised as SQLAlchemy would
        raise sa.exc.DBAPIError.instance(sql, None, exc, reader.error, dialect=dialect) from exc
    finally:
        cursor.close()


def claim_next(store: Store, caller: str, now: datetime, config: Config,
               lease: timedelta = CLAIM_LEASE, clock: datetime | None = None) -> tuple[QueueEntry | None, str]:
    """Claim the top of this caller's queue: (entry, "") or (None, why nothing is callable).

    `now` is the desk's moment (a --at preview: which windows are open, what is due); `clock`
    the real time (default `now`), on which every lease is judged and set: a preview never
    takes a lead another caller holds, nor makes its own claim last longer."""
    # Deciding which windows are open is Python work, 0.2 s or more the first time in a process
    # (the holiday calendars load), and every `calldesk next` is a new process: do it before
    # the write lock, which every other caller waits for. Inside, the same keys hit the cache.
    with store.cursor() as cur:
        _open_pairs(_stored_keys(cur), now, config)
    with store.write_cursor(durable=False) as cur:
        clock = clock or now
        values = {"caller": caller, "now": now, "clock": clock, "until": clock + lease}
        held = _held(cur, values)
        if held is not None:  # resume: the lead this caller already has open comes back first
            return held, ""
        stored = _stored_keys(cur)
        pairs = _open_pairs(stored, now, config)
        if pairs:
            values.update(_params(caller, now, pairs, config))
            shape = _pair_shape(pairs)
            for part in _CLAIM_ORDER:
                claimed_id = cur.scalar(_claim_update, (part, shape), **values)
                if claimed_id is not None:
                    row = cur.first(_claimed_row, (part, shape), claimed_id=claimed_id, **values)
                    assert row is not None  # just claimed through the same filter
                    return _entry(row, row if part != "warm" else None), ""
        keys = [(zone or None, country) for zone, country in stored]
        return None, _why_empty(cur.conn, caller, now, config, keys, pairs)


# The claim's statements, compiled once per dialect (calldesk.db.plans): they run inside the
# write lock. :caller, :now, :clock (the real time, for leases) and :until (the lease's end)
# are given per call.
_CLAIM_ORDER = ("mine", "team", "warm")  # due callbacks for this caller, team callbacks, warm leads


def _part(part: str, shape: tuple[int, int]) -> sa.Select:
    return _warm_select(shape) if part == "warm" else _callbacks_select(team=part == "team", pairs=shape)


def _claim_update(part: str, shape: tuple[int, int]) -> sa.Update:
    # SKIP LOCKED: concurrent callers on PostgreSQL pass over a row another is claiming;
    # SQLite ignores it (its write transaction already serialises claims).
    candidate = (_part(part, shape).with_only_columns(leads.c.id).limit(1)
                 .with_for_update(of=leads, skip_locked=True).scalar_subquery())
    return _claim(leads.c.id == candidate).returning(leads.c.id)


def _claimed_row(part: str, shape: tuple[int, int]) -> sa.Select:
    return _part(part, shape).where(leads.c.id == sa.bindparam("claimed_id")).limit(1)


def _claim(*where: sa.ColumnElement[bool]) -> sa.Update:
    """Take the lead for :caller until :until, if nobody else holds it at :clock."""
    until = sa.bindparam("until", type_=leads.c.claim_expires_at.type)
    clock = sa.bindparam("clock", type_=leads.c.claim_expires_at.type)
    return sa.update(leads).where(*where, _free(sa.bindparam("caller"), clock)).values(
        claimed_by=sa.bindparam("caller"), claim_expires_at=until)


def _window_keys() -> sa.Select:
    return sa.select(window_keys.c.time_zone, window_keys.c.country)


def _stored_keys(cur: Cursor) -> tuple[tuple[str, str], ...]:
    return tuple((zone or "", country) for zone, country in cur.all(_window_keys))


def _held_select() -> sa.Select:
    clock = sa.bindparam("clock", type_=leads.c.claim_expires_at.type)
    return (sa.select(*_COLUMNS).where(leads.c.claimed_by == sa.bindparam("caller"), leads.c.claim_expires_at > clock)
            .order_by(leads.c.claim_expires_at).limit(1))


def _due_callback() -> sa.Select:
    return (sa.select(*_CALLBACK_COLUMNS)
            .where(callbacks.c.lead_id == sa.bindparam("lead_id"), callbacks.c.status == "open",
                   callbacks.c.due_at <= sa.bindparam("now", type_=callbacks.c.due_at.type))
            .order_by(callbacks.c.due_at).limit(1))


def _held(cur: Cursor, values: dict[str, Any]) -> QueueEntry | None:
    row = cur.first(_held_select, **values)
    if row is None:
        return None
    cur.update(leads, row["id"], claim_expires_at=values["until"])
    return _entry(row, cur.first(_due_callback, lead_id=row["id"], now=values["now"]))


def _free(caller: str | sa.BindParameter, now: datetime | sa.BindParameter) -> sa.ColumnElement[bool]:
    """Nobody else holds the lead: unclaimed, claimed by this caller, or the lease ran out."""
    return sa.or_(leads.c.claimed_by.is_(None), leads.c.claimed_by == caller, leads.c.claim_expires_at <= now)


def _claim_one() -> sa.Update:
    return _claim(leads.c.id == sa.bindparam("lead_id"))


def _release() -> sa.Update:
    return sa.update(leads).where(leads.c.id == sa.bindparam("lead_id"),
                                  leads.c.claimed_by == sa.bindparam("caller")).values(
        claimed_by=None, claim_expires_at=None)


# A claim's transaction need not survive a power cut (store.write(durable=False)): the
# callers' apps go down with it, and a lost claim only frees the lead. A release stays durable:
# lost, it would hand the lead back to its caller as theirs.
def claim_lead(store: Store, lead_id: int, caller: str, now: datetime,
               lease: timedelta = CLAIM_LEASE, clock: datetime | None = None) -> str | None:
    """Claim one chosen lead; None when done, else who holds it (leases on `clock`, as claim_next)."""
    clock = clock or now
    with store.write_cursor(durable=False) as cur:
        if cur.count(_claim_one, lead_id=lead_id, caller=caller, clock=clock, until=clock + lease):
            return None
        holder = cur.conn.execute(sa.select(leads.c.claimed_by).where(leads.c.id == lead_id)).scalar()
        return holder or "nobody (no such lead)"


def renew_claim(store: Store, lead_id: int, caller: str, now: datetime,
                lease: timedelta = CLAIM_LEASE, clock: datetime | None = None) -> bool:
    """Extend a held claim; False when it was lost (expired and taken by another)."""
    clock = clock or now
    with store.write_cursor(durable=False) as cur:
        return bool(cur.count(_claim_one, lead_id=lead_id, caller=caller, clock=clock, until=clock + lease))


def release_claim(store: Store, lead_id: int, caller: str) -> None:
    with store.write_cursor() as cur:
        cur.execute(_release, lead_id=lead_id, caller=caller)


def _why_empty(conn: sa.Connection, caller: str, now: datetime, config: Config,
               keys: list[tuple[str | None, str]], pairs: Sequence[tuple[str, str]]) -> str:
    if not keys:
        return _("no leads yet: import some with `calldesk import FILE.csv`")
    hours, region = config.calling_hours, config.region
    if not pairs:
        home = home_zone(region)
        openings = []
        for key in keys:
            try:
                openings.append((next_opening(key, now, hours, region), (key[0] or home) != home, key[0] or "", key))
            except ValueError:  # zones whose hours never overlap (a Russian mobile): never callable
                continue
        if not openings:
            return _("outside calling hours — no lead's number has all its zones inside calling hours at any time")
        # Ties (Amsterdam and Brussels open at once) are told in the desk's own zone.
        soonest = min(openings, key=lambda o: (o[0], o[1], o[2], o[3][1]))[3]
        # Say why: a holiday by name, a Saturday, or the evening (issue 16).
        return _("{reason} — next callable at {moment}").format(
            reason=why_closed(soonest, now, hours, region), moment=describe_next(soonest, now, hours, region))
    cooled = conn.execute(
        sa.select(sa.func.min(leads.c.next_call_at)).where(
            leads.c.next_call_at > now, leads.c.stage.in_(QUEUE_STAGES), leads.c.unreachable.is_(False),
            sa.or_(leads.c.owner.is_(None), leads.c.owner == caller))
    ).scalar()
    if cooled is not None:
        return _("nothing callable for {caller} now — the next retry falls due at {moment} UTC").format(
            caller=caller, moment=f"{cooled:%Y-%m-%d %H:%M}")
    return _("nothing callable for {caller} now — every open lead is claimed, owned by another caller or done"
             ).format(caller=caller)
