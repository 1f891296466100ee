"""Leads: reading them for the screens, adding one by hand, and correcting one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from calldesk.db import tables
from calldesk.db.campaigns import campaign_for_leads
from calldesk.db.engine import Store
from calldesk.db.privacy import is_suppressed
from calldesk.db.queue import callable_callbacks
from calldesk.db.rows import ActivityRow, CallbackRow, CallRow, LeadRow, SignalRow
from calldesk.db.scoring import rescore
from calldesk.db.tables import activities, bant_answers, callbacks, leads, signals, window_keys
from calldesk.errors import CalldeskError
from calldesk.i18n import _
from calldesk.rules.config import Config
from calldesk.rules.kinds import CallbackStatus
from calldesk.rules.mapping import parse_employees
from calldesk.rules.phones import Phone, PhoneError, is_region, normalize
from calldesk.rules.stages import Stage
from calldesk.rules.warmth import score_new_lead

# What a caller may correct on a lead (the lead form's fields, in its order).
EDITABLE_FIELDS: tuple[str, ...] = ("company", "contact_name", "role", "phone", "email", "company_size", "industry")

def count_leads(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(leads)).scalar_one())


def has_leads(store: Store) -> bool:
    """Whether the store holds any lead (one row read, not a count of a million)."""
    with store.read() as conn:
        return conn.execute(sa.select(leads.c.id).limit(1)).first() is not None


def add_lead(store: Store, *, phone: str, now: datetime, by: str, config: Config | None = None,
             region: str | None = None, campaign: str | None = None, **fields: Any) -> int:
    """One lead by hand, with the import's checks: a valid number, no duplicate, not suppressed.
    `campaign` as import_csv's: a name, or None for the only active campaign."""
    config = config or Config()
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise CalldeskError(_("unknown lead fields: {fields}").format(fields=", ".join(sorted(unknown))))
    if fields.get("email"):
        _check_email(fields["email"])
    if fields.get("company_size") and "employees" not in fields:
        fields["employees"] = _head_count(fields["company_size"])
    number = normalize(phone, region or config.region)
    values: dict[str, Any] = {
        "company": "", "contact_name": "", "role": "", "email": "", "linkedin_url": "", "industry": "",
        "company_size": "", "source": "manual", "owner": None, "stage": Stage.suspect.value, **fields,
        **_phone_columns(number), "created_at": now, "updated_at": now,
    }
    values["stage"] = Stage(values["stage"]).value
    values["warmth"], values["warmth_reasons"] = score_new_lead(values, now, config)
    with store.write() as conn:
        values["campaign_id"] = campaign_for_leads(conn, campaign)
        _check_number_free(conn, number.e164)
        with _taken_if_unique_fails(number.e164):
            lead_id = conn.execute(sa.insert(leads).values(values).returning(leads.c.id)).scalar_one()
        _add_window_key(conn, number)
    return lead_id


_EDITABLE = {"company", "contact_name", "role", "email", "linkedin_url", "industry", "company_size",
             "employees", "source", "owner", "stage"}


def update_lead(store: Store, lead_id: int, changes: Mapping[str, str], *, now: datetime, by: str,
                config: Config) -> None:
    """Correct a lead with what a caller learned on the phone: all of the changes or none.

    `by` (who edited) is taken like add_lead's, for when edits are logged; nothing stores it yet.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise CalldeskError(_("cannot edit {field}: editable fields are {fields}").format(
            field=repr(unknown[0]), fields=", ".join(EDITABLE_FIELDS)))
    wanted = {name: (value or "").strip() for name, value in changes.items()}
    if not wanted:
        return
    if wanted.get("email"):
        _check_email(wanted["email"])
    with store.write() as conn:
        # FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers).
        row = conn.execute(sa.select(leads).where(leads.c.id == lead_id).with_for_update()).first()
        if row is None:
            raise CalldeskError(_("no lead with id {ids}").format(ids=lead_id))
        values: dict[str, Any] = {name: text for name, text in wanted.items()
                                  if name != "phone" and text != getattr(row, name)}
        if "company_size" in values:
            values["employees"] = _head_count(values["company_size"]) if values["company_size"].strip() else None
        number = None
        if "phone" in wanted and wanted["phone"] != row.phone_raw:
            number = _normalize_for(wanted["phone"], row.country, config.region)
            if number.e164 == row.phone_e164:
                number = None  # the same number written differently: nothing to fix
            else:
                _check_number_free(conn, number.e164, lead_id)
                # A wrong number that gets corrected goes back into the queue.
                # A new number is a fresh chance: no longer wrong, no longer parked as unreachable.
                values.update(_phone_columns(number), phone_bad=False, unreachable=False, no_answer_streak=0)
        if not values:
            return
        values["updated_at"] = now
        with _taken_if_unique_fails(number.e164 if number else ""):
            conn.execute(sa.update(leads).where(leads.c.id == lead_id).values(values))
        if number is not None:
            _add_window_key(conn, number)
        # Role, size and industry feed the ICP fit.
        rescore(conn, [lead_id], now, config)


def _normalize_for(text: str, country: str, home: str) -> Phone:
    """Read a number as the import does: in the lead's country first, then the home region."""
    if not country or country == home or not is_region(country):
        return normalize(text, home)
    try:
        return normalize(text, country)
    except PhoneError as exc:
        try:
            return normalize(text, home)
        except PhoneError:
            raise exc from None


