"""The callback agenda for team leads, and its export as an iCalendar file.

`agenda` lists open callbacks with their lead, grouped by the desk's day
(`schedule.agenda_group`: overdue, today, tomorrow, this week, later) and by caller.
The caller filter: None shows everyone's; a name shows that caller's own callbacks plus the
team's (what that caller may work); TEAM ("team") shows only team callbacks.

`write_ics` lives here, not in a rules module, because it writes a file; it needs nothing but
the items read here. Its UIDs are built from database ids (`callback-<id>@calldesk`,
`appointment-<call id>@calldesk`), so every export names the same callback the same way and a
calendar that imports the file again updates the events instead of adding them twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import icalendar
import sqlalchemy as sa

from calldesk.config import Config
from calldesk.db.engine import Store
from calldesk.db.files import replacing
from calldesk.db.models import Call, Callback, CallbackStatus, Lead
from calldesk.outcomes import Outcome
from calldesk.schedule import AGENDA_GROUPS, agenda_group
from calldesk.windows import local_time

TEAM = "team"  # the caller filter for team callbacks only
CALLBACK_LENGTH = timedelta(minutes=15)
APPOINTMENT_LENGTH = timedelta(hours=1)
_L, _C, _CB = Lead.__table__, Call.__table__, Callback.__table__


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
    conditions = [_CB.c.status == CallbackStatus.open.value, *_caller_filter(_CB.c.caller, caller)]
    if start is not None:
        conditions.append(_CB.c.due_at >= start)
    if end is not None:
        conditions.append(_CB.c.due_at < end)
    if overdue_only:
        conditions.append(_CB.c.due_at < now)
    # Open callbacks are few next to leads: the grouping (a rule on the desk's calendar) is
    # decided per item in Python.
    rows = sa.select(_CB.c.id, _CB.c.due_at, _CB.c.caller, _CB.c.created_by, _CB.c.note, _L.c.id.label("lead_id"),
                     _L.c.company, _L.c.contact_name, _L.c.phone_e164, _L.c.time_zone,
                     _CB.c.released_from, _CB.c.released_at)
    with store.read() as session:
        found = session.connection().execute(
            rows.join_from(_CB, _L, _L.c.id == _CB.c.lead_id).where(*conditions).order_by(_CB.c.due_at, _CB.c.id)
        ).all()
    items = []
    for row in found:
        local = local_time(row.time_zone, row.due_at, config.region)
        items.append(AgendaItem(row.id, row.due_at, agenda_group(row.due_at, now, config.region), row.caller,
                                row.created_by, row.note, row.lead_id, row.company, row.contact_name,
                                row.phone_e164, str(local.tzinfo), local, row.released_from, row.released_at))
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
    conditions = [_C.c.outcome == Outcome.appointment.value, _C.c.appointment_at.is_not(None)]
    if caller is not None:
        conditions.append(_C.c.caller == caller)
    if start is not None:
        conditions.append(_C.c.appointment_at >= start)
    if end is not None:
        conditions.append(_C.c.appointment_at < end)
    query = (sa.select(_C.c.id, _C.c.appointment_at, _C.c.caller, _C.c.notes, _L.c.id.label("lead_id"),
                       _L.c.company, _L.c.contact_name, _L.c.phone_e164, _L.c.time_zone)
             .join_from(_C, _L, _L.c.id == _C.c.lead_id).where(*conditions).order_by(_C.c.appointment_at, _C.c.id))
    with store.read() as session:
        found = session.connection().execute(query).all()
    result = []
    for row in found:
        local = local_time(row.time_zone, row.appointment_at, config.region)
        result.append(Appointment(row.id, row.appointment_at, row.caller, row.notes, row.lead_id, row.company,
                                  row.contact_name, row.phone_e164, str(local.tzinfo), local))
    return result


# -- iCalendar -------------------------------------------------------------------------------


def _description(contact: str, phone: str, local: datetime, lines: list[str]) -> str:
    head = [f"Contact: {contact}" if contact else "", f"Phone: {phone}",
            f"Lead's time: {local:%H:%M} {local.tzinfo}"]
    return "\n".join(line for line in head + lines if line)


def calendar(items: list[AgendaItem], meetings: list[Appointment], now: datetime) -> icalendar.Calendar:
    """One VEVENT per callback and per appointment; `now` is the export's DTSTAMP."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//calldesk//callback agenda//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for item in items:
        company = item.company or f"lead {item.lead_id}"
        event = icalendar.Event()
        event.add("uid", f"callback-{item.callback_id}@calldesk")
        event.add("dtstamp", now)
        event.add("dtstart", item.due_at)
        event.add("duration", CALLBACK_LENGTH)
        event.add("summary", f"Call back {company}")
        event.add("location", item.phone_e164)  # calendar apps show it beside the time
        event.add("description", _description(item.contact, item.phone_e164, item.due_local, [
            f"Note: {item.note}" if item.note else "",
            f"For: {item.caller or 'the team'}"
            + (f" (released from {item.released_from})" if item.released_from else ""), f"Set by: {item.created_by}", f"Lead: {item.lead_id}"]))
        cal.add_component(event)
    for meeting in meetings:
        company = meeting.company or f"lead {meeting.lead_id}"
        event = icalendar.Event()
        event.add("uid", f"appointment-{meeting.call_id}@calldesk")
        event.add("dtstamp", now)
        event.add("dtstart", meeting.at)
        event.add("duration", APPOINTMENT_LENGTH)
        event.add("summary", f"Appointment {company}")
        event.add("location", meeting.phone_e164)
        event.add("description", _description(meeting.contact, meeting.phone_e164, meeting.at_local, [
            f"Note: {meeting.note}" if meeting.note else "", f"Made by: {meeting.caller}",
            f"Lead: {meeting.lead_id}"]))
        cal.add_component(event)
    return cal


def write_ics(items: list[AgendaItem], meetings: list[Appointment], target: str | Path | BinaryIO, *,
              now: datetime) -> None:
    """Write the calendar to a binary file object, or to a path (see files.replacing: a failed
    export never leaves half a calendar)."""
    data = calendar(items, meetings, now).to_ical()
    if hasattr(target, "write"):
        target.write(data)
        return
    with replacing(Path(target), "wb") as file:
        file.write(data)
