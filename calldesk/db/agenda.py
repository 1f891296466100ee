"""The callback agenda for team leads, and its export as an iCalendar file.

`agenda` lists open callbacks with their lead, grouped by the desk's day
(`schedule.agenda_group`: overdue, today, tomorrow, this week, later) and by caller.
The caller filter: None shows everyone's; a name shows that caller's own callbacks plus the
team's (what that caller may work); TEAM ("team") shows only team callbacks.

`write_ics` lives here, not in a rules module, because it writes a file; it needs nothing but
the items read here. Its UIDs are built from database ids and the store's own id
(`callback-<id>.<store id>@calldesk`, `appointment-<call id>.<store id>@calldesk`), so every
export names the same callback the same way, a calendar that imports the file again updates the
events instead of adding them twice, and two stores' calendars never share a UID. A callback
done, moved or cancelled is written again with a higher SEQUENCE (its `revision`), the closed
ones as STATUS:CANCELLED for CANCELLED_KEPT after an export first wrote them so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import icalendar
import sqlalchemy as sa

from calldesk.db.engine import Store
from calldesk.db.files import replacing
from calldesk.db.tables import callbacks, calls, leads, meta
from calldesk.i18n import _
from calldesk.rules.config import Config
from calldesk.rules.kinds import CallbackStatus
from calldesk.rules.outcomes import Outcome
from calldesk.rules.phones import with_extension
from calldesk.rules.schedule import AGENDA_GROUPS, agenda_group
from calldesk.rules.windows import local_time

TEAM = "team"  # the caller filter for team callbacks only
CALLBACK_LENGTH = timedelta(minutes=15)
APPOINTMENT_LENGTH = timedelta(hours=1)
CANCELLED_KEPT = timedelta(days=30)  # how long a closed callback is still written, cancelled


@dataclass(frozen=True)
class AgendaItem:
    callback_id: int
    due_at: datetime  # UTC
    group: str  # one of schedule.AGENDA_GROUPS
    caller: str | None  # None: the whole team
    created_by: str
    note: str
    lead_id: int
    company: str
    contact: str
    phone_e164: str
    time_zone: str  # the lead's zone as used (the home zone when its own is unknown)
    due_local: datetime  # the due moment on the lead's wall clock
    released_from: str | None = None  # whose it was before it went to the team, overdue
    released_at: datetime | None = None
    phone_extension: str = ""
    revision: int = 0  # the event's SEQUENCE

    @property
    def overdue(self) -> bool:
        return self.group == "overdue"


@dataclass(frozen=True)
class Appointment:
    call_id: int
    at: datetime  # UTC
    caller: str  # who made it
    note: str  # the call's notes
    lead_id: int
    company: str
    contact: str
    phone_e164: str
    time_zone: str
    at_local: datetime  # on the lead's wall clock
    phone_extension: str = ""


@dataclass(frozen=True)
class ClosedCallback:
    """A callback done or cancelled since calendars got it: written as STATUS:CANCELLED."""

    callback_id: int
    due_at: datetime
    revision: int
    company: str
    lead_id: int


def _caller_filter(column: sa.ColumnElement[str | None], caller: str | None) -> list[sa.ColumnElement[bool]]:
    if caller is None:
        return []
    if caller == TEAM:
        return [column.is_(None)]
    return [sa.or_(column == caller, column.is_(None))]


def agenda(store: Store, now: datetime, config: Config, *, caller: str | None = None,
           start: datetime | None = None, end: datetime | None = None,
           overdue_only: bool = False) -> list[AgendaItem]:
    """Open callbacks due in [start, end) (either open-ended), ordered by group, then caller
    (team last), then due time; the "later" group, weeks of callbacks, by due time, then
    caller. `overdue_only`: only those due before `now`."""
    conditions = [callbacks.c.status == CallbackStatus.open.value, *_caller_filter(callbacks.c.caller, caller)]
    if start is not None:
        conditions.append(callbacks.c.due_at >= start)
    if end is not None:
        conditions.append(callbacks.c.due_at < end)
    if overdue_only:
        conditions.append(callbacks.c.due_at < now)
    # Open callbacks are few next to leads: the grouping (a rule on the desk's calendar) is
    # decided per item in Python.
    rows = sa.select(callbacks.c.id, callbacks.c.due_at, callbacks.c.caller, callbacks.c.created_by, callbacks.c.note, leads.c.id.label("lead_id"),
                     leads.c.company, leads.c.contact_name, leads.c.phone_e164, leads.c.time_zone,
                     callbacks.c.released_from, callbacks.c.released_at, leads.c.phone_extension, callbacks.c.revision)
    with store.read() as conn:
        found = conn.execute(
            rows.join_from(callbacks, leads, leads.c.id == callbacks.c.lead_id).where(*conditions).order_by(callbacks.c.due_at, callbacks.c.id)
        ).all()
    items = []
    for row in found:
        local = local_time(row.time_zone, row.due_at, config.region)
        items.append(AgendaItem(row.id, row.due_at, agenda_group(row.due_at, now, config.region), row.caller,
                                row.created_by, row.note, row.lead_id, row.company, row.contact_name,
                                row.phone_e164, str(local.tzinfo), local, row.released_from, row.released_at,
                                row.phone_extension, row.revision))
    order = {group: index for index, group in enumerate(AGENDA_GROUPS)}
    def key(i: AgendaItem) -> tuple[object, ...]:
        who = (i.caller is None, i.caller or "")
        # Later spans weeks: one caller's list first would put next month before next week.
        when = (i.due_at, *who) if i.group == "later" else (*who, i.due_at)
        return (order[i.group], *when, i.callback_id)

    items.sort(key=key)
    return items


def appointments(store: Store, config: Config, *, start: datetime | None = None, end: datetime | None = None,
                 caller: str | None = None) -> list[Appointment]:
    """Appointments (calls with outcome appointment and a time) at [start, end), soonest first.
    caller: None, everyone's; a name, the ones that caller made; TEAM, none (nobody's own)."""
    if caller == TEAM:
        return []
    conditions = [calls.c.outcome == Outcome.appointment.value, calls.c.appointment_at.is_not(None)]
    if caller is not None:
        conditions.append(calls.c.caller == caller)
    if start is not None:
        conditions.append(calls.c.appointment_at >= start)
    if end is not None:
        conditions.append(calls.c.appointment_at < end)
    query = (sa.select(calls.c.id, calls.c.appointment_at, calls.c.caller, calls.c.notes, leads.c.id.label("lead_id"),
                       leads.c.company, leads.c.contact_name, leads.c.phone_e164, leads.c.time_zone, leads.c.phone_extension)
             .join_from(calls, leads, leads.c.id == calls.c.lead_id).where(*conditions).order_by(calls.c.appointment_at, calls.c.id))
    with store.read() as conn:
        found = conn.execute(query).all()
    result = []
    for row in found:
        local = local_time(row.time_zone, row.appointment_at, config.region)
        result.append(Appointment(row.id, row.appointment_at, row.caller, row.notes, row.lead_id, row.company,
                                  row.contact_name, row.phone_e164, str(local.tzinfo), local, row.phone_extension))
    return result


def closed_callbacks(store: Store, now: datetime, *, caller: str | None = None) -> list[ClosedCallback]:
    """Callbacks done or cancelled that calendars are still to be told about (for an .ics).

    The first export that sees one closed stamps it (any later change clears the stamp, see
    models.Callback); it is written as cancelled for CANCELLED_KEPT after that. Callbacks that
    were due long before are left out: a calendar's past needs no tidying.
    """
    since = now - CANCELLED_KEPT
    closed = callbacks.c.status != CallbackStatus.open.value
    with store.write() as conn:
        # revision set to itself: stamping is no change of the callback (its onupdate would bump it)
        conn.execute(sa.update(callbacks).where(closed, callbacks.c.closed_seen_at.is_(None), callbacks.c.due_at >= since)
                     .values(closed_seen_at=now, revision=callbacks.c.revision))
        rows = conn.execute(
            sa.select(callbacks.c.id, callbacks.c.due_at, callbacks.c.revision, leads.c.company, leads.c.id.label("lead_id"))
            .join_from(callbacks, leads, leads.c.id == callbacks.c.lead_id)
            .where(closed, callbacks.c.closed_seen_at >= since, *_caller_filter(callbacks.c.caller, caller))
            .order_by(callbacks.c.id)).all()
    return [ClosedCallback(row.id, row.due_at, row.revision, row.company, row.lead_id) for row in rows]


def store_id(store: Store) -> str:
    """This store's own id (made by migration 0006): in every UID its calendars get."""
    with store.read() as conn:
        found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "store_id")).scalar()
    if found:
        return found
    import uuid

    made = uuid.uuid4().hex[:12]
    with store.write() as conn:  # a store whose meta row was removed by hand gets a new one
        conn.execute(sa.insert(meta).values(key="store_id", value=made))
    return made


