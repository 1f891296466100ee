"""Privacy: erasing a person, exporting what is stored about one, and purging old lost leads.

An objection outlives an erasure: the number stays on the do-not-call list, but only as a
keyed hash ("hmac-sha256:<hex>" in suppression.phone_e164), with a random key per store kept
in the meta table. The import, add_lead and the dnc commands look numbers up in both forms.
The key lives in the store itself: it stops precomputed tables and linking across stores, not
someone who holds the file from testing a number they already know.

On SQLite, deleting rows leaves their bytes in the file: in the freed space of pages, in pages
moved to the free list, in old page versions in the write-ahead log, and in space freed by
earlier updates of the same rows when the SQLite build's secure_delete default is off. So erase
and purge delete with secure_delete on, then rebuild the file (VACUUM) and empty the WAL
(checkpoint TRUNCATE).
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from calldesk.db.engine import Store, driver_connection
from calldesk.db.tables import (
    activities,
    bant_answers,
    callbacks,
    calls,
    import_runs,
    leads,
    meta,
    signals,
    stage_changes,
    suppression,
)
from calldesk.db.team import _require_team_lead
from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.phones import PhoneError, normalize
from calldesk.rules.stages import Stage

HASH_PREFIX = "hmac-sha256:"
ERASED_LABEL = "(erased person)"  # how the do-not-call list shows a hashed number
_KEY_META = "privacy_hash_key"
_ERASED_REASON = "objected (person erased)"  # the original reason may hold personal details
# The lead's child tables, deleted before it (BANT answers first: they point at calls).
_CHILDREN = (bant_answers, callbacks, signals, activities, stage_changes, calls)
_BATCH = 500  # ids per IN list


# -- the keyed hash -------------------------------------------------------------------------
def hash_key(conn: sa.Connection, *, create: bool = False) -> bytes | None:
    """The store's key for hashed numbers; None when none was ever made (so no hashed rows)."""
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == _KEY_META)).scalar()
    if value is None and create:
        try:
            with conn.begin_nested():  # another process may create it at the same moment
                conn.execute(sa.insert(meta).values(key=_KEY_META, value=secrets.token_hex(32)))
        except sa.exc.IntegrityError:
            pass
        value = conn.execute(sa.select(meta.c.value).where(meta.c.key == _KEY_META)).scalar()
    return bytes.fromhex(value) if value is not None else None


def hashed(e164: str, key: bytes) -> str:
    return HASH_PREFIX + hmac.new(key, e164.encode(), hashlib.sha256).hexdigest()


def suppressed_numbers(conn: sa.Connection, numbers: Iterable[str]) -> set[str]:
    """Those of these E.164 numbers that are on the do-not-call list, plainly or hashed.
    One query for the lot (the import asks per chunk), plus one for the key."""
    wanted = {n: n for n in numbers}
    if not wanted:
        return set()
    key = hash_key(conn)
    if key is not None:
        wanted.update({hashed(n, key): n for n in list(wanted)})
    found = conn.execute(sa.select(suppression.c.phone_e164).where(suppression.c.phone_e164.in_(list(wanted)))).scalars()
    return {wanted[value] for value in found}


def is_suppressed(conn: sa.Connection, e164: str) -> bool:
    return bool(suppressed_numbers(conn, [e164]))


def suppression_keys(conn: sa.Connection, e164: str) -> list[str]:
    """The values a number may have in suppression.phone_e164: itself, and its hash if a key exists."""
    key = hash_key(conn)
    return [e164] if key is None else [e164, hashed(e164, key)]


def is_hashed(value: str) -> bool:
    return value.startswith(HASH_PREFIX)


# -- deleting leads and keeping objections ---------------------------------------------------
def _delete_leads(conn: sa.Connection, lead_ids: list[int]) -> dict[str, int]:
    """Delete leads and everything that hangs off them; rows deleted per table."""
    counts = dict.fromkeys([table.name for table in _CHILDREN] + ["leads"], 0)
    for start in range(0, len(lead_ids), _BATCH):
        batch = lead_ids[start:start + _BATCH]
        for table in _CHILDREN:
            counts[table.name] += conn.execute(sa.delete(table).where(table.c.lead_id.in_(batch))).rowcount
        counts["leads"] += conn.execute(sa.delete(leads).where(leads.c.id.in_(batch))).rowcount
    return counts