def _phone_columns(number: Phone) -> dict[str, Any]:
    return {"phone_raw": number.raw, "phone_e164": number.e164, "phone_type": number.kind.value,
            "time_zone": number.time_zone, "country": number.region}


def _check_number_free(conn: sa.Connection, e164: str, lead_id: int | None = None) -> None:
    """The import's checks for a number a lead is about to get: not do-not-call, not another lead's."""
    if is_suppressed(conn, e164):  # plainly or, for an erased person, as a keyed hash
        raise CalldeskError(_("{number} is on the do-not-call list").format(number=e164))
    query = sa.select(leads.c.id, leads.c.company).where(leads.c.phone_e164 == e164)
    if lead_id is not None:
        query = query.where(leads.c.id != lead_id)
    existing = conn.execute(query).first()
    if existing:
        raise CalldeskError(_("{number} already belongs to lead {id} ({company})").format(
            number=e164, id=existing.id, company=existing.company or _("no company")))


@contextmanager
def _taken_if_unique_fails(e164: str) -> Iterator[None]:
    """On PostgreSQL another transaction may take the number between our check and our write."""
    try:
        yield
    except sa.exc.IntegrityError:
        if not e164:
            raise
        raise CalldeskError(_("{number} already belongs to another lead").format(number=e164)) from None


def _add_window_key(conn: sa.Connection, number: Phone) -> None:
    """Calling windows are decided per (zone, country) pair: record a pair not seen before."""
    key = {"time_zone": number.time_zone or "", "country": number.region}
    if not conn.execute(sa.select(window_keys).filter_by(**key)).first():
        conn.execute(sa.insert(window_keys).values(key))


def _head_count(text: str) -> int:
    """A size typed by hand, read as the import reads it; refused when it holds no head count
    (the card and the ICP fit in warmth would silently lose the lead's size)."""
    count = parse_employees(text)
    if count is None:
        raise CalldeskError(_("company size {text}: expected a number of employees such as 45, 11-50 or 500+").format(
            text=repr(text)))
    return count


def _check_email(text: str) -> None:
    """A light check that catches typos (a missing @, a space); the mail server has the last word."""
    local, _at, domain = text.partition("@")
    if not local or not domain or "@" in domain or any(c.isspace() for c in text):
        raise CalldeskError(_("{text} is not an e-mail address").format(text=repr(text)))


@dataclass(frozen=True)
class LeadDetail:
    lead: LeadRow
    signals: list[SignalRow]
    calls: list[CallRow]  # newest first
    callbacks: list[CallbackRow]  # open ones, soonest first
    bant: dict[str, str]
    activities: list[ActivityRow]  # e-mails and LinkedIn messages, newest first


def lead_detail(store: Store, lead_id: int, calls: int = 5) -> LeadDetail | None:
    call = tables.calls  # (`calls` is how many to show)
    with store.read() as conn:
        lead = conn.execute(sa.select(leads).where(leads.c.id == lead_id)).first()
        if lead is None:
            return None
        return LeadDetail(
            lead=LeadRow.of(lead),
            signals=SignalRow.all(conn.execute(sa.select(signals).where(signals.c.lead_id == lead_id)
                                               .order_by(signals.c.at.desc()).limit(10))),
            calls=CallRow.all(conn.execute(sa.select(call).where(call.c.lead_id == lead_id)
                                           .order_by(call.c.started_at.desc()).limit(calls))),
            callbacks=CallbackRow.all(conn.execute(
                sa.select(callbacks).where(callbacks.c.lead_id == lead_id, callbacks.c.status == CallbackStatus.open)
                .order_by(callbacks.c.due_at))),
            bant={row.element: row.value
                  for row in conn.execute(sa.select(bant_answers).where(bant_answers.c.lead_id == lead_id))},
            activities=ActivityRow.all(conn.execute(sa.select(activities).where(activities.c.lead_id == lead_id)
                                                    .order_by(activities.c.at.desc()).limit(calls))),
        )


@dataclass(frozen=True)
class DeskStatus:
    calls_today: int
    callbacks_due: int  # due and callable now for this caller, personal or team


def desk_status(store: Store, caller: str, now: datetime, day_start: datetime, config: Config) -> DeskStatus:
    """The queue header's figures; day_start is local midnight (UTC) of the desk's day. The
    callbacks are those the queue offers now: none on a Saturday, with the queue empty too."""
    with store.read() as conn:
        made = conn.execute(sa.select(sa.func.count()).select_from(tables.calls).where(
            tables.calls.c.caller == caller, tables.calls.c.started_at >= day_start,
            tables.calls.c.started_at <= now)).scalar_one()
        due = callable_callbacks(conn, caller, now, config)
    return DeskStatus(int(made), due)
