"""The callback agenda: grouping on the desk's calendar, filters, and the iCalendar export."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from calldesk.db.agenda import TEAM, agenda, appointments, store_id, write_ics
from calldesk.db.calls import CallbackRequest, record_outcome
from calldesk.db.leads import add_lead
from calldesk.rules.config import Config
from calldesk.rules.outcomes import Outcome
from calldesk.rules.schedule import agenda_group
from calldesk.rules.windows import day_bounds
from tests.conftest import NOW  # Monday 23 November 2026, 09:30 UTC = 10:30 in Amsterdam
from tests.stored import SET, setup, utc

CONFIG = Config()  # region NL: the desk is in Amsterdam
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(("due", "region", "group"), [
    (utc(2026, 11, 23, 9, 0), "NL", "overdue"),  # earlier today is overdue, not today
    (utc(2026, 11, 20, 9, 0), "NL", "overdue"),
    (NOW, "NL", "today"),
    (utc(2026, 11, 23, 22, 59), "NL", "today"),  # 23:59 in Amsterdam
    (utc(2026, 11, 23, 23, 30), "NL", "tomorrow"),  # 00:30 Tuesday in Amsterdam …
    (utc(2026, 11, 23, 23, 30), "GB", "today"),  # … but still Monday on a London desk
    (utc(2026, 11, 24, 22, 59), "NL", "tomorrow"),
    (utc(2026, 11, 24, 23, 0), "NL", "this week"),  # Wednesday 00:00
    (utc(2026, 11, 29, 22, 59), "NL", "this week"),  # Sunday 23:59
    (utc(2026, 11, 29, 23, 0), "NL", "later"),  # next Monday 00:00
    (utc(2027, 1, 4, 9, 0), "NL", "later"),
])
def test_agenda_group(due, region, group):
    assert agenda_group(due, NOW, region) == group


def test_agenda_group_on_a_sunday_and_in_other_zones():
    sunday = utc(2026, 11, 29, 12, 0)
    assert agenda_group(utc(2026, 11, 30, 8, 0), sunday, "NL") == "tomorrow"  # Monday
    assert agenda_group(utc(2026, 12, 1, 8, 0), sunday, "NL") == "later"  # the week has ended
    amsterdam = NOW.astimezone(ZoneInfo("Europe/Amsterdam"))  # the same moment, another zone
    assert agenda_group(utc(2026, 11, 23, 23, 30), amsterdam, "NL") == "tomorrow"
    with pytest.raises(ValueError, match="due must be timezone-aware"):
        agenda_group(datetime(2026, 11, 24, 9, 0), NOW, "NL")


def test_groups_order_and_fields(store):
    ids, _ = setup(store)
    items = agenda(store, NOW, CONFIG)
    assert [(i.group, i.callback_id) for i in items] == [
        ("overdue", ids["overdue"]), ("today", ids["today"]), ("tomorrow", ids["london"]),
        ("this week", ids["week"]), ("later", ids["later"])]  # the settled callback is gone
    london = items[2]
    assert (london.caller, london.created_by, london.note, london.company, london.contact) == (
        None, "bram", "their evening", "Thames Ltd", "Ann Smith")
    assert london.phone_e164 == "+442079460958" and london.time_zone == "Europe/London"
    # Tuesday 00:30 for the desk, still Monday 23:30 for the lead.
    assert london.due_local == datetime(2026, 11, 23, 23, 30, tzinfo=LONDON)
    assert london.due_local.utcoffset() == timedelta(0) and london.due_at == utc(2026, 11, 23, 23, 30)
    assert items[0].time_zone == "Europe/Amsterdam" and items[0].due_local.hour == 9


def test_callers_within_a_group_are_sorted_team_last(store):
    setup(store)
    record_outcome(store, add_lead(store, phone="0612345699", now=SET, by="t", company="Zulu BV"),
                   Outcome.callback, caller="zoe", now=SET, config=CONFIG,
                   callback=CallbackRequest(utc(2026, 11, 23, 15, 0)))
    today = [(i.caller, i.company) for i in agenda(store, NOW, CONFIG) if i.group == "today"]
    assert today == [("zoe", "Zulu BV"), (None, "Foxtrot BV")]


def test_the_later_group_is_ordered_by_time_then_caller(store):
    ids, _ = setup(store)  # anne's "later" on 10 December, 10:00

    def callback(phone, company, due, caller, team=False):
        lead_id = add_lead(store, phone=phone, now=SET, by="t", company=company)
        return record_outcome(store, lead_id, Outcome.callback, caller=caller, now=SET, config=CONFIG,
                              callback=CallbackRequest(due, team=team)).callback_id

    zoe_soon = callback("0612345690", "Soon BV", utc(2026, 12, 1, 9, 0), "zoe")
    team_soon = callback("0612345691", "Team BV", utc(2026, 12, 1, 9, 0), "bram", team=True)
    bram_same = callback("0612345692", "Same BV", utc(2026, 12, 10, 10, 0), "bram")
    zoe_late = callback("0612345693", "Late BV", utc(2027, 1, 5, 9, 0), "zoe")
    later = [i.callback_id for i in agenda(store, NOW, CONFIG) if i.group == "later"]
    # By time; at the same time by caller, the team last.
    assert later == [zoe_soon, team_soon, ids["later"], bram_same, zoe_late]


def test_filters(store):
    ids, _ = setup(store)

    def shown(**kwargs):
        return [i.callback_id for i in agenda(store, NOW, CONFIG, **kwargs)]

    # A caller sees their own callbacks and the team's; "team" only the team's.
    assert shown(caller="anne") == [ids["overdue"], ids["today"], ids["london"], ids["later"]]
    assert shown(caller="bram") == [ids["today"], ids["london"], ids["week"]]
    assert shown(caller=TEAM) == [ids["today"], ids["london"]]
    assert shown(caller="nobody") == [ids["today"], ids["london"]]
    assert shown(overdue_only=True) == [ids["overdue"]]
    assert shown(caller="bram", overdue_only=True) == []
    tuesday, wednesday = day_bounds(utc(2026, 11, 24, 12, 0), "NL")
    assert shown(start=tuesday, end=wednesday) == [ids["london"]]  # the desk's Tuesday
    assert shown(start=wednesday) == [ids["week"], ids["later"]]
    assert shown(end=tuesday) == [ids["overdue"], ids["today"]]


def test_appointments(store):
    _, meeting = setup(store)
    found = appointments(store, CONFIG)
    assert [(a.call_id, a.at, a.caller, a.company, a.phone_e164) for a in found] == [
        (meeting, utc(2026, 11, 27, 13, 0), "anne", "Hotel BV", "+31612345607")]
    assert appointments(store, CONFIG, caller="bram") == [] and appointments(store, CONFIG, caller=TEAM) == []
    assert appointments(store, CONFIG, start=utc(2026, 11, 27, 13, 1)) == []
    assert len(appointments(store, CONFIG, caller="anne", end=utc(2026, 11, 27, 13, 1))) == 1


def events(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_ics_export_parses_back_with_stable_uids(store, tmp_path):
    ids, meeting = setup(store)
    items, meetings = agenda(store, NOW, CONFIG), appointments(store, CONFIG)
    (tmp_path / "out").mkdir()  # the SQLite store lives in tmp_path itself
    path = tmp_path / "out" / "agenda.ics"
    sid = store_id(store)
    write_ics(items, meetings, path, now=NOW, store=sid)
    first = path.read_bytes()
    write_ics(agenda(store, NOW + timedelta(hours=2), CONFIG), appointments(store, CONFIG), path,
              now=NOW + timedelta(hours=2), store=sid)
    second = path.read_bytes()
    assert set(events(first)) == set(events(second)) == {
        *(f"callback-{n}.{sid}@calldesk" for n in ids.values()), f"appointment-{meeting}.{sid}@calldesk"}
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind

    parsed = events(first)
    london = parsed[f"callback-{ids['london']}.{sid}@calldesk"]
    assert str(london["summary"]) == "Call back Thames Ltd"
    assert london.decoded("dtstart") == utc(2026, 11, 23, 23, 30)
    assert london.decoded("dtstart").utcoffset() == timedelta(0)
    assert london.decoded("duration") == timedelta(minutes=15)
    description = str(london["description"])
    for text in ("Ann Smith", "+442079460958", "their evening", "Set by: bram", "For: the team", "23:30 Europe/London"):
        assert text in description
    appointment = parsed[f"appointment-{meeting}.{sid}@calldesk"]
    assert str(appointment["summary"]) == "Appointment Hotel BV"
    assert appointment.decoded("dtstart") == utc(2026, 11, 27, 13, 0)
    assert appointment.decoded("duration") == timedelta(hours=1)
    assert "+31612345607" in str(appointment["description"]) and "demo at their office" in str(appointment["description"])
    for event in parsed.values():
        assert event.decoded("dtstamp") == NOW

    buffer = io.BytesIO()
    write_ics(items, meetings, buffer, now=NOW, store=sid)
    assert buffer.getvalue() == first


def test_a_failed_ics_export_leaves_the_old_file(store, tmp_path, monkeypatch):
    setup(store)
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "agenda.ics"
    path.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("calldesk.db.files.os.replace", broken)  # where the calendar is renamed into place
    with pytest.raises(OSError):
        write_ics(agenda(store, NOW, CONFIG), [], path, now=NOW, store="s")
    assert path.read_bytes() == b"old" and list(path.parent.iterdir()) == [path]