def _keep_hashed(conn: sa.Connection, numbers: list[str], *, now: datetime, by: str,
                 objected: Iterable[str] = ()) -> int:
    """Replace the plain do-not-call rows of these numbers with hashed ones; also add a hashed
    row for the `objected` numbers. Returns how many numbers stay suppressed."""
    plain: dict[str, sa.Row] = {}
    for start in range(0, len(numbers), _BATCH):
        plain.update({row.phone_e164: row for row in conn.execute(
            sa.select(suppression).where(suppression.c.phone_e164.in_(numbers[start:start + _BATCH])))})
    keep = sorted(set(plain) | set(objected))
    if not keep:
        return 0
    key = hash_key(conn, create=True)
    assert key is not None
    digests = {n: hashed(n, key) for n in keep}
    present = _present(conn, list(digests.values()))
    for number in keep:
        conn.execute(sa.delete(suppression).where(suppression.c.phone_e164 == number))
        if digests[number] in present:
            continue
        # When they objected and who recorded it stay; the free-text reason does not.
        old = plain.get(number)
        conn.execute(sa.insert(suppression).values(phone_e164=digests[number], reason=_ERASED_REASON,
                                            added_at=old.added_at if old else now,
                                            added_by=old.added_by if old else by))
    return len(keep)


def _present(conn: sa.Connection, digests: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(digests), _BATCH):
        found.update(conn.execute(sa.select(suppression.c.phone_e164).where(
            suppression.c.phone_e164.in_(digests[start:start + _BATCH]))).scalars())
    return found


class _Scrub:
    """What _scrubbing_write did to the SQLite files: done is True when the file was rebuilt and
    the WAL emptied, False when VACUUM failed or another process kept the WAL in use, None when
    not tried (PostgreSQL, or nothing was deleted)."""

    def __init__(self) -> None:
        self.needed = True
        self.done: bool | None = None


@contextmanager
def _scrubbing_write(store: Store, scrub: _Scrub) -> Iterator[sa.Connection]:
    """One write transaction whose deletes leave no readable trace in the SQLite files.

    secure_delete is per connection and set before BEGIN, so every page this transaction
    frees or changes is zeroed. After the commit, VACUUM rewrites the file from the live rows
    (space freed earlier by connections without secure_delete may still hold old copies), and
    a TRUNCATE checkpoint empties the WAL, which still holds the pages as they were before.
    """
    if not store.is_sqlite:
        with store.write() as conn:
            yield conn
        return
    with store.faults(), store.engine.connect() as conn:
        raw = driver_connection(conn)
        before = int(raw.execute("PRAGMA secure_delete").fetchone()[0])
        raw.execute("PRAGMA secure_delete = ON")
        try:
            conn.execution_options(calldesk_begin="IMMEDIATE")  # in place: Store.write's BEGIN IMMEDIATE
            with conn.begin():
                yield conn
            if scrub.needed:
                try:
                    raw.execute("VACUUM")
                    busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                except sqlite3.OperationalError:
                    busy = 1
                scrub.done = not busy
        finally:
            raw.execute(f"PRAGMA secure_delete = {before}")


# -- erase ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Erased:
    number: str  # E.164
    lead_ids: list[int]
    company: str  # of the erased lead ("" when none)
    rows: dict[str, int]  # rows deleted per table
    suppressed: bool  # the number stays on the do-not-call list, as a keyed hash
    scrubbed: bool | None  # SQLite files rewritten and WAL emptied (see _Scrub); None: PostgreSQL, or no need


def _resolve(conn: sa.Connection, target: str, region: str) -> str:
    """A lead id (digits, and such a lead exists) or a phone number → the E.164 number."""
    text = target.strip()
    if text.isdigit() and not text.startswith("0") and int(text) < 2**31:  # 06… is a number, never an id
        number = conn.execute(sa.select(leads.c.phone_e164).where(leads.c.id == int(text))).scalar()
        if number is not None:
            return number
    try:
        return normalize(text, region).e164
    except PhoneError as exc:
        if text.isdigit():
            raise CalldeskError(_("no lead with id {id}, and {text} is not a phone number: {reason}").format(
                id=text, text=repr(text), reason=exc)) from None
        raise CalldeskError(_("{target} is neither a lead id nor a phone number: {reason}").format(
            target=repr(target), reason=exc)) from None


def erase(store: Store, target: str, *, by: str, now: datetime, region: str, objected: bool = False) -> Erased:
    """Erase everything stored about one person: their lead (by id or number) with its calls,
    notes, BANT answers, callbacks, signals, activities and stage changes. A number on the
    do-not-call list (or any number, with `objected`) stays suppressed as a keyed hash only.

    Team leads only. CalldeskError (nothing written) when nothing is stored about the target.
    """
    scrub = _Scrub()
    with _scrubbing_write(store, scrub) as conn:
        _require_team_lead(conn, by, _("erase a person's data"))
        number = _resolve(conn, target, region)
        found = conn.execute(sa.select(leads.c.id, leads.c.company).where(leads.c.phone_e164 == number)).all()
        on_list = is_suppressed(conn, number)
        if not found and not on_list and not objected:
            raise CalldeskError(_("nothing stored about {number}: no lead has it and it is not on the do-not-call list").format(
                number=number))
        plain = conn.execute(sa.select(suppression.c.phone_e164).where(suppression.c.phone_e164 == number)).first()
        scrub.needed = bool(found) or plain is not None  # else only a hash is kept or added: no trace to scrub
        rows = _delete_leads(conn, [lead.id for lead in found])
        kept = _keep_hashed(conn, [number], now=now, by=by, objected=[number] if objected else [])
    return Erased(number, [lead.id for lead in found], found[0].company if found else "", rows,
                  bool(kept) or on_list, scrub.done)