# -- iCalendar -------------------------------------------------------------------------------


def _description(contact: str, phone: str, local: datetime, lines: list[str]) -> str:
    head = [_("Contact: {name}").format(name=contact) if contact else "", _("Phone: {phone}").format(phone=phone),
            _("Lead's time: {time} {zone}").format(time=f"{local:%H:%M}", zone=local.tzinfo)]
    return "\n".join(line for line in head + lines if line)


def _event(uid: str, now: datetime, start: datetime, length: timedelta, summary: str) -> icalendar.Event:
    """What every event has; `uid` is made unique across stores by the store's id in it."""
    event = icalendar.Event()
    event.add("uid", f"{uid}@calldesk")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("duration", length)
    event.add("summary", summary)
    return event


def calendar(items: list[AgendaItem], meetings: list[Appointment], now: datetime, *, store: str,
             closed: list[ClosedCallback] | None = None) -> icalendar.Calendar:
    """One VEVENT per callback and per appointment, and a cancelled one per closed callback;
    `now` is the export's DTSTAMP, `store` the store's id (store_id). Texts in the UI language."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//calldesk//callback agenda//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for item in items:
        company = item.company or _("lead {id}").format(id=item.lead_id)
        phone = with_extension(item.phone_e164, item.phone_extension)
        event = _event(f"callback-{item.callback_id}.{store}", now, item.due_at, CALLBACK_LENGTH,
                       _("Call back {company}").format(company=company))
        event.add("sequence", item.revision)
        event.add("location", phone)  # calendar apps show it beside the time
        whom = item.caller or _("the team")
        if item.released_from:
            whom = _("{caller} (released from {before})").format(caller=whom, before=item.released_from)
        event.add("description", _description(item.contact, phone, item.due_local, [
            _("Note: {note}").format(note=item.note) if item.note else "",
            _("For: {caller}").format(caller=whom), _("Set by: {name}").format(name=item.created_by),
            _("Lead: {id}").format(id=item.lead_id)]))
        cal.add_component(event)
    for gone in closed or ():
        company = gone.company or _("lead {id}").format(id=gone.lead_id)
        event = _event(f"callback-{gone.callback_id}.{store}", now, gone.due_at, CALLBACK_LENGTH,
                       _("Call back {company}").format(company=company))
        event.add("sequence", gone.revision)
        event.add("status", "CANCELLED")
        cal.add_component(event)
    for meeting in meetings:
        company = meeting.company or _("lead {id}").format(id=meeting.lead_id)
        phone = with_extension(meeting.phone_e164, meeting.phone_extension)
        event = _event(f"appointment-{meeting.call_id}.{store}", now, meeting.at, APPOINTMENT_LENGTH,
                       _("Appointment {company}").format(company=company))
        event.add("location", phone)
        event.add("description", _description(meeting.contact, phone, meeting.at_local, [
            _("Note: {note}").format(note=meeting.note) if meeting.note else "",
            _("Made by: {name}").format(name=meeting.caller), _("Lead: {id}").format(id=meeting.lead_id)]))
        cal.add_component(event)
    return cal


def write_ics(items: list[AgendaItem], meetings: list[Appointment], target: str | Path | BinaryIO, *,
              now: datetime, store: str, closed: list[ClosedCallback] | None = None) -> None:
    """Write the calendar to a binary file object, or to a path (see files.replacing: a failed
    export never leaves half a calendar)."""
    data = calendar(items, meetings, now, store=store, closed=closed).to_ical()
    if hasattr(target, "write"):
        target.write(data)
        return
    with replacing(Path(target), "wb") as file:
        file.write(data)