# -- access request -------------------------------------------------------------------------
def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(conn: sa.Connection, table: sa.Table, lead_id: int, order: str,
          leave_out: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    query = sa.select(table).where(table.c.lead_id == lead_id).order_by(table.c[order], table.c.id)
    return [{k: _json(v) for k, v in row._mapping.items() if k not in leave_out} for row in conn.execute(query)]


def person_record(store: Store, phone: str, *, region: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the person with this number, JSON-ready (an access request).
    PhoneError for a number that can't be read."""
    number = normalize(phone, region).e164
    with store.read() as conn:
        people = []
        for lead in conn.execute(sa.select(leads).where(leads.c.phone_e164 == number).order_by(leads.c.id)):
            values = {k: _json(v) for k, v in lead._mapping.items()}
            values["warmth_reasons"] = json.loads(lead.warmth_reasons or "[]")
            source = None
            if lead.import_id is not None:
                run = conn.execute(sa.select(import_runs).where(import_runs.c.id == lead.import_id)).first()
                if run is not None:
                    source = {"file_name": run.file_name, "source": run.source, "imported_at": _json(run.started_at)}
            people.append({
                "lead": values,
                "imported_from": source,
                # `undo` is a few minutes' copy of the lead's own earlier values: not exported.
                "calls": _rows(conn, calls, lead.id, "started_at", leave_out=("undo",)),
                "bant_answers": _rows(conn, bant_answers, lead.id, "updated_at"),
                "callbacks": _rows(conn, callbacks, lead.id, "due_at"),
                "signals": _rows(conn, signals, lead.id, "at"),
                "activities": _rows(conn, activities, lead.id, "at"),
                "stage_changes": _rows(conn, stage_changes, lead.id, "at"),
            })
        entry = conn.execute(sa.select(suppression).where(suppression.c.phone_e164.in_(suppression_keys(conn, number)))
                             .order_by(suppression.c.added_at)).first()
    do_not_call = None
    if entry is not None:
        do_not_call = {"since": _json(entry.added_at), "added_by": entry.added_by, "reason": entry.reason,
                       "kept_as": "keyed hash" if is_hashed(entry.phone_e164) else "number"}
    return {"number": number, "exported_at": _json(now), "do_not_call": do_not_call, "leads": people}


# -- retention ------------------------------------------------------------------------------
def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class PurgeItem:
    lead_id: int
    company: str
    lost_since: datetime


@dataclass(frozen=True)
class Purged:
    cutoff: datetime  # leads lost before this go
    leads: list[PurgeItem]
    applied: bool
    rows: dict[str, int] = field(default_factory=dict)
    kept_suppressed: int = 0  # numbers that stay on the do-not-call list, hashed
    scrubbed: bool | None = None


def _lost_before(conn: sa.Connection, cutoff: datetime) -> list[tuple[PurgeItem, str]]:
    last_lost = (sa.select(sa.func.max(stage_changes.c.at))
                 .where(stage_changes.c.lead_id == leads.c.id, stage_changes.c.to_stage == Stage.lost.value)
                 .scalar_subquery())
    # Lost since its last change: the later of updated_at and the last move to lost.
    since = sa.case((last_lost > leads.c.updated_at, last_lost), else_=leads.c.updated_at)
    query = (sa.select(leads.c.id, leads.c.company, leads.c.phone_e164, sa.type_coerce(since, leads.c.updated_at.type))
             .where(leads.c.stage == Stage.lost.value, since < cutoff).order_by(since, leads.c.id))
    return [(PurgeItem(row[0], row[1], row[3]), row[2]) for row in conn.execute(query)]


def purge_lost(store: Store, *, now: datetime, months: int, by: str, apply: bool = False) -> Purged:
    """Lost leads lost more than `months` months before `now`: listed (dry run), or with `apply`
    deleted as erase deletes (team leads only), their do-not-call entries kept as keyed hashes."""
    cutoff = months_before(now, months)
    if not apply:
        with store.read() as conn:
            return Purged(cutoff, [item for item, _ in _lost_before(conn, cutoff)], applied=False)
    scrub = _Scrub()
    with _scrubbing_write(store, scrub) as conn:
        _require_team_lead(conn, by, _("purge lost leads"))
        found = _lost_before(conn, cutoff)
        scrub.needed = bool(found)
        kept = _keep_hashed(conn, [number for _, number in found], now=now, by=by)
        rows = _delete_leads(conn, [item.lead_id for item, _ in found])
    return Purged(cutoff, [item for item, _ in found], True, rows, kept, scrub.done)
